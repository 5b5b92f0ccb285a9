//! IBuilderConfig's state.

/// nvinfer1::BuilderFlag values used here.
pub const FLAG_FP16: u32 = 0;
pub const FLAG_INT8: u32 = 1;
pub const FLAG_TF32: u32 = 7;
/// nvinfer1::MemoryPoolType::kWORKSPACE.
pub const POOL_WORKSPACE: i32 = 0;

#[derive(Clone, Debug)]
pub struct BuilderConfig {
    /// Bit i set means BuilderFlag i is set.
    pub flags: u32,
    /// Memory pool limits indexed by MemoryPoolType.
    pub pool_limits: [u64; 5],
    /// Timing repetitions per tactic (IBuilderConfig::setAvgTimingIterations).
    pub avg_timing_iterations: i32,
}

impl Default for BuilderConfig {
    fn default() -> Self {
        // TensorRT enables TF32 by default; the workspace defaults to the device's memory.
        BuilderConfig { flags: 1 << FLAG_TF32, pool_limits: [u64::MAX; 5], avg_timing_iterations: 8 }
    }
}

impl BuilderConfig {
    pub fn flag(&self, f: u32) -> bool {
        f < 32 && self.flags & (1 << f) != 0
    }
    pub fn set_flag(&mut self, f: u32, on: bool) {
        if f < 32 {
            if on {
                self.flags |= 1 << f
            } else {
                self.flags &= !(1 << f)
            }
        }
    }
}
