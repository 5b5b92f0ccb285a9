//! C ABI: runtime, engine and execution context.

use super::{copy_out, cstr, destroy, run, slice, with, with_ref, NvtHostMemory, Reports};
use crate::backend::cuda::RawStream;
use crate::error::{Error, Result};
use crate::log::{NvtErrorRecorder, NvtLogger, Reporter};
use crate::runtime::allocator::NvtOutputAllocator;
use crate::runtime::{Engine, ExecutionContext};
use crate::types::{ProfileSelector, TensorIOMode};
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
    /// Names from the last inferShapes, handed to the caller.
    missing: Vec<crate::ir::Name>,
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
        if engine.is_cpu() {
            r.reporter.info("this engine runs on the CPU reference backend; it takes host memory (or device memory, staged)");
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
    with_ref(e, "ICudaEngine::serialize", null_mut(), |e| Ok(Box::into_raw(Box::new(NvtHostMemory { bytes: e.engine.serialize() }))))
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
        let dims = e.engine.io_tensor(i).map(|t| t.dims.as_slice()).unwrap_or(&[]);
        Ok(copy_out(&e.engine.api_dims(dims), out, capacity))
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

/// TensorLocation: kHOST (1) for shape tensors, kDEVICE (0) for the rest (on the CPU
/// backend too, which also accepts host memory for them).
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_tensor_location(e: *mut NvtEngine, name: *const c_char) -> i32 {
    with_ref(e, "ICudaEngine::getTensorLocation", 0, |e| Ok(e.engine.location(io_index(e, name)?) as i32))
}

/// Whether the tensor is a shape-tensor input or output (ICudaEngine::isShapeInferenceIO).
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_is_shape_io(e: *mut NvtEngine, name: *const c_char) -> bool {
    with_ref(e, "ICudaEngine::isShapeInferenceIO", false, |e| {
        let name = cstr(name, "tensor name")?;
        Ok(e.engine.io_index(name).and_then(|i| e.engine.io_tensor(i)).is_some_and(|t| t.shape_tensor))
    })
}

/// Whether this engine runs on the CPU reference backend.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_is_cpu(e: *mut NvtEngine) -> bool {
    with_ref(e, "ICudaEngine", false, |e| Ok(e.engine.is_cpu()))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_nb_profiles(e: *mut NvtEngine) -> i32 {
    with_ref(e, "ICudaEngine::getNbOptimizationProfiles", 0, |e| Ok(e.engine.nb_profiles() as i32))
}

/// Writes the kMIN/kOPT/kMAX dims of input `name` in `profile`; returns the rank or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_profile_shape(
    e: *mut NvtEngine,
    name: *const c_char,
    profile: i32,
    selector: i32,
    out: *mut i64,
    capacity: i32,
) -> i32 {
    with_ref(e, "ICudaEngine::getProfileShape", -1, |e| {
        let k = io_index(e, name)?;
        let sel = ProfileSelector::from_i32(selector)?;
        let r = e.engine.profile_range(k, usize::try_from(profile).unwrap_or(usize::MAX)).ok_or_else(|| {
            Error::invalid_argument(format!("no profile {profile} for an input named so (the engine has {})", e.engine.nb_profiles()))
        })?;
        let d = match sel {
            ProfileSelector::Min => &r.min,
            ProfileSelector::Opt => &r.opt,
            ProfileSelector::Max => &r.max,
        };
        Ok(copy_out(d, out, capacity))
    })
}

