//! QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear. INT8 with a zero point known to
//! be zero (what TensorRT 8.6 supports, and what explicit-quantization models use) maps to
//! IQuantizeLayer / IDequantizeLayer; everything else (UINT8, other zero points, blocked
//! scales) is built from exact arithmetic (quant_arith.rs).

use super::quant_arith::{self, Layout};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{EQUAL, MAX, MIN, SUB, SUM};
use crate::layers::generated::{Dequantize, ElementWise, Quantize, Reduce, Unary};
use crate::layers::{reduce, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::{data_type, NodeProto};
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] =
    &[("DequantizeLinear", dequantize_linear), ("DynamicQuantizeLinear", dynamic_quantize_linear), ("QuantizeLinear", quantize_linear)];

/// The zero point input: its value and type, or None when absent.
fn zero_point(imp: &Importer, node: &NodeProto) -> Result<Option<(Value, DataType)>> {
    let Some(name) = optional_input(node, 2) else { return Ok(None) };
    Ok(Some((imp.value(name)?, dtype_of(imp, name)?)))
}

/// No zero point, or a constant one of zeros.
fn is_known_zero(zp: &Option<(Value, DataType)>) -> bool {
    match zp {
        None => true,
        Some((Value::Const(c), _)) => c.weights.values.iter().all(|&b| b == 0),
        Some((Value::Tensor(_), _)) => false,
    }
}

fn layout(node: &NodeProto) -> Layout {
    let a = Attrs(node);
    Layout { axis: a.int("axis", 1), block_size: a.int("block_size", 0) }
}

/// The TensorRT layer path: a per-tensor scale becomes a scalar, a per-axis one stays 1-D.
fn qdq_layer(imp: &mut Importer, x: TensorId, scale: TensorId, axis: i64, quantize: bool) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let per_tensor = imp.dims(scale).iter().all(|&d| d == 1);
    let axis = if per_tensor { 0 } else { axis_index(axis, rank)? as i32 };
    let scale = if per_tensor { reshape_tensor(imp, scale, vec![])? } else { scale };
    if quantize {
        let mut q = Quantize::new();
        q.axis = axis;
        layer(imp, q, &[x, scale])
    } else {
        let mut d = Dequantize::new();
        d.axis = axis;
        layer(imp, d, &[x, scale])
    }
}

/// The scale and zero point of a node, broadcast against x for the arithmetic path.
fn params(imp: &mut Importer, node: &NodeProto, x: TensorId) -> Result<(TensorId, Option<TensorId>)> {
    let x_dims = imp.dims(x);
    let l = layout(node);
    let scale = imp.tensor(input(node, 1)?)?;
    let scale = quant_arith::broadcast_param(imp, scale, &x_dims, l, "the scale")?;
    let zp = match optional_input(node, 2) {
        None => None,
        Some(name) => {
            // Widened first: the gather that expands blocks does not take UINT8.
            let z = imp.tensor(name)?;
            let z = cast(imp, z, DataType::Float)?;
            Some(quant_arith::broadcast_param(imp, z, &x_dims, l, "the zero point")?)
        }
    };
    Ok((scale, zp))
}

fn quantize_linear(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let zp = zero_point(imp, node)?;
    let out_type = match (&zp, Attrs(node).int("output_dtype", 0)) {
        (Some((_, t)), _) => *t,
        (None, 0) => DataType::Uint8,
        (None, d) if d == data_type::UINT8 as i64 => DataType::Uint8,
        (None, d) if d == data_type::INT8 as i64 => DataType::Int8,
        (None, d) => return Err(Error::unsupported(format!("QuantizeLinear to ONNX element type {d} (uint8 and int8 are supported)"))),
    };
    quant_arith::quantized_range(out_type)?;
    let x = imp.tensor(input(node, 0)?)?;
    let l = layout(node);
    if out_type == DataType::Int8 && is_known_zero(&zp) && l.block_size <= 0 {
        let scale = imp.tensor(input(node, 1)?)?;
        return out(qdq_layer(imp, x, scale, l.axis, true)?);
    }
    let (scale, zp) = params(imp, node, x)?;
    out(quant_arith::quantize(imp, x, scale, zp, out_type)?)
}

