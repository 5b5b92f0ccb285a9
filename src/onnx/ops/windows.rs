//! Sliding windows built from strided slices, for what the pooling and convolution layers
//! cannot take: dilated pooling, ONNX's ceil-mode output sizes, convolutions whose weights are
//! only known at run time (conv_composite.rs). On one spatial axis, the elements at kernel
//! offset j of all windows form one strided slice of the input: start j·dilation − pad_begin,
//! step `stride`, one element per output position; in kFILL mode, reads in the padding give a
//! chosen value (the lowest value for a maximum, zero for sums).

use super::nn::split_pads;
use super::slicing::{add_slice, arith, expand, input_dim, reshape_dims, sized_slice, slice_size, to_tensor, Bound, Dim, SliceSpec};
use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise;
use crate::layers::generated::{ElementWise, Unary};
use crate::layers::{slice, unary};
use crate::onnx::importer::{Attrs, Importer};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::dims_str;

/// The most slices one windowed operator adds (kernel elements): beyond, the graph gets too
/// large to build in reasonable time.
pub const MAX_WINDOW_SLICES: i64 = 4096;

/// Largest kernel size, stride, dilation or pad taken here; keeps every product far inside i64.
const MAX_WINDOW_ATTR: i64 = 1 << 24;

/// Kernel size, stride and dilation of one spatial axis.
#[derive(Clone, Copy, Debug)]
pub struct AxisKernel {
    pub size: i64,
    pub stride: i64,
    pub dilation: i64,
}

impl AxisKernel {
    /// Input positions one window spans.
    pub fn extent(&self) -> i64 {
        self.dilation * (self.size - 1) + 1
    }
}

/// Kernel sizes, strides (default 1) and dilations (default 1) per spatial axis, checked.
pub fn axis_kernels(kernel: &[i64], strides: Option<Vec<i64>>, dilations: Option<Vec<i64>>) -> Result<Vec<AxisKernel>> {
    let n = kernel.len();
    let strides = strides.unwrap_or(vec![1; n]);
    let dilations = dilations.unwrap_or(vec![1; n]);
    if strides.len() != n || dilations.len() != n {
        return Err(Error::invalid_argument(format!(
            "kernel_shape {}, strides {} and dilations {} must have one value per spatial axis",
            dims_str(kernel),
            dims_str(&strides),
            dims_str(&dilations)
        )));
    }
    let all = kernel.iter().chain(&strides).chain(&dilations);
    if n == 0 || all.into_iter().any(|v| !(1..=MAX_WINDOW_ATTR).contains(v)) {
        return Err(Error::invalid_argument(format!(
            "kernel_shape {}, strides {} and dilations {} must be in [1, {MAX_WINDOW_ATTR}]",
            dims_str(kernel),
            dims_str(&strides),
            dims_str(&dilations)
        )));
    }
    Ok((0..n).map(|i| AxisKernel { size: kernel[i], stride: strides[i], dilation: dilations[i] }).collect())
}

/// How the input is padded: explicit pads (NOTSET; VALID is all zero), or as much as
/// ceil(input / stride) windows need, the odd one after (SAME_UPPER) or before (SAME_LOWER).
pub enum Padding {
    Explicit(Vec<i64>, Vec<i64>),
    SameUpper,
    SameLower,
}

pub fn padding_attr(a: &Attrs, n: usize) -> Result<Padding> {
    match a.string("auto_pad").as_deref().unwrap_or("NOTSET") {
        "NOTSET" => {
            let (begin, end) = split_pads(&a.ints("pads").unwrap_or_default(), n)?;
            if begin.iter().chain(&end).any(|&p| p > MAX_WINDOW_ATTR) {
                return Err(Error::invalid_argument(format!("pads must be at most {MAX_WINDOW_ATTR}")));
            }
            Ok(Padding::Explicit(begin, end))
        }
        "VALID" => Ok(Padding::Explicit(vec![0; n], vec![0; n])),
        "SAME_UPPER" => Ok(Padding::SameUpper),
        "SAME_LOWER" => Ok(Padding::SameLower),
        other => Err(Error::invalid_argument(format!("unknown auto_pad '{other}'"))),
    }
}

