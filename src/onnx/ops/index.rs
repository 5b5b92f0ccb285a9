//! Operators that address elements by index: Gather, Compress, Scatter, OneHot, NonZero,
//! ReverseSequence and TopK.

use super::scatter_reduce::{self, Reduction};
use super::slicing;
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{Gather, NonZero, OneHot, ReverseSequence, Scatter, TopK};
use crate::layers::{gather, scatter, top_k};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Compress", compress),
    ("Gather", gather_op),
    ("GatherElements", gather_elements),
    ("GatherND", gather_nd),
    ("NonZero", non_zero),
    ("OneHot", one_hot),
    ("ReverseSequence", reverse_sequence),
    ("Scatter", |i, n| scatter_elements(i, n)),
    ("ScatterElements", scatter_elements),
    ("ScatterND", scatter_nd),
    ("TopK", top_k_op),
];

/// Indices as the layers take them (INT32; ONNX's INT64 already arrives as INT32).
fn indices(imp: &mut Importer, name: &str) -> Result<crate::ir::TensorId> {
    let t = imp.tensor(name)?;
    match imp.net.tensors[t].dtype {
        DataType::Int32 => Ok(t),
        other => Err(Error::invalid_argument(format!("indices must be integers, not {other}"))),
    }
}

fn gather_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let data = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(data).len();
    let axis = axis_index(Attrs(node).int("axis", 0), rank)?;
    let idx = indices(imp, input(node, 1)?)?;
    out(layer(imp, Gather::on_axis(axis as i32), &[data, idx])?)
}

fn gather_elements(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let data = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(data).len();
    let axis = axis_index(Attrs(node).int("axis", 0), rank)?;
    let idx = indices(imp, input(node, 1)?)?;
    let mut g = Gather::with_mode(gather::ELEMENT);
    g.axis = axis as i32;
    out(layer(imp, g, &[data, idx])?)
}

fn gather_nd(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let data = imp.tensor(input(node, 0)?)?;
    let idx = indices(imp, input(node, 1)?)?;
    let mut g = Gather::with_mode(gather::ND);
    g.nb_elementwise_dims = Attrs(node).int("batch_dims", 0) as i32;
    out(layer(imp, g, &[data, idx])?)
}

/// The elements (along `axis`, else of the flattened input) where the 1-D condition is true;
/// a condition shorter than the axis leaves the rest out. The indices of the true entries
/// come from the condition when it is a constant, else from NonZero at run time.
fn compress(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let condition = input(node, 1)?;
    let a = Attrs(node);
    let (x, axis) = if a.has("axis") {
        let rank = imp.dims(x).len();
        (x, axis_index(a.int("axis", 0), rank)?)
    } else {
        (reshape_tensor(imp, x, vec![-1])?, 0)
    };
    let picked = match imp.value(condition)? {
        Value::Const(c) => {
            if c.dims.len() != 1 {
                return Err(Error::invalid_argument("Compress's condition must be 1-D"));
            }
            let kept: Vec<i64> = c.ints()?.iter().enumerate().filter(|(_, &v)| v != 0).map(|(i, _)| i as i64).collect();
            ints_tensor(imp, &kept)?
        }
        Value::Tensor(t) => {
            if imp.dims(t).len() != 1 {
                return Err(Error::invalid_argument("Compress's condition must be 1-D"));
            }
            let at = layer(imp, NonZero::new(), &[t])?;
            reshape_tensor(imp, at, vec![-1])?
        }
    };
    out(layer(imp, Gather::on_axis(axis as i32), &[x, picked])?)
}

/// ONNX's sequence lengths are INT64 (carried as INT32), the layer's INT32.
fn reverse_sequence(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let lens = indices(imp, input(node, 1)?)?;
    let (batch, time) = (a.int("batch_axis", 1), a.int("time_axis", 0));
    if !matches!((batch, time), (0, 1) | (1, 0)) {
        return Err(Error::invalid_argument(format!("ReverseSequence batch_axis {batch} and time_axis {time} must be 0 and 1")));
    }
    let (batch, time) = (axis_index(batch, rank)?, axis_index(time, rank)?);
    out(layer(imp, ReverseSequence::with_axes(batch as i32, time as i32), &[x, lens])?)
}

/// The scatter's reduction attribute (None: plain scatter).
fn reduction(node: &NodeProto) -> Result<Option<Reduction>> {
    Reduction::parse(Attrs(node).string("reduction").as_deref().unwrap_or("none"))
}

fn scatter_elements(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let data = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(data).len();
    let idx = indices(imp, input(node, 1)?)?;
    let updates = imp.tensor(input(node, 2)?)?;
    let axis = axis_index(Attrs(node).int("axis", 0), rank)?;
    if let Some(r) = reduction(node)? {
        return out(scatter_reduce::scatter_elements(imp, data, idx, updates, axis, r)?);
    }
    let mut s = Scatter::with_mode(scatter::ELEMENT);
    s.axis = axis as i32;
    out(layer(imp, s, &[data, idx, updates])?)
}

