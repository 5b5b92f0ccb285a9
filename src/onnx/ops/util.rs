//! What many importers share: reading inputs and axes, broadcasting ranks, small constants
//! and shape arithmetic on INT32 shape tensors.

use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Cast, Concatenation, ElementWise, Gather, Shape, Shuffle};
use crate::layers::Layer;
use crate::onnx::importer::{Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

/// Input `i` of a node, which must be present.
pub fn input(node: &NodeProto, i: usize) -> Result<&str> {
    match node.input.get(i).map(String::as_str) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Error::invalid_argument(format!("input {i} is missing"))),
    }
}

/// Input `i` of a node, None when absent or given as "".
pub fn optional_input(node: &NodeProto, i: usize) -> Option<&str> {
    node.input.get(i).map(String::as_str).filter(|s| !s.is_empty())
}

/// The single output of a node.
pub fn out(t: TensorId) -> Result<Vec<Value>> {
    Ok(vec![Value::Tensor(t)])
}

/// Adds a one-output layer.
pub fn layer(imp: &mut Importer, op: impl Layer, inputs: &[TensorId]) -> Result<TensorId> {
    imp.add(Box::new(op), inputs)
}

pub fn rank_of(imp: &Importer, name: &str) -> Result<usize> {
    Ok(match imp.value(name)? {
        Value::Const(c) => c.dims.len(),
        Value::Tensor(t) => imp.net.tensors[t].dims.len(),
    })
}

pub fn dtype_of(imp: &Importer, name: &str) -> Result<DataType> {
    Ok(match imp.value(name)? {
        Value::Const(c) => c.dtype(),
        Value::Tensor(t) => imp.net.tensors[t].dtype,
    })
}

/// An ONNX axis (negative counts from the end) as an index below `rank`.
pub fn axis_index(axis: i64, rank: usize) -> Result<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if a < 0 || a >= r {
        return Err(Error::invalid_argument(format!("axis {axis} is out of range for rank {rank}")));
    }
    Ok(a as usize)
}

/// Several axes, each normalized, without repeats.
pub fn axis_indices(axes: &[i64], rank: usize) -> Result<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let i = axis_index(a, rank)?;
        if out.contains(&i) {
            return Err(Error::invalid_argument(format!("axis {a} is given twice")));
        }
        out.push(i);
    }
    Ok(out)
}

/// A bit per axis, as TensorRT's reduce and normalization layers take them.
pub fn axes_mask(axes: &[usize]) -> u32 {
    axes.iter().fold(0, |m, &a| m | (1 << a))
}

/// A tensor reshaped (without data movement) to `dims` (0 copies the input's dimension, -1
/// is inferred).
pub fn reshape_tensor(imp: &mut Importer, t: TensorId, dims: Vec<i64>) -> Result<TensorId> {
    layer(imp, Shuffle::reshape_to(dims), &[t])
}

/// A tensor with `n` leading dimensions of size 1 added.
pub fn with_leading_ones(imp: &mut Importer, t: TensorId, n: usize) -> Result<TensorId> {
    if n == 0 {
        return Ok(t);
    }
    unsqueeze(imp, t, &(0..n).collect::<Vec<_>>())
}

/// ONNX broadcasting aligns shapes at the right; TensorRT needs equal ranks. Lower-rank
/// operands get leading 1s (constants directly, tensors through a reshape).
pub fn aligned(imp: &mut Importer, name: &str, rank: usize) -> Result<TensorId> {
    match imp.value(name)? {
        Value::Const(mut c) => {
            while c.dims.len() < rank {
                c.dims.insert(0, 1);
            }
            imp.constant_tensor(&c)
        }
        Value::Tensor(t) => {
            let r = imp.dims(t).len();
            with_leading_ones(imp, t, rank.saturating_sub(r))
        }
    }
}

/// Several inputs brought to one rank for a broadcasting layer.
pub fn aligned_all(imp: &mut Importer, names: &[&str]) -> Result<Vec<TensorId>> {
    let mut rank = 0;
    for n in names {
        rank = rank.max(rank_of(imp, n)?);
    }
    names.iter().map(|n| aligned(imp, n, rank)).collect()
}

/// Two tensors brought to one rank.
pub fn aligned_pair(imp: &mut Importer, a: TensorId, b: TensorId) -> Result<(TensorId, TensorId)> {
    let (ra, rb) = (imp.dims(a).len(), imp.dims(b).len());
    let rank = ra.max(rb);
    Ok((with_leading_ones(imp, a, rank - ra)?, with_leading_ones(imp, b, rank - rb)?))
}

/// An elementwise layer over two tensors of possibly different ranks.
pub fn binary_op(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    let (a, b) = aligned_pair(imp, a, b)?;
    layer(imp, ElementWise::of(op), &[a, b])
}

/// A constant of `dtype` holding `v`, with `rank` dimensions of size 1 (broadcasts).
pub fn scalar(imp: &mut Importer, dtype: DataType, v: f64, rank: usize) -> Result<TensorId> {
    let c = ConstValue::scalar(dtype, v)?;
    let c = ConstValue { dims: vec![1; rank], ..c };
    imp.constant_tensor(&c)
}

/// A constant of the type and rank of `like`, holding `v`.
pub fn scalar_like(imp: &mut Importer, like: TensorId, v: f64) -> Result<TensorId> {
    let (dtype, rank) = (imp.net.tensors[like].dtype, imp.dims(like).len());
    scalar(imp, dtype, v, rank)
}

/// A tensor converted to `dtype` (nothing added when it already has it).
pub fn cast(imp: &mut Importer, t: TensorId, dtype: DataType) -> Result<TensorId> {
    if imp.net.tensors[t].dtype == dtype {
        return Ok(t);
    }
    layer(imp, Cast::to(dtype), &[t])
}