/// Where the windows of one axis lie: the padding before and after the input and how many
/// windows there are. `pad_end` only bounds which padding an average counts.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    pub pad_begin: Dim,
    pub pad_end: Dim,
    pub out: Dim,
}

/// One windowed axis of a tensor.
#[derive(Clone, Copy, Debug)]
pub struct WindowAxis {
    pub axis: usize,
    pub kernel: AxisKernel,
    pub place: Placement,
}

fn sum(imp: &mut Importer, a: Dim, b: Dim) -> Result<Dim> {
    arith(imp, elementwise::SUM, a, b)
}

fn sub(imp: &mut Importer, a: Dim, b: Dim) -> Result<Dim> {
    arith(imp, elementwise::SUB, a, b)
}

/// floor(a / b) for a positive b.
fn div(imp: &mut Importer, a: Dim, b: i64) -> Result<Dim> {
    arith(imp, elementwise::FLOOR_DIV, a, Dim::Num(b))
}

/// Windows of a convolution or pooling over `x` ([N, C, spatial...]), one per spatial axis.
/// With `ceil`, explicit padding rounds the window count up, as ONNX's ceil_mode does.
pub fn forward_axes(imp: &mut Importer, x: TensorId, kernels: &[AxisKernel], padding: &Padding, ceil: bool) -> Result<Vec<WindowAxis>> {
    let rank = imp.dims(x).len();
    if rank != kernels.len() + 2 {
        return Err(Error::invalid_argument(format!("an input of rank {rank} for a {}-D window", kernels.len())));
    }
    let mut axes = Vec::with_capacity(kernels.len());
    for (a, k) in kernels.iter().enumerate() {
        let axis = a + 2;
        let d = input_dim(imp, x, axis)?;
        let ext = Dim::Num(k.extent());
        let place = match padding {
            Padding::Explicit(begin, end) => {
                let padded = sum(imp, d, Dim::Num(begin[a] + end[a]))?;
                let span = sub(imp, padded, ext)?;
                let out = if ceil {
                    ceil_window_count(imp, span, d, begin[a], k.stride)?
                } else {
                    let steps = div(imp, span, k.stride)?;
                    sum(imp, steps, Dim::Num(1))?
                };
                Placement { pad_begin: Dim::Num(begin[a]), pad_end: Dim::Num(end[a]), out }
            }
            Padding::SameUpper | Padding::SameLower => {
                let rounded_up = sum(imp, d, Dim::Num(k.stride - 1))?;
                let out = div(imp, rounded_up, k.stride)?;
                let before_last = sub(imp, out, Dim::Num(1))?;
                let last_start = arith(imp, elementwise::PROD, before_last, Dim::Num(k.stride))?;
                let reach = sum(imp, last_start, ext)?;
                let needed = sub(imp, reach, d)?;
                let total = arith(imp, elementwise::MAX, needed, Dim::Num(0))?;
                let half = div(imp, total, 2)?;
                let rest = sub(imp, total, half)?;
                let (pad_begin, pad_end) = if matches!(padding, Padding::SameUpper) { (half, rest) } else { (rest, half) };
                Placement { pad_begin, pad_end, out }
            }
        };
        if let (Dim::Num(out), Dim::Num(d)) = (place.out, d) {
            if out < 1 {
                return Err(Error::invalid_argument(format!(
                    "a window of {} positions does not fit axis {axis} of size {d} with its padding",
                    k.extent()
                )));
            }
        }
        axes.push(WindowAxis { axis, kernel: *k, place });
    }
    Ok(axes)
}

/// ceil(span / stride) + 1 windows, less the last one when it would start in the end padding
/// ((count − 1)·stride ≥ size + pad_begin), as ONNX (and PyTorch) count them. Without
/// comparisons: room = size + pad_begin − last start, clamped to [0, 1], is 1 exactly when
/// the last window starts inside.
fn ceil_window_count(imp: &mut Importer, span: Dim, d: Dim, pad_begin: i64, stride: i64) -> Result<Dim> {
    let up = sum(imp, span, Dim::Num(stride - 1))?;
    let steps = div(imp, up, stride)?;
    let last_start = arith(imp, elementwise::PROD, steps, Dim::Num(stride))?;
    let limit = sum(imp, d, Dim::Num(pad_begin))?;
    let room = sub(imp, limit, last_start)?;
    let room = arith(imp, elementwise::MAX, room, Dim::Num(0))?;
    let inside = arith(imp, elementwise::MIN, room, Dim::Num(1))?;
    sum(imp, steps, inside)
}

