//! "Run one input": the code path each fuzz target exercises, shared by the fuzz targets
//! (fuzz/fuzz_targets/*.rs, through the `nvinfer_fuzz` library) and by the regression test
//! (tests/fuzz_regressions.rs, through `#[path]`), so a crasher replays exactly as found.
//!
//! - `onnx_build`: ONNX parse -> (caps) -> CPU build -> the built plan must load and
//!   re-serialize to the same bytes -> `run_engine` (context, inputs at the profile's min shape,
//!   one inference).
//! - `plan_load`: `Engine::deserialize` -> the engine must re-serialize to a plan that loads ->
//!   (caps) -> `run_engine`.
//!
//! Errors (parser errors, `Err` from the builder, loader or runtime) are expected outcomes.
//! A panic anywhere — in the library or in one of the checks here — is a bug. The caps
//! below keep inputs that are legitimately slow or huge from being reported as hangs or
//! out-of-memory: such inputs are skipped (`Outcome::Skipped`), not run.
//!
//! Depends only on `nvinfer` and std.

#![allow(dead_code)]

use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::host::HostBuffer;
use nvinfer::ir::Network;
use nvinfer::layers::Kind;
use nvinfer::log::{NvtLogger, Reporter};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{DataType, ProfileSelector, TensorIOMode};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// Inputs larger than this are not looked at (libFuzzer's -max_len is smaller anyway).
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// Networks with more layers than this are not built.
pub const MAX_LAYERS: usize = 200;
/// No tensor of a network that is built may have more elements than this (dynamic dims
/// counted at the profile's max, `DYNAMIC_MAX`); the total over all tensors is capped too.
pub const MAX_TENSOR_ELEMENTS: u128 = 1 << 20;
pub const MAX_TOTAL_ELEMENTS: u128 = 1 << 22;
/// Work estimate (multiply-adds) above which a network is not built or an engine not run:
/// for convolution, matrix multiply, fully connected and pooling layers, output elements ×
/// max(largest input, parameter bytes / 2); for the others, input + output elements.
pub const MAX_WORK: u128 = 1 << 27;
/// Dynamic input dims get the profile min = opt = 1, max = DYNAMIC_MAX.
pub const DYNAMIC_MAX: i64 = 2;
/// An engine is not given a context when its activations, or any I/O tensor, need more
/// bytes than this.
pub const MAX_RUN_BYTES: u64 = 64 << 20;

/// How far one input went. Only used for statistics and by the regression test (which checks
/// that the shipped seeds get all the way through).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Refused by the ONNX parser.
    ParseError,
    /// Refused by the builder.
    BuildError,
    /// Refused by `Engine::deserialize`.
    LoadError,
    /// Over one of the caps above: not built, or not run.
    Skipped,
    /// `ExecutionContext::new` failed.
    ContextError,
    /// Shapes or addresses were refused, or `enqueue` returned an error.
    RunError,
    /// One inference ran.
    Ran,
}

unsafe extern "C" fn silent(_user: *mut c_void, _severity: i32, msg: *const c_char) {
    // Read the message as an application would (it must be a valid C string).
    if !msg.is_null() {
        let _ = std::ffi::CStr::from_ptr(msg).to_bytes().len();
    }
}

/// A reporter whose logger swallows every message (the default one prints warnings).
pub fn reporter() -> Reporter {
    Reporter::new(NvtLogger { user: std::ptr::null_mut(), log: Some(silent) })
}

fn volume(dims: &[i64], dynamic: i64) -> u128 {
    dims.iter().fold(1u128, |acc, &d| acc.saturating_mul(if d < 0 { dynamic as u128 } else { d as u128 }))
}

fn is_heavy(kind: Kind) -> bool {
    matches!(kind, Kind::Convolution | Kind::MatrixMultiply | Kind::FullyConnected | Kind::Pooling)
}

/// Work estimate of one layer from its input and output element counts and parameter size.
fn layer_work(kind: Kind, inputs: &[u128], outputs: &[u128], param_bytes: usize) -> u128 {
    let out: u128 = outputs.iter().fold(0u128, |a, &b| a.saturating_add(b));
    let inp_max = inputs.iter().copied().max().unwrap_or(0);
    if is_heavy(kind) {
        out.saturating_mul(inp_max.max(param_bytes as u128 / 2).max(1))
    } else {
        out.saturating_add(inputs.iter().fold(0u128, |a, &b| a.saturating_add(b)))
    }
}

