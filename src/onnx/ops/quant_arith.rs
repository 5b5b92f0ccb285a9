//! Quantization arithmetic built exactly from elementwise, unary and cast layers, for what
//! TensorRT's Q/DQ layers do not take: UINT8, zero points that are not known zeros, blocked
//! scales. DequantizeLinear is (x - zero_point) * scale; QuantizeLinear is
//! saturate(round_half_to_even(x / scale) + zero_point). The unary ROUND rounds half to even
//! (rint), as ONNX requires.

use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{DIV, MAX, MIN, PROD, SUB, SUM};
use crate::layers::generated::{ElementWise, Gather, Unary};
use crate::layers::unary;
use crate::onnx::importer::Importer;
use crate::types::{dims_str, DataType};

/// Where a scale or zero point applies: `axis` for per-axis and blocked layouts, and
/// `block_size` (0: per-axis) for blocked ones; a one-element parameter is per-tensor.
#[derive(Clone, Copy)]
pub struct Layout {
    pub axis: i64,
    pub block_size: i64,
}

/// The values a quantized type holds.
pub fn quantized_range(dtype: DataType) -> Result<(f64, f64)> {
    match dtype {
        DataType::Uint8 => Ok((0.0, 255.0)),
        DataType::Int8 => Ok((-128.0, 127.0)),
        other => Err(Error::unsupported(format!("quantizing to {other} (uint8 and int8 are supported)"))),
    }
}

/// A scale or zero point brought to the rank of an input of `x_dims`, so that an elementwise
/// layer broadcasts it as ONNX lays it out.
pub fn broadcast_param(imp: &mut Importer, p: TensorId, x_dims: &[i64], layout: Layout, what: &str) -> Result<TensorId> {
    let rank = x_dims.len();
    let dims = imp.dims(p);
    if dims.iter().any(|&d| d < 0) {
        return Err(Error::unsupported(format!("{what} of unknown shape {}", dims_str(&dims))));
    }
    if dims.iter().all(|&d| d == 1) {
        return reshape_tensor(imp, p, vec![1; rank]);
    }
    let axis = axis_index(layout.axis, rank)?;
    if layout.block_size <= 0 {
        if dims.len() != 1 {
            return Err(Error::invalid_argument(format!("{what} of shape {} must be a scalar or 1-D along the axis", dims_str(&dims))));
        }
        let mut to = vec![1; rank];
        to[axis] = dims[0];
        return reshape_tensor(imp, p, to);
    }
    // Blocked: element i along the axis uses block i / block_size (the last block may be short).
    let d = x_dims[axis];
    if d < 0 {
        return Err(Error::unsupported("blocked quantization along an axis of unknown size"));
    }
    if dims.len() != rank || dims[axis] != d / layout.block_size + i64::from(d % layout.block_size != 0) {
        return Err(Error::invalid_argument(format!(
            "{what} of shape {} does not match blocks of {} along axis {axis} of {}",
            dims_str(&dims),
            layout.block_size,
            dims_str(x_dims)
        )));
    }
    made_constant_count(&[d], "the block indices")?;
    let indices: Vec<i64> = (0..d).map(|i| i / layout.block_size).collect();
    let idx = ints_tensor(imp, &indices)?;
    layer(imp, Gather::on_axis(axis as i32), &[p, idx])
}

fn op(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(op), &[a, b])
}

/// (float(x) - float(zero_point)) * scale in FLOAT, cast to `out_type`. For 8-bit x the
/// difference is exact; its product with a FLOAT scale rounds once, and with a HALF scale
/// (11 significant bits) it is exact in FLOAT, so the cast to HALF rounds once too.
/// `scale` and `zero_point` broadcast against x (see `broadcast_param`).
pub fn dequantize(imp: &mut Importer, x: TensorId, scale: TensorId, zero_point: Option<TensorId>, out_type: DataType) -> Result<TensorId> {
    let xf = cast(imp, x, DataType::Float)?;
    let shifted = match zero_point {
        Some(z) => {
            let zf = cast(imp, z, DataType::Float)?;
            op(imp, SUB, xf, zf)?
        }
        None => xf,
    };
    let sf = cast(imp, scale, DataType::Float)?;
    let y = op(imp, PROD, shifted, sf)?;
    cast(imp, y, out_type)
}

/// saturate(round_half_to_even(x / scale) + zero_point) as `out_type` (UINT8 or INT8). The
/// division runs in x's type (as ONNX computes it).
pub fn quantize(imp: &mut Importer, x: TensorId, scale: TensorId, zero_point: Option<TensorId>, out_type: DataType) -> Result<TensorId> {
    let x_type = imp.net.tensors[x].dtype;
    let work = if x_type.is_float() { x_type } else { DataType::Float };
    let xw = cast(imp, x, work)?;
    let sw = cast(imp, scale, work)?;
    let q = op(imp, DIV, xw, sw)?;
    saturate_rounded(imp, q, zero_point, out_type)
}

/// saturate(round_half_to_even(q) + zero_point) as `out_type` (UINT8 or INT8). The rounded
/// value, the zero point and the clamp are in FLOAT, where the integers involved are exact
/// (rounding before adding the integer zero point is the same as after, without a second
/// rounding), and the final cast of an in-range integer is exact.
pub fn saturate_rounded(imp: &mut Importer, q: TensorId, zero_point: Option<TensorId>, out_type: DataType) -> Result<TensorId> {
    let (lo, hi) = quantized_range(out_type)?;
    let rounded = layer(imp, Unary::of(unary::ROUND), &[q])?;
    let mut y = cast(imp, rounded, DataType::Float)?;
    if let Some(z) = zero_point {
        let zf = cast(imp, z, DataType::Float)?;
        y = op(imp, SUM, y, zf)?;
    }
    y = clamp(imp, y, lo, hi)?;
    cast(imp, y, out_type)
}

/// min(max(x, lo), hi) on a FLOAT tensor.
pub fn clamp(imp: &mut Importer, x: TensorId, lo: f64, hi: f64) -> Result<TensorId> {
    let lo = scalar_like(imp, x, lo)?;
    let hi = scalar_like(imp, x, hi)?;
    let y = op(imp, MAX, x, lo)?;
    op(imp, MIN, y, hi)
}
