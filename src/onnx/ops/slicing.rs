//! Slice layers for ONNX's Slice, Split, Pad, Expand and Tile. Each axis's start, size and
//! stride is a number where it is known when the model is parsed and an INT32 shape tensor
//! computed at run time where it is not (unknown dims, bounds given as tensors); arithmetic on
//! the two (`Dim`) folds numbers and adds elementwise layers only for what is unknown.

use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{self, apply_i64};
use crate::layers::generated::{ElementWise, Slice};
use crate::layers::slice;
use crate::onnx::importer::Importer;
use crate::onnx::weights::ConstValue;

/// One dimension-like value: known now, or a one-element INT32 tensor.
#[derive(Clone, Copy, Debug)]
pub enum Dim {
    Num(i64),
    Tensor(TensorId),
}

/// Slice bounds: known values, or a 1-D INT32 tensor.
pub enum Bound {
    Known(Vec<i64>),
    Tensor(TensorId),
}

impl Bound {
    pub fn len(&self, imp: &Importer) -> usize {
        match self {
            Bound::Known(v) => v.len(),
            Bound::Tensor(t) => imp.dims(*t).first().copied().unwrap_or(0).max(0) as usize,
        }
    }

    /// Element `k`.
    pub fn at(&self, imp: &mut Importer, k: usize) -> Result<Dim> {
        match self {
            Bound::Known(v) => v.get(k).copied().map(Dim::Num).ok_or_else(|| Error::invalid_argument("too few slice bounds")),
            Bound::Tensor(t) => Ok(Dim::Tensor(gather_1d(imp, *t, &[k as i64])?)),
        }
    }
}

pub fn to_tensor(imp: &mut Importer, d: Dim) -> Result<TensorId> {
    match d {
        Dim::Num(v) => ints_tensor(imp, &[v]),
        Dim::Tensor(t) => Ok(t),
    }
}

/// `a op b` for SUM, SUB, PROD, MIN, MAX and FLOOR_DIV.
pub fn arith(imp: &mut Importer, op: i32, a: Dim, b: Dim) -> Result<Dim> {
    if let (Dim::Num(x), Dim::Num(y)) = (a, b) {
        return apply_i64(op, x, y).map(Dim::Num);
    }
    let (x, y) = (to_tensor(imp, a)?, to_tensor(imp, b)?);
    Ok(Dim::Tensor(layer(imp, ElementWise::of(op), &[x, y])?))
}

fn clamp(imp: &mut Importer, v: Dim, lo: Dim, hi: Dim) -> Result<Dim> {
    let v = arith(imp, elementwise::MIN, v, hi)?;
    arith(imp, elementwise::MAX, v, lo)
}

/// A negative index counts from the end of an axis of size `d`. On tensors this stays
/// arithmetic the shape graph follows (no comparisons): with v clamped to [-2^30, 2^30),
/// floor(v / 2^30) is -1 for a negative v and 0 otherwise, so v - floor(v / 2^30) * d.
pub fn from_end(imp: &mut Importer, v: Dim, d: Dim) -> Result<Dim> {
    const BIG: i64 = 1 << 30;
    match v {
        Dim::Num(x) if x >= 0 => Ok(v),
        Dim::Num(_) => arith(imp, elementwise::SUM, v, d),
        Dim::Tensor(_) => {
            let v = arith(imp, elementwise::MAX, v, Dim::Num(-BIG))?;
            let v = arith(imp, elementwise::MIN, v, Dim::Num(BIG - 1))?;
            let negative = arith(imp, elementwise::FLOOR_DIV, v, Dim::Num(BIG))?;
            let shift = arith(imp, elementwise::PROD, negative, d)?;
            arith(imp, elementwise::SUB, v, shift)
        }
    }
}

/// A scalar integer input (0-D or one element) as a Dim: its value when known now, else a
/// one-element INT32 tensor.
pub fn scalar_input_dim(imp: &mut Importer, name: &str, what: &str) -> Result<Dim> {
    if let Some(v) = imp.known_ints(name)? {
        return match v[..] {
            [v] => Ok(Dim::Num(v)),
            _ => Err(Error::invalid_argument(format!("{what} must hold one value, not {}", v.len()))),
        };
    }
    let t = imp.tensor(name)?;
    if imp.net.tensors[t].dtype != crate::types::DataType::Int32 {
        return Err(Error::invalid_argument(format!("{what} must be an integer")));
    }
    if imp.dims(t).len() > 1 {
        return Err(Error::invalid_argument(format!("{what} must be a scalar")));
    }
    Ok(Dim::Tensor(reshape_tensor(imp, t, vec![1])?))
}

