//! ONNX operators the parser composes from other layers, on paths the ONNX node tests do
//! not reach: scatter reductions with repeated and negative indices and partial coverage,
//! Compress on a dynamic input, Resize keeping the aspect ratio, and the refusals (with
//! their reasons) of what cannot be done exactly. Expected values are computed here from
//! the operator definitions.

mod common;

use common::onnx::*;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::onnx::proto::{data_type, TensorProto};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use std::sync::Arc;

fn int64_tensor(name: &str, dims: &[i64], values: &[i64]) -> TensorProto {
    let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::INT64, raw_data, ..Default::default() }
}

/// Parses a one-node graph with float inputs (declared dims, -1 for dynamic), builds it for
/// the CPU with a profile fixed at the fed shapes, runs it and returns the output's shape
/// and values.
fn run(
    n: nvinfer::onnx::proto::NodeProto,
    inits: Vec<TensorProto>,
    inputs: &[(&str, &[i64], &[i64], &[f32])],
    out_rank: usize,
) -> (Vec<i64>, Vec<f32>) {
    let decl: Vec<(&str, &[i64])> = inputs.iter().map(|(name, d, _, _)| (*name, *d)).collect();
    let out_dims = vec![-1; out_rank];
    let net = parse_ok(&model(18, graph(vec![n], inits, &decl, &[("Y", &out_dims)])));
    let mut config = BuilderConfig::default();
    if inputs.iter().any(|(_, d, _, _)| d.contains(&-1)) {
        let mut p = OptimizationProfile::new();
        for (name, d, shape, _) in inputs {
            if d.contains(&-1) {
                for s in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
                    p.set_dimensions(name, s, shape).unwrap();
                }
            }
        }
        config.add_profile(&p).unwrap();
    }
    let plan = nvinfer::builder::build_for(&net, &config, &common::quiet(), nvinfer::backend::Target::Cpu)
        .unwrap_or_else(|e| panic!("build: {}", e.message));
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    for (name, _, shape, _) in inputs {
        ctx.set_input_shape(name, shape).unwrap();
    }
    let dims = ctx.tensor_shape("Y").unwrap();
    let mut y = vec![0f32; dims.iter().product::<i64>() as usize];
    let feeds: Vec<(&str, &[f32])> = inputs.iter().map(|(name, _, _, v)| (*name, *v)).collect();
    common::run_cpu_context(&mut ctx, &feeds, &mut [("Y", &mut y)]);
    (dims, y)
}

/// The parse errors of a one-node graph, joined.
fn parse_error(n: nvinfer::onnx::proto::NodeProto, inits: Vec<TensorProto>, inputs: &[(&str, &[i64])], out_rank: usize) -> String {
    let out_dims = vec![-1; out_rank];
    let (_, errors) = parse_bytes(&model(18, graph(vec![n], inits, inputs, &[("Y", &out_dims)])));
    assert!(!errors.is_empty(), "the model parsed");
    errors.iter().map(|e| e.desc.clone()).collect::<Vec<_>>().join("; ")
}

fn combine(reduction: &str, a: f32, b: f32) -> f32 {
    match reduction {
        "add" => a + b,
        "mul" => a * b,
        "max" => a.max(b),
        _ => a.min(b),
    }
}

#[test]
fn scatter_elements_reductions_take_every_repeated_index() {
    // data [3, 4], axis 1; indices [2, 3] cover only rows 0 and 1 of the data, repeat
    // positions (0 twice in row 0, 1 twice in row 1) and count from the end (-1).
    let data = common::random(12, 61);
    let updates = common::random(6, 62);
    let indices = [0i64, 3, 0, -1, 1, 1];
    for reduction in ["add", "mul", "max", "min"] {
        let n = node("ScatterElements", "s", &["D", "I", "U"], &["Y"], vec![int_attr("axis", 1), string_attr("reduction", reduction)]);
        let (dims, y) =
            run(n, vec![int64_tensor("I", &[2, 3], &indices)], &[("D", &[3, 4], &[3, 4], &data), ("U", &[2, 3], &[2, 3], &updates)], 2);
        assert_eq!(dims, vec![3, 4]);
        let mut expected = data.clone();
        for i in 0..2 {
            for j in 0..3 {
                let col = indices[i * 3 + j].rem_euclid(4) as usize;
                expected[i * 4 + col] = combine(reduction, expected[i * 4 + col], updates[i * 3 + j]);
            }
        }
        common::assert_close(&y, &expected, 1e-6, reduction);
    }
}

#[test]
fn scatter_nd_reductions_linearize_index_tuples() {
    // data [2, 3, 2]; tuples of 2 address rows of 2 elements, with a repeat and a negative.
    let data = common::random(12, 63);
    let updates = common::random(8, 64);
    let tuples = [[0i64, 1], [1, -1], [0, 1], [-2, 0]];
    let flat: Vec<i64> = tuples.iter().flatten().copied().collect();
    for reduction in ["add", "mul", "max", "min"] {
        let n = node("ScatterND", "s", &["D", "I", "U"], &["Y"], vec![string_attr("reduction", reduction)]);
        let (dims, y) =
            run(n, vec![int64_tensor("I", &[4, 2], &flat)], &[("D", &[2, 3, 2], &[2, 3, 2], &data), ("U", &[4, 2], &[4, 2], &updates)], 3);
        assert_eq!(dims, vec![2, 3, 2]);
        let mut expected = data.clone();
        for (u, t) in tuples.iter().enumerate() {
            let row = (t[0].rem_euclid(2) * 3 + t[1].rem_euclid(3)) as usize;
            for e in 0..2 {
                expected[row * 2 + e] = combine(reduction, expected[row * 2 + e], updates[u * 2 + e]);
            }
        }
        common::assert_close(&y, &expected, 1e-6, reduction);
    }
}

