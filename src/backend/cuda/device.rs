//! The CUDA device: found once per process, bound to its primary context on each thread
//! that uses it, plus the small owned wrappers (streams, events, loaded kernels).

use crate::error::{Error, Result};
use cudarc::driver::{result as cu, sys};
use once_cell::sync::OnceCell;
use std::collections::HashMap;
use std::ffi::{c_void, CString};

/// Turns a driver error into our error, naming what failed.
pub(crate) fn check<T>(r: std::result::Result<T, cu::DriverError>, what: &str) -> Result<T> {
    r.map_err(|e| {
        let name = e.error_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        Error::execution(format!("CUDA error in {what}: {name} ({:?})", e.0))
    })
}

pub struct Device {
    pub ordinal: i32,
    pub sm: (i32, i32),
    pub name: String,
    pub total_memory: usize,
    dev: sys::CUdevice,
    ctx: sys::CUcontext,
}

// The primary context handle may be used from any thread.
unsafe impl Send for Device {}
unsafe impl Sync for Device {}

static DEVICE: OnceCell<std::result::Result<Device, Error>> = OnceCell::new();

/// The process's CUDA device for computing, or why there is none (no driver, no device,
/// or the CPU backend forced with NVINFER_BACKEND=cpu).
pub fn device() -> Result<&'static Device> {
    if std::env::var(super::super::BACKEND_ENV).ok().as_deref() == Some("cpu") {
        return Err(Error::unsupported(format!("CUDA disabled by {}=cpu", super::super::BACKEND_ENV)));
    }
    driver()
}

/// The CUDA device whatever backend is chosen: CPU engines still need it to tell device
/// memory from host memory and to stage device memory.
pub fn driver() -> Result<&'static Device> {
    let found = DEVICE.get_or_init(|| {
        // Finding the library first keeps cudarc from panicking when it is absent.
        if !unsafe { sys::is_culib_present() } {
            return Err(Error::unsupported("no CUDA driver library (libcuda.so) on this machine"));
        }
        Device::open().map_err(|e| Error::unsupported(format!("no usable CUDA device: {e}")))
    });
    found.as_ref().map_err(|e| e.clone())
}

