//! IOutputAllocator through C callbacks: the application supplies memory for an output once
//! its size is known (data-dependent outputs) and is told the output's shape.

use std::ffi::{c_char, c_void, CString};

/// `reallocate(user, name, current, size, alignment)` returns memory of at least `size` bytes
/// (or null); `notify_shape(user, name, dims, nb_dims)` reports the output's shape.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct NvtOutputAllocator {
    pub user: *mut c_void,
    pub reallocate: Option<
        unsafe extern "C" fn(user: *mut c_void, name: *const c_char, current: *mut c_void, size: u64, alignment: u64) -> *mut c_void,
    >,
    pub notify_shape: Option<unsafe extern "C" fn(user: *mut c_void, name: *const c_char, dims: *const i64, nb_dims: i32)>,
}

// TensorRT requires allocators to be usable from the thread that enqueues; we call them only
// from within enqueue on that thread.
unsafe impl Send for NvtOutputAllocator {}
unsafe impl Sync for NvtOutputAllocator {}

impl NvtOutputAllocator {
    /// Memory for `bytes` bytes of output `name`, or None if the allocator refused.
    pub fn reallocate(&self, name: &str, current: u64, bytes: u64, alignment: u64) -> Option<u64> {
        let f = self.reallocate?;
        let n = CString::new(name).ok()?;
        // SAFETY: the application gave us this callback for exactly this use.
        let p = unsafe { f(self.user, n.as_ptr(), current as *mut c_void, bytes, alignment) };
        (!p.is_null()).then_some(p as u64)
    }

    pub fn notify_shape(&self, name: &str, dims: &[i64]) {
        if let (Some(f), Ok(n)) = (self.notify_shape, CString::new(name)) {
            // SAFETY: as above.
            unsafe { f(self.user, n.as_ptr(), dims.as_ptr(), dims.len() as i32) };
        }
    }
}