/// Size of axis `axis` of `x`.
pub fn input_dim(imp: &mut Importer, x: TensorId, axis: usize) -> Result<Dim> {
    let d = imp.dims(x)[axis];
    if d >= 0 {
        return Ok(Dim::Num(d));
    }
    let s = shape_of(imp, x)?;
    Ok(Dim::Tensor(gather_1d(imp, s, &[axis as i64])?))
}

/// Start, size and stride per axis of a slice.
pub struct SliceSpec {
    pub start: Vec<Dim>,
    pub size: Vec<Option<Dim>>,
    pub stride: Vec<Dim>,
}

impl SliceSpec {
    /// The whole tensor (size None: the input's dim).
    pub fn whole(rank: usize) -> SliceSpec {
        SliceSpec { start: vec![Dim::Num(0); rank], size: vec![None; rank], stride: vec![Dim::Num(1); rank] }
    }

    /// `len` elements from `start` on one axis, the rest whole.
    pub fn range_on_axis(rank: usize, axis: usize, start: i64, len: i64) -> SliceSpec {
        let mut s = SliceSpec::whole(rank);
        s.start[axis] = Dim::Num(start);
        s.size[axis] = Some(Dim::Num(len));
        s
    }
}

/// A vector of dims as a constant (all known) or a concatenated INT32 tensor.
fn vector(imp: &mut Importer, dims: &[Dim]) -> Result<(Option<Vec<i64>>, Option<TensorId>)> {
    let known: Option<Vec<i64>> = dims.iter().map(|d| if let Dim::Num(v) = d { Some(*v) } else { None }).collect();
    if let Some(k) = known {
        return Ok((Some(k), None));
    }
    let parts = dims.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
    Ok((None, Some(concat_1d(imp, &parts)?)))
}

/// Adds the slice layer `spec` describes (in `mode`, with an optional fill value tensor).
fn slice_layer(imp: &mut Importer, x: TensorId, spec: SliceSpec, mode: i32, fill: Option<TensorId>) -> Result<TensorId> {
    let size = slice_size(imp, x, &spec.size)?;
    sized_slice(imp, x, &spec.start, &size, &spec.stride, mode, fill)
}

/// The output dims of a slice of `x` (None: the input's dim): numbers where all are known,
/// else one INT32 tensor, made once where many slices share it.
pub fn slice_size(imp: &mut Importer, x: TensorId, size: &[Option<Dim>]) -> Result<Bound> {
    let mut dims = Vec::with_capacity(size.len());
    for (axis, s) in size.iter().enumerate() {
        dims.push(match s {
            Some(d) => *d,
            None => input_dim(imp, x, axis)?,
        });
    }
    Ok(match vector(imp, &dims)? {
        (Some(known), _) => Bound::Known(known),
        (None, Some(t)) => Bound::Tensor(t),
        (None, None) => return Err(Error::internal("a slice size neither known nor a tensor")),
    })
}

/// A slice layer with its output dims already made (`slice_size`).
pub fn sized_slice(
    imp: &mut Importer,
    x: TensorId,
    start: &[Dim],
    size: &Bound,
    stride: &[Dim],
    mode: i32,
    fill: Option<TensorId>,
) -> Result<TensorId> {
    let (start_k, start_t) = vector(imp, start)?;
    let (size_k, size_t) = match size {
        Bound::Known(v) => (Some(v.clone()), None),
        Bound::Tensor(t) => (None, Some(*t)),
    };
    let (stride_k, stride_t) = vector(imp, stride)?;
    let mut l = Slice::of(start_k.clone().unwrap_or_default(), size_k.clone().unwrap_or_default(), stride_k.clone().unwrap_or_default())
        .with_mode(mode);
    let mut inputs = vec![x];
    if start_t.is_some() || size_t.is_some() || stride_t.is_some() || fill.is_some() {
        // Positional inputs: everything up to the last dynamic one is a tensor.
        let start = match start_t {
            Some(t) => t,
            None => ints_tensor(imp, start_k.as_deref().unwrap_or_default())?,
        };
        let size = match size_t {
            Some(t) => t,
            None => ints_tensor(imp, size_k.as_deref().unwrap_or_default())?,
        };
        inputs.push(start);
        inputs.push(size);
        if stride_t.is_some() || fill.is_some() {
            inputs.push(match stride_t {
                Some(t) => t,
                None => ints_tensor(imp, stride_k.as_deref().unwrap_or_default())?,
            });
        }
        if let Some(f) = fill {
            inputs.push(f);
        }
        l.start.clear();
        l.size.clear();
        if inputs.len() > 3 {
            l.stride.clear();
        }
    }
    layer(imp, l, &inputs)
}

