//! Conv and ConvTranspose whose weights are only known at run time (the convolution layers
//! take weights fixed when the engine is built), and ConvTranspose forms the deconvolution
//! layer cannot express. A convolution becomes a matrix product: every kernel offset's slice
//! of the input (windows.rs), stacked, times the weights as a [groups, maps per group,
//! channels per group · kernel] matrix. A transposed convolution is the convolution of the
//! input spread out by its strides (zeros between the elements) with the kernel flipped and
//! its input and output channels swapped.

use super::slicing::{add_slice, arith, filled_slice, input_dim, reshape_dims, Dim, SliceSpec};
use super::util::*;
use super::windows::{
    axis_kernels, forward_axes, padding_attr, AxisKernel, OffsetSlices, Padding, Placement, WindowAxis, MAX_WINDOW_SLICES,
};
use crate::error::{Error, Result};
use crate::ir::{Network, TensorId};
use crate::layers::elementwise;
use crate::layers::generated::{Concatenation, ElementWise, MatrixMultiply, Shuffle};
use crate::layers::matmul;
use crate::onnx::importer::{Attrs, Importer};
use crate::onnx::proto::NodeProto;
use crate::types::dims_str;

/// Whether `t` is computed from constant layers only (the builder folds it into weights).
pub fn built_from_constants(net: &Network, t: TensorId) -> bool {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if !seen.insert(t) {
            continue;
        }
        match net.tensors[t].producer {
            None => return false,
            Some((l, _)) => stack.extend(net.layers[l].present_inputs()),
        }
    }
    true
}

/// Weights of a convolution as a tensor, with their (known) dims.
pub struct TensorWeights {
    pub kernel: TensorId,
    pub dims: Vec<i64>,
    pub bias: Option<TensorId>,
}

fn group_attr(a: &Attrs) -> Result<i64> {
    let group = a.int("group", 1);
    if group <= 0 {
        return Err(Error::invalid_argument(format!("group {group} must be positive")));
    }
    Ok(group)
}

/// The kernel's spatial dims, which a kernel_shape attribute must repeat.
fn kernel_dims(a: &Attrs, w_dims: &[i64]) -> Result<Vec<i64>> {
    let spatial = w_dims[2..].to_vec();
    match a.ints("kernel_shape") {
        Some(k) if k != spatial => {
            Err(Error::invalid_argument(format!("kernel_shape {} differs from the weights' shape {}", dims_str(&k), dims_str(w_dims))))
        }
        _ => Ok(spatial),
    }
}

/// Kernel elements (the product of the spatial dims), bounded: each is one slice.
fn kernel_volume(kernel: &[i64]) -> Result<i64> {
    let k = kernel.iter().try_fold(1i64, |v, &d| v.checked_mul(d)).filter(|&v| v <= MAX_WINDOW_SLICES);
    k.ok_or_else(|| {
        Error::unsupported(format!(
            "a convolution with run-time weights over a kernel of {} (at most {MAX_WINDOW_SLICES} elements)",
            dims_str(kernel)
        ))
    })
}

/// The length of a weights matrix row, channels · kernel elements (checked: dims come from
/// the model).
fn row_length(channels: i64, volume: i64) -> Result<i64> {
    channels
        .checked_mul(volume)
        .filter(|&v| v > 0)
        .ok_or_else(|| Error::invalid_argument(format!("{channels} channels of {volume} kernel elements")))
}

/// `channels` must split into `group` equal groups; returns the channels per group.
fn per_group(channels: i64, group: i64, what: &str) -> Result<i64> {
    if channels <= 0 || channels % group != 0 {
        return Err(Error::invalid_argument(format!("{what} {channels} do not split into {group} groups")));
    }
    Ok(channels / group)
}

/// A convolution's kernel as a matrix per group: [group, maps / group, channels · kernel
/// elements], `channels` per group.
struct GroupedMatrix {
    matrix: TensorId,
    group: i64,
    maps: i64,
    channels: i64,
}