impl Device {
    fn open() -> Result<Device> {
        check(cu::init(), "cuInit")?;
        let count = check(cu::device::get_count(), "cuDeviceGetCount")?;
        if count < 1 {
            return Err(Error::unsupported("the CUDA driver reports no devices"));
        }
        // Use the device the application made current, as TensorRT does; device 0 otherwise.
        let mut ordinal = 0;
        if let Ok(Some(_)) = cu::ctx::get_current() {
            let mut d: sys::CUdevice = 0;
            if unsafe { sys::cuCtxGetDevice(&mut d) } == sys::CUresult::CUDA_SUCCESS {
                ordinal = d;
            }
        }
        let dev = check(cu::device::get(ordinal), "cuDeviceGet")?;
        let ctx = check(unsafe { cu::primary_ctx::retain(dev) }, "cuDevicePrimaryCtxRetain")?;
        check(unsafe { cu::ctx::set_current(ctx) }, "cuCtxSetCurrent")?;
        let attr = |a| check(unsafe { cu::device::get_attribute(dev, a) }, "cuDeviceGetAttribute");
        let major = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
        let minor = attr(sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
        let name = cu::device::get_name(dev).unwrap_or_else(|_| "unknown CUDA device".into());
        let total_memory = unsafe { cu::device::total_mem(dev) }.unwrap_or(0);
        Ok(Device { ordinal, sm: (major, minor), name, total_memory, dev, ctx })
    }

    /// Makes the primary context current on the calling thread (cheap; call before CUDA work).
    pub fn bind(&self) -> Result<()> {
        check(unsafe { cu::ctx::set_current(self.ctx) }, "cuCtxSetCurrent")
    }

    pub fn raw(&self) -> sys::CUdevice {
        self.dev
    }
}

/// A stream this library created (for timing during builds and for executeV2).
pub struct Stream(pub sys::CUstream);
unsafe impl Send for Stream {}
unsafe impl Sync for Stream {}

impl Stream {
    pub fn new() -> Result<Stream> {
        check(cu::stream::create(cu::stream::StreamKind::NonBlocking), "cuStreamCreate").map(Stream)
    }
    pub fn synchronize(&self) -> Result<()> {
        check(unsafe { cu::stream::synchronize(self.0) }, "cuStreamSynchronize")
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if driver().and_then(|d| d.bind()).is_ok() {
            let _ = unsafe { cu::stream::destroy(self.0) };
        }
    }
}

/// Synchronizes any stream handle, such as one the application passed in.
pub fn synchronize_raw(stream: sys::CUstream) -> Result<()> {
    check(unsafe { cu::stream::synchronize(stream) }, "cuStreamSynchronize")
}

/// A timing event.
pub struct Event(sys::CUevent);

impl Event {
    pub fn new() -> Result<Event> {
        check(cu::event::create(sys::CUevent_flags::CU_EVENT_DEFAULT), "cuEventCreate").map(Event)
    }
    pub fn record(&self, stream: sys::CUstream) -> Result<()> {
        check(unsafe { cu::event::record(self.0, stream) }, "cuEventRecord")
    }
    /// Milliseconds from `start` to `self`; waits for `self`.
    pub fn elapsed_since(&self, start: &Event) -> Result<f32> {
        check(unsafe { cu::event::synchronize(self.0) }, "cuEventSynchronize")?;
        check(unsafe { cu::event::elapsed(start.0, self.0) }, "cuEventElapsedTime")
    }
}

impl Drop for Event {
    fn drop(&mut self) {
        let _ = unsafe { cu::event::destroy(self.0) };
    }
}

/// One kernel function inside a loaded module.
#[derive(Clone, Copy)]
pub struct Kernel(sys::CUfunction);
unsafe impl Send for Kernel {}
unsafe impl Sync for Kernel {}

impl Kernel {
    /// Launches with a 1-D grid. `args` holds one pointer per kernel parameter.
    pub fn launch(&self, grid: u32, block: u32, stream: sys::CUstream, args: &mut [*mut c_void]) -> Result<()> {
        self.launch_3d((grid.max(1), 1, 1), (block, 1, 1), stream, args)
    }

    pub fn launch_3d(&self, grid: (u32, u32, u32), block: (u32, u32, u32), stream: sys::CUstream, args: &mut [*mut c_void]) -> Result<()> {
        check(unsafe { cu::launch_kernel(self.0, grid, block, 0, stream, args) }, "cuLaunchKernel")
    }
}

/// Grid size for `n` threads in blocks of `block`.
pub fn grid_for(n: usize, block: u32) -> u32 {
    let blocks = n.div_ceil(block as usize);
    blocks.min(u32::MAX as usize) as u32
}

/// The kernel modules of one engine, loaded from the cubins stored in its plan.
pub struct Kernels {
    modules: HashMap<String, sys::CUmodule>,
}
unsafe impl Send for Kernels {}
unsafe impl Sync for Kernels {}

impl Kernels {
    /// Loads each (kernel file name, cubin) pair. Images are copied to aligned memory first:
    /// a plan's bytes may place them anywhere.
    pub fn load(images: &[(String, bytes::Bytes)]) -> Result<Kernels> {
        let mut modules = HashMap::new();
        for (name, image) in images {
            let aligned = crate::host::HostBuffer::from_bytes(image)?;
            let m = check(unsafe { cu::module::load_data(aligned.as_ptr() as *const c_void) }, &format!("cuModuleLoadData({name})"))?;
            modules.insert(name.clone(), m);
        }
        Ok(Kernels { modules })
    }

    pub fn function(&self, file: &str, name: &str) -> Result<Kernel> {
        let m = self.modules.get(file).ok_or_else(|| Error::internal(format!("kernel module '{file}' is not in the engine")))?;
        let cname = CString::new(name).map_err(|_| Error::internal("kernel name has a NUL byte"))?;
        check(unsafe { cu::module::get_function(*m, cname) }, &format!("cuModuleGetFunction({name})")).map(Kernel)
    }
}

impl Drop for Kernels {
    fn drop(&mut self) {
        for m in self.modules.values() {
            let _ = unsafe { cu::module::unload(*m) };
        }
    }
}