fn dequantize_linear(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let zp = zero_point(imp, node)?;
    let x = imp.tensor(input(node, 0)?)?;
    let x_type = imp.net.tensors[x].dtype;
    if !matches!(x_type, DataType::Int8 | DataType::Uint8 | DataType::Int32) {
        return Err(Error::unsupported(format!("dequantizing {x_type} (int8, uint8 and int32 are supported)")));
    }
    if let Some((_, t)) = &zp {
        if *t != x_type {
            return Err(Error::invalid_argument(format!("a zero point of type {t} for an input of type {x_type}")));
        }
    }
    let scale_type = dtype_of(imp, input(node, 1)?)?;
    let l = layout(node);
    if x_type == DataType::Int8 && is_known_zero(&zp) && l.block_size <= 0 && scale_type == DataType::Float {
        let scale = imp.tensor(input(node, 1)?)?;
        return out(qdq_layer(imp, x, scale, l.axis, false)?);
    }
    if !scale_type.is_float() {
        return Err(Error::invalid_argument(format!("a scale of type {scale_type}")));
    }
    let (scale, zp) = params(imp, node, x)?;
    out(quant_arith::dequantize(imp, x, scale, zp, scale_type)?)
}

/// UINT8 quantization with a scale and zero point from the input's range (widened to take
/// 0): scale = (max - min) / 255 (1 / 255 when the range is empty, as ONNX's reference has
/// it), zero point = round(clamp(-min / scale, 0, 255)).
fn dynamic_quantize_linear(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[x].dtype != DataType::Float {
        return Err(Error::invalid_argument(format!("DynamicQuantizeLinear of {} (float is required)", imp.net.tensors[x].dtype)));
    }
    let rank = imp.dims(x).len();
    let all = axes_mask(&(0..rank).collect::<Vec<_>>());
    let zero = scalar(imp, DataType::Float, 0.0, rank)?;
    let extreme = |imp: &mut Importer, op: i32, with_zero: i32| -> Result<TensorId> {
        let r = if rank == 0 { x } else { layer(imp, Reduce::of(op, all, true), &[x])? };
        layer(imp, ElementWise::of(with_zero), &[r, zero])
    };
    let lo = extreme(imp, reduce::MIN, MIN)?;
    let hi = extreme(imp, reduce::MAX, MAX)?;
    let range = layer(imp, ElementWise::of(SUB), &[hi, lo])?;
    let empty = layer(imp, ElementWise::of(EQUAL), &[range, zero])?;
    let empty = cast(imp, empty, DataType::Float)?;
    let range = layer(imp, ElementWise::of(SUM), &[range, empty])?;
    let levels = scalar(imp, DataType::Float, 255.0, rank)?;
    let scale = layer(imp, ElementWise::of(crate::layers::elementwise::DIV), &[range, levels])?;
    let shift = layer(imp, ElementWise::of(crate::layers::elementwise::DIV), &[lo, scale])?;
    let zp = layer(imp, ElementWise::of(SUB), &[zero, shift])?;
    let zp = quant_arith::clamp(imp, zp, 0.0, 255.0)?;
    let zp = layer(imp, Unary::of(unary::ROUND), &[zp])?;
    let y = quant_arith::quantize(imp, x, scale, Some(zp), DataType::Uint8)?;
    let scale_out = reshape_tensor(imp, scale, vec![])?;
    let zp_out = reshape_tensor(imp, zp, vec![])?;
    let zp_out = cast(imp, zp_out, DataType::Uint8)?;
    Ok(vec![Value::Tensor(y), Value::Tensor(scale_out), Value::Tensor(zp_out)])
}
