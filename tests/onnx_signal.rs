//! ONNX signal operators built from matrix products and fills by the parser
//! (src/onnx/ops/fourier.rs, dft.rs, stft.rs, mel_weight_matrix.rs, affine_grid.rs), on cases
//! the ONNX node tests leave out: complex signals, zero padding and cutting, inverse
//! transforms, lengths known only at run time, dynamic batches, a one-voxel grid axis. Each
//! is compared with the operator computed here by direct f64 sums over its definition.

mod common;

use common::onnx::*;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::onnx::proto::*;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use std::f64::consts::TAU;
use std::sync::Arc;

/// An INT64 constant: a scalar when `dims` is empty.
fn int64_tensor(name: &str, dims: &[i64], values: &[i64]) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::INT64, int64_data: values.to_vec(), ..Default::default() }
}

/// An INT64 graph input of the given dims.
fn int64_input(name: &str, dims: &[i64]) -> ValueInfoProto {
    let mut v = value_info(name, dims);
    if let Some(TypeProto { tensor_type: Some(t) }) = v.r#type.as_mut() {
        t.elem_type = data_type::INT64;
    }
    v
}

/// One input fed to a run: float data, or INT32 values of a shape tensor.
enum Feed<'a> {
    Floats(&'a str, &'a [i64], &'a [f32]),
    Ints(&'a str, &'a [i64], &'a [i32]),
}

/// A built CPU engine's context.
fn context(net: &Network, profile: Option<OptimizationProfile>) -> ExecutionContext {
    let mut config = BuilderConfig::default();
    if let Some(p) = profile {
        config.add_profile(&p).unwrap();
    }
    let plan = build_for(net, &config, &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_or_else(|e| panic!("build: {}", e.message));
    ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap()
}

/// Runs `ctx` on `feeds`; returns the output's dims and values.
fn run(ctx: &mut ExecutionContext, feeds: &[Feed], output: &str) -> (Vec<i64>, Vec<f32>) {
    for feed in feeds {
        let (name, dims, address) = match feed {
            Feed::Floats(n, d, v) => (n, d, v.as_ptr() as u64),
            Feed::Ints(n, d, v) => (n, d, v.as_ptr() as u64),
        };
        ctx.set_input_shape(name, dims).unwrap();
        ctx.set_tensor_address(name, address).unwrap();
    }
    let dims = ctx.tensor_shape(output).unwrap();
    let mut y = vec![f32::NAN; dims.iter().product::<i64>() as usize];
    ctx.set_tensor_address(output, y.as_mut_ptr() as u64).unwrap();
    ctx.execute().unwrap_or_else(|e| panic!("run: {}", e.message));
    common::assert_all_written(&y, output);
    (dims, y)
}

fn one_node_model(opset: i64, n: NodeProto, inits: Vec<TensorProto>, inputs: Vec<ValueInfoProto>, output: (&str, &[i64])) -> Vec<u8> {
    let g = GraphProto { name: "g".into(), node: vec![n], initializer: inits, input: inputs, output: vec![value_info(output.0, output.1)] };
    model(opset, g)
}

/// The DFT of rows of complex samples (each row [re, im] pairs of length n) with length m
/// (cut or zero-padded): bins 0..bins, inverse scaled by 1/m.
fn dft_direct(row: &[(f64, f64)], m: usize, bins: usize, inverse: bool) -> Vec<(f64, f64)> {
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..bins)
        .map(|k| {
            let (mut re, mut im) = (0.0, 0.0);
            for (j, &(a, b)) in row.iter().enumerate().take(m) {
                let theta = sign * TAU * ((j * k) % m) as f64 / m as f64;
                re += a * theta.cos() - b * theta.sin();
                im += a * theta.sin() + b * theta.cos();
            }
            if inverse {
                (re / m as f64, im / m as f64)
            } else {
                (re, im)
            }
        })
        .collect()
}

fn flatten(v: &[(f64, f64)]) -> Vec<f32> {
    v.iter().flat_map(|&(a, b)| [a as f32, b as f32]).collect()
}

#[test]
fn inverse_dft_of_a_complex_signal_zero_padded_under_a_dynamic_batch() {
    // x [batch, 5, 2] along axis -2 (opset 20, axis and dft_length as constants), m = 8.
    let n = node("DFT", "dft", &["x", "len", "axis"], &["y"], vec![int_attr("inverse", 1)]);
    let inits = vec![int64_tensor("len", &[], &[8]), int64_tensor("axis", &[], &[-2])];
    let net = parse_ok(&one_node_model(20, n, inits, vec![value_info("x", &[-1, 5, 2])], ("y", &[-1, 8, 2])));
    let mut profile = OptimizationProfile::new();
    for (sel, b) in [(ProfileSelector::Min, 1), (ProfileSelector::Opt, 3), (ProfileSelector::Max, 4)] {
        profile.set_dimensions("x", sel, &[b, 5, 2]).unwrap();
    }
    let mut ctx = context(&net, Some(profile));
    let x = common::random(3 * 5 * 2, 41);
    let (dims, y) = run(&mut ctx, &[Feed::Floats("x", &[3, 5, 2], &x)], "y");
    assert_eq!(dims, vec![3, 8, 2]);
    let expected: Vec<f32> = x
        .chunks(10)
        .flat_map(|row| {
            let row: Vec<(f64, f64)> = row.chunks(2).map(|p| (p[0] as f64, p[1] as f64)).collect();
            flatten(&dft_direct(&row, 8, 8, true))
        })
        .collect();
    common::assert_close(&y, &expected, 1e-6, "inverse DFT, padded");
}

#[test]
fn onesided_dft_of_a_cut_real_signal_along_the_first_axis() {
    // x [6, 3, 1] along axis 0 (opset 17 attribute), m = 4 cuts the signal, bins 0..=2.
    let n = node("DFT", "dft", &["x", "len"], &["y"], vec![int_attr("axis", 0), int_attr("onesided", 1)]);
    let net = parse_ok(&one_node_model(17, n, vec![int64_tensor("len", &[], &[4])], vec![value_info("x", &[6, 3, 1])], ("y", &[3, 3, 2])));
    let mut ctx = context(&net, None);
    let x = common::random(18, 42);
    let (dims, y) = run(&mut ctx, &[Feed::Floats("x", &[6, 3, 1], &x)], "y");
    assert_eq!(dims, vec![3, 3, 2]);
    // y[k, c] = DFT of column c
    let columns: Vec<Vec<(f64, f64)>> =
        (0..3).map(|c| dft_direct(&(0..6).map(|j| (x[j * 3 + c] as f64, 0.0)).collect::<Vec<_>>(), 4, 3, false)).collect();
    let expected: Vec<f32> = (0..3).flat_map(|k| (0..3).flat_map(|c| flatten(&columns[c][k..k + 1])).collect::<Vec<_>>()).collect();
    common::assert_close(&y, &expected, 1e-5, "onesided DFT, cut");
}

#[test]
fn dft_length_known_only_at_run_time_builds_its_matrix_from_layers() {
    // x [2, 7, 2] complex, dft_length a graph input: one engine for lengths 3 to 12, run with
    // 10 (padding) and 5 (cutting).
    let n = node("DFT", "dft", &["x", "len"], &["y"], vec![int_attr("axis", 1)]);
    let net = parse_ok(&one_node_model(17, n, vec![], vec![value_info("x", &[2, 7, 2]), int64_input("len", &[])], ("y", &[2, -1, 2])));
    let mut profile = OptimizationProfile::new();
    for (sel, m) in [(ProfileSelector::Min, 3), (ProfileSelector::Opt, 8), (ProfileSelector::Max, 12)] {
        profile.set_shape_values("len", sel, &[m]).unwrap();
    }
    let mut ctx = context(&net, Some(profile));
    let x = common::random(28, 43);
    for m in [10usize, 5] {
        let len = [m as i32];
        let (dims, y) = run(&mut ctx, &[Feed::Floats("x", &[2, 7, 2], &x), Feed::Ints("len", &[], &len)], "y");
        assert_eq!(dims, vec![2, m as i64, 2]);
        let expected: Vec<f32> = x
            .chunks(14)
            .flat_map(|row| {
                let row: Vec<(f64, f64)> = row.chunks(2).map(|p| (p[0] as f64, p[1] as f64)).collect();
                flatten(&dft_direct(&row, m, m, false))
            })
            .collect();
        common::assert_close(&y, &expected, 2e-5, &format!("DFT of run-time length {m}"));
    }
}

#[test]
fn dft_along_a_run_time_axis_whose_output_shape_depends_on_it_is_refused() {
    let n = node("DFT", "dft", &["x", "", "axis"], &["y"], vec![int_attr("onesided", 1)]);
    let bytes = one_node_model(20, n, vec![], vec![value_info("x", &[4, 6, 1]), int64_input("axis", &[])], ("y", &[-1, -1, 2]));
    let (_, errors) = parse_bytes(&bytes);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].message().contains("known only at run time"), "{}", errors[0].message());
}