pub fn add_slice(imp: &mut Importer, x: TensorId, spec: SliceSpec) -> Result<TensorId> {
    slice_layer(imp, x, spec, slice::STRICT_BOUNDS, None)
}

/// A slice in kFILL mode: coordinates outside the input read `fill` (a one-element tensor
/// of the input's type), or zero when None.
pub fn filled_slice(imp: &mut Importer, x: TensorId, spec: SliceSpec, fill: Option<TensorId>) -> Result<TensorId> {
    slice_layer(imp, x, spec, slice::FILL, fill)
}

/// `x` reshaped to `dims` (numbers where known, INT32 tensors where not; no placeholders).
pub fn reshape_dims(imp: &mut Importer, x: TensorId, dims: &[Dim]) -> Result<TensorId> {
    match vector(imp, dims)? {
        (Some(known), _) => {
            let mut s = crate::layers::generated::Shuffle::reshape_to(known);
            s.zero_is_placeholder = false;
            layer(imp, s, &[x])
        }
        (None, Some(shape)) => reshape_to_tensor(imp, x, shape),
        (None, None) => Err(crate::error::Error::internal("a shape neither known nor a tensor")),
    }
}

/// Which axes an ONNX Slice reads: known when the model is parsed, or a 1-D INT32 tensor (of
/// known length) read at run time.
pub enum SliceAxes {
    Known(Vec<usize>),
    Tensor(TensorId),
}

/// 1 where `x` equals `k`, else 0, with arithmetic only (|x - k| capped at 1) so that the
/// result stays a shape value.
pub fn equals(imp: &mut Importer, x: Dim, k: i64) -> Result<Dim> {
    let diff = arith(imp, elementwise::SUB, x, Dim::Num(k))?;
    let neg = arith(imp, elementwise::SUB, Dim::Num(0), diff)?;
    let abs = arith(imp, elementwise::MAX, diff, neg)?;
    let capped = arith(imp, elementwise::MIN, abs, Dim::Num(1))?;
    arith(imp, elementwise::SUB, Dim::Num(1), capped)
}

/// ONNX's start and end on an axis of size `d` as a slice start and size: negative bounds
/// count from the end, then bounds are clamped ([0, d] going forward, [-1, d - 1] going
/// backward), and size = max(0, ceil((end - start) / step)). A step known only at run time
/// computes both clampings and weighs them by the step's sign.
fn onnx_axis_bounds(imp: &mut Importer, d: Dim, s: Dim, e: Dim, step: Dim) -> Result<(Dim, Dim)> {
    use elementwise::{FLOOR_DIV, MAX, PROD, SUB, SUM};
    let s = from_end(imp, s, d)?;
    let e = from_end(imp, e, d)?;
    let last = arith(imp, SUB, d, Dim::Num(1))?;
    let (s, e, sign) = match step {
        Dim::Num(0) => return Err(Error::invalid_argument("a slice step must not be 0")),
        Dim::Num(st) if st > 0 => (clamp(imp, s, Dim::Num(0), d)?, clamp(imp, e, Dim::Num(0), d)?, Dim::Num(1)),
        Dim::Num(_) => (clamp(imp, s, Dim::Num(0), last)?, clamp(imp, e, Dim::Num(-1), last)?, Dim::Num(-1)),
        Dim::Tensor(_) => {
            // backward = 1 for a negative step (as in from_end: floor(v / 2^30) is -1 for a
            // negative v in range), forward = 1 - backward.
            const BIG: i64 = 1 << 30;
            let v = clamp(imp, step, Dim::Num(-BIG), Dim::Num(BIG - 1))?;
            let down = arith(imp, FLOOR_DIV, v, Dim::Num(BIG))?;
            let backward = arith(imp, SUB, Dim::Num(0), down)?;
            let forward = arith(imp, SUB, Dim::Num(1), backward)?;
            let pick = |imp: &mut Importer, f: Dim, b: Dim| -> Result<Dim> {
                let f = arith(imp, PROD, forward, f)?;
                let b = arith(imp, PROD, backward, b)?;
                arith(imp, SUM, f, b)
            };
            let (sf, ef) = (clamp(imp, s, Dim::Num(0), d)?, clamp(imp, e, Dim::Num(0), d)?);
            let (sb, eb) = (clamp(imp, s, Dim::Num(0), last)?, clamp(imp, e, Dim::Num(-1), last)?);
            let s = pick(imp, sf, sb)?;
            let e = pick(imp, ef, eb)?;
            (s, e, arith(imp, SUB, forward, backward)?)
        }
    };
    // ceil((e - s) / step) = floor((e - s + step - sign(step)) / step)
    let span = arith(imp, SUB, e, s)?;
    let span = arith(imp, SUM, span, step)?;
    let span = arith(imp, SUB, span, sign)?;
    let n = arith(imp, FLOOR_DIV, span, step)?;
    Ok((s, arith(imp, MAX, n, Dim::Num(0))?))
}