/// Slices of one tensor holding, for a kernel offset, that offset's element of every window
/// (reading `fill`, zero when None, in the padding). Their dims are the same for every
/// offset and are made once.
pub struct OffsetSlices<'w> {
    x: TensorId,
    axes: &'w [WindowAxis],
    size: Bound,
    stride: Vec<Dim>,
    fill: Option<TensorId>,
}

impl<'w> OffsetSlices<'w> {
    pub fn new(imp: &mut Importer, x: TensorId, axes: &'w [WindowAxis], fill: Option<TensorId>) -> Result<Self> {
        let rank = imp.dims(x).len();
        let mut size = vec![None; rank];
        let mut stride = vec![Dim::Num(1); rank];
        for w in axes {
            size[w.axis] = Some(w.place.out);
            stride[w.axis] = Dim::Num(w.kernel.stride);
        }
        let size = slice_size(imp, x, &size)?;
        Ok(OffsetSlices { x, axes, size, stride, fill })
    }

    /// The slice at kernel offsets `offsets` (one per windowed axis).
    pub fn at(&self, imp: &mut Importer, offsets: &[i64]) -> Result<TensorId> {
        let mut start = vec![Dim::Num(0); self.stride.len()];
        for (w, &j) in self.axes.iter().zip(offsets) {
            start[w.axis] = sub(imp, Dim::Num(j * w.kernel.dilation), w.place.pad_begin)?;
        }
        sized_slice(imp, self.x, &start, &self.size, &self.stride, slice::FILL, self.fill)
    }
}

/// Every window combined with `op` (an elementwise maximum or sum), one axis after the
/// other: a window is the product of its axes' ranges, so this takes the sum of the kernel
/// sizes in slices rather than their product.
fn reduce_windows(imp: &mut Importer, x: TensorId, axes: &[WindowAxis], op: i32, fill: Option<TensorId>) -> Result<TensorId> {
    let mut y = x;
    for w in axes {
        let slices = OffsetSlices::new(imp, y, std::slice::from_ref(w), fill)?;
        let mut acc: Option<TensorId> = None;
        for j in 0..w.kernel.size {
            let s = slices.at(imp, &[j])?;
            acc = Some(match acc {
                None => s,
                Some(prev) => layer(imp, ElementWise::of(op), &[prev, s])?,
            });
        }
        y = acc.ok_or_else(|| Error::internal("an empty window"))?;
    }
    Ok(y)
}

/// How many positions of each window an average divides by: those inside the input, or with
/// `count_padding` those inside the padding too (never the positions past the end padding
/// that ceil mode's last window reaches, as onnxruntime, PyTorch and the pooling layer count;
/// the reference outputs of onnx 1.16's test_averagepool_3d_dilations_large_count_include_pad_
/// is_1_ceil_mode_is_True divide by the whole kernel there, which onnx 1.18 corrected).
/// Counted per axis on a row of ones and multiplied, shaped to broadcast over the output.
fn window_counts(imp: &mut Importer, x: TensorId, axes: &[WindowAxis], count_padding: bool) -> Result<TensorId> {
    let dtype = imp.net.tensors[x].dtype;
    let rank = imp.dims(x).len();
    let one = ConstValue { dims: vec![1], ..ConstValue::scalar(dtype, 1.0)? };
    let one = imp.constant_tensor(&one)?;
    let mut total: Option<TensorId> = None;
    for w in axes {
        let d = input_dim(imp, x, w.axis)?;
        let (len, place) = if count_padding {
            let grown = sum(imp, d, w.place.pad_begin)?;
            (sum(imp, grown, w.place.pad_end)?, Placement { pad_begin: Dim::Num(0), ..w.place })
        } else {
            (d, w.place)
        };
        let len = match len {
            Dim::Num(n) => Bound::Known(vec![n]),
            t => Bound::Tensor(to_tensor(imp, t)?),
        };
        let ones = expand(imp, one, len)?;
        let row = WindowAxis { axis: 0, kernel: w.kernel, place };
        let counts = reduce_windows(imp, ones, &[row], elementwise::SUM, None)?;
        let mut shape = vec![Dim::Num(1); rank];
        shape[w.axis] = w.place.out;
        let counts = reshape_dims(imp, counts, &shape)?;
        total = Some(match total {
            None => counts,
            Some(t) => layer(imp, ElementWise::of(elementwise::PROD), &[t, counts])?,
        });
    }
    total.ok_or_else(|| Error::internal("a window without axes"))
}

