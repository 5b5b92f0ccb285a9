//! Operators that move, reshape, cut, join or make tensors without arithmetic on their values:
//! Reshape, Transpose, Squeeze, Concat, Split, Slice, Pad, Expand, Tile, Shape, Cast, ...

use super::runtime_axes;
use super::slicing::{self, Dim, SliceSpec};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Assertion, Concatenation, ElementWise, Fill, Identity, Reduce, Shuffle};
use crate::layers::{elementwise, fill, reduce, slice};
use crate::onnx::importer::{onnx_type, Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::{from_tensor_proto, ConstValue};
use crate::types::{dims_str, volume, DataType};
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Cast", cast_op),
    ("CastLike", cast_like),
    ("Concat", concat),
    ("Constant", constant),
    ("ConstantOfShape", constant_of_shape),
    ("DepthToSpace", depth_to_space),
    ("Expand", expand),
    ("Flatten", flatten),
    ("Identity", identity),
    ("Pad", pad),
    ("Range", range),
    ("Reshape", reshape),
    ("Shape", shape_op),
    ("Size", size),
    ("Slice", slice_op),
    ("SpaceToDepth", space_to_depth),
    ("Split", split),
    ("Squeeze", squeeze_op),
    ("Tile", tile),
    ("Transpose", transpose),
    ("Unsqueeze", unsqueeze_op),
];

/// Constants with more elements than this are made by a fill layer at run time instead of
/// being stored in the plan.
const CONSTANT_LIMIT: usize = 1 << 16;

fn identity(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    Ok(vec![imp.value(input(node, 0)?)?])
}

fn constant(_imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if let Some(t) = a.tensor("value") {
        return Ok(vec![Value::Const(from_tensor_proto(t)?)]);
    }
    if a.has("value_float") {
        return Ok(vec![Value::Const(ConstValue::f32(vec![], &[a.float("value_float", 0.0)]))]);
    }
    if let Some(v) = a.floats("value_floats") {
        return Ok(vec![Value::Const(ConstValue::f32(vec![v.len() as i64], &v))]);
    }
    if let Some(v) = a.ints("value_ints") {
        return Ok(vec![Value::Const(ConstValue::from_i64("value_ints", vec![v.len() as i64], &v)?)]);
    }
    if a.has("value_int") {
        return Ok(vec![Value::Const(ConstValue::from_i64("value_int", vec![], &[a.int("value_int", 0)])?)]);
    }
    Err(Error::unsupported("Constant nodes are supported with value, value_float(s) or value_int(s) (not sparse or string values)"))
}

fn cast_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let to = Attrs(node).int("to", 0) as i32;
    let dtype = onnx_type(to).ok_or_else(|| Error::unsupported(format!("Cast to ONNX type {to}")))?;
    let x = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[x].dtype == dtype {
        return out(layer(imp, Identity::new(), &[x])?);
    }
    out(cast(imp, x, dtype)?)
}

fn cast_like(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let dtype = dtype_of(imp, input(node, 1)?)?;
    let x = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[x].dtype == dtype {
        return out(layer(imp, Identity::new(), &[x])?);
    }
    out(cast(imp, x, dtype)?)
}

fn reshape(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let allow_zero = Attrs(node).int("allowzero", 0) != 0;
    let shape_name = match Attrs(node).ints("shape") {
        Some(_) if imp.opset < 5 => return Err(Error::unsupported("Reshape with a shape attribute (opsets before 5)")),
        _ => input(node, 1)?,
    };
    let known = imp.known_ints(shape_name)?;
    match (imp.value(input(node, 0)?)?, known) {
        // Reshaping a constant needs no layer.
        (Value::Const(mut c), Some(mut dims)) => {
            let n = c.len() as i64;
            for (i, d) in dims.iter_mut().enumerate() {
                if *d == 0 && !allow_zero {
                    *d = *c.dims.get(i).ok_or_else(|| Error::invalid_argument("reshape copies a missing dimension"))?;
                }
            }
            if let Some(p) = dims.iter().position(|&d| d == -1) {
                let known = dims.iter().filter(|&&d| d != -1).try_fold(1i64, |a, &d| a.checked_mul(d)).unwrap_or(0);
                dims[p] = if known > 0 { n / known } else { 0 };
            }
            if dims.iter().any(|&d| d < 0) || volume(&dims) != Some(c.len()) {
                return Err(Error::invalid_argument(format!(
                    "cannot reshape a constant of shape {} to {}",
                    dims_str(&c.dims),
                    dims_str(&dims)
                )));
            }
            c.dims = dims;
            Ok(vec![Value::Const(c)])
        }
        (_, Some(dims)) => {
            let x = imp.tensor(input(node, 0)?)?;
            let mut s = Shuffle::reshape_to(dims);
            s.zero_is_placeholder = !allow_zero;
            out(layer(imp, s, &[x])?)
        }
        (_, None) => {
            let x = imp.tensor(input(node, 0)?)?;
            let shape = imp.tensor(shape_name)?;
            let mut s = Shuffle::new();
            s.zero_is_placeholder = !allow_zero;
            out(layer(imp, s, &[x, shape])?)
        }
    }
}