fn scatter_nd(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let data = imp.tensor(input(node, 0)?)?;
    let idx = indices(imp, input(node, 1)?)?;
    let updates = imp.tensor(input(node, 2)?)?;
    if let Some(r) = reduction(node)? {
        return out(scatter_reduce::scatter_nd(imp, data, idx, updates, r)?);
    }
    out(layer(imp, Scatter::with_mode(scatter::ND), &[data, idx, updates])?)
}

fn non_zero(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    out(layer(imp, NonZero::new(), &[x])?)
}

/// ONNX orders the inputs (indices, depth, values); the layer takes (indices, values, depth)
/// with depth a 0-D INT32 shape tensor. Non-integer indices and depth are truncated to
/// integers, as ONNX casts them.
fn one_hot(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let idx = imp.tensor(input(node, 0)?)?;
    let idx = match imp.net.tensors[idx].dtype {
        DataType::Int32 => idx,
        DataType::Float | DataType::Half => cast(imp, idx, DataType::Int32)?,
        other => return Err(Error::invalid_argument(format!("OneHot indices must be numbers, not {other}"))),
    };
    let depth = one_hot_depth(imp, input(node, 1)?)?;
    let values = imp.tensor(input(node, 2)?)?;
    let rank = imp.dims(idx).len() + 1;
    let axis = axis_index(Attrs(node).int("axis", -1), rank)?;
    out(layer(imp, OneHot::on_axis(axis as i32), &[idx, values, depth])?)
}

/// OneHot's depth as a 0-D INT32 shape tensor: a constant (a float one truncated), or an
/// integer value computed from shapes or given as a shape input.
fn one_hot_depth(imp: &mut Importer, name: &str) -> Result<crate::ir::TensorId> {
    let known = match imp.value(name)? {
        Value::Const(c) if c.dtype().is_float() => Some(c.floats()?.iter().map(|&v| v.trunc() as i64).collect()),
        _ => imp.known_ints(name)?,
    };
    match known {
        Some(v) if v.len() == 1 => {
            let c = crate::onnx::weights::ConstValue::from_i64("depth", vec![], &v)?;
            imp.constant_tensor(&c)
        }
        Some(_) => Err(Error::invalid_argument("OneHot depth must hold one value")),
        None => {
            let d = imp.tensor(name)?;
            let dtype = imp.net.tensors[d].dtype;
            if dtype != DataType::Int32 {
                // Sizes are INT32 shape values: a float computed at run time cannot become one.
                return Err(Error::unsupported(format!(
                    "a OneHot depth of type {dtype} known only at run time (the depth sets the output's shape, so it must be a constant or an integer shape value)"
                )));
            }
            reshape_tensor(imp, d, vec![])
        }
    }
}

fn top_k_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let axis = axis_index(a.int("axis", -1), rank)?;
    let op = if a.int("largest", 1) != 0 { top_k::MAX } else { top_k::MIN };
    let k = if imp.opset < 10 {
        a.int("k", 0)
    } else {
        match imp.known_ints(input(node, 1)?)? {
            Some(v) => *v.first().ok_or_else(|| Error::invalid_argument("TopK's k must hold one value"))?,
            None => return top_k_of_run_time_k(imp, node, x, axis, op),
        }
    };
    if !(0..=top_k::MAX_K as i64).contains(&k) {
        return Err(Error::unsupported(format!("TopK k = {k} (TensorRT supports 0 to {})", top_k::MAX_K)));
    }
    let outs = imp.add_multi(Box::new(TopK::of(op, k as i32, 1 << axis)), &[x])?;
    Ok(outs.into_iter().map(Value::Tensor).collect())
}

/// TopK whose k is known only at run time (TensorRT's layer takes a fixed k): the whole
/// axis in order, then the first k of it (a k above the axis length fails the slice's bounds
/// check when the context resolves shapes).
fn top_k_of_run_time_k(imp: &mut Importer, node: &NodeProto, x: crate::ir::TensorId, axis: usize, op: i32) -> Result<Vec<Value>> {
    let dims = imp.dims(x);
    let n = dims[axis];
    if !(1..=top_k::MAX_K as i64).contains(&n) {
        return Err(Error::unsupported(format!(
            "TopK with k known only at run time needs the axis length known and at most {} (it is {n})",
            top_k::MAX_K
        )));
    }
    let sorted = imp.add_multi(Box::new(TopK::of(op, n as i32, 1 << axis)), &[x])?;
    let k = imp.tensor(input(node, 1)?)?;
    let k = cast(imp, k, DataType::Int32)?;
    let k = reshape_tensor(imp, k, vec![1])?;
    let mut outs = Vec::with_capacity(2);
    for t in sorted {
        let mut spec = slicing::SliceSpec::whole(dims.len());
        spec.size[axis] = Some(slicing::Dim::Tensor(k));
        outs.push(Value::Tensor(slicing::add_slice(imp, t, spec)?));
    }
    Ok(outs)
}
