//! Elementwise arithmetic on INT8 and UINT8 tensors, which the elementwise layer does not
//! take: the operands are widened to INT32, the operation runs there, and the result is cast
//! back. The cast from INT32 narrows by wrapping, which is numpy's (and ONNX's) modular
//! arithmetic for 8-bit types: sums, differences, products and powers of 8-bit values are
//! congruent modulo 256 whether computed in 32 bits or 8, and quotients, remainders, minima
//! and maxima of 8-bit values lie in the 8-bit range except -128 / -1, which wraps to -128 as
//! numpy's does.

use super::util::*;
use crate::error::Result;
use crate::ir::TensorId;
use crate::layers::elementwise;
use crate::layers::generated::ElementWise;
use crate::onnx::importer::Importer;
use crate::types::DataType;

/// Whether the elementwise layer refuses this type where an INT32 computation is exact.
pub fn is_small_int(dtype: DataType) -> bool {
    matches!(dtype, DataType::Int8 | DataType::Uint8)
}

/// `a op b` for operands of equal rank: directly for the layer's own types, through INT32 for
/// INT8/UINT8 (the result has the first operand's type; comparisons give BOOL).
pub fn elementwise(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    let (ta, tb) = (imp.net.tensors[a].dtype, imp.net.tensors[b].dtype);
    if !is_small_int(ta) && !is_small_int(tb) {
        return layer(imp, ElementWise::of(op), &[a, b]);
    }
    let wide_a = cast(imp, a, DataType::Int32)?;
    let wide_b = cast(imp, b, DataType::Int32)?;
    let y = layer(imp, ElementWise::of(op), &[wide_a, wide_b])?;
    let comparison = matches!(op, elementwise::EQUAL | elementwise::GREATER | elementwise::LESS);
    if comparison || !is_small_int(ta) {
        return Ok(y);
    }
    cast(imp, y, ta)
}
