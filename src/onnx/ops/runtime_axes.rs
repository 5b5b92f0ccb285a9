//! Reductions over axes known only at run time (an axes input that is a graph input, as the
//! ONNX node tests have it), which TensorRT's reduce layer cannot take. Every axis k is
//! reduced with its dimension kept, joined in front of the unreduced tensor, and a slice
//! whose start and size are shape arithmetic keeps the reduced element where k is among the
//! axes and the unreduced rest where not; without keepdims a reshape drops the chosen axes.
//! Whether axis k is chosen is computed with arithmetic only (|a - k| through max, [a == k]
//! as 1 - min(1, |a - k|)) so that sizes stay shape values.

use super::reduce::When;
use super::slicing::{self, arith, equals, from_end, to_tensor, Dim, SliceSpec};
use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{MIN, PROD, SUB, SUM};
use crate::layers::generated::{Concatenation, Reduce};
use crate::onnx::importer::Importer;

/// 1 where axis `k` is among the `m` axes (negative ones count from `rank`), else 0.
fn chosen(imp: &mut Importer, axes: TensorId, m: usize, k: i64, rank: i64) -> Result<Dim> {
    let mut count = Dim::Num(0);
    for j in 0..m {
        let a = Dim::Tensor(gather_1d(imp, axes, &[j as i64])?);
        let a = from_end(imp, a, Dim::Num(rank))?;
        let eq = equals(imp, a, k)?;
        count = arith(imp, SUM, count, eq)?;
    }
    arith(imp, MIN, count, Dim::Num(1))
}

pub fn reduction(
    imp: &mut Importer,
    x: TensorId,
    axes: TensorId,
    op: i32,
    keep: bool,
    around: impl Fn(&mut Importer, TensorId, When) -> Result<TensorId>,
) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let m = axes_count(imp, axes, "reduce", rank)?;
    if m == 0 || rank == 0 {
        return Err(Error::unsupported("reduce axes known only at run time that may be empty"));
    }
    let mut y = around(imp, x, When::Before)?;
    let mut picks = Vec::with_capacity(rank);
    let mut sizes = Vec::with_capacity(rank);
    for k in 0..rank {
        // [reduced over k, y] along k, then the first element (chosen) or the rest (not):
        // start 1 - chosen, size d - (d - 1) * chosen. An empty axis reduces to one element.
        let c = chosen(imp, axes, m, k as i64, rank as i64)?;
        let d = slicing::input_dim(imp, y, k)?;
        let reduced = layer(imp, Reduce::of(op, 1 << k, true), &[y])?;
        let both = layer(imp, Concatenation::on_axis(k as i32), &[reduced, y])?;
        let mut spec = SliceSpec::whole(rank);
        spec.start[k] = arith(imp, SUB, Dim::Num(1), c)?;
        let dm1 = arith(imp, SUB, d, Dim::Num(1))?;
        let cut = arith(imp, PROD, dm1, c)?;
        let size = arith(imp, SUB, d, cut)?;
        spec.size[k] = Some(size);
        y = slicing::add_slice(imp, both, spec)?;
        picks.push(c);
        sizes.push(size);
    }
    let y = around(imp, y, When::After)?;
    if keep {
        return Ok(y);
    }
    let out_rank = rank.checked_sub(m).ok_or_else(|| Error::invalid_argument("more reduce axes than dimensions"))?;
    let dims = dims_not_chosen(imp, &picks, &sizes, out_rank)?;
    if dims.is_empty() {
        return reshape_tensor(imp, y, vec![]);
    }
    let parts = dims.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
    let shape = concat_1d(imp, &parts)?;
    reshape_to_tensor(imp, y, shape)
}