/// ONNX Slice of `x` (starts, ends and steps one per sliced axis).
pub fn onnx_slice(imp: &mut Importer, x: TensorId, axes: SliceAxes, starts: Bound, ends: Bound, steps: Bound) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let m = match &axes {
        SliceAxes::Known(a) => a.len(),
        SliceAxes::Tensor(t) => match imp.dims(*t)[..] {
            [n] if n >= 0 && n as usize <= rank => n as usize,
            [n] if n >= 0 => return Err(Error::invalid_argument(format!("{n} slice axes for {rank} dimensions"))),
            _ => return Err(Error::unsupported("slice axes of unknown length")),
        },
    };
    if starts.len(imp) != m || ends.len(imp) != m || steps.len(imp) != m {
        return Err(Error::invalid_argument("starts, ends, axes and steps must have one value per sliced axis"));
    }
    let mut spec = SliceSpec::whole(rank);
    match axes {
        SliceAxes::Known(axes) => {
            for (k, &axis) in axes.iter().enumerate() {
                let d = input_dim(imp, x, axis)?;
                let (s, e, step) = (starts.at(imp, k)?, ends.at(imp, k)?, steps.at(imp, k)?);
                let (start, size) = onnx_axis_bounds(imp, d, s, e, step)?;
                spec.start[axis] = start;
                spec.size[axis] = Some(size);
                spec.stride[axis] = step;
            }
        }
        SliceAxes::Tensor(axes) => {
            // Every axis a of x takes the bounds of the slice axis that names it (ONNX axes
            // are unique), else the whole axis: sums weighted by [axes[k] == a].
            use elementwise::{PROD, SUB, SUM};
            let mut named = Vec::with_capacity(m);
            for k in 0..m {
                let a = Dim::Tensor(gather_1d(imp, axes, &[k as i64])?);
                named.push(from_end(imp, a, Dim::Num(rank as i64))?);
            }
            for axis in 0..rank {
                let d = input_dim(imp, x, axis)?;
                let (mut start, mut size, mut stride, mut hits) = (Dim::Num(0), Dim::Num(0), Dim::Num(0), Dim::Num(0));
                for (k, &a) in named.iter().enumerate() {
                    let hit = equals(imp, a, axis as i64)?;
                    let (s, e, step) = (starts.at(imp, k)?, ends.at(imp, k)?, steps.at(imp, k)?);
                    // (A zero step fails the division when shapes resolve, as ONNX forbids it.)
                    let (s0, n0) = onnx_axis_bounds(imp, d, s, e, step)?;
                    let terms = [(s0, &mut start), (n0, &mut size), (step, &mut stride)];
                    for (v, acc) in terms {
                        let part = arith(imp, PROD, hit, v)?;
                        *acc = arith(imp, SUM, *acc, part)?;
                    }
                    hits = arith(imp, SUM, hits, hit)?;
                }
                let none = arith(imp, SUB, Dim::Num(1), hits)?;
                let whole = arith(imp, PROD, none, d)?;
                spec.start[axis] = start;
                spec.size[axis] = Some(arith(imp, SUM, size, whole)?);
                spec.stride[axis] = arith(imp, SUM, stride, none)?;
            }
        }
    }
    add_slice(imp, x, spec)
}

