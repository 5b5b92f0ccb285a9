//! Trilu, EyeLike and Hardmax: masks built from known dims.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{ElementWise, OneHot, Select, TopK, Unary};
use crate::layers::{elementwise, top_k, unary};
use crate::onnx::importer::{onnx_type, Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::{dims_str, DataType};
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[("EyeLike", eye_like), ("Hardmax", hardmax), ("Trilu", trilu)];

/// A [rows, cols] boolean constant, true where `keep(i, j)`.
fn mask(imp: &mut Importer, rows: i64, cols: i64, keep: impl Fn(i64, i64) -> bool) -> Result<crate::ir::TensorId> {
    made_constant_count(&[rows, cols], "a triangle mask")?;
    let bytes: Vec<u8> = (0..rows).flat_map(|i| (0..cols).map(move |j| (i, j))).map(|(i, j)| keep(i, j) as u8).collect();
    imp.constant_tensor(&ConstValue { dims: vec![rows, cols], weights: Weights::from_bytes(DataType::Bool, &bytes)? })
}

/// The upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes, zero elsewhere.
fn trilu(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let upper = Attrs(node).int("upper", 1) != 0;
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let rank = dims.len();
    if rank < 2 || dims[rank - 2] < 0 || dims[rank - 1] < 0 {
        return Err(Error::unsupported(format!("Trilu of {} (the last two dims must be known)", dims_str(&dims))));
    }
    let (rows, cols) = (dims[rank - 2], dims[rank - 1]);
    let k = match optional_input(node, 1) {
        None => Some(0),
        Some(name) => imp.known_ints(name)?.and_then(|v| v.first().copied()),
    };
    let m = match k {
        Some(k) => mask(imp, rows, cols, |i, j| if upper { j - i >= k } else { j - i <= k })?,
        None => {
            // k known only at run time: compare the constant j - i with it.
            made_constant_count(&[rows, cols], "a triangle mask")?;
            let offsets: Vec<i32> = (0..rows).flat_map(|i| (0..cols).map(move |j| (j - i) as i32)).collect();
            let d = imp.constant_tensor(&ConstValue::i32(vec![rows, cols], &offsets))?;
            let kt = imp.tensor(input(node, 1)?)?;
            let kt = reshape_tensor(imp, kt, vec![1, 1])?;
            // upper: not (j - i < k); lower: not (j - i > k)
            let op = if upper { elementwise::LESS } else { elementwise::GREATER };
            let outside = layer(imp, ElementWise::of(op), &[d, kt])?;
            layer(imp, Unary::of(unary::NOT), &[outside])?
        }
    };
    let m = with_leading_ones(imp, m, rank - 2)?;
    let zero = scalar_like(imp, x, 0.0)?;
    out(layer(imp, Select::new(), &[m, x, zero])?)
}

fn eye_like(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let [r, c] = dims[..] else { return Err(Error::invalid_argument("EyeLike needs a 2-D input")) };
    if r < 0 || c < 0 {
        return Err(Error::unsupported("EyeLike of a tensor with unknown dims"));
    }
    let dtype = match a.has("dtype") {
        true => onnx_type(a.int("dtype", 1) as i32).ok_or_else(|| Error::unsupported("EyeLike dtype"))?,
        false => imp.net.tensors[x].dtype,
    };
    let k = a.int("k", 0);
    made_constant_count(&[r, c], "an identity matrix")?;
    let one = ConstValue::scalar(dtype, 1.0)?.weights.values.to_vec();
    let size = one.len();
    let mut bytes = vec![0u8; (r * c) as usize * size];
    for i in 0..r {
        let Some(j) = i.checked_add(k) else { continue };
        if (0..c).contains(&j) {
            let at = ((i * c + j) as usize) * size;
            bytes[at..at + size].copy_from_slice(&one);
        }
    }
    Ok(vec![Value::Const(ConstValue { dims: vec![r, c], weights: Weights::from_bytes(dtype, &bytes)? })])
}

/// One at the first largest element along the axis, zero elsewhere.
fn hardmax(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let rank = dims.len();
    let default_axis = if imp.opset >= 13 { -1 } else { 1 };
    let axis = axis_index(Attrs(node).int("axis", default_axis), rank)?;
    if imp.opset < 13 && axis + 1 != rank {
        return Err(Error::unsupported("Hardmax before opset 13 over other than the last axis"));
    }
    let d = dims[axis];
    if d < 0 {
        return Err(Error::unsupported("Hardmax over an axis of unknown size"));
    }
    let outs = imp.add_multi(Box::new(TopK::of(top_k::MAX, 1, 1 << axis)), &[x])?;
    let idx = squeeze(imp, outs[1], &[axis])?;
    let dtype = imp.net.tensors[x].dtype;
    let values = {
        let mut c = ConstValue::f32(vec![2], &[0.0, 1.0]);
        c.weights = c.weights.convert(dtype)?;
        imp.constant_tensor(&c)?
    };
    let depth = imp.constant_tensor(&ConstValue::from_i64("depth", vec![], &[d])?)?;
    out(layer(imp, OneHot::on_axis(axis as i32), &[idx, values, depth])?)
}