fn flatten(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(t);
    let rank = dims.len() as i64;
    let mut axis = Attrs(node).int("axis", 1);
    if axis < 0 {
        axis += rank;
    }
    if axis < 0 || axis > rank {
        return Err(Error::invalid_argument(format!("axis {axis} is out of range for rank {rank}")));
    }
    let (head, tail) = dims.split_at(axis as usize);
    let size = |d: &[i64]| volume(d).map(|v| v as i64);
    let target = match (size(head), size(tail)) {
        (Some(h), _) => vec![h, -1],
        (None, Some(w)) => vec![-1, w],
        _ => {
            // Both sides unknown: multiply the dims at run time.
            let shape = shape_of(imp, t)?;
            let part = |imp: &mut Importer, range: std::ops::Range<usize>| -> Result<crate::ir::TensorId> {
                if range.is_empty() {
                    return ints_tensor(imp, &[1]);
                }
                let idx: Vec<i64> = range.map(|i| i as i64).collect();
                let g = gather_1d(imp, shape, &idx)?;
                layer(imp, Reduce::of(reduce::PROD, 1, true), &[g])
            };
            let h = part(imp, 0..axis as usize)?;
            let w = part(imp, axis as usize..rank as usize)?;
            let new_shape = concat_1d(imp, &[h, w])?;
            return out(reshape_to_tensor(imp, t, new_shape)?);
        }
    };
    out(reshape_tensor(imp, t, target)?)
}

fn transpose(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(t).len() as i64;
    let perm = Attrs(node).ints("perm").unwrap_or_else(|| (0..rank).rev().collect());
    out(layer(imp, Shuffle::transpose(perm), &[t])?)
}

/// The axes input (1) of Squeeze/Unsqueeze when it is known only at run time.
fn run_time_axes(imp: &mut Importer, node: &NodeProto) -> Result<Option<TensorId>> {
    if Attrs(node).has("axes") {
        return Ok(None);
    }
    match optional_input(node, 1) {
        Some(name) if imp.known_ints(name)?.is_none() => Ok(Some(imp.tensor(name)?)),
        _ => Ok(None),
    }
}

fn squeeze_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    if let Some(axes) = run_time_axes(imp, node)? {
        return out(runtime_axes::squeeze(imp, x, axes)?);
    }
    let axes = match axes_attr_or_input(imp, node, 1)? {
        Some(a) => axis_indices(&a, dims.len())?,
        None => {
            check_not_one_at_run_time(imp, x)?;
            (0..dims.len()).filter(|&a| dims[a] == 1).collect()
        }
    };
    if let Some(&a) = axes.iter().find(|&&a| dims[a] > 1) {
        return Err(Error::invalid_argument(format!("cannot squeeze axis {a} of size {}", dims[a])));
    }
    out(squeeze(imp, x, &axes)?)
}