#[test]
fn two_sided_stft_of_a_complex_signal_with_a_window() {
    // signal [1, 20, 2], step 3, window of 6: (20 - 6) / 3 + 1 = 5 frames of 6 bins.
    let n = node("STFT", "stft", &["x", "step", "w"], &["y"], vec![int_attr("onesided", 0)]);
    let window: Vec<f32> = (0..6).map(|i| 0.5 + 0.1 * i as f32).collect();
    let inits = vec![int64_tensor("step", &[], &[3]), float_tensor("w", &[6], &window)];
    let net = parse_ok(&one_node_model(17, n, inits, vec![value_info("x", &[1, 20, 2])], ("y", &[1, 5, 6, 2])));
    let mut ctx = context(&net, None);
    let x = common::random(40, 44);
    let (dims, y) = run(&mut ctx, &[Feed::Floats("x", &[1, 20, 2], &x)], "y");
    assert_eq!(dims, vec![1, 5, 6, 2]);
    let expected: Vec<f32> = (0..5)
        .flat_map(|f| {
            let frame: Vec<(f64, f64)> =
                (0..6).map(|i| (x[(f * 3 + i) * 2] as f64 * window[i] as f64, x[(f * 3 + i) * 2 + 1] as f64 * window[i] as f64)).collect();
            flatten(&dft_direct(&frame, 6, 6, false))
        })
        .collect();
    common::assert_close(&y, &expected, 1e-5, "STFT");
}

