//! Device memory: owned buffers, copies, and what kind of memory an address is.

use super::device::{check, driver};
use crate::error::{Error, Result};
use crate::types::ErrorCode;
use cudarc::driver::{result as cu, sys};

/// A device allocation freed on drop.
pub struct DeviceBuffer {
    pub ptr: u64,
    pub bytes: usize,
}

impl DeviceBuffer {
    pub fn alloc(bytes: usize) -> Result<DeviceBuffer> {
        if bytes == 0 {
            return Ok(DeviceBuffer { ptr: 0, bytes: 0 });
        }
        let ptr = unsafe { cu::malloc_sync(bytes) }
            .map_err(|e| Error::new(ErrorCode::FailedAllocation, format!("cannot allocate {bytes} bytes of GPU memory: {e:?}")))?;
        Ok(DeviceBuffer { ptr, bytes })
    }

    /// A device copy of `data`.
    pub fn from_bytes(data: &[u8]) -> Result<DeviceBuffer> {
        let buf = DeviceBuffer::alloc(data.len())?;
        upload(buf.ptr, data)?;
        Ok(buf)
    }

    pub fn from_f32(data: &[f32]) -> Result<DeviceBuffer> {
        DeviceBuffer::from_bytes(bytemuck::cast_slice(data))
    }

    pub fn download(&self, out: &mut [u8]) -> Result<()> {
        if out.len() > self.bytes {
            return Err(Error::internal("download larger than the device buffer"));
        }
        download(self.ptr, out)
    }
}

impl Drop for DeviceBuffer {
    fn drop(&mut self) {
        if self.ptr != 0 && driver().and_then(|d| d.bind()).is_ok() {
            let _ = unsafe { cu::free_sync(self.ptr as sys::CUdeviceptr) };
        }
    }
}

/// Synchronous host-to-device copy.
pub fn upload(dst: u64, src: &[u8]) -> Result<()> {
    if src.is_empty() {
        return Ok(());
    }
    driver()?.bind()?;
    check(unsafe { cu::memcpy_htod_sync(dst, src) }, "cuMemcpyHtoD")
}

/// Synchronous device-to-host copy.
pub fn download(src: u64, dst: &mut [u8]) -> Result<()> {
    if dst.is_empty() {
        return Ok(());
    }
    driver()?.bind()?;
    check(unsafe { cu::memcpy_dtoh_sync(dst, src) }, "cuMemcpyDtoH")
}

/// Asynchronous device-to-device copy on a stream.
pub fn copy_async(dst: u64, src: u64, bytes: usize, stream: sys::CUstream) -> Result<()> {
    if bytes == 0 || dst == src {
        return Ok(());
    }
    check(unsafe { cu::memcpy_dtod_async(dst, src, bytes, stream) }, "cuMemcpyDtoDAsync")
}

/// Where an application's address lives, as far as CUDA knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressKind {
    /// From cudaMalloc / cuMemAlloc (or managed memory).
    Device,
    /// Host memory CUDA knows (cudaMallocHost, cudaHostRegister): reachable from kernels.
    PinnedHost,
    /// Memory CUDA does not know: plain host memory.
    Unknown,
}

/// Classifies `address` with cuPointerGetAttribute; needs the device to be initialized.
pub fn address_kind(address: u64) -> AddressKind {
    let mut ty: u32 = 0;
    let r = unsafe {
        sys::cuPointerGetAttribute(
            &mut ty as *mut u32 as *mut std::ffi::c_void,
            sys::CUpointer_attribute::CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
            address as sys::CUdeviceptr,
        )
    };
    match (r, ty) {
        (sys::CUresult::CUDA_SUCCESS, 1) => AddressKind::PinnedHost,
        (sys::CUresult::CUDA_SUCCESS, _) => AddressKind::Device,
        _ => AddressKind::Unknown,
    }
}

/// Whether `address` is device memory (false on machines without a GPU).
pub fn is_device_pointer(address: u64) -> bool {
    address != 0 && driver().and_then(|d| d.bind()).is_ok() && address_kind(address) == AddressKind::Device
}

/// Asynchronous zero fill on a stream.
pub fn memset_async(dst: u64, bytes: usize, stream: sys::CUstream) -> Result<()> {
    if bytes == 0 {
        return Ok(());
    }
    check(unsafe { cu::memset_d8_async(dst, 0, bytes, stream) }, "cuMemsetD8Async")
}
