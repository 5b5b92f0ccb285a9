//! CUDA backend over cudarc: the device's primary context (shared with the CUDA runtime
//! that applications use), NVRTC-compiled kernels from `kernels/`, cuBLASLt for matrices.

pub mod blas;
pub mod device;
pub mod engine;
pub mod memory;
pub mod nvrtc;
pub mod sources;

pub use device::{device, Device, Event, Kernel, Kernels, Stream};
pub use memory::DeviceBuffer;

use crate::error::Result;

/// Raw CUDA stream handle; the same value as a CUDA runtime `cudaStream_t`.
pub type RawStream = cudarc::driver::sys::CUstream;
/// Raw device address.
pub type DevicePtr = u64;

/// A layer prepared for one CUDA device: weights uploaded, descriptors made, kernels found.
/// `enqueue` must not allocate, synchronize or compile, so it can be captured in a CUDA graph.
pub trait CudaLayer: Send + Sync {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()>;
    /// Device scratch memory this layer needs per execution context.
    fn workspace_bytes(&self) -> usize {
        0
    }
}

/// Per-execution-context memory handed to layers while enqueuing.
pub struct Scratch {
    pub workspace: DevicePtr,
    pub workspace_bytes: usize,
}