/// Squeeze without axes removes the dims that are 1. The rank must be known now, so a dim
/// unknown when the model is parsed is kept, and a check fails the build (or the run) if it
/// turns out to be 1.
fn check_not_one_at_run_time(imp: &mut Importer, x: TensorId) -> Result<()> {
    const WHY: &str = "Squeeze without axes: a dimension unknown when the model was parsed is 1 \
                       (the squeezed rank must be known then; give the axes)";
    let dims = imp.dims(x);
    let mut all: Option<TensorId> = None;
    for axis in (0..dims.len()).filter(|&a| dims[a] < 0) {
        let d = slicing::input_dim(imp, x, axis)?;
        let is_one = slicing::equals(imp, d, 1)?;
        let is_one = slicing::to_tensor(imp, is_one)?;
        let zero = ints_tensor(imp, &[0])?;
        let not_one = layer(imp, ElementWise::of(elementwise::EQUAL), &[is_one, zero])?;
        // (AND, not a concatenation: concatenated kBOOL tensors lose their shape values.)
        all = Some(match all {
            Some(a) => layer(imp, ElementWise::of(elementwise::AND), &[a, not_one])?,
            None => not_one,
        });
    }
    if let Some(all) = all {
        imp.add_layer(Box::new(Assertion::of(WHY)), &[all])?;
    }
    Ok(())
}

fn unsqueeze_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    if let Some(axes) = run_time_axes(imp, node)? {
        let x = imp.tensor(input(node, 0)?)?;
        return out(runtime_axes::unsqueeze(imp, x, axes)?);
    }
    let axes = axes_attr_or_input(imp, node, 1)?.ok_or_else(|| Error::invalid_argument("Unsqueeze needs axes"))?;
    let value = imp.value(input(node, 0)?)?;
    let rank = rank_of(imp, input(node, 0)?)? + axes.len();
    let axes = axis_indices(&axes, rank)?;
    if let Value::Const(mut c) = value {
        // A constant gets its new dims directly.
        let mut sorted = axes.clone();
        sorted.sort_unstable();
        for a in sorted {
            c.dims.insert(a, 1);
        }
        return Ok(vec![Value::Const(c)]);
    }
    let x = imp.tensor(input(node, 0)?)?;
    out(unsqueeze(imp, x, &axes)?)
}

fn concat(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let names: Vec<&str> = node.input.iter().filter(|s| !s.is_empty()).map(String::as_str).collect();
    if names.is_empty() {
        return Err(Error::invalid_argument("Concat needs at least one input"));
    }
    let rank = rank_of(imp, names[0])?;
    let axis = axis_index(Attrs(node).int("axis", if imp.opset < 4 { 1 } else { i64::MAX }), rank).map_err(|_| {
        Error::invalid_argument(format!("Concat axis {} is missing or out of range for rank {rank}", Attrs(node).int("axis", 0)))
    })?;
    let mut inputs = Vec::with_capacity(names.len());
    for n in &names {
        let t = imp.tensor(n)?;
        // Empty parts add nothing (and may have a different type, as exporters write them).
        if imp.dims(t).get(axis) == Some(&0) && names.len() > 1 {
            continue;
        }
        inputs.push(t);
    }
    if inputs.is_empty() {
        inputs.push(imp.tensor(names[0])?);
    }
    out(layer(imp, Concatenation::on_axis(axis as i32), &inputs)?)
}

