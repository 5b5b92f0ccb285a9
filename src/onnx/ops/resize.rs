//! Resize (opsets 10+) and Upsample (opsets 7 to 9) on IResizeLayer, or, where the layer cannot
//! be exact, as per-axis weight matrices (resize/fallback.rs).

mod axis_weights;
mod by_matrix;
mod fallback;

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
use fallback::MatrixFallback;

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
    let default_ct = if imp.opset < 11 { "asymmetric" } else { "half_pixel" };
    let ct_name = a.string("coordinate_transformation_mode").unwrap_or_else(|| default_ct.into());
    let (ct, selector) = match ct_name.as_str() {
        "half_pixel" => (HALF_PIXEL, 0),
        "pytorch_half_pixel" => (HALF_PIXEL, UPPER),
        "align_corners" => (ALIGN_CORNERS, 0),
        "asymmetric" => (ASYMMETRIC, 0),
        // Weight matrices only (the layer has no such map).
        "half_pixel_symmetric" | "tf_crop_and_resize" => (HALF_PIXEL, 0),
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
    let roi = if ct_name == "tf_crop_and_resize" { Some(crop_roi(imp, node, &axes, rank)?) } else { None };
    let fallback = MatrixFallback::new(&r, &ct_name, a.int("antialias", 0) != 0, a.float("extrapolation_value", 0.0), roi)?;
    let policy = a.string("keep_aspect_ratio_policy").unwrap_or_else(|| "stretch".into());
    let scales = scales_of(imp, optional_input(node, scales_at))?;
    let sizes = optional_input(node, sizes_at);
    match (scales, sizes) {
        (Some(s), _) => {
            if s.len() != axes.len() {
                return Err(Error::invalid_argument(format!("{} resize scales for {} resized axes", s.len(), axes.len())));
            }
            if let Some(y) = fallback.by_scales(imp, x, &axes, &s)? {
                return out(y);
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
            let known = imp.known_ints(name)?;
            if known.is_none() {
                if let Some(why) = fallback.forced_reason() {
                    return Err(Error::unsupported(format!("{why} with sizes known only at run time")));
                }
            }
            let sizes = match known {
                Some(v) => Bound::Known(v),
                // Sizes of every axis, taken as they are: the tensor is the output shape.
                None if identity_axes && policy == "stretch" => {
                    let shape = imp.tensor(name)?;
                    return out(layer(imp, r, &[x, shape])?);
                }
                None => Bound::Tensor(imp.tensor(name)?),
            };
            let (dims, kept_scale) = output_sizes(imp, x, &axes, sizes, &policy)?;
            let known: Option<Vec<i64>> = dims.iter().map(|d| if let Dim::Num(v) = d { Some(*v) } else { None }).collect();
            if let Some(known) = &known {
                if let Some(y) = fallback.by_sizes(imp, x, &axes, known, kept_scale)? {
                    return out(y);
                }
            }
            if policy != "stretch" {
                let inputs = axes.iter().map(|&a| input_dim(imp, x, a)).collect::<Result<Vec<_>>>()?;
                let outputs: Vec<Dim> = axes.iter().map(|&a| dims[a]).collect();
                check_one_ratio(imp, &inputs, &outputs)?;
            }
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

/// The constant roi of tf_crop_and_resize as (start, end) per resized axis.
fn crop_roi(imp: &Importer, node: &NodeProto, axes: &[usize], rank: usize) -> Result<Vec<(f64, f64)>> {
    let name = optional_input(node, 1).ok_or_else(|| Error::invalid_argument("tf_crop_and_resize needs a roi"))?;
    let roi = match imp.value(name)? {
        Value::Const(c) => c.floats()?,
        Value::Tensor(_) => return Err(Error::unsupported("tf_crop_and_resize with a roi known only at run time")),
    };
    // With `axes` the roi covers those axes; without, every axis.
    let k = axes.len();
    if roi.len() == 2 * k {
        Ok((0..k).map(|i| (roi[i] as f64, roi[k + i] as f64)).collect())
    } else if roi.len() == 2 * rank {
        Ok(axes.iter().map(|&a| (roi[a] as f64, roi[rank + a] as f64)).collect())
    } else {
        Err(Error::invalid_argument(format!("a resize roi of {} values for {k} resized axes", roi.len())))
    }
}

/// The output dims of a resize by `sizes`, given for `axes` (the other axes keep their
/// size), under a keep_aspect_ratio_policy.
/// Also returns the one kept scale where the policy keeps the aspect ratio and it is known.
fn output_sizes(imp: &mut Importer, x: TensorId, axes: &[usize], sizes: Bound, policy: &str) -> Result<(Vec<Dim>, Option<f64>)> {
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
            return Ok((dims, None));
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
    // The kept scale, min (max) of wanted / input, as ONNX computes it in floating point.
    let mut kept: Option<f64> = None;
    for (w, i) in wanted.iter().zip(&inputs) {
        let (Dim::Num(w), Dim::Num(i)) = (w, i) else {
            kept = None;
            break;
        };
        let s = *w as f64 / *i as f64;
        kept = Some(match kept {
            None => s,
            Some(k) if keep == elementwise::MIN => k.min(s),
            Some(k) => k.max(s),
        });
    }
    for (&axis, &d) in axes.iter().zip(&resized) {
        dims[axis] = d;
    }
    Ok((dims, kept))
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
    let rank = imp.dims(x).len();
    if scales.len() != rank {
        return Err(Error::invalid_argument(format!("{} Upsample scales for an input of rank {rank}", scales.len())));
    }
    let all: Vec<usize> = (0..rank).collect();
    if let Some(y) = MatrixFallback::new(&r, "asymmetric", false, 0.0, None)?.by_scales(imp, x, &all, &scales)? {
        return out(y);
    }
    r.scales = Some(Weights::from_f32(&scales));
    out(layer(imp, r, &[x])?)
}
