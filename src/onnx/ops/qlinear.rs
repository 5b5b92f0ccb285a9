//! Quantized products: MatMulInteger and ConvInteger (INT32 results), QLinearMatMul and
//! QLinearConv (requantized to 8 bits). Operands are dequantized to exact integers in FLOAT
//! (x - zero_point), multiplied exactly (integer_product.rs), and, for the QLinear forms,
//! scaled by a_scale * b_scale / y_scale (computed in the scales' type, as ONNX does) in
//! FLOAT, rounded half to even, offset by the output zero point and saturated.

use super::integer_product::{exact_product, operand_bound};
use super::nn::{conv_with_kernel, matmul_tensors};
use super::quant_arith::saturate_rounded;
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{DIV, PROD, SUB, SUM};
use crate::layers::generated::ElementWise;
use crate::onnx::importer::{Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::{dims_str, DataType};

pub const OPS: &[(&str, ImportFn)] = &[
    ("ConvInteger", |i, n| conv_integer(i, n).and_then(out)),
    ("MatMulInteger", |i, n| matmul_integer(i, n).and_then(out)),
    ("QLinearConv", qlinear_conv),
    ("QLinearMatMul", qlinear_matmul),
];

/// How a scale or zero point lines up with its operand.
#[derive(Clone, Copy)]
enum Along {
    /// One value for the whole tensor only.
    Whole,
    /// Per row of a matrix operand (a 1-D parameter runs along the second-last axis).
    Row,
    /// Per column of a matrix operand (along the last axis).
    Column,
    /// Along this axis (a convolution's channels).
    Axis(usize),
}

/// A parameter (per-tensor, or a vector along `along`, or for matrices one of the operand's
/// rank) brought to `rank` dimensions.
fn param(imp: &mut Importer, name: &str, rank: usize, along: Along) -> Result<TensorId> {
    let p = imp.tensor(name)?;
    let dims = imp.dims(p);
    if dims.iter().all(|&d| d == 1) {
        return reshape_tensor(imp, p, vec![1; rank]);
    }
    let axis = match along {
        Along::Row if rank >= 2 => Some(rank - 2),
        Along::Column if rank >= 1 => Some(rank - 1),
        Along::Axis(a) if a < rank => Some(a),
        _ => None,
    };
    match axis {
        Some(axis) if dims.len() == 1 => {
            let mut to = vec![1; rank];
            to[axis] = dims[0];
            reshape_tensor(imp, p, to)
        }
        _ if dims.len() == rank && matches!(along, Along::Row | Along::Column) => Ok(p),
        _ => Err(Error::invalid_argument(format!("'{name}' of shape {} does not fit an operand of rank {rank}", dims_str(&dims)))),
    }
}

/// float(x) - float(zero_point), the zero point laid out by `along`.
fn centered(imp: &mut Importer, node: &NodeProto, x: usize, zero_point: usize, along: Along) -> Result<TensorId> {
    let t = imp.tensor(input(node, x)?)?;
    let xt = imp.net.tensors[t].dtype;
    if !super::small_int::is_small_int(xt) {
        return Err(Error::unsupported(format!("{} of {xt} (uint8 and int8 are supported)", node.op_type)));
    }
    let f = cast(imp, t, DataType::Float)?;
    let Some(z) = optional_input(node, zero_point) else { return Ok(f) };
    if dtype_of(imp, z)? != xt {
        return Err(Error::invalid_argument(format!("zero point '{z}' is not of the type of its operand ({xt})")));
    }
    let rank = imp.dims(t).len();
    let z = param(imp, z, rank, along)?;
    let z = cast(imp, z, DataType::Float)?;
    layer(imp, ElementWise::of(SUB), &[f, z])
}

fn bound(imp: &Importer, node: &NodeProto, x: usize, zero_point: usize) -> Result<i64> {
    operand_bound(imp, input(node, x)?, optional_input(node, zero_point))
}

/// (a - a_zero_point) @ (b - b_zero_point) in INT32, for inputs a, b and zero points at the
/// given positions.
fn integer_matmul(imp: &mut Importer, node: &NodeProto, [a, a_zp, b, b_zp]: [usize; 4]) -> Result<TensorId> {
    let af = centered(imp, node, a, a_zp, Along::Row)?;
    let bf = centered(imp, node, b, b_zp, Along::Column)?;
    // The inner dimension (-1 when unknown).
    let k = imp.dims(af).last().copied().unwrap_or(1);
    let (ab, bb) = (bound(imp, node, a, a_zp)?, bound(imp, node, b, b_zp)?);
    exact_product(imp, (af, ab), (bf, bb), k, &|imp, x, y| matmul_tensors(imp, x, y).map(|(t, id)| (t, Some(id))))
}

fn matmul_integer(imp: &mut Importer, node: &NodeProto) -> Result<TensorId> {
    integer_matmul(imp, node, [0, 2, 1, 3])
}

/// Per-output-channel parameters of a convolution kernel [M, C/group, k...] run along axis 0.
fn integer_conv(imp: &mut Importer, node: &NodeProto, [x, x_zp, w, w_zp]: [usize; 4]) -> Result<TensorId> {
    let xf = centered(imp, node, x, x_zp, Along::Whole)?;
    let wf = centered(imp, node, w, w_zp, Along::Axis(0))?;
    let dims = imp.dims(wf);
    let k = if dims.len() >= 3 && dims.iter().all(|&d| d >= 0) {
        dims[1..].iter().try_fold(1i64, |n, &d| n.checked_mul(d)).unwrap_or(i64::MAX)
    } else {
        -1
    };
    let (xb, wb) = (bound(imp, node, x, x_zp)?, bound(imp, node, w, w_zp)?);
    exact_product(imp, (xf, xb), (wf, wb), k, &|imp, a, b| conv_with_kernel(imp, node, a, b))
}

fn conv_integer(imp: &mut Importer, node: &NodeProto) -> Result<TensorId> {
    integer_conv(imp, node, [0, 2, 1, 3])
}

/// a_scale * b_scale / y_scale in the scales' type, as FLOAT.
fn multiplier(imp: &mut Importer, a_scale: TensorId, b_scale: TensorId, y_scale: TensorId) -> Result<TensorId> {
    let t = imp.net.tensors[a_scale].dtype;
    if !t.is_float() {
        return Err(Error::invalid_argument(format!("a scale of type {t}")));
    }
    let b_scale = cast(imp, b_scale, t)?;
    let y_scale = cast(imp, y_scale, t)?;
    let ab = binary_op(imp, PROD, a_scale, b_scale)?;
    let m = binary_op(imp, DIV, ab, y_scale)?;
    cast(imp, m, DataType::Float)
}

/// saturate(round(float(acc) * multiplier) + y_zero_point) in the output zero point's type
/// (the first operand's when it is absent).
fn requantize(imp: &mut Importer, node: &NodeProto, acc: TensorId, m: TensorId, y_zp: usize, along: Along) -> Result<Vec<Value>> {
    let rank = imp.dims(acc).len();
    if imp.dims(m).len() > rank {
        return Err(Error::unsupported("per-row or per-column scales with a 1-D operand"));
    }
    let accf = cast(imp, acc, DataType::Float)?;
    let y = binary_op(imp, PROD, accf, m)?;
    let (zp, out_type) = match optional_input(node, y_zp) {
        Some(z) => {
            let t = dtype_of(imp, z)?;
            (Some(param(imp, z, rank, along)?), t)
        }
        None => (None, dtype_of(imp, input(node, 0)?)?),
    };
    out(saturate_rounded(imp, y, zp, out_type)?)
}

fn qlinear_matmul(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let acc = integer_matmul(imp, node, [0, 2, 3, 5])?;
    let ra = rank_of(imp, input(node, 0)?)?;
    let rb = rank_of(imp, input(node, 3)?)?;
    let a_scale = param(imp, input(node, 1)?, ra, Along::Row)?;
    let b_scale = param(imp, input(node, 4)?, rb, Along::Column)?;
    let y_scale = param(imp, input(node, 6)?, imp.dims(acc).len(), Along::Column)?;
    let m = multiplier(imp, a_scale, b_scale, y_scale)?;
    requantize(imp, node, acc, m, 7, Along::Column)
}

fn qlinear_conv(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let mut acc = integer_conv(imp, node, [0, 2, 3, 5])?;
    let rank = imp.dims(acc).len();
    if let Some(b) = optional_input(node, 8) {
        let b = param(imp, b, rank, Along::Axis(1))?;
        let b = cast(imp, b, DataType::Int32)?;
        acc = layer(imp, ElementWise::of(SUM), &[acc, b])?;
    }
    let x_scale = param(imp, input(node, 1)?, rank, Along::Whole)?;
    let w_scale = param(imp, input(node, 4)?, rank, Along::Axis(1))?;
    let y_scale = param(imp, input(node, 6)?, rank, Along::Whole)?;
    let m = multiplier(imp, x_scale, w_scale, y_scale)?;
    requantize(imp, node, acc, m, 7, Along::Whole)
}
