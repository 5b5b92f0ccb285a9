//! C ABI: runtime, engine and execution context.

use super::{copy_out, cstr, destroy, run, slice, with, with_ref, NvtHostMemory, Reports};
use crate::backend::cuda::RawStream;
use crate::error::{Error, Result};
use crate::log::{NvtErrorRecorder, NvtLogger, Reporter};
use crate::runtime::{Engine, ExecutionContext};
use crate::types::{TensorIOMode, TensorLocation};
use std::ffi::{c_char, c_void};
use std::ptr::{null, null_mut};
use std::sync::Arc;

pub struct NvtRuntime {
    reporter: Reporter,
}

/// Shared by the engine handle and its contexts; queries may run on many threads at once.
pub struct NvtEngine {
    reporter: Reporter,
    engine: Arc<Engine>,
}

pub struct NvtContext {
    reporter: Reporter,
    context: ExecutionContext,
    name: crate::ir::Name,
}

impl Reports for NvtRuntime {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}
impl Reports for NvtEngine {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}
impl Reports for NvtContext {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}

#[no_mangle]
pub extern "C" fn nvt_runtime_create(logger: NvtLogger) -> *mut NvtRuntime {
    let reporter = Reporter::new(logger);
    run(&reporter.clone(), "createInferRuntime", null_mut(), || Ok(Box::into_raw(Box::new(NvtRuntime { reporter }))))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_runtime_destroy(r: *mut NvtRuntime) {
    destroy(r)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_runtime_set_error_recorder(r: *mut NvtRuntime, recorder: NvtErrorRecorder) {
    with(r, "IRuntime::setErrorRecorder", (), |r| super::install_recorder(&r.reporter, recorder))
}

/// Loads a plan; null (with a report saying why) if it is damaged or for another target.
#[no_mangle]
pub unsafe extern "C" fn nvt_runtime_deserialize(r: *mut NvtRuntime, data: *const c_void, size: u64) -> *mut NvtEngine {
    with(r, "IRuntime::deserializeCudaEngine", null_mut(), |r| {
        let bytes = slice(data as *const u8, size as i64, "plan")?;
        let engine = Engine::deserialize(bytes)?;
        if engine.location() == TensorLocation::Host {
            r.reporter.info("this engine runs on the CPU reference backend; its I/O tensors live in host memory (kHOST)");
        }
        Ok(Box::into_raw(Box::new(NvtEngine { reporter: r.reporter.child(), engine: Arc::new(engine) })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_destroy(e: *mut NvtEngine) {
    destroy(e)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_set_error_recorder(e: *mut NvtEngine, recorder: NvtErrorRecorder) {
    with_ref(e, "ICudaEngine::setErrorRecorder", (), |e| super::install_recorder(&e.reporter, recorder))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_serialize(e: *mut NvtEngine) -> *mut NvtHostMemory {
    with_ref(e, "ICudaEngine::serialize", null_mut(), |e| {
        Ok(Box::into_raw(Box::new(NvtHostMemory { bytes: e.engine.serialize().to_vec() })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_nb_io_tensors(e: *mut NvtEngine) -> i32 {
    with_ref(e, "ICudaEngine::getNbIOTensors", 0, |e| Ok(e.engine.nb_io() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_io_tensor_name(e: *mut NvtEngine, i: i32) -> *const c_char {
    with_ref(e, "ICudaEngine::getIOTensorName", null(), |e| {
        e.engine.io_name(i as usize).map(|n| n.as_ptr()).ok_or_else(|| Error::invalid_argument(format!("no I/O tensor {i}")))
    })
}

/// The I/O index (= legacy binding index) of a tensor name, or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_io_index(e: *mut NvtEngine, name: *const c_char) -> i32 {
    // An unknown name is an ordinary answer (-1), not an error, as getBindingIndex has it.
    with_ref(e, "ICudaEngine::getBindingIndex", -1, |e| Ok(e.engine.io_index(cstr(name, "name")?).map(|i| i as i32).unwrap_or(-1)))
}

fn io_index(e: &NvtEngine, name: *const c_char) -> Result<usize> {
    let name = unsafe { cstr(name, "tensor name")? };
    e.engine.io_index(name).ok_or_else(|| Error::invalid_argument(format!("the engine has no input or output tensor named '{name}'")))
}

/// Writes the tensor's dimensions; returns the rank, or -1 for an unknown name.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_tensor_shape(e: *mut NvtEngine, name: *const c_char, out: *mut i64, capacity: i32) -> i32 {
    with_ref(e, "ICudaEngine::getTensorShape", -1, |e| {
        let i = io_index(e, name)?;
        Ok(copy_out(&e.engine.io_tensor(i).map(|t| t.dims.clone()).unwrap_or_default(), out, capacity))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_tensor_type(e: *mut NvtEngine, name: *const c_char) -> i32 {
    with_ref(e, "ICudaEngine::getTensorDataType", 0, |e| Ok(e.engine.io_tensor(io_index(e, name)?).map(|t| t.dtype as i32).unwrap_or(0)))
}

/// TensorIOMode; kNONE (0) for names that are not I/O tensors.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_tensor_io_mode(e: *mut NvtEngine, name: *const c_char) -> i32 {
    with_ref(e, "ICudaEngine::getTensorIOMode", 0, |e| {
        let name = cstr(name, "tensor name")?;
        Ok(e.engine.io_index(name).map(|i| e.engine.io_mode(i)).unwrap_or(TensorIOMode::None) as i32)
    })
}

/// TensorLocation: kDEVICE (0) on the GPU, kHOST (1) on the CPU backend.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_tensor_location(e: *mut NvtEngine, name: *const c_char) -> i32 {
    with_ref(e, "ICudaEngine::getTensorLocation", 0, |e| {
        io_index(e, name)?;
        Ok(e.engine.location() as i32)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_nb_layers(e: *mut NvtEngine) -> i32 {
    with_ref(e, "ICudaEngine::getNbLayers", 0, |e| Ok(e.engine.nb_layers() as i32))
}

/// Activation memory a context needs, in bytes.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_device_memory_size(e: *mut NvtEngine) -> u64 {
    with_ref(e, "ICudaEngine::getDeviceMemorySize", 0, |e| Ok(e.engine.desc.arena_bytes))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_create_context(e: *mut NvtEngine) -> *mut NvtContext {
    with_ref(e, "ICudaEngine::createExecutionContext", null_mut(), |e| {
        let context = ExecutionContext::new(e.engine.clone())?;
        Ok(Box::into_raw(Box::new(NvtContext { reporter: e.reporter.child(), context, name: Default::default() })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_destroy(c: *mut NvtContext) {
    destroy(c)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_error_recorder(c: *mut NvtContext, recorder: NvtErrorRecorder) {
    with(c, "IExecutionContext::setErrorRecorder", (), |c| super::install_recorder(&c.reporter, recorder))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_name(c: *mut NvtContext, name: *const c_char) {
    with(c, "IExecutionContext::setName", (), |c| {
        c.name = crate::ir::Name::new(cstr(name, "name")?);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_name(c: *mut NvtContext) -> *const c_char {
    with(c, "IExecutionContext::getName", null(), |c| Ok(c.name.as_ptr()))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_tensor_address(c: *mut NvtContext, name: *const c_char, address: *mut c_void) -> bool {
    with(c, "IExecutionContext::setTensorAddress", false, |c| {
        c.context.set_tensor_address(cstr(name, "tensor name")?, address as u64).map(|_| true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_tensor_address(c: *mut NvtContext, name: *const c_char) -> *mut c_void {
    with(c, "IExecutionContext::getTensorAddress", null_mut(), |c| Ok(c.context.tensor_address(cstr(name, "tensor name")?)? as *mut c_void))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_input_shape(c: *mut NvtContext, name: *const c_char, dims: *const i64, nb_dims: i32) -> bool {
    with(c, "IExecutionContext::setInputShape", false, |c| {
        c.context.set_input_shape(cstr(name, "tensor name")?, slice(dims, nb_dims as i64, "dims")?).map(|_| true)
    })
}

/// Runs on `stream` (a cudaStream_t; may be null). Asynchronous on the GPU; synchronous on
/// the CPU backend.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_enqueue_v3(c: *mut NvtContext, stream: *mut c_void) -> bool {
    with(c, "IExecutionContext::enqueueV3", false, |c| c.context.enqueue(stream as RawStream).map(|_| true))
}

/// Legacy bindings: one address per I/O tensor, inputs first.
unsafe fn set_bindings(c: &mut NvtContext, bindings: *const *mut c_void) -> Result<()> {
    let n = c.context.engine.nb_io();
    let b = slice(bindings, n as i64, "bindings")?;
    c.context.set_bindings(&b.iter().map(|&p| p as u64).collect::<Vec<_>>())
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_enqueue_v2(c: *mut NvtContext, bindings: *const *mut c_void, stream: *mut c_void) -> bool {
    with(c, "IExecutionContext::enqueueV2", false, |c| {
        set_bindings(c, bindings)?;
        c.context.enqueue(stream as RawStream).map(|_| true)
    })
}

/// Runs and waits.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_execute_v2(c: *mut NvtContext, bindings: *const *mut c_void) -> bool {
    with(c, "IExecutionContext::executeV2", false, |c| {
        set_bindings(c, bindings)?;
        c.context.execute().map(|_| true)
    })
}