#[test]
fn a_scatter_reduction_too_large_to_compare_is_refused() {
    let n = node("ScatterElements", "s", &["D", "I", "U"], &["Y"], vec![string_attr("reduction", "add")]);
    let e = parse_error(n, vec![int64_tensor("I", &[1024], &vec![0; 1024])], &[("D", &[1 << 20]), ("U", &[1024])], 1);
    assert!(e.contains("scatter reduction comparing"), "{e}");
}

#[test]
fn compress_without_axis_flattens_a_dynamic_input() {
    // [-1, 3] fed as [2, 3]: the condition (shorter than the 6 elements) keeps 0, 2 and 3.
    let x = common::random(6, 65);
    let condition =
        TensorProto { name: "C".into(), dims: vec![5], data_type: data_type::BOOL, int32_data: vec![1, 0, 1, 1, 0], ..Default::default() };
    let n = node("Compress", "c", &["X", "C"], &["Y"], vec![]);
    let (dims, y) = run(n, vec![condition], &[("X", &[-1, 3], &[2, 3], &x)], 1);
    assert_eq!(dims, vec![3]);
    assert_eq!(y, vec![x[0], x[2], x[3]]);
}

#[test]
fn resize_keeping_the_aspect_ratio_with_known_sizes() {
    // [1, 1, 2, 4] to fit in sizes (3, 3) of axes 2, 3: scale min(3/2, 3/4) = 0.75 gives
    // (round(1.5), 3) = (2, 3); 0.75 * 2 is not whole, so the layer (mapping with 2/2) is
    // not exact and per-axis index maps are used: x_in = (x_out + 0.5) / 0.75 - 0.5, rounded
    // half down: rows 0.17, 1.5 -> 0, 1; columns 0.17, 1.5, 2.83 -> 0, 1, 3 (as
    // onnx.reference computes it). Not smaller than (1, 2): scale max(0.5, 0.5).
    let attrs = |policy: &str| vec![ints_attr("axes", &[2, 3]), string_attr("keep_aspect_ratio_policy", policy)];
    let x: Vec<f32> = (1..=8).map(|v| v as f32).collect();
    let n = node("Resize", "r", &["X", "", "", "S"], &["Y"], attrs("not_larger"));
    let (dims, y) = run(n, vec![int64_tensor("S", &[2], &[3, 3])], &[("X", &[1, 1, 2, 4], &[1, 1, 2, 4], &x)], 4);
    assert_eq!(dims, vec![1, 1, 2, 3]);
    assert_eq!(y, vec![1.0, 2.0, 4.0, 5.0, 6.0, 8.0]);
    let n = node("Resize", "r", &["X", "", "", "S"], &["Y"], attrs("not_smaller"));
    let (dims, y) = run(n, vec![int64_tensor("S", &[2], &[1, 2])], &[("X", &[1, 1, 2, 4], &[1, 1, 2, 4], &x)], 4);
    assert_eq!(dims, vec![1, 1, 1, 2]);
    // half_pixel, round_prefer_floor: x_in = (x_out + 0.5) * 2 - 0.5 = 0.5, 2.5 -> 0, 2.
    assert_eq!(y, vec![1.0, 3.0]);
}

#[test]
fn one_hot_truncates_float_indices_and_depth() {
    // depth 3.7 is 3; indices 1.9, -1.2, 0, 5 are 1, -1 (the last), 0 and out of range.
    let indices = [1.9f32, -1.2, 0.0, 5.0];
    let n = node("OneHot", "o", &["I", "N", "V"], &["Y"], vec![]);
    let inits = vec![float_tensor("N", &[], &[3.7]), float_tensor("V", &[2], &[2.0, 7.0])];
    let (dims, y) = run(n, inits, &[("I", &[4], &[4], &indices)], 2);
    assert_eq!(dims, vec![4, 3]);
    #[rustfmt::skip]
    let expected = [2.0, 7.0, 2.0,  2.0, 2.0, 7.0,  7.0, 2.0, 2.0,  2.0, 2.0, 2.0];
    assert_eq!(y, expected);
    // A float depth known only at run time cannot size the output.
    let n = node("OneHot", "o", &["I", "N", "V"], &["Y"], vec![]);
    let e = parse_error(n, vec![float_tensor("V", &[2], &[2.0, 7.0])], &[("I", &[4]), ("N", &[])], 2);
    assert!(e.contains("OneHot depth of type kFLOAT known only at run time"), "{e}");
}

#[test]
fn windows_of_a_known_size_are_constants() {
    // Hann periodic of 4: sin^2(pi n / 4); symmetric of 5: sin^2(pi n / 4) too.
    for (periodic, size) in [(1, 4i64), (0, 5)] {
        let n = node("HannWindow", "w", &["N"], &["Y"], vec![int_attr("periodic", periodic)]);
        let (dims, y) = run(n, vec![int64_tensor("N", &[], &[size])], &[], 1);
        assert_eq!(dims, vec![size]);
        let expected: Vec<f32> = (0..size).map(|i| (std::f32::consts::PI * i as f32 / 4.0).sin().powi(2)).collect();
        common::assert_close(&y, &expected, 1e-6, "HannWindow");
    }
}