fn split(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let axis = axis_index(a.int("axis", 0), dims.len())?;
    let parts = node.output.len();
    let sizes = match (a.ints("split"), optional_input(node, 1)) {
        (Some(s), _) => Some(s),
        (None, None) => None,
        (None, Some(name)) => match imp.known_ints(name)? {
            Some(v) => Some(v),
            None => {
                // Sizes known only at run time: each part starts where the previous ended.
                let sizes = slicing::Bound::Tensor(imp.tensor(name)?);
                if sizes.len(imp) != parts {
                    return Err(Error::invalid_argument(format!("{} split sizes for {parts} outputs", sizes.len(imp))));
                }
                let mut outs = Vec::with_capacity(parts);
                let mut start = slicing::Dim::Num(0);
                for k in 0..parts {
                    let n = sizes.at(imp, k)?;
                    let mut spec = SliceSpec::range_on_axis(dims.len(), axis, 0, 0);
                    spec.start[axis] = start;
                    spec.size[axis] = Some(n);
                    outs.push(Value::Tensor(slicing::add_slice(imp, x, spec)?));
                    start = slicing::arith(imp, crate::layers::elementwise::SUM, start, n)?;
                }
                return Ok(outs);
            }
        },
    };
    let d = dims[axis];
    let sizes = match sizes {
        Some(s) => s,
        None if d >= 0 => {
            let n = a.int("num_outputs", parts as i64).clamp(1, parts.max(1) as i64);
            let chunk = d / n + i64::from(d % n != 0);
            (0..n).map(|k| d.saturating_sub(k.saturating_mul(chunk)).clamp(0, chunk)).collect()
        }
        None => return Err(Error::unsupported("Split of an axis of unknown size without split sizes")),
    };
    if sizes.len() != parts {
        return Err(Error::invalid_argument(format!("{} split sizes for {parts} outputs", sizes.len())));
    }
    if sizes.iter().any(|&s| s < 0) {
        return Err(Error::invalid_argument(format!("split sizes {} must not be negative", dims_str(&sizes))));
    }
    if d >= 0 && sizes.iter().try_fold(0i64, |a, &s| a.checked_add(s)) != Some(d) {
        return Err(Error::invalid_argument(format!("split sizes {} do not add up to the axis size {d}", dims_str(&sizes))));
    }
    let mut outs = Vec::with_capacity(parts);
    let mut start = 0;
    for s in sizes {
        let spec = SliceSpec::range_on_axis(dims.len(), axis, start, s);
        outs.push(Value::Tensor(slicing::add_slice(imp, x, spec)?));
        start = start.saturating_add(s);
    }
    Ok(outs)
}

fn slice_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let (starts, ends, axes, steps) = if imp.opset < 10 {
        let a = Attrs(node);
        let starts = a.ints("starts").ok_or_else(|| Error::invalid_argument("starts is required"))?;
        let ends = a.ints("ends").ok_or_else(|| Error::invalid_argument("ends is required"))?;
        let axes = a.ints("axes").map(|v| axis_indices(&v, rank)).transpose()?.map(slicing::SliceAxes::Known);
        (slicing::Bound::Known(starts), slicing::Bound::Known(ends), axes, None)
    } else {
        let bound = |imp: &mut Importer, i: usize| -> Result<slicing::Bound> {
            let name = input(node, i)?;
            Ok(match imp.known_ints(name)? {
                Some(v) => slicing::Bound::Known(v),
                None => slicing::Bound::Tensor(imp.tensor(name)?),
            })
        };
        let starts = bound(imp, 1)?;
        let ends = bound(imp, 2)?;
        let axes = match optional_input(node, 3) {
            None => None,
            Some(name) => Some(match imp.known_ints(name)? {
                Some(a) => slicing::SliceAxes::Known(axis_indices(&a, rank)?),
                None => slicing::SliceAxes::Tensor(imp.tensor(name)?),
            }),
        };
        let steps = match optional_input(node, 4) {
            None => None,
            Some(_) => Some(bound(imp, 4)?),
        };
        (starts, ends, axes, steps)
    };
    let n = starts.len(imp);
    let axes = axes.unwrap_or_else(|| slicing::SliceAxes::Known((0..n).collect()));
    let steps = steps.unwrap_or(slicing::Bound::Known(vec![1; n]));
    out(slicing::onnx_slice(imp, x, axes, starts, ends, steps)?)
}

