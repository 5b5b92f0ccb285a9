//! ONNX windows the convolution and pooling layers cannot take, built from slices by the
//! parser (src/onnx/ops/windows.rs, conv_composite.rs): convolutions whose weights are graph
//! inputs, dilated pooling, under a dynamic batch; each compared with the operator computed
//! here by direct loops over its definition. Also: constant weights keep their layers, and a
//! kernel too large to slice is refused by name.

mod common;

use common::onnx::*;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use std::sync::Arc;

/// Builds `net` for the CPU with one profile for the input `dynamic` (batch 1 to 4) and
/// runs it on `inputs` (name, dims, values); returns the output's dims and values.
fn run(net: &Network, dynamic: &str, inputs: &[(&str, &[i64], &[f32])], output: &str) -> (Vec<i64>, Vec<f32>) {
    let mut config = BuilderConfig::default();
    let dims = inputs.iter().find(|(n, ..)| *n == dynamic).map(|(_, d, _)| d.to_vec()).expect("the dynamic input");
    let mut profile = OptimizationProfile::new();
    for (selector, batch) in [(ProfileSelector::Min, 1), (ProfileSelector::Opt, 2), (ProfileSelector::Max, 4)] {
        let mut d = dims.clone();
        d[0] = batch;
        profile.set_dimensions(dynamic, selector, &d).unwrap();
    }
    config.add_profile(&profile).unwrap();
    let plan = build_for(net, &config, &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_or_else(|e| panic!("build: {}", e.message));
    let engine = Arc::new(Engine::deserialize(&plan).unwrap());
    let mut ctx = ExecutionContext::new(engine).unwrap();
    for (name, dims, values) in inputs {
        ctx.set_input_shape(name, dims).unwrap();
        ctx.set_tensor_address(name, values.as_ptr() as u64).unwrap();
    }
    let out_dims = ctx.tensor_shape(output).unwrap();
    let mut y = vec![f32::NAN; out_dims.iter().product::<i64>() as usize];
    ctx.set_tensor_address(output, y.as_mut_ptr() as u64).unwrap();
    ctx.execute().unwrap_or_else(|e| panic!("run: {}", e.message));
    common::assert_all_written(&y, output);
    (out_dims, y)
}

fn layer_kinds(net: &Network) -> Vec<&'static str> {
    net.layers.iter().map(|l| l.op.kind().name()).collect()
}

/// 2-D window geometry: stride, dilation and leading padding per axis.
struct Geometry {
    stride: [usize; 2],
    dilation: [usize; 2],
    pad: [i64; 2],
}

impl Geometry {
    /// The input position of output `o`, kernel offset `k` on axis `a`, if inside `size`.
    fn at(&self, a: usize, o: usize, k: usize, size: usize) -> Option<usize> {
        let p = (o * self.stride[a] + k * self.dilation[a]) as i64 - self.pad[a];
        (0..size as i64).contains(&p).then_some(p as usize)
    }
}

/// y[n, m, i, j] = b[m] + Σ x[n, c, window] · w[m, c - group start, k] (NCHW, grouped).
#[allow(clippy::too_many_arguments)]
fn conv_direct(x: &[f32], xd: [usize; 4], w: &[f32], wd: [usize; 4], b: &[f32], group: usize, g: &Geometry, out: [usize; 2]) -> Vec<f32> {
    let [n, c, h, wid] = xd;
    let [m, cg, kh, kw] = wd;
    let mg = m / group;
    let mut y = vec![0f32; n * m * out[0] * out[1]];
    for ni in 0..n {
        for mi in 0..m {
            for (oi, oj) in (0..out[0]).flat_map(|i| (0..out[1]).map(move |j| (i, j))) {
                let mut acc = b[mi] as f64;
                for ci in 0..cg {
                    let xc = (mi / mg) * cg + ci;
                    for (ki, kj) in (0..kh).flat_map(|i| (0..kw).map(move |j| (i, j))) {
                        if let (Some(p), Some(q)) = (g.at(0, oi, ki, h), g.at(1, oj, kj, wid)) {
                            acc += (x[((ni * c + xc) * h + p) * wid + q] * w[((mi * cg + ci) * kh + ki) * kw + kj]) as f64;
                        }
                    }
                }
                y[((ni * m + mi) * out[0] + oi) * out[1] + oj] = acc as f32;
            }
        }
    }
    y
}