/// A 1-D INT32 constant.
pub fn ints_tensor(imp: &mut Importer, values: &[i64]) -> Result<TensorId> {
    let c = ConstValue::from_i64("shape values", vec![values.len() as i64], values)?;
    imp.constant_tensor(&c)
}

/// The shape of a tensor as a 1-D INT32 shape tensor.
pub fn shape_of(imp: &mut Importer, t: TensorId) -> Result<TensorId> {
    layer(imp, Shape::new(), &[t])
}

/// Elements `indices` of a 1-D tensor.
pub fn gather_1d(imp: &mut Importer, t: TensorId, indices: &[i64]) -> Result<TensorId> {
    let i = ints_tensor(imp, indices)?;
    layer(imp, Gather::on_axis(0), &[t, i])
}

/// 1-D tensors joined end to end.
pub fn concat_1d(imp: &mut Importer, parts: &[TensorId]) -> Result<TensorId> {
    if parts.len() == 1 {
        return Ok(parts[0]);
    }
    layer(imp, Concatenation::on_axis(0), parts)
}

/// Integer values of an input that must be known when the model is parsed (a constant, or
/// computed from static shapes), or None when the input is absent.
pub fn optional_ints(imp: &Importer, node: &NodeProto, i: usize, what: &str) -> Result<Option<Vec<i64>>> {
    match optional_input(node, i) {
        None => Ok(None),
        Some(name) => imp.ints(name, what).map(Some),
    }
}

/// Axes from the `axes` attribute (older opsets) or input `i` (newer ones).
pub fn axes_attr_or_input(imp: &Importer, node: &NodeProto, input_index: usize) -> Result<Option<Vec<i64>>> {
    if let Some(a) = crate::onnx::importer::Attrs(node).ints("axes") {
        return Ok(Some(a));
    }
    optional_ints(imp, node, input_index, "the axes")
}

/// A tensor reshaped to the dims held by a 1-D INT32 shape tensor.
pub fn reshape_to_tensor(imp: &mut Importer, t: TensorId, shape: TensorId) -> Result<TensorId> {
    let mut s = Shuffle::new();
    s.zero_is_placeholder = false;
    layer(imp, s, &[t, shape])
}

/// A tensor whose dims are `pick` of its own dims (-1 entries of `pick` insert a 1): static
/// dims reshape directly, unknown ones through the shape computed at run time.
fn rearranged_dims(imp: &mut Importer, t: TensorId, pick: &[i64]) -> Result<TensorId> {
    let dims = imp.dims(t);
    if let Some(&p) = pick.iter().find(|&&p| p >= dims.len() as i64) {
        return Err(Error::invalid_argument(format!("axis {p} is out of range for rank {}", dims.len())));
    }
    if dims.iter().all(|&d| d >= 0) {
        let target = pick.iter().map(|&p| if p < 0 { 1 } else { dims[p as usize] }).collect();
        let mut s = Shuffle::reshape_to(target);
        s.zero_is_placeholder = false;
        return layer(imp, s, &[t]);
    }
    let rank = dims.len() as i64;
    let shape = shape_of(imp, t)?;
    let one = ints_tensor(imp, &[1])?;
    let with_one = concat_1d(imp, &[shape, one])?;
    let indices: Vec<i64> = pick.iter().map(|&p| if p < 0 { rank } else { p }).collect();
    let new_shape = gather_1d(imp, with_one, &indices)?;
    reshape_to_tensor(imp, t, new_shape)
}

/// Removes the given axes (each of size 1).
pub fn squeeze(imp: &mut Importer, t: TensorId, axes: &[usize]) -> Result<TensorId> {
    let rank = imp.dims(t).len();
    let keep: Vec<i64> = (0..rank).filter(|a| !axes.contains(a)).map(|a| a as i64).collect();
    rearranged_dims(imp, t, &keep)
}

/// Inserts axes of size 1 at the given output positions.
pub fn unsqueeze(imp: &mut Importer, t: TensorId, axes: &[usize]) -> Result<TensorId> {
    let rank = imp.dims(t).len() + axes.len();
    if let Some(&a) = axes.iter().find(|&&a| a >= rank) {
        return Err(Error::invalid_argument(format!("unsqueeze axis {a} is out of range for the output rank {rank}")));
    }
    if (1..axes.len()).any(|i| axes[..i].contains(&axes[i])) {
        return Err(Error::invalid_argument("an unsqueeze axis is given twice"));
    }
    let mut next = 0i64;
    let pick: Vec<i64> = (0..rank)
        .map(|j| {
            if axes.contains(&j) {
                -1
            } else {
                next += 1;
                next - 1
            }
        })
        .collect();
    rearranged_dims(imp, t, &pick)
}

/// Elements of the largest constant an importer makes up itself (masks, identity matrices,
/// filled scales): larger ones would come from hostile dims, not from a model.
const MADE_CONSTANT_LIMIT: u64 = 1 << 24;

/// The element count of a constant an importer makes with `dims`, refused past the limit.
pub fn made_constant_count(dims: &[i64], what: &str) -> Result<usize> {
    let mut n: u64 = 1;
    for &d in dims {
        n = u64::try_from(d).ok().and_then(|d| n.checked_mul(d)).filter(|&n| n <= MADE_CONSTANT_LIMIT).ok_or_else(|| {
            Error::unsupported(format!("{what} of shape {} is larger than {MADE_CONSTANT_LIMIT} elements", crate::types::dims_str(dims)))
        })?;
    }
    Ok(n as usize)
}