/// Padding (negative pads crop) with a slice that reads before and past the input: kFILL
/// (with `fill`, zero when None), kREFLECT, kCLAMP (edge) or kWRAP.
pub fn padded(imp: &mut Importer, x: TensorId, pre: &[Dim], post: &[Dim], mode: i32, fill: Option<f64>) -> Result<TensorId> {
    let fill = match fill {
        Some(v) => {
            let dtype = imp.net.tensors[x].dtype;
            let c = ConstValue::scalar(dtype, v)?;
            Some(imp.constant_tensor(&c)?)
        }
        None => None,
    };
    padded_with(imp, x, pre, post, mode, fill)
}

/// Padding as `padded`, the kFILL value a one-element tensor of `x`'s type (known or not).
pub fn padded_with(imp: &mut Importer, x: TensorId, pre: &[Dim], post: &[Dim], mode: i32, fill: Option<TensorId>) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let mut spec = SliceSpec::whole(rank);
    for axis in 0..rank {
        if let (Dim::Num(0), Dim::Num(0)) = (pre[axis], post[axis]) {
            continue;
        }
        let d = input_dim(imp, x, axis)?;
        spec.start[axis] = arith(imp, elementwise::SUB, Dim::Num(0), pre[axis])?;
        let grown = arith(imp, elementwise::SUM, d, pre[axis])?;
        spec.size[axis] = Some(arith(imp, elementwise::SUM, grown, post[axis])?);
    }
    slice_layer(imp, x, spec, mode, fill)
}

/// Broadcasts `x` to `target` (numpy rules, either side may be 1): a slice that reads axes
/// of size 1 with stride 0.
pub fn expand(imp: &mut Importer, x: TensorId, target: Bound) -> Result<TensorId> {
    let n = target.len(imp);
    let rank = imp.dims(x).len();
    let out_rank = n.max(rank);
    let x = with_leading_ones(imp, x, out_rank - rank)?;
    let mut spec = SliceSpec::whole(out_rank);
    for axis in 0..out_rank {
        let xd = input_dim(imp, x, axis)?;
        let td = if axis + n >= out_rank { target.at(imp, axis + n - out_rank)? } else { Dim::Num(1) };
        let (size, stride) = match (xd, td) {
            (Dim::Num(1), _) => (td, Dim::Num(0)),
            (Dim::Num(a), Dim::Num(1)) => (Dim::Num(a), Dim::Num(1)),
            (Dim::Num(a), Dim::Num(b)) if a == b => (Dim::Num(a), Dim::Num(1)),
            (Dim::Num(a), Dim::Num(b)) => {
                return Err(Error::invalid_argument(format!("cannot expand axis {axis} of size {a} to {b}")));
            }
            (Dim::Num(a), Dim::Tensor(_)) => (arith(imp, elementwise::MAX, Dim::Num(a), td)?, Dim::Num(1)),
            (Dim::Tensor(_), _) => {
                // stride min(d - 1, 1): 0 for an axis of size 1, else 1
                let less = arith(imp, elementwise::SUB, xd, Dim::Num(1))?;
                (arith(imp, elementwise::MAX, xd, td)?, arith(imp, elementwise::MIN, less, Dim::Num(1))?)
            }
        };
        spec.size[axis] = Some(size);
        spec.stride[axis] = stride;
    }
    add_slice(imp, x, spec)
}

/// `x` repeated `repeats[k]` times along each axis k: a slice past the end that wraps.
pub fn tile(imp: &mut Importer, x: TensorId, repeats: Bound) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    if repeats.len(imp) != rank {
        return Err(Error::invalid_argument(format!("Tile has {} repeats for rank {rank}", repeats.len(imp))));
    }
    if let Bound::Known(r) = &repeats {
        if let Some(r) = r.iter().find(|&&r| r < 0) {
            return Err(Error::invalid_argument(format!("Tile repeat {r} is negative")));
        }
    }
    let mut spec = SliceSpec::whole(rank);
    for axis in 0..rank {
        let r = repeats.at(imp, axis)?;
        if let Dim::Num(1) = r {
            continue;
        }
        let d = input_dim(imp, x, axis)?;
        spec.size[axis] = Some(arith(imp, elementwise::PROD, d, r)?);
    }
    slice_layer(imp, x, spec, slice::WRAP, None)
}
