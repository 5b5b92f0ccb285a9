//! MaxUnpool: the values scattered into zeros at their indices (MaxPool's indices: positions
//! in the whole tensor, flattened) of the inferred shape, per spatial axis
//! (in - 1) * stride + kernel - pads. An output_shape input pads that result with zeros at
//! the end of each axis (as ONNX's reference and test data do: the indices keep addressing
//! the inferred shape).

use super::slicing::{arith, input_dim, padded, to_tensor, Bound, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{Fill, Scatter};
use crate::layers::{elementwise, fill, scatter, slice};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("MaxUnpool", max_unpool)];

fn max_unpool(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let indices = imp.tensor(input(node, 1)?)?;
    if imp.net.tensors[indices].dtype != DataType::Int32 {
        return Err(Error::invalid_argument("MaxUnpool's indices must be integers"));
    }
    let rank = imp.dims(x).len();
    let dims = default_output_dims(imp, &a, x, rank)?;
    let wanted = match optional_input(node, 2) {
        Some(name) => {
            let shape = match imp.known_ints(name)? {
                Some(v) => Bound::Known(v),
                None => Bound::Tensor(imp.tensor(name)?),
            };
            if shape.len(imp) != rank {
                return Err(Error::invalid_argument(format!("MaxUnpool output_shape has {} values for rank {rank}", shape.len(imp))));
            }
            Some((0..rank).map(|k| shape.at(imp, k)).collect::<Result<Vec<_>>>()?)
        }
        None => None,
    };
    let mut total = Dim::Num(1);
    for &d in &dims {
        total = arith(imp, elementwise::PROD, total, d)?;
    }
    if let Dim::Num(n) = total {
        if n < 0 {
            return Err(Error::invalid_argument(format!("MaxUnpool output of {n} elements")));
        }
    }
    let total = to_tensor(imp, total)?;
    let mut zeros = Fill::of(vec![], fill::LINSPACE);
    zeros.alpha = 0.0;
    zeros.beta = 0.0;
    let zeros = layer(imp, zeros, &[total])?;
    let zeros = cast(imp, zeros, imp.net.tensors[x].dtype)?;
    let flat_indices = reshape_tensor(imp, indices, vec![-1])?;
    let flat_values = reshape_tensor(imp, x, vec![-1])?;
    let mut s = Scatter::with_mode(scatter::ELEMENT);
    s.axis = 0;
    let y = layer(imp, s, &[zeros, flat_indices, flat_values])?;
    let parts = dims.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
    let shape = concat_1d(imp, &parts)?;
    let y = reshape_to_tensor(imp, y, shape)?;
    let Some(wanted) = wanted else { return out(y) };
    let pre = vec![Dim::Num(0); rank];
    let post = wanted.iter().zip(&dims).map(|(&w, &d)| arith(imp, elementwise::SUB, w, d)).collect::<Result<Vec<_>>>()?;
    out(padded(imp, y, &pre, &post, slice::FILL, None)?)
}

/// [N, C, (in - 1) * stride + kernel - pad_begin - pad_end ...].
fn default_output_dims(imp: &mut Importer, a: &Attrs, x: crate::ir::TensorId, rank: usize) -> Result<Vec<Dim>> {
    let spatial = rank.checked_sub(2).ok_or_else(|| Error::invalid_argument("MaxUnpool needs [N, C, ...]"))?;
    let kernel = a.ints("kernel_shape").ok_or_else(|| Error::invalid_argument("MaxUnpool needs kernel_shape"))?;
    let strides = a.ints("strides").unwrap_or_else(|| vec![1; spatial]);
    let pads = a.ints("pads").unwrap_or_else(|| vec![0; 2 * spatial]);
    if kernel.len() != spatial || strides.len() != spatial || pads.len() != 2 * spatial {
        return Err(Error::invalid_argument(format!("MaxUnpool kernel_shape, strides and pads for {spatial} spatial axes")));
    }
    let mut dims = vec![input_dim(imp, x, 0)?, input_dim(imp, x, 1)?];
    for k in 0..spatial {
        let d = input_dim(imp, x, k + 2)?;
        let d = arith(imp, elementwise::SUB, d, Dim::Num(1))?;
        let d = arith(imp, elementwise::PROD, d, Dim::Num(strides[k]))?;
        let extra = kernel[k].checked_sub(pads[k]).and_then(|v| v.checked_sub(pads[k + spatial]));
        let extra = extra.ok_or_else(|| Error::invalid_argument("MaxUnpool kernel and pads overflow"))?;
        dims.push(arith(imp, elementwise::SUM, d, Dim::Num(extra))?);
    }
    Ok(dims)
}