/// Pads before and after every axis from ONNX's pads (all begins, then all ends, one pair per
/// padded axis). Axes known only at run time weigh each pair by [axes[k] == axis].
fn pads_per_axis(imp: &mut Importer, rank: usize, axes: &slicing::SliceAxes, pads: &slicing::Bound) -> Result<(Vec<Dim>, Vec<Dim>)> {
    let m = match axes {
        slicing::SliceAxes::Known(a) => a.len(),
        slicing::SliceAxes::Tensor(t) => match imp.dims(*t)[..] {
            [n] if n >= 0 && n as usize <= rank => n as usize,
            [n] if n >= 0 => return Err(Error::invalid_argument(format!("{n} pad axes for {rank} dimensions"))),
            _ => return Err(Error::unsupported("pad axes of unknown length")),
        },
    };
    if pads.len(imp) != 2 * m {
        return Err(Error::invalid_argument(format!("pads has {} values; {} expected", pads.len(imp), 2 * m)));
    }
    let mut pre = vec![Dim::Num(0); rank];
    let mut post = vec![Dim::Num(0); rank];
    match axes {
        slicing::SliceAxes::Known(axes) => {
            for (k, &ax) in axes.iter().enumerate() {
                pre[ax] = pads.at(imp, k)?;
                post[ax] = pads.at(imp, k + m)?;
            }
        }
        slicing::SliceAxes::Tensor(t) => {
            for k in 0..m {
                let a = Dim::Tensor(gather_1d(imp, *t, &[k as i64])?);
                let a = slicing::from_end(imp, a, Dim::Num(rank as i64))?;
                let (begin, end) = (pads.at(imp, k)?, pads.at(imp, k + m)?);
                for axis in 0..rank {
                    let hit = slicing::equals(imp, a, axis as i64)?;
                    let b = slicing::arith(imp, elementwise::PROD, hit, begin)?;
                    let e = slicing::arith(imp, elementwise::PROD, hit, end)?;
                    pre[axis] = slicing::arith(imp, elementwise::SUM, pre[axis], b)?;
                    post[axis] = slicing::arith(imp, elementwise::SUM, post[axis], e)?;
                }
            }
        }
    }
    Ok((pre, post))
}

fn pad(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let mode = match a.string("mode").as_deref().unwrap_or("constant") {
        "constant" => slice::FILL,
        "reflect" => slice::REFLECT,
        "edge" => slice::CLAMP,
        "wrap" => slice::WRAP,
        other => return Err(Error::invalid_argument(format!("unknown Pad mode '{other}'"))),
    };
    if a.has("paddings") {
        return Err(Error::unsupported("Pad with 'paddings' (opset 1)"));
    }
    // The fill value: known (None for zero) or a tensor read at run time.
    let (pads, value, value_tensor) = if imp.opset < 11 {
        let pads = a.ints("pads").ok_or_else(|| Error::invalid_argument("pads is required"))?;
        (slicing::Bound::Known(pads), Some(a.float("value", 0.0) as f64), None)
    } else {
        let name = input(node, 1)?;
        let pads = match imp.known_ints(name)? {
            Some(v) => slicing::Bound::Known(v),
            None => slicing::Bound::Tensor(imp.tensor(name)?),
        };
        let (value, value_tensor) = match optional_input(node, 2) {
            None => (None, None),
            Some(v) => match imp.value(v)? {
                Value::Const(c) => (Some(c.weights.to_f32()?.first().copied().unwrap_or(0.0) as f64), None),
                Value::Tensor(t) => (None, Some(t)),
            },
        };
        (pads, value, value_tensor)
    };
    let axes = match optional_input(node, 3) {
        None => slicing::SliceAxes::Known((0..rank).collect()),
        Some(name) => match imp.known_ints(name)? {
            Some(ax) => slicing::SliceAxes::Known(axis_indices(&ax, rank)?),
            None => slicing::SliceAxes::Tensor(imp.tensor(name)?),
        },
    };
    let (pre, post) = pads_per_axis(imp, rank, &axes, &pads)?;
    if let (slice::FILL, Some(t)) = (mode, value_tensor) {
        let dtype = imp.net.tensors[x].dtype;
        let t = cast(imp, t, dtype)?;
        let t = reshape_tensor(imp, t, vec![1])?;
        return out(slicing::padded_with(imp, x, &pre, &post, mode, Some(t))?);
    }
    let fill = match (mode, value) {
        (slice::FILL, Some(v)) if v != 0.0 => Some(v),
        _ => None,
    };
    out(slicing::padded(imp, x, &pre, &post, mode, fill)?)
}

fn expand(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let shape_name = input(node, 1)?;
    let target = match imp.known_ints(shape_name)? {
        Some(v) => slicing::Bound::Known(v),
        None => slicing::Bound::Tensor(imp.tensor(shape_name)?),
    };
    out(slicing::expand(imp, x, target)?)
}

fn tile(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let name = input(node, 1)?;
    let repeats = match imp.known_ints(name)? {
        Some(v) => slicing::Bound::Known(v),
        None => slicing::Bound::Tensor(imp.tensor(name)?),
    };
    out(slicing::tile(imp, x, repeats)?)
}