/// y[n, m, out...] = Σ over m's group of input channels c and kernel offsets o of
/// x[n, c, window position o] · W[m, c, o], plus bias[m]. `weights` is the kernel as a
/// [group, maps / group, channels per group · kernel elements] matrix.
fn correlate(imp: &mut Importer, x: TensorId, axes: &[WindowAxis], weights: &GroupedMatrix, bias: Option<TensorId>) -> Result<TensorId> {
    let &GroupedMatrix { matrix, group, maps, channels } = weights;
    let kernel: Vec<i64> = axes.iter().map(|w| w.kernel.size).collect();
    let volume = kernel_volume(&kernel)?;
    // The input as [N, C, 1, spatial...]: each offset's slice is one row of the stack.
    let x1 = unsqueeze(imp, x, &[2])?;
    let shifted: Vec<WindowAxis> = axes.iter().map(|w| WindowAxis { axis: w.axis + 1, ..*w }).collect();
    let slices = OffsetSlices::new(imp, x1, &shifted, None)?;
    let mut rows = Vec::with_capacity(volume as usize);
    for flat in 0..volume {
        // Row-major offsets, the order of the kernel's elements.
        let mut offsets = vec![0; kernel.len()];
        let mut rest = flat;
        for (o, &k) in offsets.iter_mut().zip(&kernel).rev() {
            *o = rest % k;
            rest /= k;
        }
        rows.push(slices.at(imp, &offsets)?);
    }
    let stacked = if rows.len() == 1 { rows[0] } else { layer(imp, Concatenation::on_axis(2), &rows)? };
    let batch = input_dim(imp, x, 0)?;
    let mut positions = Dim::Num(1);
    for w in axes {
        positions = arith(imp, elementwise::PROD, positions, w.place.out)?;
    }
    // [N, C, K, out...] → [N, G, C/G · K, P]
    let row = row_length(channels, volume)?;
    let columns = reshape_dims(imp, stacked, &[batch, Dim::Num(group), Dim::Num(row), positions])?;
    let matrix = reshape_tensor(imp, matrix, vec![1, group, maps / group, row])?;
    let y = layer(imp, MatrixMultiply::of(matmul::NONE, matmul::NONE), &[matrix, columns])?;
    let mut shape = vec![batch, Dim::Num(maps)];
    shape.extend(axes.iter().map(|w| w.place.out));
    let y = reshape_dims(imp, y, &shape)?;
    match bias {
        None => Ok(y),
        Some(b) => {
            let mut bias_shape = vec![1, maps];
            bias_shape.resize(shape.len(), 1);
            let b = reshape_tensor(imp, b, bias_shape)?;
            layer(imp, ElementWise::of(elementwise::SUM), &[y, b])
        }
    }
}

/// The input's channels, where known, must be what the weights take.
fn check_channels(imp: &Importer, x: TensorId, channels: i64) -> Result<()> {
    match imp.dims(x).get(1) {
        Some(&c) if c >= 0 && c != channels => {
            Err(Error::invalid_argument(format!("an input of {c} channels for weights that take {channels}")))
        }
        _ => Ok(()),
    }
}

/// ONNX Conv with weights W [M, C/group, kernel...] as a tensor.
pub fn conv(imp: &mut Importer, node: &NodeProto, x: TensorId, w: TensorWeights) -> Result<TensorId> {
    let a = Attrs(node);
    let group = group_attr(&a)?;
    let kernel = kernel_dims(&a, &w.dims)?;
    let kernels = axis_kernels(&kernel, a.ints("strides"), a.ints("dilations"))?;
    let volume = kernel_volume(&kernel)?;
    let padding = padding_attr(&a, kernel.len())?;
    let axes = forward_axes(imp, x, &kernels, &padding, false)?;
    let maps = w.dims[0];
    let maps_per_group = per_group(maps, group, "output channels")?;
    let channels = w.dims[1];
    check_channels(imp, x, channels.checked_mul(group).ok_or_else(|| Error::invalid_argument("too many groups"))?)?;
    let matrix = reshape_tensor(imp, w.kernel, vec![group, maps_per_group, row_length(channels, volume)?])?;
    correlate(imp, x, &axes, &GroupedMatrix { matrix, group, maps, channels }, w.bias)
}