/// Why a parsed network is not built, if it is over a cap.
pub fn network_over_caps(net: &Network) -> Option<String> {
    if net.layers.len() > MAX_LAYERS {
        return Some(format!("{} layers", net.layers.len()));
    }
    let elems: Vec<u128> = (0..net.tensors.len()).map(|t| volume(&net.known_dims(t), DYNAMIC_MAX)).collect();
    if let Some(&big) = elems.iter().find(|&&v| v > MAX_TENSOR_ELEMENTS) {
        return Some(format!("a tensor of {big} elements"));
    }
    let total = elems.iter().fold(0u128, |a, &b| a.saturating_add(b));
    if total > MAX_TOTAL_ELEMENTS {
        return Some(format!("{total} elements in all"));
    }
    let mut work = 0u128;
    for l in &net.layers {
        let ins: Vec<u128> = l.present_inputs().map(|t| elems.get(t).copied().unwrap_or(0)).collect();
        let outs: Vec<u128> = l.outputs.iter().map(|&t| elems.get(t).copied().unwrap_or(0)).collect();
        let params = if is_heavy(l.kind()) { l.op.encode().len() } else { 0 };
        work = work.saturating_add(layer_work(l.kind(), &ins, &outs, params));
    }
    (work > MAX_WORK).then(|| format!("about {work} operations"))
}

/// The ONNX target: parse, build for the CPU, load the plan, run once.
pub fn onnx_build(data: &[u8]) -> Outcome {
    if data.len() > MAX_INPUT_BYTES {
        return Outcome::Skipped;
    }
    let mut net = Network::new();
    let errors = nvinfer::onnx::parse(&mut net, data, None);
    if !errors.is_empty() {
        // Every error can be shown to the user.
        for e in &errors {
            let _ = e.message();
        }
        return Outcome::ParseError;
    }
    if network_over_caps(&net).is_some() {
        return Outcome::Skipped;
    }
    let plan = match build_cpu_plan(&net) {
        Ok(plan) => plan,
        Err(_) => return Outcome::BuildError,
    };
    // What the builder returns must load, and the loaded engine must encode to the same plan.
    let engine = match Engine::deserialize(&plan) {
        Ok(e) => e,
        Err(e) => panic!("the builder returned a plan that does not load: {}", e.message),
    };
    assert!(engine.serialize() == plan, "a freshly built plan does not re-serialize to the same bytes");
    run_engine(engine)
}

/// Builds a CPU plan of a parsed network. Dynamic input dims get one optimization profile
/// with min = opt = 1 and max = `DYNAMIC_MAX`.
pub fn build_cpu_plan(net: &Network) -> nvinfer::Result<Vec<u8>> {
    let mut config = BuilderConfig::default();
    let dynamic: Vec<(String, Vec<i64>)> = net
        .inputs
        .iter()
        .map(|&t| (net.tensors[t].name.as_str().to_string(), net.known_dims(t)))
        .filter(|(_, d)| d.iter().any(|&x| x < 0))
        .collect();
    if !dynamic.is_empty() {
        let mut p = OptimizationProfile::new();
        for (name, dims) in &dynamic {
            let at = |v: i64| dims.iter().map(|&d| if d < 0 { v } else { d }).collect::<Vec<_>>();
            // A refused dimension is the builder's business: build anyway and let it say why.
            let _ = p.set_dimensions(name, ProfileSelector::Min, &at(1));
            let _ = p.set_dimensions(name, ProfileSelector::Opt, &at(1));
            let _ = p.set_dimensions(name, ProfileSelector::Max, &at(DYNAMIC_MAX));
        }
        config.add_profile(&p)?;
    }
    build_for(net, &config, &reporter(), Target::Cpu)
}

/// Parses an ONNX model and builds its CPU plan, without the caps (for seeds and tests).
pub fn onnx_to_plan(onnx: &[u8]) -> Option<Vec<u8>> {
    let mut net = Network::new();
    if !nvinfer::onnx::parse(&mut net, onnx, None).is_empty() {
        return None;
    }
    build_cpu_plan(&net).ok()
}

/// The plan target: load, re-serialize, run once.
pub fn plan_load(data: &[u8]) -> Outcome {
    if data.len() > MAX_INPUT_BYTES {
        return Outcome::Skipped;
    }
    let engine = match Engine::deserialize(data) {
        Ok(e) => e,
        Err(e) => {
            let _ = e.message.len();
            return Outcome::LoadError;
        }
    };
    // A plan that was accepted once is accepted again after a round trip through the engine.
    let again = engine.serialize();
    if let Err(e) = Engine::deserialize(&again) {
        panic!("a loaded engine re-serializes to a plan that does not load: {}", e.message);
    }
    run_engine(engine)
}