/// The profile's kMIN/kOPT/kMAX values of shape input `name` (valid while the engine lives),
/// or null; `count` receives their number.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_profile_values(
    e: *mut NvtEngine,
    name: *const c_char,
    profile: i32,
    selector: i32,
    count: *mut i32,
) -> *const i32 {
    with_ref(e, "ICudaEngine::getProfileTensorValues", null(), |e| {
        let k = io_index(e, name)?;
        let sel = ProfileSelector::from_i32(selector)? as usize;
        let v = e.engine.profile_range(k, usize::try_from(profile).unwrap_or(usize::MAX)).and_then(|r| r.values.as_ref()).map(|v| &v[sel]);
        if let Some(c) = count.as_mut() {
            *c = v.map(|v| v.len() as i32).unwrap_or(0);
        }
        Ok(v.map(|v| v.as_ptr()).unwrap_or(null()))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_nb_layers(e: *mut NvtEngine) -> i32 {
    with_ref(e, "ICudaEngine::getNbLayers", 0, |e| Ok(e.engine.nb_layers() as i32))
}

/// Activation memory a context needs, in bytes.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_device_memory_size(e: *mut NvtEngine) -> u64 {
    with_ref(e, "ICudaEngine::getDeviceMemorySize", 0, |e| Ok(e.engine.device_memory_size()))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_engine_create_context(e: *mut NvtEngine) -> *mut NvtContext {
    with_ref(e, "ICudaEngine::createExecutionContext", null_mut(), |e| {
        let context = ExecutionContext::new(e.engine.clone())?;
        Ok(Box::into_raw(Box::new(NvtContext { reporter: e.reporter.child(), context, name: Default::default(), missing: vec![] })))
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
        explicit_batch_only(c, "setInputShape")?;
        c.context.set_input_shape(cstr(name, "tensor name")?, slice(dims, nb_dims as i64, "dims")?).map(|_| true)
    })
}

/// The tensor's shape in this context (-1 where not known yet); returns the rank or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_tensor_shape(c: *mut NvtContext, name: *const c_char, out: *mut i64, capacity: i32) -> i32 {
    with(c, "IExecutionContext::getTensorShape", -1, |c| {
        let dims = c.context.tensor_shape(cstr(name, "tensor name")?)?;
        Ok(copy_out(&c.context.engine.api_dims(&dims), out, capacity))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_profile(c: *mut NvtContext, profile: i32) -> bool {
    with(c, "IExecutionContext::setOptimizationProfileAsync", false, |c| c.context.set_optimization_profile(profile).map(|_| true))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_profile(c: *mut NvtContext) -> i32 {
    with(c, "IExecutionContext::getOptimizationProfile", -1, |c| Ok(c.context.optimization_profile() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_all_input_dims_specified(c: *mut NvtContext) -> bool {
    with(c, "IExecutionContext::allInputDimensionsSpecified", false, |c| Ok(c.context.all_input_dims_specified()))
}

/// Whether every shape-tensor input has its host memory set.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_all_input_shapes_specified(c: *mut NvtContext) -> bool {
    with(c, "IExecutionContext::allInputShapesSpecified", false, |c| Ok(c.context.missing_inputs().is_empty()))
}

/// IExecutionContext::inferShapes: 0 when every shape resolves; otherwise the number of
/// inputs still missing, whose names (valid until the next call) go into `names`.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_infer_shapes(c: *mut NvtContext, max_names: i32, names: *mut *const c_char) -> i32 {
    with(c, "IExecutionContext::inferShapes", -1, |c| {
        let missing = c.context.infer_shapes()?;
        c.missing = missing.iter().map(|m| crate::ir::Name::new(m)).collect();
        if !names.is_null() {
            for (i, n) in c.missing.iter().enumerate().take(max_names.max(0) as usize) {
                *names.add(i) = n.as_ptr();
            }
        }
        Ok(missing.len() as i32)
    })
}

/// Sets (or, with a null reallocate callback, clears) the output allocator of `name`.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_set_output_allocator(c: *mut NvtContext, name: *const c_char, allocator: NvtOutputAllocator) -> bool {
    with(c, "IExecutionContext::setOutputAllocator", false, |c| {
        c.context.set_output_allocator(cstr(name, "tensor name")?, Some(allocator)).map(|_| true)
    })
}

/// The most bytes output `name` can need (getMaxOutputSize); -1 for unknown names.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_max_output_size(c: *mut NvtContext, name: *const c_char) -> i64 {
    with(c, "IExecutionContext::getMaxOutputSize", -1, |c| Ok(c.context.max_output_size(cstr(name, "tensor name")?)? as i64))
}

/// Runs on `stream` (a cudaStream_t; may be null). Asynchronous on the GPU; synchronous on
/// the CPU backend.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_enqueue_v3(c: *mut NvtContext, stream: *mut c_void) -> bool {
    with(c, "IExecutionContext::enqueueV3", false, |c| {
        explicit_batch_only(c, "enqueueV3")?;
        c.context.enqueue(stream as RawStream).map(|_| true)
    })
}

/// Legacy bindings: one address per I/O tensor, inputs first.
unsafe fn set_bindings(c: &mut NvtContext, bindings: *const *mut c_void) -> Result<()> {
    let b = batch_bindings(c, bindings)?;
    c.context.set_bindings(&b)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_context_enqueue_v2(c: *mut NvtContext, bindings: *const *mut c_void, stream: *mut c_void) -> bool {
    with(c, "IExecutionContext::enqueueV2", false, |c| {
        explicit_batch_only(c, "enqueueV2")?;
        set_bindings(c, bindings)?;
        c.context.enqueue(stream as RawStream).map(|_| true)
    })
}

/// Runs and waits.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_execute_v2(c: *mut NvtContext, bindings: *const *mut c_void) -> bool {
    with(c, "IExecutionContext::executeV2", false, |c| {
        explicit_batch_only(c, "executeV2")?;
        set_bindings(c, bindings)?;
        c.context.execute().map(|_| true)
    })
}

/// The explicit-batch entry points (executeV2, enqueueV2/V3, setInputShape) on an
/// implicit-batch engine, whose batch comes with execute/enqueue instead.
fn explicit_batch_only(c: &NvtContext, what: &str) -> Result<()> {
    if c.context.engine.implicit_batch() {
        return Err(Error::invalid_argument(format!(
            "{what} needs an engine built with an explicit batch dimension; this engine has an implicit batch: use execute or enqueue with a batch size"
        )));
    }
    Ok(())
}

/// Legacy bindings: one address per I/O tensor, inputs first.
unsafe fn batch_bindings(c: &NvtContext, bindings: *const *mut c_void) -> Result<Vec<u64>> {
    let n = c.context.engine.nb_io();
    let b = slice(bindings, n as i64, "bindings")?;
    Ok(b.iter().map(|&p| p as u64).collect())
}

/// IExecutionContext::execute(batchSize, bindings): runs and waits.
#[no_mangle]
pub unsafe extern "C" fn nvt_context_execute(c: *mut NvtContext, batch: i32, bindings: *const *mut c_void) -> bool {
    with(c, "IExecutionContext::execute", false, |c| {
        let b = batch_bindings(c, bindings)?;
        c.context.execute_batch(batch, &b).map(|_| true)
    })
}

/// IExecutionContext::enqueue(batchSize, bindings, stream, inputConsumed).
#[no_mangle]
pub unsafe extern "C" fn nvt_context_enqueue(c: *mut NvtContext, batch: i32, bindings: *const *mut c_void, stream: *mut c_void) -> bool {
    with(c, "IExecutionContext::enqueue", false, |c| {
        let b = batch_bindings(c, bindings)?;
        c.context.enqueue_batch(batch, &b, stream as RawStream).map(|_| true)
    })
}

/// ICudaEngine::hasImplicitBatchDimension.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_has_implicit_batch(e: *mut NvtEngine) -> bool {
    with_ref(e, "ICudaEngine::hasImplicitBatchDimension", false, |e| Ok(e.engine.implicit_batch()))
}

/// ICudaEngine::getMaxBatchSize.
#[no_mangle]
pub unsafe extern "C" fn nvt_engine_max_batch_size(e: *mut NvtEngine) -> i32 {
    with_ref(e, "ICudaEngine::getMaxBatchSize", 1, |e| Ok(e.engine.max_batch_size().min(i32::MAX as i64) as i32))
}
