//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cases;
pub mod exec;
pub mod onnx;

use std::path::PathBuf;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn mnist_dir() -> PathBuf {
    let built_here = repo().join("data/mnist");
    // A test binary copied to another machine (scripts/gpu_check.sh) runs from the
    // repository root there, where the compile-time path may not exist.
    if !built_here.exists() && std::path::Path::new("data/mnist").exists() {
        return PathBuf::from("data/mnist");
    }
    built_here
}

/// Reads a binary 28×28 PGM and returns the model input 1 − pixel/255.
pub fn read_digit(d: usize) -> Vec<f32> {
    let bytes = std::fs::read(mnist_dir().join(format!("{d}.pgm"))).expect("digit file");
    let pixels = &bytes[bytes.len() - 28 * 28..];
    pixels.iter().map(|&p| 1.0 - p as f32 / 255.0).collect()
}

pub fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap_or(0)
}

pub fn softmax(v: &[f32]) -> Vec<f32> {
    let m = v.iter().cloned().fold(f32::MIN, f32::max);
    let e: Vec<f32> = v.iter().map(|x| (x - m).exp()).collect();
    let s: f32 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

/// Deterministic values in [-1, 1), never all zero.
pub fn random(n: usize, seed: u64) -> Vec<f32> {
    nvinfer::builder::tactics::pseudo_random(n, seed)
}

// ---- helpers for the layer, parser, plan, builder and GPU tests ----

/// A reporter that prints nothing below warnings (the library's default without a logger).
pub fn quiet() -> nvinfer::log::Reporter {
    nvinfer::log::Reporter::new(nvinfer::log::NvtLogger::NONE)
}

/// Panics if any element is NaN (outputs are poisoned with NaN before a run, so a NaN
/// left means an element was never written).
pub fn assert_all_written(v: &[f32], what: &str) {
    if let Some(i) = v.iter().position(|x| x.is_nan()) {
        panic!("{what}: element {i} of {} was not written (still NaN)", v.len());
    }
}

/// max|a−b| / max(max|b|, 1e-6): the error of `a` relative to the largest reference value.
pub fn max_rel_err(a: &[f32], reference: &[f32]) -> f32 {
    assert_eq!(a.len(), reference.len(), "lengths differ");
    let scale = reference.iter().fold(0f32, |m, x| m.max(x.abs())).max(1e-6);
    let diff = a.iter().zip(reference).fold(0f32, |m, (x, y)| if x.is_nan() || y.is_nan() { f32::INFINITY } else { m.max((x - y).abs()) });
    diff / scale
}

/// Element-wise |actual − expected| ≤ tol, with the first offending index in the message.
pub fn assert_close(actual: &[f32], expected: &[f32], tol: f32, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: {} values, expected {}", actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= tol,
            "{what}: element {i} is {a}, expected {e} (tolerance {tol})\nactual:   {actual:?}\nexpected: {expected:?}"
        );
    }
}

/// The shipped MNIST model parsed into a fresh network.
pub fn mnist_network() -> nvinfer::ir::Network {
    let mut net = nvinfer::ir::Network::new();
    let errors = nvinfer::onnx::parse_file(&mut net, &mnist_dir().join("mnist.onnx"));
    assert!(errors.is_empty(), "{errors:?}");
    net
}

/// Names of the MNIST model's input and output tensors.
pub const MNIST_INPUT: &str = "Input3";
pub const MNIST_OUTPUT: &str = "Plus214_Output_0";

/// Builds `net` into a CPU plan with the default configuration.
pub fn cpu_plan(net: &nvinfer::ir::Network) -> nvinfer::Result<Vec<u8>> {
    nvinfer::builder::build_for(net, &nvinfer::builder::config::BuilderConfig::default(), &quiet(), nvinfer::backend::Target::Cpu)
}

/// Runs a CPU engine's context once on host buffers: `inputs` and `outputs` by tensor name.
pub fn run_cpu_context(ctx: &mut nvinfer::runtime::ExecutionContext, inputs: &[(&str, &[f32])], outputs: &mut [(&str, &mut Vec<f32>)]) {
    for (name, data) in inputs {
        ctx.set_tensor_address(name, data.as_ptr() as u64).unwrap();
    }
    for (name, data) in outputs.iter_mut() {
        data.iter_mut().for_each(|x| *x = f32::NAN);
        ctx.set_tensor_address(name, data.as_mut_ptr() as u64).unwrap();
    }
    ctx.enqueue(std::ptr::null_mut()).expect("CPU enqueue");
    for (name, data) in outputs.iter() {
        assert_all_written(data, name);
    }
}

/// Writes one line straight to stderr, past the test harness's output capture, so that
/// scripts reading a test binary's log see it whether or not `--nocapture` was given
/// (used for "skipped: ..." and "GPU-CHECK ..." lines).
pub fn report(line: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}