/// Why a loaded engine is not run, if it is over a cap.
pub fn engine_over_caps(engine: &Engine) -> Option<String> {
    let desc = &engine.desc;
    let a = &engine.analysis;
    if desc.layers.len() > MAX_LAYERS {
        return Some(format!("{} layers", desc.layers.len()));
    }
    if engine.device_memory_size() > MAX_RUN_BYTES {
        return Some(format!("{} bytes of activations", engine.device_memory_size()));
    }
    let elems = |t: usize| -> u128 {
        let size = desc.tensors.get(t).map(|x| x.dtype.size_bytes()).unwrap_or(1).max(1) as u128;
        a.tensors.get(t).map(|i| i.max_bytes as u128 / size).unwrap_or(0)
    };
    for &t in &desc.io {
        let bytes = a.tensors.get(t).map(|i| i.max_bytes).unwrap_or(0);
        if bytes > MAX_RUN_BYTES {
            return Some(format!("I/O tensor {t} of {bytes} bytes"));
        }
    }
    let mut work = 0u128;
    for l in &desc.layers {
        let ins: Vec<u128> = l.inputs.iter().flatten().map(|&t| elems(t)).collect();
        let outs: Vec<u128> = l.outputs.iter().map(|&t| elems(t)).collect();
        let params = if is_heavy(l.op.kind()) { l.op.encode().len() } else { 0 };
        work = work.saturating_add(layer_work(l.op.kind(), &ins, &outs, params));
    }
    (work > MAX_WORK).then(|| format!("about {work} operations"))
}

/// Creates a context, gives every input the profile's min shape (shape-tensor inputs their
/// min values) and zeroed host memory, every output memory for its largest size, and runs
/// once on the CPU.
pub fn run_engine(engine: Engine) -> Outcome {
    if !engine.is_cpu() || engine_over_caps(&engine).is_some() {
        return Outcome::Skipped;
    }
    let engine = Arc::new(engine);
    let mut ctx = match ExecutionContext::new(engine.clone()) {
        Ok(c) => c,
        Err(_) => return Outcome::ContextError,
    };
    let mut buffers: Vec<HostBuffer> = Vec::new();
    for k in 0..engine.nb_io() {
        let Some(t) = engine.io_tensor(k) else { return Outcome::RunError };
        let name = t.name.clone();
        let size = t.dtype.size_bytes().max(1);
        if t.io_mode == TensorIOMode::Input {
            let mut dims = t.dims.clone();
            if let Some(r) = engine.profile_range(k, 0) {
                if dims.iter().any(|&d| d < 0) {
                    dims = r.min.clone();
                }
            }
            if ctx.set_input_shape(&name, &dims).is_err() {
                return Outcome::RunError;
            }
            let Some(n) = nvinfer::types::volume(&dims) else { return Outcome::RunError };
            let Some(bytes) = n.checked_mul(size) else { return Outcome::RunError };
            if bytes as u64 > MAX_RUN_BYTES {
                return Outcome::Skipped;
            }
            let mut buf = match HostBuffer::new(bytes.max(16)) {
                Ok(b) => b,
                Err(_) => return Outcome::RunError,
            };
            if t.shape_tensor && t.dtype == DataType::Int32 {
                if let Some([min, _, _]) = engine.profile_range(k, 0).and_then(|r| r.values.as_ref()) {
                    for (chunk, v) in buf.bytes_mut().chunks_exact_mut(4).zip(min.iter()).take(n) {
                        chunk.copy_from_slice(&v.to_ne_bytes());
                    }
                }
            }
            buffers.push(buf);
        } else {
            let Ok(bytes) = ctx.max_output_size(&name) else { return Outcome::RunError };
            if bytes > MAX_RUN_BYTES {
                return Outcome::Skipped;
            }
            match HostBuffer::new((bytes as usize).max(16)) {
                Ok(b) => buffers.push(b),
                Err(_) => return Outcome::RunError,
            }
        }
        let buf = buffers.last_mut().expect("just pushed");
        if ctx.set_tensor_address(&name, buf.as_mut_ptr() as u64).is_err() {
            return Outcome::RunError;
        }
    }
    let _ = ctx.infer_shapes();
    let outcome = if ctx.enqueue(std::ptr::null_mut()).is_ok() { Outcome::Ran } else { Outcome::RunError };
    // Shapes as the application reads them after the run.
    for k in 0..engine.nb_io() {
        if let Some(t) = engine.io_tensor(k) {
            let _ = ctx.tensor_shape(&t.name.clone());
        }
    }
    drop(ctx);
    drop(buffers);
    outcome
}