fn shape_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len() as i64;
    let s = shape_of(imp, x)?;
    let a = Attrs(node);
    let clamp = |v: i64| if v < 0 { (v + rank).max(0) } else { v.min(rank) };
    let (start, end) = (clamp(a.int("start", 0)), clamp(a.int("end", rank)));
    if start == 0 && end == rank {
        return out(s);
    }
    let idx: Vec<i64> = (start..end.max(start)).collect();
    if idx.is_empty() {
        return Ok(vec![Value::Const(ConstValue::i32(vec![0], &[]))]);
    }
    out(gather_1d(imp, s, &idx)?)
}

fn size(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    if let Some(n) = volume(&imp.dims(x)) {
        return Ok(vec![Value::Const(ConstValue::from_i64("size", vec![], &[n as i64])?)]);
    }
    let s = shape_of(imp, x)?;
    out(layer(imp, Reduce::of(reduce::PROD, 1, false), &[s])?)
}

/// The fill value and type of ConstantOfShape (float 0 by default).
fn fill_value(node: &NodeProto) -> Result<ConstValue> {
    match Attrs(node).tensor("value") {
        Some(t) => {
            let c = from_tensor_proto(t)?;
            if c.len() != 1 {
                return Err(Error::invalid_argument("ConstantOfShape's value must hold one element"));
            }
            Ok(c)
        }
        None => Ok(ConstValue::f32(vec![], &[0.0])),
    }
}

fn constant_of_shape(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let value = fill_value(node)?;
    let shape_name = input(node, 0)?;
    let dtype = value.dtype();
    if let Some(dims) = imp.known_ints(shape_name)? {
        let n = volume(&dims).ok_or_else(|| Error::invalid_argument(format!("invalid shape {}", dims_str(&dims))))?;
        if n <= CONSTANT_LIMIT {
            let one = value.weights.values.to_vec();
            let bytes: Vec<u8> = one.iter().copied().cycle().take(one.len() * n).collect();
            return Ok(vec![Value::Const(ConstValue { dims, weights: Weights::from_bytes(dtype, &bytes)? })]);
        }
    }
    // A fill at run time: linspace from the value with step 0, then the value's type.
    let shape = imp.tensor(shape_name)?;
    let rank = imp.dims(shape).first().copied().unwrap_or(-1);
    if rank < 0 {
        return Err(Error::unsupported("ConstantOfShape with a shape of unknown length"));
    }
    let v = value.weights.to_f32()?[0] as f64;
    let mut f = Fill::of(vec![], fill::LINSPACE);
    f.alpha = v;
    f.beta = 0.0;
    let filled = layer(imp, f, &[shape])?;
    out(cast(imp, filled, dtype)?)
}

