//! ONNX Resize forms the resize layer cannot take exactly, imported as per-axis weight
//! matrices (src/onnx/ops/resize/): cases the ONNX node tests leave out (their scales, sizes
//! and roi are graph inputs, so only run-time values).

mod common;

use common::onnx::*;
use nvinfer::builder::build_for;
use nvinfer::builder::config::BuilderConfig;
use nvinfer::onnx::proto::*;
use nvinfer::runtime::{Engine, ExecutionContext};
use std::sync::Arc;

/// One Resize node on X (float, static dims) with constant inputs; returns Y's dims and values.
fn run_resize(x_dims: &[i64], x: &[f32], inputs: &[&str], inits: Vec<TensorProto>, attrs: Vec<AttributeProto>) -> (Vec<i64>, Vec<f32>) {
    let n = node("Resize", "resize", inputs, &["Y"], attrs);
    let net = parse_ok(&model(19, graph(vec![n], inits, &[("X", x_dims)], &[("Y", &[])])));
    let plan = build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu)
        .unwrap_or_else(|e| panic!("build: {}", e.message));
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    ctx.set_tensor_address("X", x.as_ptr() as u64).unwrap();
    let dims = ctx.tensor_shape("Y").unwrap();
    let mut y = vec![f32::NAN; dims.iter().product::<i64>() as usize];
    ctx.set_tensor_address("Y", y.as_mut_ptr() as u64).unwrap();
    ctx.execute().unwrap_or_else(|e| panic!("run: {}", e.message));
    (dims, y)
}

fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto { name: name.into(), f: v, r#type: 1, ..Default::default() }
}

/// Antialiased cubic downsampling of two axes by 0.6 (5 -> 3) and 0.45 (7 -> 3, a scale
/// whose product with the size is not whole, so coordinates map with 1 / 0.45, not 7 / 3).
/// The expected values were computed with onnx 1.16.2's reference implementation:
///   X = np.array([(i*i*7 + 3*i) % 11 for i in range(35)], np.float32).reshape(1, 1, 5, 7)
///   Resize(X, roi="", scales=[1, 1, 0.6, 0.45]; mode="cubic", antialias=1) with
///   onnx.reference.ReferenceEvaluator, opset 19.
#[test]
fn antialiased_cubic_downsample_by_given_scales_matches_onnx_reference() {
    let x: Vec<f32> = (0..35).map(|i: i32| ((i * i * 7 + 3 * i) % 11) as f32).collect();
    let scales = float_tensor("scales", &[4], &[1.0, 1.0, 0.6, 0.45]);
    let attrs = vec![string_attr("mode", "cubic"), int_attr("antialias", 1)];
    let (dims, y) = run_resize(&[1, 1, 5, 7], &x, &["X", "", "scales"], vec![scales], attrs);
    assert_eq!(dims, vec![1, 1, 3, 3]);
    let want = [4.376046, 3.462064, 4.391065, 4.146611, 3.771561, 4.563532, 4.264268, 4.183626, 3.494641];
    for (i, (g, w)) in y.iter().zip(want).enumerate() {
        assert!((g - w).abs() < 1e-4, "Y[{i}] = {g}, onnx reference {w}");
    }
}

/// tf_crop_and_resize with a constant roi: outputs whose source lies outside the input take
/// extrapolation_value. One axis 4 -> 3 over roi [-0.5, 1]: sources -1.5 (outside), 0.75,
/// 3 (the last input, inside); as onnx.reference computes it.
#[test]
fn tf_crop_and_resize_with_a_constant_roi_extrapolates_outside() {
    let x = [1.0, 2.0, 4.0, 8.0];
    let roi = float_tensor("roi", &[2], &[-0.5, 1.0]);
    let sizes = int64_tensor_raw("sizes", &[3]);
    let attrs = vec![
        string_attr("mode", "linear"),
        string_attr("coordinate_transformation_mode", "tf_crop_and_resize"),
        float_attr("extrapolation_value", -7.0),
        ints_attr("axes", &[1]),
    ];
    let (dims, y) = run_resize(&[1, 4], &x, &["X", "roi", "", "sizes"], vec![roi, sizes], attrs);
    assert_eq!(dims, vec![1, 3]);
    assert_eq!(y, vec![-7.0, 1.75, 8.0]);
}

#[test]
fn tf_crop_and_resize_with_a_roi_known_only_at_run_time_is_refused() {
    let n = node(
        "Resize",
        "resize",
        &["X", "roi", "", "sizes"],
        &["Y"],
        vec![string_attr("mode", "linear"), string_attr("coordinate_transformation_mode", "tf_crop_and_resize")],
    );
    let sizes = int64_tensor_raw("sizes", &[1, 3]);
    let (_, errors) = parse_bytes(&model(19, graph(vec![n], vec![sizes], &[("X", &[1, 4]), ("roi", &[4])], &[("Y", &[])])));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].desc.contains("roi known only at run time"), "{}", errors[0].desc);
}
