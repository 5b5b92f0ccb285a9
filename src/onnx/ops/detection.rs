//! NonMaxSuppression on INMSLayer, and GridSample on IGridSampleLayer.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{GridSample, Shuffle, NMS};
use crate::layers::{grid_sample, nms};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("GridSample", grid_sample_op), ("NonMaxSuppression", non_max_suppression)];

/// Boxes [B, N, 4] and scores [B, C, N] to selected (batch, class, box) triples; the count of
/// boxes per class is 0 (none) when not given, as ONNX has it.
fn non_max_suppression(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let boxes = imp.tensor(input(node, 0)?)?;
    // ONNX scores are [B, C, N]; the layer takes [B, N, C].
    let scores = imp.tensor(input(node, 1)?)?;
    let scores = layer(imp, Shuffle::transpose(vec![0, 2, 1]), &[scores])?;
    let max_per_class = match optional_input(node, 2) {
        Some(m) => {
            let t = imp.tensor(m)?;
            reshape_tensor(imp, t, vec![])?
        }
        None => imp.constant_tensor(&ConstValue::i32(vec![], &[0]))?,
    };
    let mut inputs = vec![boxes, scores, max_per_class];
    let threshold = |imp: &mut Importer, i: usize, default: f32| -> Result<crate::ir::TensorId> {
        match optional_input(node, i) {
            Some(n) => {
                let t = imp.tensor(n)?;
                let t = cast(imp, t, DataType::Float)?;
                reshape_tensor(imp, t, vec![])
            }
            None => imp.constant_tensor(&ConstValue::f32(vec![], &[default])),
        }
    };
    let has_score = optional_input(node, 4).is_some();
    inputs.push(threshold(imp, 3, 0.0)?);
    if has_score {
        inputs.push(threshold(imp, 4, 0.0)?);
    }
    let mut l = NMS::new();
    l.bounding_box_format = if Attrs(node).int("center_point_box", 0) != 0 { nms::CENTER_SIZES } else { nms::CORNER_PAIRS };
    let outs = imp.add_multi(Box::new(l), &inputs)?;
    out(outs[0])
}

fn grid_sample_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let grid = imp.tensor(input(node, 1)?)?;
    let mut g = GridSample::new();
    g.interpolation_mode = match a.string("mode").as_deref().unwrap_or(if imp.opset >= 20 { "linear" } else { "bilinear" }) {
        "bilinear" | "linear" => grid_sample::LINEAR,
        "nearest" => grid_sample::NEAREST,
        "bicubic" | "cubic" => grid_sample::CUBIC,
        other => return Err(Error::invalid_argument(format!("unknown GridSample mode '{other}'"))),
    };
    g.sample_mode = match a.string("padding_mode").as_deref().unwrap_or("zeros") {
        "zeros" => grid_sample::FILL,
        "border" => grid_sample::CLAMP,
        "reflection" => grid_sample::REFLECT,
        other => return Err(Error::invalid_argument(format!("unknown GridSample padding_mode '{other}'"))),
    };
    g.align_corners = a.int("align_corners", 0) != 0;
    out(layer(imp, g, &[x, grid])?)
}
