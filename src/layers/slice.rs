//! Strided slices (ISliceLayer): output coordinate y reads the input at start + y * stride
//! on each axis, with out-of-range coordinates handled by the slice mode. Start, size and
//! stride are parameters, or shape tensors given as inputs 1 to 3 (dynamic output shapes);
//! input 4 is the value kFILL writes outside the input. Moves bytes, so every type
//! TensorRT allows is one code path. IPaddingLayer is a slice too (src/layers/padding.rs).

use super::generated::Slice;
use super::{any_impls, at_least_later, check_type, float_type, host_input, input, shape_input_values, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{convert, TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::{strides, DataType};

/// nvinfer1::SliceMode (SampleMode) values.
pub const STRICT_BOUNDS: i32 = 0;
pub const WRAP: i32 = 1;
pub const CLAMP: i32 = 2;
pub const FILL: i32 = 3;
pub const REFLECT: i32 = 4;

/// The types TensorRT 8.6 slices.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Bool];

pub fn mode_name(mode: i32) -> &'static str {
    match mode {
        STRICT_BOUNDS => "kSTRICT_BOUNDS",
        WRAP => "kWRAP",
        CLAMP => "kCLAMP",
        FILL => "kFILL",
        REFLECT => "kREFLECT",
        _ => "an unknown SliceMode",
    }
}

/// The input coordinate that input coordinate `x` of an axis of size `d` reads under
/// `mode`; None where kFILL (or kSTRICT_BOUNDS, which inference keeps in range) writes the
/// fill value. The modes other than kFILL need d > 0, which inference checks.
/// `kernels/slice.cu` mirrors it.
pub fn source(mode: i32, x: i64, d: i64) -> Option<i64> {
    match mode {
        WRAP => Some(x.rem_euclid(d)),
        CLAMP => Some(x.clamp(0, d - 1)),
        REFLECT if d == 1 => Some(0),
        REFLECT => {
            let period = 2 * d - 2;
            let c = x.unsigned_abs() % period as u64;
            let c = c as i64;
            Some(if c >= d { period - c } else { c })
        }
        _ => (0..d).contains(&x).then_some(x),
    }
}

/// A slice's geometry on actual shapes.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    pub mode: i32,
    pub start: Vec<i64>,
    pub stride: Vec<i64>,
}

impl Slice {
    pub fn of(start: Vec<i64>, size: Vec<i64>, stride: Vec<i64>) -> Slice {
        Slice { start, size, stride, ..Slice::new() }
    }

    pub fn with_mode(mut self, mode: i32) -> Slice {
        self.mode = mode;
        self.mode_given = true;
        self
    }

    /// Start and stride on actual shapes: inputs 1 and 3 when present (their values, as the
    /// backends pass them), the parameters otherwise, and the whole leading axis when it
    /// is an implicit batch.
    pub fn window(&self, start: Option<&[i64]>, stride: Option<&[i64]>) -> Window {
        let mut start = start.map(<[i64]>::to_vec).unwrap_or_else(|| self.start.clone());
        let mut stride = stride.map(<[i64]>::to_vec).unwrap_or_else(|| self.stride.clone());
        if self.whole_leading_axis {
            start.insert(0, 0);
            stride.insert(0, 1);
        }
        Window { mode: self.mode, start, stride }
    }
}

/// One of start, size or stride as expressions: input `slot` when present, else the
/// parameter.
fn spec(g: &mut ShapeGraph, inputs: &[Option<InferIn>], slot: usize, what: &str, param: &[i64]) -> Result<Vec<ExprId>> {
    match inputs.get(slot).and_then(|x| x.as_ref()) {
        Some(x) => Ok(shape_input_values(&format!("the slice's {what} (input {slot})"), x, false)?.to_vec()),
        None => Ok(g.constants(param)),
    }
}

