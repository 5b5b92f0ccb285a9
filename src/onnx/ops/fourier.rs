//! The discrete Fourier transform as one matrix product, shared by DFT and STFT. The signal
//! axis goes last with the real/imaginary channel just before it, the two are flattened into
//! [re_0..re_L, im_0..im_L], and a matrix W maps that to [Re_0..Re_K, Im_0..Im_K]:
//!   (a + ib) e^{s i theta} = (a cos - s b sin) + i (s a sin + b cos),  theta = 2 pi j k / m,
//! with s = -1 forward and +1 inverse (which also scales by 1/m). W is a constant computed in
//! f64 when the sizes are known when the model is parsed, else built by layers at run time.
//! Angles are reduced exactly (j k mod m, in integers) and then to the nearest quarter turn,
//! so that cos and sin are exactly 0 and ±1 at multiples of a quarter.

use super::nn::matmul_tensors;
use super::slicing::{add_slice, arith, input_dim, reshape_dims, to_tensor, Dim, SliceSpec};
use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{AND, FLOOR_DIV, GREATER, LESS, PROD, SUB, SUM};
use crate::layers::generated::{Assertion, Concatenation, ElementWise, Fill, Shuffle, Unary};
use crate::layers::{fill, unary};
use crate::onnx::importer::Importer;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

/// What to compute along the signal axis.
#[derive(Clone, Copy, Debug)]
pub struct Transform {
    /// The DFT length m: the signal is cut to it or padded with zeros.
    pub length: Dim,
    /// Keep only the bins 0..=m/2 (the rest mirror them for a real signal).
    pub onesided: bool,
    pub inverse: bool,
}

/// The largest DFT length known only at run time: j k must fit in INT32 there.
const RUN_TIME_LENGTH_LIMIT: i64 = 46340;

/// cos and sin of 2 pi r / m (r < m), in f64: theta = q pi / 2 + delta with q the nearest
/// quarter turn and |delta| <= pi / 4 computed from the exact integer 4 r - q m.
pub fn unit_root(r: u64, m: u64) -> (f64, f64) {
    let q = (8 * r + m) / (2 * m);
    let v = 4 * r as i64 - (q * m) as i64;
    let delta = std::f64::consts::FRAC_PI_2 * v as f64 / m as f64;
    let (c, s) = (delta.cos(), delta.sin());
    match q % 4 {
        0 => (c, s),
        1 => (-s, c),
        2 => (-c, -s),
        _ => (s, -c),
    }
}

/// The transform of `x` ([..., n, c], c = 1 real or 2 complex) along `axis` (< rank - 1):
/// [..., bins at `axis`, ..., 2].
pub fn dft_along(imp: &mut Importer, x: TensorId, axis: usize, t: &Transform) -> Result<TensorId> {
    let dims = imp.dims(x);
    let r = dims.len();
    if r < 2 || axis + 1 >= r {
        return Err(Error::invalid_argument(format!(
            "a DFT axis {axis} for a signal of rank {r} (the last axis holds real and imaginary parts)"
        )));
    }
    let c = dims[r - 1];
    if c != 1 && c != 2 {
        return Err(Error::invalid_argument(format!("the last dim of a DFT signal must be 1 (real) or 2 (complex), not {c}")));
    }
    if let Dim::Num(m) = t.length {
        if m < 1 {
            return Err(Error::invalid_argument(format!("a DFT length must be positive, not {m}")));
        }
    }
    // [others..., c, n]
    let others: Vec<usize> = (0..r - 1).filter(|&a| a != axis).collect();
    let mut perm: Vec<i64> = others.iter().map(|&a| a as i64).collect();
    perm.extend([(r - 1) as i64, axis as i64]);
    let xt = layer(imp, Shuffle::transpose(perm), &[x])?;
    let n = input_dim(imp, xt, r - 1)?;
    let m = t.length;
    // Samples past m are cut; the zeros padded past n add nothing, so W has min(n, m) rows.
    let rows = arith(imp, crate::layers::elementwise::MIN, n, m)?;
    let xt = match (n, rows) {
        (Dim::Num(a), Dim::Num(b)) if a == b => xt,
        _ => {
            let mut spec = SliceSpec::whole(r);
            spec.size[r - 1] = Some(rows);
            add_slice(imp, xt, spec)?
        }
    };
    let bins = if t.onesided {
        let half = arith(imp, FLOOR_DIV, m, Dim::Num(2))?;
        arith(imp, SUM, half, Dim::Num(1))?
    } else {
        m
    };
    let mut lead = Vec::with_capacity(r);
    for a in 0..r - 2 {
        lead.push(input_dim(imp, xt, a)?);
    }
    let flat_len = arith(imp, PROD, Dim::Num(c), rows)?;
    let flat = reshape_dims(imp, xt, &[lead.clone(), vec![flat_len]].concat())?;
    let w = match (rows, m, bins) {
        (Dim::Num(rows), Dim::Num(m), Dim::Num(bins)) => constant_matrix(imp, c, rows, m, bins, t.inverse)?,
        _ => run_time_matrix(imp, c, rows, m, bins, t.inverse)?,
    };
    let w = cast(imp, w, imp.net.tensors[x].dtype)?;
    let (y, _) = matmul_tensors(imp, flat, w)?;
    // [others..., 2, bins] back to the input's order, bins at `axis` and the parts last.
    let y = reshape_dims(imp, y, &[lead, vec![Dim::Num(2), bins]].concat())?;
    let back: Vec<i64> = (0..r)
        .map(|p| {
            if p == axis {
                (r - 1) as i64
            } else if p == r - 1 {
                (r - 2) as i64
            } else {
                others.iter().position(|&a| a == p).unwrap_or(0) as i64
            }
        })
        .collect();
    layer(imp, Shuffle::transpose(back), &[y])
}

