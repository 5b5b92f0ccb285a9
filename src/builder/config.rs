//! IBuilderConfig's state, and IOptimizationProfile.

use crate::error::{Error, Result};
use crate::types::{dims_str, ProfileSelector, MAX_DIMS};
use std::collections::BTreeMap;

/// nvinfer1::BuilderFlag values used here.
pub const FLAG_FP16: u32 = 0;
pub const FLAG_INT8: u32 = 1;
pub const FLAG_STRICT_TYPES: u32 = 4;
pub const FLAG_TF32: u32 = 7;
pub const FLAG_OBEY_PRECISION_CONSTRAINTS: u32 = 10;
pub const FLAG_PREFER_PRECISION_CONSTRAINTS: u32 = 11;
pub const FLAG_FP8: u32 = 17;
/// nvinfer1::MemoryPoolType::kWORKSPACE.
pub const POOL_WORKSPACE: i32 = 0;

/// One input's entry in a profile: dims and (for shape tensors) values per selector.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileEntry {
    pub dims: [Option<Vec<i64>>; 3],
    pub values: [Option<Vec<i32>>; 3],
}

/// IOptimizationProfile: ranges of input shapes (and shape-tensor values) by input name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizationProfile {
    pub inputs: BTreeMap<String, ProfileEntry>,
    pub extra_memory_target: f32,
}

impl OptimizationProfile {
    pub fn new() -> OptimizationProfile {
        OptimizationProfile { inputs: BTreeMap::new(), extra_memory_target: 1.0 }
    }

    pub fn set_dimensions(&mut self, name: &str, sel: ProfileSelector, dims: &[i64]) -> Result<()> {
        if name.is_empty() {
            return Err(Error::invalid_argument("the input name is empty"));
        }
        if dims.len() > MAX_DIMS || dims.iter().any(|&d| d < 0) {
            return Err(Error::invalid_argument(format!("input '{name}': profile dims {} must be non-negative", dims_str(dims))));
        }
        let entry = self.inputs.entry(name.to_string()).or_default();
        if let Some(other) = entry.dims.iter().flatten().next() {
            if other.len() != dims.len() {
                return Err(Error::invalid_argument(format!(
                    "input '{name}': profile dims {} have another rank than {} set before",
                    dims_str(dims),
                    dims_str(other)
                )));
            }
        }
        entry.dims[sel as usize] = Some(dims.to_vec());
        Ok(())
    }

    pub fn dimensions(&self, name: &str, sel: ProfileSelector) -> Option<&[i64]> {
        self.inputs.get(name)?.dims[sel as usize].as_deref()
    }

    pub fn set_shape_values(&mut self, name: &str, sel: ProfileSelector, values: &[i32]) -> Result<()> {
        if name.is_empty() {
            return Err(Error::invalid_argument("the input name is empty"));
        }
        let entry = self.inputs.entry(name.to_string()).or_default();
        if let Some(other) = entry.values.iter().flatten().next() {
            if other.len() != values.len() {
                return Err(Error::invalid_argument(format!(
                    "input '{name}': {} shape values, but {} were set before",
                    values.len(),
                    other.len()
                )));
            }
        }
        entry.values[sel as usize] = Some(values.to_vec());
        Ok(())
    }

    pub fn shape_values(&self, name: &str, sel: ProfileSelector) -> Option<&[i32]> {
        self.inputs.get(name)?.values[sel as usize].as_deref()
    }

    /// Whether every input named has all three selectors, each with min <= opt <= max.
    pub fn is_valid(&self) -> bool {
        self.inputs.values().all(|e| {
            let dims_ok = match &e.dims {
                [None, None, None] => true,
                [Some(a), Some(b), Some(c)] => a.iter().zip(b).zip(c).all(|((x, y), z)| x <= y && y <= z),
                _ => false,
            };
            let values_ok = match &e.values {
                [None, None, None] => true,
                [Some(a), Some(b), Some(c)] => a.iter().zip(b).zip(c).all(|((x, y), z)| x <= y && y <= z),
                _ => false,
            };
            dims_ok && values_ok
        })
    }
}

#[derive(Clone, Debug)]
pub struct BuilderConfig {
    /// Bit i set means BuilderFlag i is set.
    pub flags: u32,
    /// Memory pool limits indexed by MemoryPoolType.
    pub pool_limits: [u64; 5],
    /// Timing repetitions per tactic (IBuilderConfig::setAvgTimingIterations).
    pub avg_timing_iterations: i32,
    pub profiles: Vec<OptimizationProfile>,
    /// IBuilder::setMaxBatchSize: the largest batch of an implicit-batch network's engine
    /// (the builder object holds it in TensorRT; it is copied here when building).
    pub max_batch_size: i64,
}

impl Default for BuilderConfig {
    fn default() -> Self {
        // TensorRT enables TF32 by default; the workspace defaults to the device's memory.
        BuilderConfig { flags: 1 << FLAG_TF32, pool_limits: [u64::MAX; 5], avg_timing_iterations: 8, profiles: vec![], max_batch_size: 1 }
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

    /// IBuilderConfig::addOptimizationProfile: a copy is kept; returns its index.
    pub fn add_profile(&mut self, p: &OptimizationProfile) -> Result<usize> {
        if !p.is_valid() {
            return Err(Error::invalid_argument("the optimization profile is not valid (every input needs kMIN <= kOPT <= kMAX)"));
        }
        self.profiles.push(p.clone());
        Ok(self.profiles.len() - 1)
    }
}