fn geometry_attrs(g: &Geometry, end_pads: [i64; 2]) -> Vec<nvinfer::onnx::proto::AttributeProto> {
    vec![
        ints_attr("strides", &[g.stride[0] as i64, g.stride[1] as i64]),
        ints_attr("dilations", &[g.dilation[0] as i64, g.dilation[1] as i64]),
        ints_attr("pads", &[g.pad[0], g.pad[1], end_pads[0], end_pads[1]]),
    ]
}

#[test]
fn grouped_conv_with_runtime_weights_under_a_dynamic_batch() {
    // X [N, 4, 7, 6], W [6, 2, 3, 2] and B [6] as graph inputs, 2 groups, strides (2, 1),
    // dilations (2, 2), pads (1, 0) before and (2, 1) after: out (7+3-5)/2+1 = 3, (6+1-3)+1 = 5.
    let geo = Geometry { stride: [2, 1], dilation: [2, 2], pad: [1, 0] };
    let mut attrs = geometry_attrs(&geo, [2, 1]);
    attrs.push(int_attr("group", 2));
    let g = graph(
        vec![node("Conv", "conv", &["X", "W", "B"], &["Y"], attrs)],
        vec![],
        &[("X", &[-1, 4, 7, 6]), ("W", &[6, 2, 3, 2]), ("B", &[6])],
        &[("Y", &[-1, 6, 3, 5])],
    );
    let net = parse_ok(&model(13, g));
    assert!(!layer_kinds(&net).contains(&"Convolution"), "run-time weights cannot be a convolution layer's");
    let (w, b) = (common::random(6 * 2 * 3 * 2, 61), common::random(6, 62));
    for batch in [3usize, 1] {
        let x = common::random(batch * 4 * 7 * 6, 63 + batch as u64);
        let xd = [batch as i64, 4, 7, 6];
        let (dims, y) = run(&net, "X", &[("X", &xd, &x), ("W", &[6, 2, 3, 2], &w), ("B", &[6], &b)], "Y");
        assert_eq!(dims, vec![batch as i64, 6, 3, 5]);
        let expected = conv_direct(&x, [batch, 4, 7, 6], &w, [6, 2, 3, 2], &b, 2, &geo, [3, 5]);
        common::assert_close(&y, &expected, 1e-5, &format!("grouped conv, batch {batch}"));
    }
}

#[test]
fn dilated_max_pool_under_a_dynamic_batch() {
    // X [N, 2, 9, 8], kernel (3, 2), strides (2, 3), dilations (2, 3), pads (2, 1) before and
    // (1, 2) after, ceil mode: rows ceil((9+3-5)/2)+1 = 5; columns ceil((8+3-4)/3)+1 = 4, less
    // the last, which would start at 9 ≥ 8 + 1, in the end padding: 3.
    let geo = Geometry { stride: [2, 3], dilation: [2, 3], pad: [2, 1] };
    let mut attrs = geometry_attrs(&geo, [1, 2]);
    attrs.push(ints_attr("kernel_shape", &[3, 2]));
    attrs.push(int_attr("ceil_mode", 1));
    let g = graph(vec![node("MaxPool", "pool", &["X"], &["Y"], attrs)], vec![], &[("X", &[-1, 2, 9, 8])], &[("Y", &[-1, 2, 5, 3])]);
    let net = parse_ok(&model(12, g));
    let batch = 2;
    let x = common::random(batch * 2 * 9 * 8, 71);
    let (dims, y) = run(&net, "X", &[("X", &[batch as i64, 2, 9, 8], &x)], "Y");
    assert_eq!(dims, vec![batch as i64, 2, 5, 3]);
    let mut expected = vec![];
    for plane in x.chunks(9 * 8) {
        for (oi, oj) in (0..5).flat_map(|i| (0..3).map(move |j| (i, j))) {
            let mut best = f32::NEG_INFINITY;
            for (ki, kj) in (0..3).flat_map(|i| (0..2).map(move |j| (i, j))) {
                if let (Some(p), Some(q)) = (geo.at(0, oi, ki, 9), geo.at(1, oj, kj, 8)) {
                    best = best.max(plane[p * 8 + q]);
                }
            }
            expected.push(best);
        }
    }
    common::assert_close(&y, &expected, 0.0, "dilated max pool");
}

