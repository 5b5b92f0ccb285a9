//! BitwiseAnd / Or / Xor / Not and BitShift on INT8, UINT8 and INT32 by exact integer
//! arithmetic on INT32 (no layer has bit operations). Not is -x - 1 (two's complement) or
//! 255 - x (uint8). And / Or / Xor look each pair of bytes up in a 65536-entry table: the
//! operands' bytes are floor(x / 256^n) mod 256 (floor division is an arithmetic shift, so
//! this is the two's-complement byte), and the result is the sum of the looked-up bytes
//! times 256^n, which wraps in INT32 to the signed value. BitShift (uint8) multiplies or
//! floor-divides by 2^min(y, 8), a power taken from a table.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{FLOOR_DIV, MIN, PROD, SUB, SUM};
use crate::layers::generated::{ElementWise, Gather};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[
    ("BitShift", bit_shift),
    ("BitwiseAnd", |i, n| bytewise(i, n, |a, b| a & b)),
    ("BitwiseNot", bitwise_not),
    ("BitwiseOr", |i, n| bytewise(i, n, |a, b| a | b)),
    ("BitwiseXor", |i, n| bytewise(i, n, |a, b| a ^ b)),
];

/// The bytes of each type (its two's-complement width).
fn byte_count(node: &NodeProto, dtype: DataType) -> Result<usize> {
    match dtype {
        DataType::Int8 | DataType::Uint8 => Ok(1),
        DataType::Int32 => Ok(4),
        other => Err(Error::unsupported(format!("{} of {other} (int8, uint8 and int32 are supported)", node.op_type))),
    }
}

fn op(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(op), &[a, b])
}

fn int_scalar(imp: &mut Importer, like: TensorId, v: i64) -> Result<TensorId> {
    scalar(imp, DataType::Int32, v as f64, imp.dims(like).len())
}

/// floor(x / 256^n) mod 256 of an INT32 tensor.
fn byte(imp: &mut Importer, x: TensorId, n: u32) -> Result<TensorId> {
    let shifted = if n == 0 {
        x
    } else {
        let d = int_scalar(imp, x, 1 << (8 * n))?;
        op(imp, FLOOR_DIV, x, d)?
    };
    let d = int_scalar(imp, x, 256)?;
    let high = op(imp, FLOOR_DIV, shifted, d)?;
    let high = op(imp, PROD, high, d)?;
    op(imp, SUB, shifted, high)
}

/// An INT32 table of 65536 entries, f(i / 256, i mod 256).
fn byte_table(imp: &mut Importer, f: fn(i64, i64) -> i64) -> Result<TensorId> {
    let values: Vec<i64> = (0..65536).map(|i| f(i / 256, i % 256)).collect();
    let c = ConstValue::from_i64("a byte table", vec![65536], &values)?;
    imp.constant_tensor(&c)
}

fn bytewise(imp: &mut Importer, node: &NodeProto, f: fn(i64, i64) -> i64) -> Result<Vec<Value>> {
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    let dtype = imp.net.tensors[t[0]].dtype;
    if imp.net.tensors[t[1]].dtype != dtype {
        return Err(Error::invalid_argument(format!("{} of {dtype} and {}", node.op_type, imp.net.tensors[t[1]].dtype)));
    }
    let bytes = byte_count(node, dtype)?;
    let (a, b) = (cast(imp, t[0], DataType::Int32)?, cast(imp, t[1], DataType::Int32)?);
    let table = byte_table(imp, f)?;
    let mut y: Option<TensorId> = None;
    for n in 0..bytes as u32 {
        let (ab, bb) = (byte(imp, a, n)?, byte(imp, b, n)?);
        let k = int_scalar(imp, ab, 256)?;
        let index = op(imp, PROD, ab, k)?;
        let index = op(imp, SUM, index, bb)?;
        let mut part = layer(imp, Gather::on_axis(0), &[table, index])?;
        if n > 0 {
            let w = int_scalar(imp, part, 1 << (8 * n))?;
            part = op(imp, PROD, part, w)?;
        }
        y = Some(match y {
            None => part,
            Some(s) => op(imp, SUM, s, part)?,
        });
    }
    let y = y.ok_or_else(|| Error::internal("no bytes"))?;
    out(cast(imp, y, dtype)?)
}

fn bitwise_not(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dtype = imp.net.tensors[x].dtype;
    byte_count(node, dtype)?;
    let wide = cast(imp, x, DataType::Int32)?;
    // uint8: 255 - x; signed: -1 - x.
    let top = int_scalar(imp, wide, if dtype == DataType::Uint8 { 255 } else { -1 })?;
    let y = op(imp, SUB, top, wide)?;
    out(cast(imp, y, dtype)?)
}

fn bit_shift(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let left = match Attrs(node).string("direction").as_deref() {
        Some("LEFT") => true,
        Some("RIGHT") => false,
        other => return Err(Error::invalid_argument(format!("BitShift direction {other:?} (LEFT or RIGHT)"))),
    };
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    let dtype = imp.net.tensors[t[0]].dtype;
    if dtype != DataType::Uint8 || imp.net.tensors[t[1]].dtype != dtype {
        return Err(Error::unsupported(format!("BitShift of {dtype} (uint8 is supported)")));
    }
    let (x, y) = (cast(imp, t[0], DataType::Int32)?, cast(imp, t[1], DataType::Int32)?);
    // Shifts of 8 or more leave nothing of a byte: 2^8 does the same.
    let eight = int_scalar(imp, y, 8)?;
    let y = op(imp, MIN, y, eight)?;
    let powers: Vec<i64> = (0..=8).map(|k| 1 << k).collect();
    let powers = ints_tensor(imp, &powers)?;
    let p = layer(imp, Gather::on_axis(0), &[powers, y])?;
    let z = op(imp, if left { PROD } else { FLOOR_DIV }, x, p)?;
    out(cast(imp, z, dtype)?)
}
