//! Exact integer matrix products and convolutions on the float layers. FLOAT accumulates
//! integers exactly while every partial sum stays within 2^24, which holds when
//! K * max|a| * max|b| <= 2^24 (K: the terms per output). Where it does not, an operand is
//! split into 16 * high + low (low in [0, 15]), each pair of parts is multiplied on its own
//! (exactly), and the parts are combined in INT32 (wrapping, as ONNX allows accumulation to).
//! Operand values of at most 2^11 in magnitude are also exact in TF32 and HALF inputs.

use super::util::*;
use crate::error::{Error, Result};
use crate::ir::{LayerId, TensorId};
use crate::layers::elementwise::{DIV, PROD, SUB, SUM};
use crate::layers::generated::{ElementWise, Unary};
use crate::layers::unary;
use crate::onnx::importer::{Importer, Value};
use crate::types::DataType;

/// Largest integer up to which FLOAT sums of integers are exact.
const EXACT_LIMIT: i64 = 1 << 24;

/// One part of an operand: the FLOAT tensor, its weight (a power of 16) and a bound on its
/// magnitude.
#[derive(Clone, Copy)]
struct Part {
    t: TensorId,
    weight: i64,
    bound: i64,
}

/// A bilinear product (matrix product or convolution) of two tensors: its output, and its
/// layer where one layer computes it.
pub type Bilinear<'f> = &'f dyn Fn(&mut Importer, TensorId, TensorId) -> Result<(TensorId, Option<LayerId>)>;

fn fits(k: i64, a: i64, b: i64) -> bool {
    k.checked_mul(a).and_then(|v| v.checked_mul(b)).is_some_and(|v| v <= EXACT_LIMIT)
}

/// v = 16 * floor(v / 16) + (v - 16 * floor(v / 16)); both steps are exact in FLOAT.
fn split(imp: &mut Importer, p: Part) -> Result<[Part; 2]> {
    let rank = imp.dims(p.t).len();
    let sixteen = scalar(imp, DataType::Float, 16.0, rank)?;
    let q = layer(imp, ElementWise::of(DIV), &[p.t, sixteen])?;
    let high = layer(imp, Unary::of(unary::FLOOR), &[q])?;
    let scaled = layer(imp, ElementWise::of(PROD), &[high, sixteen])?;
    let low = layer(imp, ElementWise::of(SUB), &[p.t, scaled])?;
    Ok([Part { t: high, weight: p.weight * 16, bound: (p.bound + 15) / 16 }, Part { t: low, weight: p.weight, bound: 15 }])
}

fn max_bound(parts: &[Part]) -> i64 {
    parts.iter().map(|p| p.bound).max().unwrap_or(0)
}

/// The INT32 result of `product` (a bilinear layer: matrix product or convolution) of two
/// FLOAT tensors holding integers of magnitude at most `a_bound` and `b_bound`, with `k` terms
/// per output (a bound on every partial sum, in whatever order they are added). A product's
/// layer, where it has one, is asked to run in FLOAT.
pub fn exact_product(
    imp: &mut Importer,
    (a, a_bound): (TensorId, i64),
    (b, b_bound): (TensorId, i64),
    k: i64,
    product: Bilinear,
) -> Result<TensorId> {
    if k < 0 {
        return Err(Error::unsupported("an integer product over an axis of unknown size (its exactness in float cannot be checked)"));
    }
    let mut pa = vec![Part { t: a, weight: 1, bound: a_bound }];
    let mut pb = vec![Part { t: b, weight: 1, bound: b_bound }];
    // Split the larger operand first, then the other if needed: at most four products.
    if !fits(k, a_bound, b_bound) {
        if a_bound >= b_bound {
            pa = split(imp, pa[0])?.to_vec();
        } else {
            pb = split(imp, pb[0])?.to_vec();
        }
    }
    if !fits(k, max_bound(&pa), max_bound(&pb)) {
        if pa.len() == 1 {
            pa = split(imp, pa[0])?.to_vec();
        } else {
            pb = split(imp, pb[0])?.to_vec();
        }
    }
    if !fits(k, max_bound(&pa), max_bound(&pb)) {
        return Err(Error::unsupported(format!(
            "an integer product of {k} terms per output of values up to {a_bound} and {b_bound} (exact in float up to {} terms)",
            EXACT_LIMIT / (16 * 16)
        )));
    }
    let mut sum: Option<TensorId> = None;
    for x in &pa {
        for y in &pb {
            let (p, id) = product(imp, x.t, y.t)?;
            if let Some(id) = id {
                imp.net.layers[id].precision = Some(DataType::Float);
            }
            let mut p = cast(imp, p, DataType::Int32)?;
            let weight = x.weight * y.weight;
            if weight != 1 {
                let w = scalar(imp, DataType::Int32, weight as f64, imp.dims(p).len())?;
                p = layer(imp, ElementWise::of(PROD), &[p, w])?;
            }
            sum = Some(match sum {
                None => p,
                Some(s) => layer(imp, ElementWise::of(SUM), &[s, p])?,
            });
        }
    }
    sum.ok_or_else(|| Error::internal("an integer product without parts"))
}

/// A bound on |x - zero_point| for a quantized operand: from its values when both are
/// constants, from its type's range otherwise.
pub fn operand_bound(imp: &Importer, x: &str, zero_point: Option<&str>) -> Result<i64> {
    let zp = match zero_point {
        None => Some(vec![0]),
        Some(z) => match imp.value(z)? {
            Value::Const(c) => Some(c.ints()?),
            Value::Tensor(_) => None,
        },
    };
    let (lo, hi) = match dtype_of(imp, x)? {
        DataType::Uint8 => (0, 255),
        DataType::Int8 => (-128, 127),
        other => return Err(Error::unsupported(format!("an integer product of {other} (uint8 and int8 are supported)"))),
    };
    let Some(zp) = zp else { return Ok(hi - lo) };
    let (lo, hi) = match imp.value(x)? {
        Value::Const(c) if zp.len() == 1 => {
            let v = c.ints()?;
            (v.iter().copied().min().unwrap_or(0), v.iter().copied().max().unwrap_or(0))
        }
        _ => (lo, hi),
    };
    Ok(zp.iter().map(|&z| (lo - z).abs().max((hi - z).abs())).max().unwrap_or(0))
}