/// W for sizes known now: [c * rows, 2 * bins], f32 rounded once from f64.
fn constant_matrix(imp: &mut Importer, c: i64, rows: i64, m: i64, bins: i64, inverse: bool) -> Result<TensorId> {
    let too_large = || Error::unsupported(format!("a DFT matrix for length {m}"));
    let (height, width) = (c.checked_mul(rows).ok_or_else(too_large)?, bins.checked_mul(2).ok_or_else(too_large)?);
    let count = made_constant_count(&[height, width], "a DFT matrix")?;
    let sign = if inverse { 1.0 } else { -1.0 };
    let scale = if inverse { 1.0 / m as f64 } else { 1.0 };
    let mut values = vec![0f32; count];
    for j in 0..rows as u64 {
        for k in 0..bins as u64 {
            let (cos, sin) = unit_root((j * k) % m as u64, m as u64);
            let (j, k) = (j as usize, k as usize);
            let (rows, bins, width) = (rows as usize, bins as usize, width as usize);
            values[j * width + k] = (cos * scale) as f32;
            values[j * width + bins + k] = (sign * sin * scale) as f32;
            if c == 2 {
                values[(rows + j) * width + k] = (-sign * sin * scale) as f32;
                values[(rows + j) * width + bins + k] = (cos * scale) as f32;
            }
        }
    }
    imp.constant_tensor(&ConstValue::f32(vec![height, width], &values))
}

/// 0, 1, ..., len - 1 (INT32) for a length known only at run time.
fn run_time_range(imp: &mut Importer, len: Dim) -> Result<TensorId> {
    let shape = to_tensor(imp, len)?;
    let start = ints_tensor(imp, &[0])?;
    let step = ints_tensor(imp, &[1])?;
    layer(imp, Fill::of(vec![], fill::LINSPACE), &[shape, start, step])
}

