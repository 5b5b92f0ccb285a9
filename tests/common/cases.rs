//! The table-driven layer test harness: a case is a layer, its inputs and an independent
//! reference computed in f64; `check` runs every case on every backend this machine has (the
//! CPU always, CUDA where there is a GPU), in the case's type, and compares within the type's
//! tolerance: |actual - reference| <= tol * max(1, max |reference|), with tol 1e-5 for
//! kFLOAT, 1e-2 for kHALF and 0 (exact) for the integer and boolean types. Each run builds a
//! one-layer network through the public Rust API; kHALF runs set the layer's precision to
//! kHALF under kOBEY_PRECISION_CONSTRAINTS, so half kernels really run. `check` prints a
//! "LAYER-CASES" line per (backend, layer, type), which the GPU script collects.
//!
//! Inputs are network inputs in the layer's input slots 0, 1, 2, ... unless the case says
//! otherwise: `at_slots` puts them in other slots (leaving the rest empty, as optional
//! inputs are), `constant_inputs` makes some of them constant layers, and `dynamic` (or
//! `dynamic_only`) declares execution inputs with unknown dims (a profile pins them to the
//! case's dims), so inference works on symbolic shapes. Inputs the layer reads as shape tensors get a profile
//! with their values and live in host memory, as TensorRT has them. `verify` replaces the
//! value comparison with a check of the output (random fills). `output` picks the first
//! output of the layer that is compared (default 0); `with_outputs` adds references for the
//! outputs after it (layers with several outputs).

use super::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile, FLAG_FP16, FLAG_OBEY_PRECISION_CONSTRAINTS};
use nvinfer::host::{decode_f32, decode_i64, encode_f32, encode_i64};
use nvinfer::ir::Network;
use nvinfer::layers::generated::Constant;
use nvinfer::layers::Layer;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{byte_size, DataType, ProfileSelector};
use nvinfer::weights::Weights;
use std::sync::Arc;

use DataType::{Float, Half};

// ---------------------------------------------------------------- values and tensors

/// A host tensor for the tests: dims and values (as f64) of a type.
#[derive(Clone, Debug)]
pub struct T {
    pub dtype: DataType,
    pub dims: Vec<i64>,
    pub values: Vec<f64>,
}

pub fn count(dims: &[i64]) -> usize {
    dims.iter().product::<i64>() as usize
}

/// Values exactly representable in the type: floats rounded to it, integers wrapped.
pub fn representable(dtype: DataType, v: &[f64]) -> Vec<f64> {
    let mut bytes = vec![0u8; v.len() * dtype.size_bytes()];
    if dtype.is_float() {
        encode_f32(dtype, &v.iter().map(|&x| x as f32).collect::<Vec<_>>(), &mut bytes);
        decode_f32(dtype, &bytes).iter().map(|&x| x as f64).collect()
    } else {
        encode_i64(dtype, &v.iter().map(|&x| x as i64).collect::<Vec<_>>(), &mut bytes);
        decode_i64(dtype, &bytes).iter().map(|&x| x as f64).collect()
    }
}

pub fn t(dtype: DataType, dims: &[i64], values: Vec<f64>) -> T {
    assert_eq!(values.len(), count(dims), "values for {dims:?}");
    T { dtype, dims: dims.to_vec(), values: representable(dtype, &values) }
}

/// Pseudo-random values in [-1, 1) (never all zero).
pub fn rand(dtype: DataType, dims: &[i64], seed: u64) -> T {
    t(dtype, dims, super::random(count(dims), seed).iter().map(|&v| v as f64).collect())
}

/// Small integers in [lo, hi].
pub fn ints(dtype: DataType, dims: &[i64], seed: u64, lo: i64, hi: i64) -> T {
    let r = super::random(count(dims), seed);
    t(dtype, dims, r.iter().map(|&v| (lo + (((v as f64 + 1.0) / 2.0) * (hi - lo + 1) as f64).floor() as i64).min(hi) as f64).collect())
}

pub fn encode(x: &T) -> Vec<u8> {
    let mut b = vec![0u8; x.values.len() * x.dtype.size_bytes()];
    if x.dtype.is_float() {
        encode_f32(x.dtype, &x.values.iter().map(|&v| v as f32).collect::<Vec<_>>(), &mut b);
    } else {
        encode_i64(x.dtype, &x.values.iter().map(|&v| v as i64).collect::<Vec<_>>(), &mut b);
    }
    b
}

pub fn decode(dtype: DataType, b: &[u8]) -> Vec<f64> {
    if dtype.is_float() {
        decode_f32(dtype, b).iter().map(|&v| v as f64).collect()
    } else {
        decode_i64(dtype, b).iter().map(|&v| v as f64).collect()
    }
}