fn range(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let (s, l, d) = (input(node, 0)?, input(node, 1)?, input(node, 2)?);
    let dtype = dtype_of(imp, s)?;
    let scalar_of = |imp: &Importer, name: &str| -> Result<Option<f64>> {
        Ok(match imp.value(name)? {
            Value::Const(c) => c.weights.to_f32()?.first().map(|&v| v as f64),
            Value::Tensor(t) => imp.net.known_values(t).and_then(|v| v.first().map(|&x| x as f64)),
        })
    };
    let (start, limit, delta) = (scalar_of(imp, s)?, scalar_of(imp, l)?, scalar_of(imp, d)?);
    if delta == Some(0.0) {
        return Err(Error::invalid_argument("Range delta must not be 0"));
    }
    if let (Some(a), Some(b), Some(c)) = (start, limit, delta) {
        let n = ((b - a) / c).ceil().max(0.0) as usize;
        if n > CONSTANT_LIMIT {
            return Err(Error::unsupported(format!("a Range of {n} elements")));
        }
        let values: Vec<f64> = (0..n).map(|i| a + i as f64 * c).collect();
        let c = if dtype.is_float() {
            ConstValue::f32(vec![n as i64], &values.iter().map(|&v| v as f32).collect::<Vec<_>>())
        } else {
            ConstValue::from_i64("range", vec![n as i64], &values.iter().map(|&v| v as i64).collect::<Vec<_>>())?
        };
        return Ok(vec![Value::Const(c)]);
    }
    // Integer range with a limit known at run time: count = max(0, ceil((limit - start) / delta)).
    let (Some(a), Some(c)) = (start, delta) else {
        return Err(Error::unsupported("a Range whose start or delta is known only at run time"));
    };
    if dtype != DataType::Int32 {
        return Err(Error::unsupported("a floating-point Range whose limit is known only at run time"));
    }
    let limit_t = imp.tensor(l)?;
    let limit_t = reshape_tensor(imp, limit_t, vec![1])?;
    let span = {
        let start_t = ints_tensor(imp, &[a as i64])?;
        binary_op(imp, crate::layers::elementwise::SUB, limit_t, start_t)?
    };
    // ceil(span / c) = floor((span + c - sign(c)) / c)
    let adj = ints_tensor(imp, &[c as i64 - (c as i64).signum()])?;
    let num = binary_op(imp, crate::layers::elementwise::SUM, span, adj)?;
    let den = ints_tensor(imp, &[c as i64])?;
    let count = binary_op(imp, crate::layers::elementwise::FLOOR_DIV, num, den)?;
    let zero = ints_tensor(imp, &[0])?;
    let count = binary_op(imp, crate::layers::elementwise::MAX, count, zero)?;
    let mut f = Fill::of(vec![], fill::LINSPACE);
    f.alpha = a;
    f.beta = c;
    let y = layer(imp, f, &[count])?;
    out(cast(imp, y, DataType::Int32)?)
}

/// [N, C, H, W] to [N, C / b², H b, W b]: DCR takes depth as (b, b, C'), CRD as (C', b, b).
fn depth_to_space(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let b = a.int("blocksize", 0);
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let [_, c, h, w] = dims[..] else { return Err(Error::invalid_argument("DepthToSpace needs a 4-D input")) };
    let bb = b.checked_mul(b).filter(|_| b > 0);
    let (Some(bb), true) = (bb, c >= 0 && h >= 0 && w >= 0) else {
        return Err(Error::invalid_argument(format!("DepthToSpace of {} with block size {b}", dims_str(&dims))));
    };
    if c % bb != 0 {
        return Err(Error::invalid_argument(format!("DepthToSpace of {} with block size {b}", dims_str(&dims))));
    }
    let cc = c / bb;
    let (Some(hb), Some(wb)) = (h.checked_mul(b), w.checked_mul(b)) else {
        return Err(Error::invalid_argument(format!("DepthToSpace of {} with block size {b} overflows", dims_str(&dims))));
    };
    let (split, perm) = match a.string("mode").as_deref().unwrap_or("DCR") {
        "DCR" => (vec![0, b, b, cc, h, w], vec![0, 3, 4, 1, 5, 2]),
        "CRD" => (vec![0, cc, b, b, h, w], vec![0, 1, 4, 2, 5, 3]),
        other => return Err(Error::invalid_argument(format!("unknown DepthToSpace mode '{other}'"))),
    };
    let mut s = Shuffle::reshape_to(split);
    s.second_transpose = perm;
    let t = layer(imp, s, &[x])?;
    out(reshape_tensor(imp, t, vec![0, cc, hb, wb])?)
}

/// [N, C, H, W] to [N, C b², H / b, W / b].
fn space_to_depth(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let b = Attrs(node).int("blocksize", 0);
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let [_, c, h, w] = dims[..] else { return Err(Error::invalid_argument("SpaceToDepth needs a 4-D input")) };
    let cbb = b.checked_mul(b).and_then(|bb| bb.checked_mul(c));
    let Some(cbb) = cbb.filter(|_| b > 0 && c >= 0 && h >= 0 && w >= 0 && h % b == 0 && w % b == 0) else {
        return Err(Error::invalid_argument(format!("SpaceToDepth of {} with block size {b}", dims_str(&dims))));
    };
    let mut s = Shuffle::reshape_to(vec![0, c, h / b, b, w / b, b]);
    s.second_transpose = vec![0, 3, 5, 1, 2, 4];
    let t = layer(imp, s, &[x])?;
    out(reshape_tensor(imp, t, vec![0, cbb, h / b, w / b])?)
}
