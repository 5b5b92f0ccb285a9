//! Resize (opsets 10+) and Upsample (opsets 7 to 9) on IResizeLayer.

use super::slicing::{arith, input_dim, to_tensor, Bound, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise;
use crate::layers::generated::{Assertion, ElementWise, Resize};
use crate::layers::resize::*;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[("Resize", resize_op), ("Upsample", upsample)];

fn interpolation(mode: &str) -> Result<i32> {
    match mode {
        "nearest" => Ok(NEAREST),
        "linear" | "bilinear" | "trilinear" => Ok(LINEAR),
        "cubic" | "bicubic" => Ok(CUBIC),
        other => Err(Error::invalid_argument(format!("unknown resize mode '{other}'"))),
    }
}

/// Known float scales of an input, None when it is absent or empty.
fn scales_of(imp: &Importer, name: Option<&str>) -> Result<Option<Vec<f32>>> {
    let Some(name) = name else { return Ok(None) };
    match imp.value(name)? {
        Value::Const(c) if c.is_empty() => Ok(None),
        Value::Const(c) => Ok(Some(c.floats()?)),
        Value::Tensor(t) if imp.dims(t).first() == Some(&0) => Ok(None),
        Value::Tensor(_) => Err(Error::unsupported("resize scales known only at run time")),
    }
}

fn resize_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let mut r = Resize::new();
    r.resize_mode = interpolation(a.string("mode").as_deref().unwrap_or("nearest"))?;
    if a.int("antialias", 0) != 0 {
        return Err(Error::unsupported("antialiased resize"));
    }
    let default_ct = if imp.opset < 11 { "asymmetric" } else { "half_pixel" };
    let (ct, selector) = match a.string("coordinate_transformation_mode").as_deref().unwrap_or(default_ct) {
        "half_pixel" => (HALF_PIXEL, 0),
        "pytorch_half_pixel" => (HALF_PIXEL, UPPER),
        "align_corners" => (ALIGN_CORNERS, 0),
        "asymmetric" => (ASYMMETRIC, 0),
        other => return Err(Error::unsupported(format!("coordinate_transformation_mode '{other}'"))),
    };
    r.coordinate_transformation = ct;
    r.selector = selector;
    r.nearest_rounding = match a.string("nearest_mode").as_deref().unwrap_or("round_prefer_floor") {
        "round_prefer_floor" => HALF_DOWN,
        "round_prefer_ceil" => HALF_UP,
        "floor" => FLOOR,
        "ceil" => CEIL,
        other => return Err(Error::invalid_argument(format!("unknown nearest_mode '{other}'"))),
    };
    r.cubic_coeff = a.float("cubic_coeff_a", -0.75);
    r.exclude_outside = a.int("exclude_outside", 0) != 0;
    let (scales_at, sizes_at) = if imp.opset < 11 { (1, usize::MAX) } else { (2, 3) };
    let axes = match a.ints("axes") {
        Some(axes) => axis_indices(&axes, rank)?,
        None => (0..rank).collect(),
    };
    let policy = a.string("keep_aspect_ratio_policy").unwrap_or_else(|| "stretch".into());
    let scales = scales_of(imp, optional_input(node, scales_at))?;
    let sizes = optional_input(node, sizes_at);
    match (scales, sizes) {
        (Some(s), _) => {
            if s.len() != axes.len() {
                return Err(Error::invalid_argument(format!("{} resize scales for {} resized axes", s.len(), axes.len())));
            }
            // Axes left out of `axes` keep scale 1.
            let mut full = vec![1.0f32; rank];
            for (&axis, &scale) in axes.iter().zip(&s) {
                full[axis] = scale;
            }
            r.scales = Some(Weights::from_f32(&full));
            out(layer(imp, r, &[x])?)
        }
        (None, Some(name)) => {
            let identity_axes = axes.iter().enumerate().all(|(i, &a)| i == a) && axes.len() == rank;
            let sizes = match imp.known_ints(name)? {
                Some(v) => Bound::Known(v),
                // Sizes of every axis, taken as they are: the tensor is the output shape.
                None if identity_axes && policy == "stretch" => {
                    let shape = imp.tensor(name)?;
                    return out(layer(imp, r, &[x, shape])?);
                }
                None => Bound::Tensor(imp.tensor(name)?),
            };
            let dims = output_sizes(imp, x, &axes, sizes, &policy)?;
            let known: Option<Vec<i64>> = dims.iter().map(|d| if let Dim::Num(v) = d { Some(*v) } else { None }).collect();
            match known {
                Some(dims) => {
                    r.output_dims = dims;
                    out(layer(imp, r, &[x])?)
                }
                None => {
                    let parts = dims.into_iter().map(|d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
                    let shape = concat_1d(imp, &parts)?;
                    out(layer(imp, r, &[x, shape])?)
                }
            }
        }
        (None, None) => Err(Error::invalid_argument("Resize needs scales or sizes")),
    }
}

/// The output dims of a resize by `sizes`, given for `axes` (the other axes keep their
/// size), under a keep_aspect_ratio_policy.
fn output_sizes(imp: &mut Importer, x: TensorId, axes: &[usize], sizes: Bound, policy: &str) -> Result<Vec<Dim>> {
    if sizes.len(imp) != axes.len() {
        return Err(Error::invalid_argument(format!("{} resize sizes for {} resized axes", sizes.len(imp), axes.len())));
    }
    if let Bound::Known(v) = &sizes {
        if let Some(s) = v.iter().find(|&&s| !(0..=i32::MAX as i64).contains(&s)) {
            return Err(Error::invalid_argument(format!("resize size {s} is negative or too large")));
        }
    }
    let rank = imp.dims(x).len();
    let mut dims = (0..rank).map(|axis| input_dim(imp, x, axis)).collect::<Result<Vec<_>>>()?;
    let wanted = (0..axes.len()).map(|k| sizes.at(imp, k)).collect::<Result<Vec<_>>>()?;
    let keep = match policy {
        "stretch" => {
            for (&axis, &w) in axes.iter().zip(&wanted) {
                dims[axis] = w;
            }
            return Ok(dims);
        }
        "not_larger" => elementwise::MIN,
        "not_smaller" => elementwise::MAX,
        other => return Err(Error::invalid_argument(format!("unknown keep_aspect_ratio_policy '{other}'"))),
    };
    let inputs: Vec<Dim> = axes.iter().map(|&a| dims[a]).collect();
    if let Some(Dim::Num(d)) = inputs.iter().find(|d| matches!(d, Dim::Num(v) if *v <= 0 || *v > i32::MAX as i64)) {
        return Err(Error::invalid_argument(format!("a resize keeping the aspect ratio of an axis of size {d}")));
    }
    // One scale for all axes, the smallest (largest) of wanted[i] / in[i]; each output is
    // round_half_up(scale * in[j]). That rounding is monotonic, so it is the min (max) over
    // i of round_half_up(wanted[i] * in[j] / in[i]) = floor((2 wanted[i] in[j] + in[i]) /
    // (2 in[i])): exact integer arithmetic.
    let mut resized = Vec::with_capacity(axes.len());
    for &in_j in &inputs {
        let mut best: Option<Dim> = None;
        for (&w, &in_i) in wanted.iter().zip(&inputs) {
            let num = arith(imp, elementwise::PROD, w, in_j)?;
            let num = arith(imp, elementwise::PROD, num, Dim::Num(2))?;
            let num = arith(imp, elementwise::SUM, num, in_i)?;
            let den = arith(imp, elementwise::PROD, in_i, Dim::Num(2))?;
            let v = arith(imp, elementwise::FLOOR_DIV, num, den)?;
            best = Some(match best {
                None => v,
                Some(b) => arith(imp, keep, b, v)?,
            });
        }
        resized.push(best.ok_or_else(|| Error::invalid_argument("a resize keeping the aspect ratio of no axes"))?);
    }
    check_one_ratio(imp, &inputs, &resized)?;
    for (&axis, &d) in axes.iter().zip(&resized) {
        dims[axis] = d;
    }
    Ok(dims)
}

/// The resize layer maps coordinates with output / input per axis, ONNX with the one kept
/// scale: the same only when every rounded output is that scale times its input exactly
/// (out[j] * in[0] == out[0] * in[j]). Refused now when known, else checked at run time.
fn check_one_ratio(imp: &mut Importer, inputs: &[Dim], outputs: &[Dim]) -> Result<()> {
    const WHY: &str = "a resize keeping the aspect ratio where scale * input size is not a whole number for every axis \
                       (the resize maps coordinates with output / input size)";
    let mut conditions = Vec::new();
    for j in 1..inputs.len() {
        let lhs = arith(imp, elementwise::PROD, outputs[j], inputs[0])?;
        let rhs = arith(imp, elementwise::PROD, outputs[0], inputs[j])?;
        match (lhs, rhs) {
            (Dim::Num(l), Dim::Num(r)) if l != r => return Err(Error::unsupported(WHY)),
            (Dim::Num(_), Dim::Num(_)) => {}
            _ => {
                let (l, r) = (to_tensor(imp, lhs)?, to_tensor(imp, rhs)?);
                conditions.push(layer(imp, ElementWise::of(elementwise::EQUAL), &[l, r])?);
            }
        }
    }
    // Joined with AND: a concatenation keeps shape values of INT32 tensors only, and the
    // assertion's condition must be one.
    let mut all: Option<crate::ir::TensorId> = None;
    for c in conditions {
        all = Some(match all {
            None => c,
            Some(a) => layer(imp, ElementWise::of(elementwise::AND), &[a, c])?,
        });
    }
    if let Some(all) = all {
        imp.add_layer(Box::new(Assertion::of(WHY)), &[all])?;
    }
    Ok(())
}

fn upsample(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if a.has("height_scale") || a.has("width_scale") {
        return Err(Error::unsupported("Upsample with height_scale/width_scale (opsets before 7)"));
    }
    let x = imp.tensor(input(node, 0)?)?;
    let scales = match a.floats("scales") {
        Some(s) => s,
        None => scales_of(imp, optional_input(node, 1))?.ok_or_else(|| Error::invalid_argument("Upsample needs scales"))?,
    };
    let mut r = Resize::new();
    r.resize_mode = interpolation(a.string("mode").as_deref().unwrap_or("nearest"))?;
    r.coordinate_transformation = ASYMMETRIC;
    r.nearest_rounding = FLOOR;
    r.scales = Some(Weights::from_f32(&scales));
    out(layer(imp, r, &[x])?)
}
