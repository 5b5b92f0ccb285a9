//! Resize (opsets 10+) and Upsample (opsets 7 to 9) on IResizeLayer.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::Resize;
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
    if a.string("keep_aspect_ratio_policy").is_some_and(|p| p != "stretch") {
        return Err(Error::unsupported("keep_aspect_ratio_policy other than stretch"));
    }
    if a.has("axes") {
        return Err(Error::unsupported("resize with axes"));
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
    let scales = scales_of(imp, optional_input(node, scales_at))?;
    let sizes = optional_input(node, sizes_at);
    match (scales, sizes) {
        (Some(s), _) => {
            if s.len() != rank {
                return Err(Error::invalid_argument(format!("{} resize scales for rank {rank}", s.len())));
            }
            r.scales = Some(Weights::from_f32(&s));
            out(layer(imp, r, &[x])?)
        }
        (None, Some(name)) => match imp.known_ints(name)? {
            Some(dims) => {
                if dims.len() != rank {
                    return Err(Error::invalid_argument(format!("{} resize sizes for rank {rank}", dims.len())));
                }
                r.output_dims = dims;
                out(layer(imp, r, &[x])?)
            }
            None => {
                let shape = imp.tensor(name)?;
                out(layer(imp, r, &[x, shape])?)
            }
        },
        (None, None) => Err(Error::invalid_argument("Resize needs scales or sizes")),
    }
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