/// Padding and output size of one axis of a transposed convolution.
#[derive(Clone, Copy, Debug)]
pub struct TransposedAxis {
    pub pad_begin: Dim,
    pub out: Dim,
}

/// Where a ConvTranspose's outputs lie on each spatial axis of `x`: from output_shape (the
/// padding it implies, split as auto_pad says), auto_pad SAME (output input·stride) or the
/// explicit pads; output_padding adds outputs at the end.
pub fn transposed_axes(imp: &mut Importer, node: &NodeProto, x: TensorId, kernels: &[AxisKernel]) -> Result<Vec<TransposedAxis>> {
    let a = Attrs(node);
    let n = kernels.len();
    let rank = imp.dims(x).len();
    if rank != n + 2 {
        return Err(Error::invalid_argument(format!("an input of rank {rank} for a {n}-D kernel")));
    }
    let extra = a.ints("output_padding").unwrap_or(vec![0; n]);
    if extra.len() != n || extra.iter().any(|&e| !(0..=1 << 24).contains(&e)) {
        return Err(Error::invalid_argument(format!("output_padding {} (one non-negative value per spatial axis)", dims_str(&extra))));
    }
    let padding = padding_attr(&a, n)?;
    let shape = match a.ints("output_shape") {
        // Given with or without the batch and channel dims.
        Some(s) if s.len() == n + 2 => Some(s[2..].to_vec()),
        Some(s) if s.len() == n => Some(s),
        Some(s) => return Err(Error::invalid_argument(format!("output_shape {} for {n} spatial axes", dims_str(&s)))),
        None => None,
    };
    if shape.as_ref().is_some_and(|s| s.iter().any(|&v| !(1..=1 << 30).contains(&v))) {
        return Err(Error::invalid_argument("output_shape values must be positive"));
    }
    let mut axes = Vec::with_capacity(n);
    for (i, k) in kernels.iter().enumerate() {
        let d = input_dim(imp, x, i + 2)?;
        // The full result's size: stride · (input − 1) + window extent + output_padding.
        let before_last = arith(imp, elementwise::SUB, d, Dim::Num(1))?;
        let spread = arith(imp, elementwise::PROD, before_last, Dim::Num(k.stride))?;
        let full = arith(imp, elementwise::SUM, spread, Dim::Num(k.extent() + extra[i]))?;
        let wanted = match (&shape, &padding) {
            (Some(s), _) => Some(Dim::Num(s[i])),
            (None, Padding::SameUpper | Padding::SameLower) => Some(arith(imp, elementwise::PROD, d, Dim::Num(k.stride))?),
            (None, Padding::Explicit(..)) => None,
        };
        axes.push(match (wanted, &padding) {
            (None, Padding::Explicit(begin, end)) => {
                let out = arith(imp, elementwise::SUB, full, Dim::Num(begin[i] + end[i]))?;
                TransposedAxis { pad_begin: Dim::Num(begin[i]), out }
            }
            (Some(out), _) => {
                // The padding that leaves `out` of the full result, split as the ONNX spec
                // says: the odd one at the end for SAME_UPPER, at the start otherwise. Less
                // than none extends the output at the end (with zeros and bias).
                let total = arith(imp, elementwise::SUB, full, out)?;
                let total = arith(imp, elementwise::MAX, total, Dim::Num(0))?;
                let half = arith(imp, elementwise::FLOOR_DIV, total, Dim::Num(2))?;
                let pad_begin = if matches!(padding, Padding::SameUpper) { half } else { arith(imp, elementwise::SUB, total, half)? };
                TransposedAxis { pad_begin, out }
            }
            (None, _) => return Err(Error::internal("SAME padding without an output size")),
        });
        if let Some(&Dim::Num(out)) = axes.last().map(|t: &TransposedAxis| &t.out) {
            if out < 1 {
                return Err(Error::invalid_argument(format!("ConvTranspose gives {out} outputs on spatial axis {i}")));
            }
        }
    }
    Ok(axes)
}