/// Checks that axis `k` of size `d` can be sliced under `mode`: kSTRICT_BOUNDS reads only
/// coordinates inside the input, the other modes but kFILL need a non-empty axis (when the
/// output is not empty). Known violations are errors now, the rest checks at run time; with
/// `defer`, known violations of kSTRICT_BOUNDS fail when the network is built instead
/// (the default mode, which setMode usually changes after addSlice).
fn check_axis(g: &mut ShapeGraph, mode: i32, defer: bool, k: usize, d: ExprId, (start, size, stride): (ExprId, ExprId, ExprId)) -> Result<()> {
    let at_least = |g: &mut ShapeGraph, a: ExprId, what: String| if defer { at_least_later(g, a, 0, || what) } else { g.at_least(a, 0, || what) };
    let zero = g.constant(0);
    let nonempty = g.op(BinOp::Less, zero, size)?;
    match mode {
        STRICT_BOUNDS => {
            let one = g.constant(1);
            let steps = g.sub(size, one)?;
            let span = g.mul(steps, stride)?;
            let last = g.add(start, span)?;
            let lo = g.op(BinOp::Min, start, last)?;
            let hi = g.op(BinOp::Max, start, last)?;
            if let (Some(lo), Some(hi), Some(dv), Some(n)) = (g.as_const(lo), g.as_const(hi), g.as_const(d), g.as_const(size)) {
                if n > 0 && (lo < 0 || hi >= dv) {
                    let what = format!("slice axis {k}: coordinates {lo}..={hi} fall outside the input's [0, {dv}) (kSTRICT_BOUNDS)");
                    if !defer {
                        return Err(Error::invalid_argument(what));
                    }
                    let outside = g.constant(-1);
                    at_least(g, outside, what)?;
                }
                return Ok(());
            }
            let lo_checked = g.select(nonempty, lo, zero);
            at_least(g, lo_checked, format!("slice axis {k}: a coordinate below 0 (kSTRICT_BOUNDS)"))?;
            let last_allowed = g.sub(d, one)?;
            let room = g.sub(last_allowed, hi)?;
            let room_checked = g.select(nonempty, room, zero);
            at_least(g, room_checked, format!("slice axis {k}: a coordinate past the input's end (kSTRICT_BOUNDS)"))?;
        }
        WRAP | CLAMP | REFLECT => {
            let one = g.constant(1);
            let needed = g.select(nonempty, d, one);
            g.at_least(needed, 1, || format!("slice axis {k}: {} of an empty axis", mode_name(mode)))?;
        }
        _ => {}
    }
    Ok(())
}

/// Values of a slice of a 1-D shape tensor with known start, size and stride.
fn shape_values(g: &mut ShapeGraph, mode: i32, values: &[ExprId], start: ExprId, size: ExprId, stride: ExprId, fill: Option<ExprId>) -> Option<Vec<ExprId>> {
    let (s, n, st) = (g.as_const(start)?, g.as_const(size)?, g.as_const(stride)?);
    let d = values.len() as i64;
    (0..n.max(0))
        .map(|j| match source(mode, s + j * st, d) {
            Some(x) => Some(values[x as usize]),
            None if mode == FILL => Some(fill.unwrap_or_else(|| g.constant(0))),
            None => None,
        })
        .collect()
}