#[test]
fn mel_weight_matrix_of_constants_is_a_constant_with_the_reference_values() {
    let n = node("MelWeightMatrix", "mel", &["bins", "dft", "rate", "lo", "hi"], &["y"], vec![]);
    let inits = vec![
        int64_tensor("bins", &[], &[8]),
        int64_tensor("dft", &[], &[16]),
        int64_tensor("rate", &[], &[8192]),
        float_tensor("lo", &[], &[0.0]),
        float_tensor("hi", &[], &[4096.0]),
    ];
    // An identity on the constant, so that the output is a layer's.
    let g = GraphProto {
        name: "g".into(),
        node: vec![n, node("Identity", "id", &["y"], &["z"], vec![])],
        initializer: inits,
        input: vec![],
        output: vec![value_info("z", &[9, 8])],
    };
    let net = parse_ok(&model(17, g));
    assert!(net.layers.iter().all(|l| ["Constant", "Identity"].contains(&l.op.kind().name())), "computed when parsed");
    let mut ctx = context(&net, None);
    let (dims, y) = run(&mut ctx, &[], "z");
    assert_eq!(dims, vec![9, 8]);
    // The onnx 1.16.2 reference output for these inputs (test_melweightmatrix).
    let mut expected = vec![0f32; 72];
    for (j, i) in [(0, 0), (0, 1), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7)] {
        expected[j * 8 + i] = 1.0;
    }
    assert_eq!(y, expected);
}

#[test]
fn affine_grid_3d_with_one_depth_slice_and_aligned_corners() {
    // theta [2, 3, 4], size [2, 1, 1, 3, 2]: with align_corners a one-long axis sits at -1.
    let n = node("AffineGrid", "grid", &["theta", "size"], &["y"], vec![int_attr("align_corners", 1)]);
    let inits = vec![int64_tensor("size", &[5], &[2, 1, 1, 3, 2])];
    let net = parse_ok(&one_node_model(20, n, inits, vec![value_info("theta", &[2, 3, 4])], ("y", &[2, 1, 3, 2, 3])));
    let mut ctx = context(&net, None);
    let theta = common::random(24, 45);
    let (dims, y) = run(&mut ctx, &[Feed::Floats("theta", &[2, 3, 4], &theta)], "y");
    assert_eq!(dims, vec![2, 1, 3, 2, 3]);
    let ramp = |l: usize, i: usize| if l == 1 { -1.0 } else { -1.0 + 2.0 * i as f64 / (l - 1) as f64 };
    let mut expected = Vec::new();
    for n in 0..2 {
        for h in 0..3 {
            for w in 0..2 {
                let p = [ramp(2, w), ramp(3, h), ramp(1, 0), 1.0];
                for o in 0..3 {
                    expected.push((0..4).map(|c| theta[n * 12 + o * 4 + c] as f64 * p[c]).sum::<f64>() as f32);
                }
            }
        }
    }
    common::assert_close(&y, &expected, 1e-6, "AffineGrid");
}
