//! Running engines on every backend this machine has: the CPU always, the GPU when there is
//! one. I/O memory follows TensorRT's rules (device memory for execution tensors on GPU
//! engines, host memory for shape tensors and CPU engines).

use nvinfer::backend::cuda::{self, DeviceBuffer};
use nvinfer::backend::Target;
use nvinfer::host::HostBuffer;

/// The targets to check on this machine.
pub fn targets() -> Vec<Target> {
    let mut t = vec![Target::Cpu];
    if std::env::var("NVINFER_BACKEND").as_deref() != Ok("cpu") {
        if let Ok(d) = cuda::device() {
            t.push(Target::Cuda(d.sm.0, d.sm.1));
        }
    }
    t
}

pub fn backend_name(t: &Target) -> &'static str {
    match t {
        Target::Cpu => "cpu",
        Target::Cuda(..) => "cuda",
    }
}

/// Memory for one I/O tensor.
pub enum IoBuffer {
    Host(HostBuffer),
    Device(DeviceBuffer),
}

impl IoBuffer {
    pub fn new(bytes: usize, on_device: bool) -> IoBuffer {
        // Never 0 bytes: an empty tensor still needs a distinct address.
        let bytes = bytes.max(4);
        if on_device {
            IoBuffer::Device(DeviceBuffer::alloc(bytes).expect("device memory"))
        } else {
            IoBuffer::Host(HostBuffer::new(bytes).expect("host memory"))
        }
    }

    pub fn with(data: &[u8], on_device: bool) -> IoBuffer {
        let mut b = IoBuffer::new(data.len(), on_device);
        match &mut b {
            IoBuffer::Host(h) => h.bytes_mut()[..data.len()].copy_from_slice(data),
            IoBuffer::Device(d) => cuda::memory::upload(d.ptr, data).expect("upload"),
        }
        b
    }

    pub fn address(&self) -> u64 {
        match self {
            IoBuffer::Host(h) => h.as_ptr() as u64,
            IoBuffer::Device(d) => d.ptr,
        }
    }

    pub fn read(&self, bytes: usize) -> Vec<u8> {
        match self {
            IoBuffer::Host(h) => h.bytes()[..bytes].to_vec(),
            IoBuffer::Device(d) => {
                let mut out = vec![0u8; bytes];
                d.download(&mut out).expect("download");
                out
            }
        }
    }
}