/// The pooling operators built here.
#[derive(Clone, Copy, Debug)]
pub enum Pool {
    Max,
    Average {
        count_padding: bool,
    },
    /// (sum of |x|^p)^(1/p)
    Lp(i64),
}

/// The window attributes of a pooling node: kernels (strides, dilations), padding, ceil mode.
fn pool_attrs(node: &NodeProto) -> Result<(Vec<AxisKernel>, Padding, bool)> {
    let a = Attrs(node);
    let kernel = a.ints("kernel_shape").ok_or_else(|| Error::invalid_argument("kernel_shape is required"))?;
    let kernels = axis_kernels(&kernel, a.ints("strides"), a.ints("dilations"))?;
    let padding = padding_attr(&a, kernel.len())?;
    Ok((kernels, padding, a.int("ceil_mode", 0) != 0))
}

/// `x` pooled as the node's attributes say, from slices (any dilation).
pub fn pool_by_slices(imp: &mut Importer, node: &NodeProto, pool: Pool, x: TensorId) -> Result<TensorId> {
    let (kernels, padding, ceil) = pool_attrs(node)?;
    let slices: i64 = kernels.iter().map(|k| k.size).sum();
    if slices > MAX_WINDOW_SLICES {
        return Err(Error::unsupported(format!(
            "pooling from slices (dilated or ceil-mode windows) over a kernel of {slices} elements along its axes (at most {MAX_WINDOW_SLICES})"
        )));
    }
    let axes = forward_axes(imp, x, &kernels, &padding, ceil)?;
    match pool {
        Pool::Max => {
            let dtype = imp.net.tensors[x].dtype;
            // -inf as the type's lowest value (integers saturate to their minimum)
            let lowest = imp.constant_tensor(&ConstValue::scalar(dtype, f64::NEG_INFINITY)?)?;
            reduce_windows(imp, x, &axes, elementwise::MAX, Some(lowest))
        }
        Pool::Average { count_padding } => {
            let total = reduce_windows(imp, x, &axes, elementwise::SUM, None)?;
            let counts = window_counts(imp, x, &axes, count_padding)?;
            layer(imp, ElementWise::of(elementwise::DIV), &[total, counts])
        }
        Pool::Lp(p) => {
            let abs = layer(imp, Unary::of(unary::ABS), &[x])?;
            let pw = scalar_like(imp, abs, p as f64)?;
            let powered = layer(imp, ElementWise::of(elementwise::POW), &[abs, pw])?;
            let total = reduce_windows(imp, powered, &axes, elementwise::SUM, None)?;
            let inv = scalar_like(imp, total, 1.0 / p as f64)?;
            layer(imp, ElementWise::of(elementwise::POW), &[total, inv])
        }
    }
}

/// A pooling layer's output `y` (over `x`) cut to ONNX's ceil-mode size: the layer's
/// rounding up keeps a last window that starts in the end padding, which ONNX drops.
pub fn ceil_mode_trim(imp: &mut Importer, node: &NodeProto, x: TensorId, y: TensorId) -> Result<TensorId> {
    let (kernels, padding, ceil) = pool_attrs(node)?;
    if !ceil || !matches!(padding, Padding::Explicit(..)) {
        return Ok(y);
    }
    let axes = forward_axes(imp, x, &kernels, &padding, true)?;
    let ydims = imp.dims(y);
    let mut spec = SliceSpec::whole(ydims.len());
    let mut cut = false;
    for w in &axes {
        if matches!(w.place.out, Dim::Num(n) if ydims.get(w.axis) == Some(&n)) {
            continue;
        }
        spec.size[w.axis] = Some(w.place.out);
        cut = true;
    }
    if cut {
        add_slice(imp, y, spec)
    } else {
        Ok(y)
    }
}