/// W built by layers, with the same angle reduction as `unit_root` done in INT32.
fn run_time_matrix(imp: &mut Importer, c: i64, rows: Dim, m: Dim, bins: Dim, inverse: bool) -> Result<TensorId> {
    check_run_time_length(imp, m)?;
    let int = |imp: &mut Importer, v: i64| scalar(imp, DataType::Int32, v as f64, 2);
    let ew = |imp: &mut Importer, op: i32, a: TensorId, b: TensorId| layer(imp, ElementWise::of(op), &[a, b]);
    let j = run_time_range(imp, rows)?;
    let j = unsqueeze(imp, j, &[1])?;
    let k = run_time_range(imp, bins)?;
    let k = unsqueeze(imp, k, &[0])?;
    let m_t = to_tensor(imp, m)?;
    let m_t = reshape_tensor(imp, m_t, vec![1, 1])?;
    let jk = ew(imp, PROD, j, k)?;
    // r = j k mod m
    let wraps = ew(imp, FLOOR_DIV, jk, m_t)?;
    let whole = ew(imp, PROD, wraps, m_t)?;
    let r = ew(imp, SUB, jk, whole)?;
    // q = floor((8 r + m) / (2 m)), v = 4 r - q m
    let eight = int(imp, 8)?;
    let two = int(imp, 2)?;
    let four = int(imp, 4)?;
    let r8 = ew(imp, PROD, r, eight)?;
    let num = ew(imp, SUM, r8, m_t)?;
    let den = ew(imp, PROD, m_t, two)?;
    let q = ew(imp, FLOOR_DIV, num, den)?;
    let r4 = ew(imp, PROD, r, four)?;
    let qm = ew(imp, PROD, q, m_t)?;
    let v = ew(imp, SUB, r4, qm)?;
    // delta = (pi / 2) v / m
    let v = cast(imp, v, DataType::Float)?;
    let m_f = cast(imp, m_t, DataType::Float)?;
    let quarter = scalar(imp, DataType::Float, std::f64::consts::FRAC_PI_2, 2)?;
    let per_unit = ew(imp, crate::layers::elementwise::DIV, quarter, m_f)?;
    let delta = ew(imp, PROD, v, per_unit)?;
    let cos_d = layer(imp, Unary::of(unary::COS), &[delta])?;
    let sin_d = layer(imp, Unary::of(unary::SIN), &[delta])?;
    // (a, b) = (cos, sin)(q pi / 2): with q4 = q mod 4 and p = q4 mod 2,
    // a = (1 - q4)(1 - p), b = (2 - q4) p.
    let q_wraps = ew(imp, FLOOR_DIV, q, four)?;
    let q_wraps = ew(imp, PROD, q_wraps, four)?;
    let q4 = ew(imp, SUB, q, q_wraps)?;
    let halves = ew(imp, FLOOR_DIV, q4, two)?;
    let halves = ew(imp, PROD, halves, two)?;
    let p = ew(imp, SUB, q4, halves)?;
    let one = int(imp, 1)?;
    let one_minus_q4 = ew(imp, SUB, one, q4)?;
    let one_minus_p = ew(imp, SUB, one, p)?;
    let a = ew(imp, PROD, one_minus_q4, one_minus_p)?;
    let two_minus_q4 = ew(imp, SUB, two, q4)?;
    let b = ew(imp, PROD, two_minus_q4, p)?;
    let a = cast(imp, a, DataType::Float)?;
    let b = cast(imp, b, DataType::Float)?;
    let ac = ew(imp, PROD, a, cos_d)?;
    let bs = ew(imp, PROD, b, sin_d)?;
    let cos = ew(imp, SUB, ac, bs)?;
    let as_ = ew(imp, PROD, a, sin_d)?;
    let bc = ew(imp, PROD, b, cos_d)?;
    let sin = ew(imp, SUM, as_, bc)?;
    let (cos, sin) = if inverse {
        let inv_m = layer(imp, Unary::of(unary::RECIP), &[m_f])?;
        (ew(imp, PROD, cos, inv_m)?, ew(imp, PROD, sin, inv_m)?)
    } else {
        (cos, sin)
    };
    let neg_sin = layer(imp, Unary::of(unary::NEG), &[sin])?;
    let (signed_sin, other_sin) = if inverse { (sin, neg_sin) } else { (neg_sin, sin) };
    let top = layer(imp, Concatenation::on_axis(1), &[cos, signed_sin])?;
    if c == 1 {
        return Ok(top);
    }
    let bottom = layer(imp, Concatenation::on_axis(1), &[other_sin, cos])?;
    layer(imp, Concatenation::on_axis(0), &[top, bottom])
}

/// 0 < m <= RUN_TIME_LENGTH_LIMIT for a length known only at run time.
fn check_run_time_length(imp: &mut Importer, m: Dim) -> Result<()> {
    const WHY: &str = "a DFT length known only at run time must be between 1 and 46340";
    let m = to_tensor(imp, m)?;
    let limit = ints_tensor(imp, &[RUN_TIME_LENGTH_LIMIT + 1])?;
    let zero = ints_tensor(imp, &[0])?;
    let below = layer(imp, ElementWise::of(LESS), &[m, limit])?;
    let positive = layer(imp, ElementWise::of(GREATER), &[m, zero])?;
    // (AND, not a concatenation: concatenated kBOOL tensors lose their shape values.)
    let both = layer(imp, ElementWise::of(AND), &[below, positive])?;
    imp.add_layer(Box::new(Assertion::of(WHY)), &[both])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::unit_root;

    #[test]
    fn unit_root_is_exact_at_quarter_turns_and_close_elsewhere() {
        assert_eq!(unit_root(0, 16), (1.0, 0.0));
        assert_eq!(unit_root(4, 16), (0.0, 1.0));
        assert_eq!(unit_root(8, 16), (-1.0, 0.0));
        assert_eq!(unit_root(12, 16), (0.0, -1.0));
        for m in [1u64, 3, 7, 10, 16, 1000] {
            for r in 0..m {
                let theta = std::f64::consts::TAU * r as f64 / m as f64;
                let (c, s) = unit_root(r, m);
                assert!((c - theta.cos()).abs() < 1e-14 && (s - theta.sin()).abs() < 1e-14, "{r}/{m}");
            }
        }
    }
}