/// The sizes of the axes not chosen, in order: output axis j is the j-th axis k whose
/// `picks[k]` is 0 (its position is the count of kept axes before it).
fn dims_not_chosen(imp: &mut Importer, picks: &[Dim], sizes: &[Dim], out_rank: usize) -> Result<Vec<Dim>> {
    let kept: Vec<Dim> = picks.iter().map(|&c| arith(imp, SUB, Dim::Num(1), c)).collect::<Result<_>>()?;
    let mut position = Vec::with_capacity(picks.len());
    let mut before = Dim::Num(0);
    for &k in &kept {
        position.push(before);
        before = arith(imp, SUM, before, k)?;
    }
    let mut dims = Vec::with_capacity(out_rank);
    for j in 0..out_rank {
        let mut dim = Dim::Num(0);
        for k in 0..picks.len() {
            let here = equals(imp, position[k], j as i64)?;
            let take = arith(imp, PROD, here, kept[k])?;
            let part = arith(imp, PROD, take, sizes[k])?;
            dim = arith(imp, SUM, dim, part)?;
        }
        dims.push(dim);
    }
    Ok(dims)
}

/// The length of a 1-D axes tensor, which must be known when the model is parsed (the
/// output's rank depends on it) and that can name each of `most` axes once at most.
fn axes_count(imp: &Importer, axes: TensorId, what: &str, most: usize) -> Result<usize> {
    let m = match imp.dims(axes)[..] {
        [n] if n >= 0 => n as usize,
        [] => 1,
        _ => return Err(Error::unsupported(format!("{what} axes of unknown length"))),
    };
    if m > most {
        return Err(Error::invalid_argument(format!("{m} {what} axes for {most} dimensions (each axis may be named once)")));
    }
    Ok(m)
}

/// Squeeze by axes known only at run time: the chosen axes' sizes are dropped from the
/// shape (a chosen axis that is not 1 makes the reshape's element count disagree, an error
/// when the context resolves shapes).
pub fn squeeze(imp: &mut Importer, x: TensorId, axes: TensorId) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let m = axes_count(imp, axes, "Squeeze", rank)?;
    let out_rank = rank.checked_sub(m).ok_or_else(|| Error::invalid_argument("more Squeeze axes than dimensions"))?;
    let axes = reshape_tensor(imp, axes, vec![m as i64])?;
    let mut picks = Vec::with_capacity(rank);
    let mut sizes = Vec::with_capacity(rank);
    for k in 0..rank {
        picks.push(chosen(imp, axes, m, k as i64, rank as i64)?);
        sizes.push(slicing::input_dim(imp, x, k)?);
    }
    let dims = dims_not_chosen(imp, &picks, &sizes, out_rank)?;
    if dims.is_empty() {
        return reshape_tensor(imp, x, vec![]);
    }
    let parts = dims.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
    let shape = concat_1d(imp, &parts)?;
    reshape_to_tensor(imp, x, shape)
}

/// Unsqueeze by axes known only at run time (axes count from the output's rank): output
/// axis j is 1 where chosen, else input axis j minus the count of chosen axes before j.
pub fn unsqueeze(imp: &mut Importer, x: TensorId, axes: TensorId) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let m = axes_count(imp, axes, "Unsqueeze", crate::types::MAX_DIMS.saturating_sub(rank))?;
    let out_rank = rank + m;
    let axes = reshape_tensor(imp, axes, vec![m as i64])?;
    let sizes = (0..rank).map(|k| slicing::input_dim(imp, x, k)).collect::<Result<Vec<_>>>()?;
    let mut dims = Vec::with_capacity(out_rank);
    let mut new_before = Dim::Num(0);
    for j in 0..out_rank {
        let is_new = chosen(imp, axes, m, j as i64, out_rank as i64)?;
        let from = arith(imp, SUB, Dim::Num(j as i64), new_before)?;
        let mut size = Dim::Num(0);
        for (k, &d) in sizes.iter().enumerate() {
            let here = equals(imp, from, k as i64)?;
            let part = arith(imp, PROD, here, d)?;
            size = arith(imp, SUM, size, part)?;
        }
        // 1 where new, the input's size where not.
        let old = arith(imp, SUB, Dim::Num(1), is_new)?;
        let kept = arith(imp, PROD, old, size)?;
        dims.push(arith(imp, SUM, kept, is_new)?);
        new_before = arith(imp, SUM, new_before, is_new)?;
    }
    let parts = dims.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
    let shape = concat_1d(imp, &parts)?;
    reshape_to_tensor(imp, x, shape)
}