pub fn tolerance(dtype: DataType) -> f64 {
    match dtype {
        Float => 1e-5,
        Half => 1e-2,
        _ => 0.0,
    }
}

// ---------------------------------------------------------------- the one test body

/// A check of an output that cannot be compared value by value.
pub type Verify = Box<dyn Fn(&T) -> std::result::Result<(), String>>;

/// One case: a layer, its inputs, and the reference output (dims and values).
pub struct Case {
    pub what: String,
    pub layer: Box<dyn Layer>,
    pub inputs: Vec<T>,
    pub expected: T,
    /// The layer input slot of each input (default 0, 1, 2, ...); other slots stay empty.
    pub slots: Vec<usize>,
    /// Inputs (by index) given as constant layers rather than network inputs.
    pub constants: Vec<usize>,
    /// Execution inputs (by index) declared with unknown dims, pinned to the case's by a
    /// profile.
    pub dynamic: Vec<usize>,
    /// Checks the output instead of comparing it with `expected`'s values (its dims and type
    /// are still compared).
    pub verify: Option<Verify>,
    /// Which output of the layer `expected` is for (default 0).
    pub output: usize,
    /// References for the outputs after `output` (layers with several outputs).
    pub more_expected: Vec<T>,
}

impl Case {
    pub fn at_slots(mut self, slots: &[usize]) -> Case {
        assert_eq!(slots.len(), self.inputs.len(), "{}: one slot per input", self.what);
        self.slots = slots.to_vec();
        self
    }

    pub fn constant_inputs(mut self, which: &[usize]) -> Case {
        self.constants = which.to_vec();
        self
    }

    /// Every execution input with unknown dims.
    pub fn dynamic(self) -> Case {
        let all: Vec<usize> = (0..self.inputs.len()).collect();
        self.dynamic_only(&all)
    }

    /// The inputs `which` with unknown dims.
    pub fn dynamic_only(mut self, which: &[usize]) -> Case {
        self.what += " (dynamic dims)";
        self.dynamic = which.to_vec();
        self
    }

    pub fn verify(mut self, check: impl Fn(&T) -> std::result::Result<(), String> + 'static) -> Case {
        self.verify = Some(Box::new(check));
        self
    }

    /// Also checks outputs 1, 2, ... against these references.
    pub fn with_outputs(mut self, more: Vec<T>) -> Case {
        self.more_expected = more;
        self
    }

    /// The references of every checked output, output 0 first.
    pub fn expected_outputs(&self) -> impl Iterator<Item = &T> {
        std::iter::once(&self.expected).chain(&self.more_expected)
    }

    /// Compares output `index` of the layer rather than output 0.
    pub fn output(mut self, index: usize) -> Case {
        self.what += &format!(" (output {index})");
        self.output = index;
        self
    }

    /// The type a case is reported under: its first input of the output's type, else its
    /// first input, else the output's.
    pub fn dtype(&self) -> DataType {
        let same = self.inputs.iter().find(|x| x.dtype == self.expected.dtype);
        same.or(self.inputs.first()).map(|x| x.dtype).unwrap_or(self.expected.dtype)
    }
}

/// The name of output `k` of a case's network: "out", "out1", "out2", ...
pub fn output_name(k: usize) -> String {
    if k == 0 {
        "out".to_string()
    } else {
        format!("out{k}")
    }
}

