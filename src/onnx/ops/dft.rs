//! DFT: opset 17 takes the axis as an attribute (default 1), opset 20 as input 2 (default
//! -2). The transform itself is `fourier::dft_along`. An axis known only at run time
//! transforms along every candidate axis and selects the one named (NaN for an invalid
//! axis), which needs every candidate to give one output shape. onesided keeps bins
//! 0..=m/2 of any input (for a complex one too, as the ONNX reference does); together with
//! inverse ONNX forbids it.

use super::fourier::{dft_along, Transform};
use super::slicing::{input_dim, scalar_input_dim, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{EQUAL, OR};
use crate::layers::generated::{ElementWise, Select};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("DFT", dft)];

/// A DFT axis in [-r, -2] or [0, r - 2] (the last axis holds the real/imaginary parts).
pub fn signal_axis(axis: i64, rank: usize) -> Result<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if a < 0 || a >= r - 1 {
        return Err(Error::invalid_argument(format!("DFT axis {axis} is out of range for a signal of rank {rank}")));
    }
    Ok(a as usize)
}

fn dft(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (inverse, onesided) = (a.int("inverse", 0) != 0, a.int("onesided", 0) != 0);
    if inverse && onesided {
        return Err(Error::invalid_argument("DFT cannot be both inverse and onesided"));
    }
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let length = match optional_input(node, 1) {
        Some(name) => Some(scalar_input_dim(imp, name, "the DFT length")?),
        None => None,
    };
    let axis = if imp.opset >= 20 {
        match optional_input(node, 2) {
            None => -2,
            Some(name) => match imp.known_ints(name)? {
                Some(v) => *v.first().ok_or_else(|| Error::invalid_argument("the DFT axis must hold one value"))?,
                None => {
                    let axis = imp.tensor(name)?;
                    return out(dft_on_run_time_axis(imp, x, axis, length, onesided, inverse)?);
                }
            },
        }
    } else {
        a.int("axis", 1)
    };
    let axis = signal_axis(axis, rank)?;
    let length = match length {
        Some(l) => l,
        None => input_dim(imp, x, axis)?,
    };
    out(dft_along(imp, x, axis, &Transform { length, onesided, inverse })?)
}

fn dft_on_run_time_axis(
    imp: &mut Importer,
    x: TensorId,
    axis: TensorId,
    length: Option<Dim>,
    onesided: bool,
    inverse: bool,
) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    if rank < 2 {
        return Err(Error::invalid_argument("a DFT signal needs at least 2 dims"));
    }
    let mut candidates = Vec::with_capacity(rank - 1);
    for a in 0..rank - 1 {
        let length = match length {
            Some(l) => l,
            None => input_dim(imp, x, a)?,
        };
        candidates.push(dft_along(imp, x, a, &Transform { length, onesided, inverse })?);
    }
    // Without dft_length and onesided every candidate has the input's shape; otherwise
    // their known shapes must agree.
    let first = imp.dims(candidates[0]);
    let same = (length.is_none() && !onesided) || (first.iter().all(|&d| d >= 0) && candidates.iter().all(|&c| imp.dims(c) == first));
    if !same {
        return Err(Error::unsupported(
            "DFT along an axis known only at run time where the output shape depends on the axis (onesided or dft_length)",
        ));
    }
    if imp.net.tensors[axis].dtype != DataType::Int32 || imp.dims(axis).iter().product::<i64>() != 1 {
        return Err(Error::invalid_argument("the DFT axis must be one integer"));
    }
    let axis = reshape_tensor(imp, axis, vec![1; rank])?;
    let dtype = imp.net.tensors[x].dtype;
    let mut y = scalar(imp, dtype, f64::NAN, rank)?;
    for (a, candidate) in candidates.into_iter().enumerate() {
        let from_start = scalar(imp, DataType::Int32, a as f64, rank)?;
        let from_end = scalar(imp, DataType::Int32, a as f64 - rank as f64, rank)?;
        let is_start = layer(imp, ElementWise::of(EQUAL), &[axis, from_start])?;
        let is_end = layer(imp, ElementWise::of(EQUAL), &[axis, from_end])?;
        let named = layer(imp, ElementWise::of(OR), &[is_start, is_end])?;
        y = layer(imp, Select::new(), &[named, candidate, y])?;
    }
    Ok(y)
}