impl Layer for Slice {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        if !(STRICT_BOUNDS..=REFLECT).contains(&self.mode) {
            return Err(Error::invalid_argument(format!("unknown SliceMode {}", self.mode)));
        }
        let x = input(inputs, 0)?;
        check_type("the sliced tensor", x.dtype, TYPES)?;
        let dynamic = (1..=3).any(|i| inputs.get(i).is_some_and(|x| x.is_some()));
        if self.whole_leading_axis && dynamic {
            return Err(super::explicit_batch_only("a slice by shape-tensor inputs"));
        }
        let mut start = spec(cx.g, inputs, 1, "start", &self.start)?;
        let mut size = spec(cx.g, inputs, 2, "size", &self.size)?;
        let mut stride = spec(cx.g, inputs, 3, "stride", &self.stride)?;
        if self.whole_leading_axis {
            start.insert(0, cx.g.constant(0));
            size.insert(0, *x.dims.first().ok_or_else(|| Error::invalid_argument("an implicit-batch slice of a 0-D tensor"))?);
            stride.insert(0, cx.g.constant(1));
        }
        let rank = x.dims.len();
        for (what, v) in [("start", &start), ("size", &size), ("stride", &stride)] {
            if v.len() != rank {
                return Err(Error::invalid_argument(format!("the slice's {what} has {} values for an input of rank {rank}", v.len())));
            }
        }
        let fill = inputs.get(4).and_then(|f| f.as_ref());
        if let Some(f) = fill {
            if self.mode != FILL {
                return Err(Error::invalid_argument(format!("a slice fill value (input 4) needs kFILL, not {}", mode_name(self.mode))));
            }
            let same = f.dtype == x.dtype || (f.dtype.is_float() && x.dtype.is_float());
            if !same {
                return Err(Error::invalid_argument(format!("the slice fill value is {} but the sliced tensor is {}", f.dtype, x.dtype)));
            }
            let n = cx.g.volume(f.dims)?;
            let one = cx.g.constant(1);
            cx.g.assert_eq(n, one, || "the slice fill value (input 4) must hold one element".to_string())?;
        }
        let mut dims = Vec::with_capacity(rank);
        for k in 0..rank {
            let n = cx.g.at_least(size[k], 0, || format!("slice size {k}"))?;
            check_axis(cx.g, self.mode, !self.mode_given, k, x.dims[k], (start[k], n, stride[k]))?;
            dims.push(n);
        }
        // The fill value is the only other float input: kFLOAT and kHALF mix as usual.
        let dtype = if x.dtype.is_float() { float_type(inputs) } else { x.dtype };
        let mut out = InferOut::new(dtype, dims);
        if let (Some(values), 1, DataType::Int32) = (x.values, rank, dtype) {
            let fill_value = fill.and_then(|f| f.values).and_then(|v| v.first().copied());
            if fill.is_none() || fill_value.is_some() {
                out.values = shape_values(cx.g, self.mode, values, start[0], size[0], stride[0], fill_value);
            }
        }
        Ok(vec![out])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let values = |i: usize| inputs.get(i).and_then(|t| t.as_ref()).map(|t| t.i64());
        let (start, stride) = (values(1), values(3));
        let w = self.window(start.as_deref(), stride.as_deref());
        let size = x.dtype.size_bytes();
        let mut fill = vec![0u8; size];
        if let Some(f) = inputs.get(4).and_then(|t| t.as_ref()) {
            convert(f.dtype, &f.bytes[..f.dtype.size_bytes()], x.dtype, &mut fill);
        }
        copy_window(x, &w, &fill, &mut outputs[0])
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // The batch axis is copied whole; start, size and stride describe the others.
        if self.whole_leading_axis {
            return Err(Error::unsupported("a slice gained a batch axis twice"));
        }
        self.whole_leading_axis = true;
        Ok(())
    }
    any_impls!();
}

/// The CPU reference shared with IPaddingLayer: every output element from its input
/// coordinate, or `fill` (one element's bytes).
pub fn copy_window(x: &TensorIn, w: &Window, fill: &[u8], y: &mut TensorOut) -> Result<()> {
    let rank = y.dims.len();
    if x.dims.len() != rank || w.start.len() != rank || w.stride.len() != rank {
        return Err(Error::internal("a slice's start, stride and shapes disagree in rank"));
    }
    let size = x.dtype.size_bytes();
    let in_strides = strides(x.dims);
    let n = y.len();
    let mut coords = vec![0i64; rank];
    for i in 0..n {
        let mut rem = i as i64;
        for k in (0..rank).rev() {
            coords[k] = rem % y.dims[k];
            rem /= y.dims[k];
        }
        let mut offset = Some(0i64);
        for k in 0..rank {
            let at = w.start[k] + coords[k] * w.stride[k];
            offset = match (offset, source(w.mode, at, x.dims[k])) {
                (Some(o), Some(c)) => Some(o + c * in_strides[k]),
                _ => None,
            };
        }
        let dst = &mut y.bytes[i * size..(i + 1) * size];
        match offset {
            Some(o) => dst.copy_from_slice(&x.bytes[o as usize * size..(o as usize + 1) * size]),
            None if w.mode == FILL => dst.copy_from_slice(fill),
            None => return Err(Error::execution(format!("slice element {i} reads outside the input ({})", mode_name(w.mode)))),
        }
    }
    Ok(())
}