/// The one-layer network of `case`, with its outputs named "out", "out1", ..., and the
/// profile its inputs need (None when every input is static and none is a shape tensor).
pub fn network(case: &Case) -> nvinfer::Result<(Network, Option<OptimizationProfile>)> {
    let mut net = Network::new();
    let mut ids = Vec::with_capacity(case.inputs.len());
    for (i, x) in case.inputs.iter().enumerate() {
        if case.constants.contains(&i) {
            let w = Weights::from_bytes(x.dtype, &encode(x))?;
            let l = net.add_layer(Box::new(Constant::of(x.dims.clone(), w)), &[])?;
            ids.push(net.layers[l].outputs[0]);
        } else {
            ids.push(net.add_input(&format!("in{i}"), x.dtype, &x.dims)?);
        }
    }
    let slots: Vec<usize> = if case.slots.is_empty() { (0..ids.len()).collect() } else { case.slots.clone() };
    // Inputs in the leading slots are given when the layer is added, the others set after,
    // as ILayer::setInput does.
    let leading = slots.iter().enumerate().take_while(|&(k, &s)| k == s).count();
    let l = net.add_layer_deferred(case.layer.clone(), &ids[..leading])?;
    for (&slot, &id) in slots.iter().zip(&ids).skip(leading) {
        net.set_layer_input(l, slot, id)?;
    }
    net.finish_last_layer()?;
    for (k, expected) in case.expected_outputs().enumerate() {
        let out = net.layers[l].outputs[case.output + k];
        net.set_tensor_name(out, &output_name(k)).unwrap();
        net.mark_output(out).unwrap();
        if net.tensors[out].dtype != expected.dtype {
            net.set_tensor_type(out, expected.dtype).unwrap();
        }
    }
    let shape_tensors = net.shape_tensors();
    let mut profile = OptimizationProfile::new();
    let mut needs_profile = false;
    for (i, x) in case.inputs.iter().enumerate() {
        let (id, name) = (ids[i], format!("in{i}"));
        if case.constants.contains(&i) {
            continue;
        }
        if shape_tensors[id] {
            let values: Vec<i32> = x.values.iter().map(|&v| v as i32).collect();
            for sel in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
                profile.set_shape_values(&name, sel, &values)?;
            }
            needs_profile = true;
        } else if case.dynamic.contains(&i) {
            net.set_input_dims(id, &vec![-1; x.dims.len()])?;
            let min: Vec<i64> = x.dims.iter().map(|&d| d.min(1)).collect();
            profile.set_dimensions(&name, ProfileSelector::Min, &min)?;
            profile.set_dimensions(&name, ProfileSelector::Opt, &x.dims)?;
            profile.set_dimensions(&name, ProfileSelector::Max, &x.dims)?;
            needs_profile = true;
        }
    }
    net.infer_shapes()?;
    Ok((net, needs_profile.then_some(profile)))
}

/// Builds a one-layer network of `case` for `target` and runs it; returns the output.
pub fn run(case: &Case, target: &Target) -> nvinfer::Result<T> {
    Ok(run_all(case, target)?.swap_remove(0))
}

/// Builds a one-layer network of `case` for `target` and runs it; returns every output the
/// case has a reference for.
pub fn run_all(case: &Case, target: &Target) -> nvinfer::Result<Vec<T>> {
    let (mut net, profile) = network(case)?;
    let l = net.layers.len() - 1;
    let mut config = BuilderConfig::default();
    if let Some(p) = &profile {
        config.add_profile(p)?;
    }
    config.set_flag(nvinfer::builder::config::FLAG_TF32, false);
    if case.inputs.iter().any(|x| x.dtype == Half) || case.expected_outputs().any(|e| e.dtype == Half) {
        config.set_flag(FLAG_FP16, true);
        config.set_flag(FLAG_OBEY_PRECISION_CONSTRAINTS, true);
        if net.layers[l].op.float_flexible() {
            net.layers[l].precision = Some(Half);
        }
    }
    let plan = build_for(&net, &config, &super::quiet(), target.clone())?;
    let engine = Arc::new(Engine::deserialize(&plan)?);
    let on_device = matches!(target, Target::Cuda(..));
    let mut ctx = ExecutionContext::new(engine.clone())?;
    let mut inputs: Vec<IoBuffer> = vec![];
    for (i, x) in case.inputs.iter().enumerate() {
        let name = format!("in{i}");
        let Some(k) = engine.io_index(&name) else { continue };
        // Shape tensors are read from host memory.
        let host = engine.io_tensor(k).is_some_and(|t| t.shape_tensor);
        let b = IoBuffer::with(&encode(x), on_device && !host);
        if !host {
            ctx.set_input_shape(&name, &x.dims)?;
        }
        ctx.set_tensor_address(&name, b.address())?;
        inputs.push(b);
    }
    let mut outputs = vec![];
    for k in 0..case.expected_outputs().count() {
        let name = output_name(k);
        let host = engine.io_index(&name).and_then(|i| engine.io_tensor(i)).is_some_and(|t| t.shape_tensor);
        let b = IoBuffer::new(ctx.max_output_size(&name)? as usize, on_device && !host);
        ctx.set_tensor_address(&name, b.address())?;
        outputs.push(b);
    }
    ctx.execute()?;
    let mut results = vec![];
    for (k, b) in outputs.iter().enumerate() {
        let name = output_name(k);
        let dims = ctx.tensor_shape(&name)?;
        let dtype = engine.io_tensor(engine.io_index(&name).unwrap()).unwrap().dtype;
        let values = decode(dtype, &b.read(byte_size(&dims, dtype).unwrap()));
        results.push(T { dtype, dims, values });
    }
    Ok(results)
}