/// `x` with stride − 1 zeros after each element of spatial `axis`: [.., L, ..] → [.., L·s, ..].
fn spread(imp: &mut Importer, x: TensorId, axis: usize, stride: i64) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let mut dims = Vec::with_capacity(rank);
    for i in 0..rank {
        dims.push(input_dim(imp, x, i)?);
    }
    dims[axis] = arith(imp, elementwise::PROD, dims[axis], Dim::Num(stride))?;
    let column = unsqueeze(imp, x, &[axis + 1])?;
    let mut spec = SliceSpec::whole(rank + 1);
    spec.size[axis + 1] = Some(Dim::Num(stride));
    let padded = filled_slice(imp, column, spec, None)?;
    reshape_dims(imp, padded, &dims)
}

/// ONNX ConvTranspose with weights W [C, M/group, kernel...] as a tensor.
pub fn conv_transpose(imp: &mut Importer, node: &NodeProto, x: TensorId, w: TensorWeights) -> Result<TensorId> {
    let a = Attrs(node);
    let group = group_attr(&a)?;
    let kernel = kernel_dims(&a, &w.dims)?;
    let kernels = axis_kernels(&kernel, a.ints("strides"), a.ints("dilations"))?;
    let volume = kernel_volume(&kernel)?;
    let placed = transposed_axes(imp, node, x, &kernels)?;
    let channels = w.dims[0];
    let channels_per_group = per_group(channels, group, "input channels")?;
    check_channels(imp, x, channels)?;
    let maps_per_group = w.dims[1];
    if maps_per_group <= 0 {
        return Err(Error::invalid_argument(format!("weights of shape {} have no output channels", dims_str(&w.dims))));
    }
    let maps = maps_per_group.checked_mul(group).ok_or_else(|| Error::invalid_argument("too many groups"))?;
    // Weights as the convolution's matrix: [G, C/G, M/G, K] → [G, M/G, C/G, K], offsets
    // reversed (reversing the row-major flat offset reverses every spatial axis).
    let mut swap = Shuffle::reshape_to(vec![group, channels_per_group, maps_per_group, volume]);
    swap.second_transpose = vec![0, 2, 1, 3];
    let swapped = layer(imp, swap, &[w.kernel])?;
    let flipped = if volume > 1 {
        let mut spec = SliceSpec::whole(4);
        spec.start[3] = Dim::Num(volume - 1);
        spec.stride[3] = Dim::Num(-1);
        add_slice(imp, swapped, spec)?
    } else {
        swapped
    };
    let matrix = reshape_tensor(imp, flipped, vec![group, maps_per_group, row_length(channels_per_group, volume)?])?;
    let mut spread_x = x;
    for (i, k) in kernels.iter().enumerate() {
        if k.stride > 1 {
            spread_x = spread(imp, spread_x, i + 2, k.stride)?;
        }
    }
    // Output o takes input position o + pad_begin − extent + 1 + j·dilation at flipped
    // offset j: a stride-1 window whose padding before is extent − 1 − pad_begin.
    let mut axes = Vec::with_capacity(kernels.len());
    for (i, (k, p)) in kernels.iter().zip(&placed).enumerate() {
        let pad_begin = arith(imp, elementwise::SUB, Dim::Num(k.extent() - 1), p.pad_begin)?;
        let kernel = AxisKernel { stride: 1, ..*k };
        axes.push(WindowAxis { axis: i + 2, kernel, place: Placement { pad_begin, pad_end: Dim::Num(0), out: p.out } });
    }
    correlate(imp, spread_x, &axes, &GroupedMatrix { matrix, group, maps, channels: channels_per_group }, w.bias)
}
