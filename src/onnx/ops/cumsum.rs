//! CumSum as a doubling scan (Hillis-Steele): after the step with shift s, element i holds
//! the sum of the 2s elements ending at i, so ceil(log2 n) shifted additions give the running
//! sum. Exact for integers, no matrix product (whose TF32 inputs on a GPU would cost float
//! precision), and any element type the elementwise sum takes. An axis known only at run time
//! computes the running sum along every axis and selects the one asked for.

use super::slicing::{self, from_end, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{self, SUM};
use crate::layers::generated::{ElementWise, Select};
use crate::layers::slice;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::{dims_str, DataType};

pub const OPS: &[(&str, ImportFn)] = &[("CumSum", cumsum)];

/// `x` moved by `by` along `axis` (towards higher indices, or lower when `reverse`), zeros
/// shifted in.
fn shifted(imp: &mut Importer, x: TensorId, axis: usize, by: i64, reverse: bool) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let (mut pre, mut post) = (vec![Dim::Num(0); rank], vec![Dim::Num(0); rank]);
    let (grow, cut) = if reverse { (&mut post, &mut pre) } else { (&mut pre, &mut post) };
    grow[axis] = Dim::Num(by);
    cut[axis] = Dim::Num(-by);
    slicing::padded(imp, x, &pre, &post, slice::FILL, Some(0.0))
}

/// The running sum of `x` along `axis` (whose size must be known).
fn running_sum(imp: &mut Importer, x: TensorId, axis: usize, exclusive: bool, reverse: bool) -> Result<TensorId> {
    let n = imp.dims(x)[axis];
    if n < 0 {
        return Err(Error::unsupported(format!("CumSum over axis {axis} of {}, whose size is unknown", dims_str(&imp.dims(x)))));
    }
    let mut y = x;
    let mut by = 1;
    while by < n {
        let moved = shifted(imp, y, axis, by, reverse)?;
        y = layer(imp, ElementWise::of(SUM), &[y, moved])?;
        by *= 2;
    }
    if exclusive && n > 0 {
        y = shifted(imp, y, axis, 1, reverse)?;
    }
    Ok(y)
}

fn cumsum(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (exclusive, reverse) = (a.int("exclusive", 0) != 0, a.int("reverse", 0) != 0);
    let x = imp.tensor(input(node, 0)?)?;
    let dtype = imp.net.tensors[x].dtype;
    if !matches!(dtype, DataType::Float | DataType::Half | DataType::Int32) {
        return Err(Error::unsupported(format!("CumSum of {dtype:?}")));
    }
    let rank = imp.dims(x).len();
    if rank == 0 {
        return Err(Error::invalid_argument("CumSum of a scalar"));
    }
    let axis_name = input(node, 1)?;
    if let Some(v) = imp.known_ints(axis_name)? {
        let axis = axis_index(*v.first().ok_or_else(|| Error::invalid_argument("CumSum's axis is empty"))?, rank)?;
        return out(running_sum(imp, x, axis, exclusive, reverse)?);
    }
    // The axis is a run-time value: one running sum per axis, the asked-for one selected.
    // An axis out of range matches none and reads NaN (a data tensor cannot feed an
    // assertion, whose condition must be a shape value), so only float types are taken.
    if !dtype.is_float() {
        return Err(Error::unsupported("CumSum of integers along an axis known only at run time"));
    }
    let axis = imp.tensor(axis_name)?;
    let axis = cast(imp, axis, DataType::Int32)?;
    let axis = reshape_tensor(imp, axis, vec![1])?;
    let axis = match from_end(imp, Dim::Tensor(axis), Dim::Num(rank as i64))? {
        Dim::Tensor(t) => t,
        Dim::Num(_) => return Err(Error::internal("a run-time axis folded to a number")),
    };
    let mut y = scalar_like(imp, x, f64::NAN)?;
    for k in 0..rank {
        let sum_k = running_sum(imp, x, k, exclusive, reverse)?;
        let k_t = ints_tensor(imp, &[k as i64])?;
        let is_k = layer(imp, ElementWise::of(elementwise::EQUAL), &[axis, k_t])?;
        let is_k = with_leading_ones(imp, is_k, rank - 1)?;
        y = layer(imp, Select::new(), &[is_k, sum_k, y])?;
    }
    out(y)
}