/// Runs every case on every backend and checks it; prints one summary line per
/// (backend, type) and fails with every mismatch listed.
pub fn check(kind: &str, cases: Vec<Case>) {
    let mut failures = vec![];
    for target in targets() {
        let mut stats: std::collections::BTreeMap<String, (usize, f64)> = Default::default();
        for case in &cases {
            let dtype = case.dtype();
            let label = format!("{} {} [{}]", backend_name(&target), case.what, dtype);
            match run_all(case, &target) {
                Err(e) => failures.push(format!("{label}: {}", e.message)),
                Ok(all) => {
                    let mut worst = 0.0f64;
                    for (k, (got, expected)) in all.iter().zip(case.expected_outputs()).enumerate() {
                        let label = if k == 0 { label.clone() } else { format!("{label} output {k}") };
                        if got.dims != expected.dims || got.dtype != expected.dtype {
                            failures.push(format!(
                                "{label}: got {} {:?}, expected {} {:?}",
                                got.dtype, got.dims, expected.dtype, expected.dims
                            ));
                            worst = f64::INFINITY;
                            continue;
                        }
                        if let (0, Some(verify)) = (k, &case.verify) {
                            if let Err(why) = verify(got) {
                                failures.push(format!("{label}: {why}"));
                            }
                            continue;
                        }
                        let scale = expected.values.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                        let err = got.values.iter().zip(&expected.values).fold(0.0f64, |m, (a, b)| {
                            if a.is_nan() != b.is_nan() {
                                f64::INFINITY
                            } else if a.is_nan() || a == b {
                                m
                            } else {
                                m.max((a - b).abs() / scale)
                            }
                        });
                        let tol = tolerance(expected.dtype).max(tolerance(dtype));
                        if err > tol {
                            failures.push(format!(
                                "{label}: error {err:.3e} over {tol:.0e}\n  got      {:?}\n  expected {:?}",
                                got.values, expected.values
                            ));
                        }
                        worst = worst.max(err);
                    }
                    if worst.is_finite() {
                        let s = stats.entry(dtype.name().to_string()).or_default();
                        s.0 += 1;
                        s.1 = s.1.max(worst);
                    }
                }
            }
        }
        for (dtype, (n, err)) in stats {
            super::report(&format!(
                "LAYER-CASES backend={} layer={kind} type={dtype} cases={n} max_rel_err={err:.2e}",
                backend_name(&target)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} runs failed:\n{}", failures.len(), cases.len() * targets().len(), failures.join("\n"));
}

pub fn case(what: impl Into<String>, layer: impl Layer, inputs: Vec<T>, expected: T) -> Case {
    Case {
        what: what.into(),
        layer: Box::new(layer),
        inputs,
        expected,
        slots: vec![],
        constants: vec![],
        dynamic: vec![],
        verify: None,
        more_expected: vec![],
        output: 0,
    }
}

/// The output of a float layer in `dtype` from values computed in f64.
pub fn out(dtype: DataType, dims: &[i64], values: Vec<f64>) -> T {
    T { dtype, dims: dims.to_vec(), values: representable(dtype, &values) }
}

// ---------------------------------------------------------------- references (f64, written here)

pub fn strides(d: &[i64]) -> Vec<i64> {
    let mut s = vec![1; d.len()];
    for i in (0..d.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * d[i + 1];
    }
    s
}

/// Coordinates of flat index `i` in `dims`.
pub fn coords(mut i: i64, dims: &[i64]) -> Vec<i64> {
    let mut c = vec![0; dims.len()];
    for k in (0..dims.len()).rev() {
        c[k] = i % dims[k];
        i /= dims[k];
    }
    c
}

pub fn broadcast_ref(a: &T, b: &T, f: impl Fn(f64, f64) -> f64) -> (Vec<i64>, Vec<f64>) {
    let dims: Vec<i64> = a.dims.iter().zip(&b.dims).map(|(&x, &y)| x.max(y)).collect();
    let (sa, sb) = (strides(&a.dims), strides(&b.dims));
    let values = (0..count(&dims) as i64)
        .map(|i| {
            let c = coords(i, &dims);
            let at =
                |d: &[i64], s: &[i64]| c.iter().zip(d).zip(s).map(|((&c, &d), &s)| if d == 1 { 0 } else { c * s }).sum::<i64>() as usize;
            f(a.values[at(&a.dims, &sa)], b.values[at(&b.dims, &sb)])
        })
        .collect();
    (dims, values)
}

// ---------------------------------------------------------------- cases per layer kind

pub const FLOAT_TYPES: [DataType; 2] = [Float, Half];
