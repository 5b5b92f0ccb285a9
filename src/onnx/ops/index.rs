//! Operators that address elements by index: Gather, Scatter, OneHot, NonZero and TopK.

use super::slicing;
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{Gather, NonZero, OneHot, Scatter, TopK};
use crate::layers::{gather, scatter, top_k};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Gather", gather_op),
    ("GatherElements", gather_elements),
    ("GatherND", gather_nd),
    ("NonZero", non_zero),
    ("OneHot", one_hot),
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

fn check_reduction(node: &NodeProto) -> Result<()> {
    match Attrs(node).string("reduction").as_deref() {
        None | Some("none") => Ok(()),
        Some(r) => Err(Error::unsupported(format!("scatter reduction '{r}' (TensorRT 8.6 scatters without reduction)"))),
    }
}

fn scatter_elements(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    check_reduction(node)?;
    let data = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(data).len();
    let idx = indices(imp, input(node, 1)?)?;
    let updates = imp.tensor(input(node, 2)?)?;
    let mut s = Scatter::with_mode(scatter::ELEMENT);
    s.axis = axis_index(Attrs(node).int("axis", 0), rank)? as i32;
    out(layer(imp, s, &[data, idx, updates])?)
}

fn scatter_nd(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    check_reduction(node)?;
    let data = imp.tensor(input(node, 0)?)?;
    let idx = indices(imp, input(node, 1)?)?;
    let updates = imp.tensor(input(node, 2)?)?;
    out(layer(imp, Scatter::with_mode(scatter::ND), &[data, idx, updates])?)
}

fn non_zero(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    out(layer(imp, NonZero::new(), &[x])?)
}

/// ONNX orders the inputs (indices, depth, values); the layer takes (indices, values, depth)
/// with depth a 0-D shape tensor.
fn one_hot(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let idx = indices(imp, input(node, 0)?)?;
    let depth = match imp.known_ints(input(node, 1)?)? {
        Some(v) if v.len() == 1 => {
            let c = crate::onnx::weights::ConstValue::from_i64("depth", vec![], &v)?;
            imp.constant_tensor(&c)?
        }
        Some(_) => return Err(Error::invalid_argument("OneHot depth must hold one value")),
        None => {
            let d = imp.tensor(input(node, 1)?)?;
            let d = cast(imp, d, DataType::Int32)?;
            reshape_tensor(imp, d, vec![])?
        }
    };
    let values = imp.tensor(input(node, 2)?)?;
    let rank = imp.dims(idx).len() + 1;
    let axis = axis_index(Attrs(node).int("axis", -1), rank)?;
    out(layer(imp, OneHot::on_axis(axis as i32), &[idx, values, depth])?)
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
