//! CUDA backend over cudarc: the device's primary context (shared with the CUDA runtime
//! that applications use), NVRTC-compiled kernels from `kernels/`, cuBLASLt for matrices.
//! Layer implementations (`layers/`) register per layer kind and say which types they
//! support; the builder times them and records the chosen one in the plan.

pub mod blas;
#[rustfmt::skip]
pub mod descriptors;
pub mod device;
pub mod engine;
pub mod executor;
pub mod layers;
pub mod memory;
pub mod nvrtc;
pub mod sources;

pub use device::{device, Device, Event, Kernel, Kernels, Stream};
pub use memory::DeviceBuffer;

/// Raw CUDA stream handle; the same value as a CUDA runtime `cudaStream_t`.
pub type RawStream = cudarc::driver::sys::CUstream;
/// Raw device address.
pub type DevicePtr = u64;

/// Per-execution-context memory handed to layers while enqueuing.
pub struct Scratch {
    pub workspace: DevicePtr,
    pub workspace_bytes: usize,
}
