//! Owned device memory.

use super::device::{check, device};
use crate::error::{Error, Result};
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
            .map_err(|e| Error::new(crate::types::ErrorCode::FailedAllocation, format!("cuMemAlloc of {bytes} bytes failed: {e:?}")))?;
        Ok(DeviceBuffer { ptr, bytes })
    }

    pub fn upload_f32(data: &[f32]) -> Result<DeviceBuffer> {
        let buf = DeviceBuffer::alloc(std::mem::size_of_val(data))?;
        if !data.is_empty() {
            check(unsafe { cu::memcpy_htod_sync(buf.ptr, data) }, "cuMemcpyHtoD")?;
        }
        Ok(buf)
    }

    pub fn download_f32(&self, out: &mut [f32]) -> Result<()> {
        if std::mem::size_of_val(out) > self.bytes {
            return Err(Error::internal("download larger than the device buffer"));
        }
        check(unsafe { cu::memcpy_dtoh_sync(out, self.ptr) }, "cuMemcpyDtoH")
    }
}

impl Drop for DeviceBuffer {
    fn drop(&mut self) {
        if self.ptr != 0 && device().and_then(|d| d.bind()).is_ok() {
            let _ = unsafe { cu::free_sync(self.ptr as sys::CUdeviceptr) };
        }
    }
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