#[test]
fn grouped_conv_transpose_with_runtime_weights() {
    // X [2, 4, 3, 4], W [4, 3, 3, 2] (C, M/group, kernel), 2 groups: M = 6. Strides (2, 3),
    // dilations (2, 1), pads (1, 0) before and (2, 1) after, output_padding (1, 2):
    // out 2·2 + 1 + 5 − 3 = 7 rows, 3·3 + 2 + 2 − 1 = 12 columns.
    let (s, d, pad, extra) = ([2usize, 3], [2usize, 1], [1i64, 0], [1i64, 2]);
    let attrs = vec![
        ints_attr("strides", &[2, 3]),
        ints_attr("dilations", &[2, 1]),
        ints_attr("pads", &[1, 0, 2, 1]),
        ints_attr("output_padding", &extra),
        int_attr("group", 2),
    ];
    let g = graph(
        vec![node("ConvTranspose", "deconv", &["X", "W", "B"], &["Y"], attrs)],
        vec![],
        &[("X", &[-1, 4, 3, 4]), ("W", &[4, 3, 3, 2]), ("B", &[6])],
        &[("Y", &[-1, 6, 7, 12])],
    );
    let net = parse_ok(&model(13, g));
    let (x, w, b) = (common::random(2 * 4 * 3 * 4, 81), common::random(4 * 3 * 3 * 2, 82), common::random(6, 83));
    let (dims, y) = run(&net, "X", &[("X", &[2, 4, 3, 4], &x), ("W", &[4, 3, 3, 2], &w), ("B", &[6], &b)], "Y");
    assert_eq!(dims, vec![2, 6, 7, 12]);
    // Each input element scatters into the output through its group's kernels.
    let mut expected = vec![0f64; 2 * 6 * 7 * 12];
    for (n, c, i, j) in (0..2).flat_map(|n| (0..4).flat_map(move |c| (0..3).flat_map(move |i| (0..4).map(move |j| (n, c, i, j))))) {
        let v = x[((n * 4 + c) * 3 + i) * 4 + j] as f64;
        for (m, ki, kj) in (0..3).flat_map(|m| (0..3).flat_map(move |ki| (0..2).map(move |kj| (m, ki, kj)))) {
            let oi = (i * s[0] + ki * d[0]) as i64 - pad[0];
            let oj = (j * s[1] + kj * d[1]) as i64 - pad[1];
            if (0..7).contains(&oi) && (0..12).contains(&oj) {
                let out_map = (c / 2) * 3 + m;
                expected[((n * 6 + out_map) * 7 + oi as usize) * 12 + oj as usize] += v * w[((c * 3 + m) * 3 + ki) * 2 + kj] as f64;
            }
        }
    }
    let expected: Vec<f32> = expected.iter().enumerate().map(|(k, v)| (v + b[(k / (7 * 12)) % 6] as f64) as f32).collect();
    common::assert_close(&y, &expected, 1e-5, "grouped conv transpose");
}

#[test]
fn constant_weights_keep_their_layers() {
    // ConvTranspose with output_shape: pads computed from it for the deconvolution layer.
    let w = float_tensor("W", &[2, 2, 3, 3], &common::random(36, 91));
    let attrs = vec![ints_attr("strides", &[2, 2]), ints_attr("output_shape", &[6, 5])];
    let g = graph(vec![node("ConvTranspose", "d", &["X", "W"], &["Y"], attrs)], vec![w], &[("X", &[1, 2, 3, 3])], &[("Y", &[1, 2, 6, 5])]);
    let net = parse_ok(&model(13, g));
    assert_eq!(layer_kinds(&net), vec!["Deconvolution"]);
    assert_eq!(net.known_dims(net.outputs[0]), vec![1, 2, 6, 5]);
    // Undilated pooling stays a pooling layer.
    let attrs = vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[2, 2]), int_attr("ceil_mode", 1)];
    let g = graph(vec![node("MaxPool", "p", &["X"], &["Y"], attrs)], vec![], &[("X", &[1, 1, 5, 5])], &[("Y", &[1, 1, 3, 3])]);
    let net = parse_ok(&model(12, g));
    assert_eq!(layer_kinds(&net), vec!["Pooling"]);
}

#[test]
fn a_kernel_too_large_to_slice_is_refused_by_name() {
    let g = graph(
        vec![node("Conv", "c", &["X", "W"], &["Y"], vec![])],
        vec![],
        &[("X", &[1, 1, 70, 70]), ("W", &[1, 1, 65, 65])],
        &[("Y", &[1, 1, 6, 6])],
    );
    let (_, errors) = parse_bytes(&model(13, g));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].desc.contains("run-time weights") && errors[0].desc.contains("4096"), "{}", errors[0].desc);
}
