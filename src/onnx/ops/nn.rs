//! Convolutions, pooling, matrix products, softmax and the other neural-network operators.

use super::util::*;
use super::{conv_composite, slicing, windows, ImportFn};
use crate::error::{Error, Result};
use crate::ir::{LayerId, TensorId};
use crate::layers::generated::{Convolution, Deconvolution, ElementWise, MatrixMultiply, Pooling, Reduce, SoftMax, Unary, LRN};
use crate::layers::{elementwise, matmul, pooling, reduce, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::{dims_str, volume, DataType};

pub const OPS: &[(&str, ImportFn)] = &[
    ("AveragePool", |i, n| pool(i, n, pooling::AVERAGE)),
    ("Conv", conv),
    ("ConvTranspose", conv_transpose),
    ("Dropout", dropout),
    ("Gemm", gemm),
    ("GlobalAveragePool", |i, n| global_pool(i, n, reduce::AVG)),
    ("GlobalMaxPool", |i, n| global_pool(i, n, reduce::MAX)),
    ("LogSoftmax", |i, n| softmax(i, n, true)),
    ("LpPool", lp_pool),
    ("LRN", lrn),
    ("MatMul", matmul_node),
    ("MaxPool", |i, n| pool(i, n, pooling::MAX)),
    ("Softmax", |i, n| softmax(i, n, false)),
];

/// Leading and trailing pads from ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end].
pub fn split_pads(pads: &[i64], n: usize) -> Result<(Vec<i64>, Vec<i64>)> {
    if pads.is_empty() {
        return Ok((vec![0; n], vec![0; n]));
    }
    if pads.len() != 2 * n {
        return Err(Error::invalid_argument(format!("pads has {} values; {} expected", pads.len(), 2 * n)));
    }
    if pads.iter().any(|&p| p < 0) {
        return Err(Error::invalid_argument(format!("pads {} must not be negative", dims_str(pads))));
    }
    Ok((pads[..n].to_vec(), pads[n..].to_vec()))
}

/// Padding as a layer takes it: (padding mode, pre, post). auto_pad SAME_UPPER/SAME_LOWER map
/// to TensorRT's modes of the same meaning (output ceil(input / stride), the odd pixel of
/// padding after / before), which the layer resolves for any input size.
fn resolve_pads(a: &Attrs, n: usize) -> Result<(i32, Vec<i64>, Vec<i64>)> {
    use crate::layers::window::{EXPLICIT_ROUND_DOWN, SAME_LOWER, SAME_UPPER};
    match a.string("auto_pad").as_deref().unwrap_or("NOTSET") {
        "NOTSET" => split_pads(&a.ints("pads").unwrap_or_default(), n).map(|(pre, post)| (EXPLICIT_ROUND_DOWN, pre, post)),
        "VALID" => Ok((EXPLICIT_ROUND_DOWN, vec![0; n], vec![0; n])),
        "SAME_UPPER" => Ok((SAME_UPPER, vec![0; n], vec![0; n])),
        "SAME_LOWER" => Ok((SAME_LOWER, vec![0; n], vec![0; n])),
        other => Err(Error::invalid_argument(format!("unknown auto_pad '{other}'"))),
    }
}

/// A 1-D convolution or pooling runs as a 2-D one over [N, C, L, 1].
fn as_2d(imp: &mut Importer, x: crate::ir::TensorId) -> Result<crate::ir::TensorId> {
    reshape_tensor(imp, x, vec![0, 0, 0, 1])
}

fn widen(v: &mut Vec<i64>, fill: i64) {
    v.push(fill);
}

/// The window attributes Conv and ConvTranspose share, for `n` spatial axes of weights.
struct ConvWindow {
    kernel: Vec<i64>,
    strides: Vec<i64>,
    dilations: Vec<i64>,
    group: i64,
    mode: i32,
    pre: Vec<i64>,
    post: Vec<i64>,
}

impl ConvWindow {
    fn read(a: &Attrs, weight_dims: &[i64]) -> Result<ConvWindow> {
        let n = weight_dims.len() - 2;
        let kernel = a.ints("kernel_shape").unwrap_or_else(|| weight_dims[2..].to_vec());
        let group = a.int("group", 1);
        if group <= 0 {
            return Err(Error::invalid_argument(format!("group {group} must be positive")));
        }
        let (mode, pre, post) = resolve_pads(a, kernel.len())?;
        Ok(ConvWindow {
            strides: a.ints("strides").unwrap_or(vec![1; n]),
            dilations: a.ints("dilations").unwrap_or(vec![1; n]),
            kernel,
            group,
            mode,
            pre,
            post,
        })
    }

    /// A 1-D window as the 2-D one over [N, C, L, 1] that runs it (`as_2d`).
    fn widen_to_2d(&mut self) {
        widen(&mut self.kernel, 1);
        widen(&mut self.strides, 1);
        widen(&mut self.dilations, 1);
        widen(&mut self.pre, 0);
        widen(&mut self.post, 0);
    }
}

/// Kernel and bias of a convolution: constants become the layer's weights; tensors are
/// wired as inputs 1 and 2 (the builder takes them as weights if they fold to constants).
struct ConvWeights {
    dims: Vec<i64>,
    kernel: Option<ConstValue>,
    kernel_tensor: Option<crate::ir::TensorId>,
    bias: Option<ConstValue>,
    bias_tensor: Option<crate::ir::TensorId>,
}

fn conv_weights(imp: &mut Importer, node: &NodeProto) -> Result<ConvWeights> {
    let w = input(node, 1)?;
    let (kernel, kernel_tensor, dims) = match imp.value(w)? {
        Value::Const(c) => {
            let d = c.dims.clone();
            (Some(c), None, d)
        }
        Value::Tensor(t) => {
            let d = imp.dims(t);
            if d.iter().any(|&v| v < 0) {
                return Err(Error::unsupported(format!("weights '{w}' of unknown shape {}", dims_str(&d))));
            }
            (None, Some(t), d)
        }
    };
    let (bias, bias_tensor) = match optional_input(node, 2) {
        None => (None, None),
        Some(b) => match imp.value(b)? {
            Value::Const(c) => (Some(c), None),
            Value::Tensor(t) => (None, Some(t)),
        },
    };
    if !(3..=5).contains(&dims.len()) {
        return Err(Error::unsupported(format!("weights of shape {} (1-D to 3-D convolutions are supported)", dims_str(&dims))));
    }
    Ok(ConvWeights { dims, kernel, kernel_tensor, bias, bias_tensor })
}

/// The inputs of a convolution layer: data, then kernel and bias tensors where they are not
/// constants (a missing kernel slot before a bias gets the constant kernel as a tensor).
fn conv_inputs(imp: &mut Importer, x: crate::ir::TensorId, w: &ConvWeights, one_d: bool) -> Result<Vec<crate::ir::TensorId>> {
    let mut inputs = vec![x];
    if w.kernel_tensor.is_some() || w.bias_tensor.is_some() {
        let k = match (w.kernel_tensor, &w.kernel) {
            (Some(t), _) => t,
            (None, Some(c)) => imp.constant_tensor(c)?,
            (None, None) => return Err(Error::internal("a convolution without weights")),
        };
        inputs.push(if one_d { reshape_tensor(imp, k, vec![0, 0, 0, 1])? } else { k });
        if let Some(b) = w.bias_tensor {
            inputs.push(b);
        }
    }
    Ok(inputs)
}

/// Whether the kernel or bias is computed at run time (the layers take build-time weights).
fn runtime_weights(imp: &Importer, w: &ConvWeights) -> bool {
    [w.kernel_tensor, w.bias_tensor].iter().flatten().any(|&t| !conv_composite::built_from_constants(imp.net, t))
}

/// The kernel and bias as tensors, as the composites take them.
fn tensor_weights(imp: &mut Importer, w: ConvWeights) -> Result<conv_composite::TensorWeights> {
    let kernel = match (w.kernel_tensor, &w.kernel) {
        (Some(t), _) => t,
        (None, Some(c)) => imp.constant_tensor(c)?,
        (None, None) => return Err(Error::internal("a convolution without weights")),
    };
    let bias = match (w.bias_tensor, &w.bias) {
        (Some(t), _) => Some(t),
        (None, Some(c)) => Some(imp.constant_tensor(c)?),
        (None, None) => None,
    };
    Ok(conv_composite::TensorWeights { kernel, dims: w.dims, bias })
}

fn conv(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let w = conv_weights(imp, node)?;
    out(conv_any(imp, node, x, w)?.0)
}

/// The convolution layer where the weights are build-time constants, the composite
/// otherwise; also returns the layer (when there is one), whose precision a caller may set.
fn conv_any(imp: &mut Importer, node: &NodeProto, x: TensorId, w: ConvWeights) -> Result<(TensorId, Option<LayerId>)> {
    if runtime_weights(imp, &w) {
        let w = tensor_weights(imp, w)?;
        return Ok((conv_composite::conv(imp, node, x, w)?, None));
    }
    let (y, id) = conv_layer(imp, node, x, w)?;
    Ok((y, Some(id)))
}

/// A convolution of `x` with a kernel tensor (no bias) and the node's window attributes.
pub(super) fn conv_with_kernel(imp: &mut Importer, node: &NodeProto, x: TensorId, kernel: TensorId) -> Result<(TensorId, Option<LayerId>)> {
    let dims = imp.dims(kernel);
    if dims.iter().any(|&v| v < 0) {
        return Err(Error::unsupported(format!("weights of unknown shape {}", dims_str(&dims))));
    }
    if !(3..=5).contains(&dims.len()) {
        return Err(Error::unsupported(format!("weights of shape {} (1-D to 3-D convolutions are supported)", dims_str(&dims))));
    }
    let w = ConvWeights { dims, kernel: None, kernel_tensor: Some(kernel), bias: None, bias_tensor: None };
    conv_any(imp, node, x, w)
}

fn conv_layer(imp: &mut Importer, node: &NodeProto, x: TensorId, w: ConvWeights) -> Result<(TensorId, LayerId)> {
    let a = Attrs(node);
    let mut win = ConvWindow::read(&a, &w.dims)?;
    let one_d = w.dims.len() == 3;
    let x = if one_d {
        win.widen_to_2d();
        as_2d(imp, x)?
    } else {
        x
    };
    let inputs = conv_inputs(imp, x, &w, one_d)?;
    let weights = w.kernel.as_ref().filter(|_| w.kernel_tensor.is_none()).map(|c| c.weights.clone());
    let mut c = Convolution::of(w.dims[0], win.kernel, weights.unwrap_or_default(), w.bias.map(|b| b.weights));
    if inputs.len() > 1 {
        c.kernel_weights = None;
    }
    c.padding_mode = win.mode;
    c.stride = win.strides;
    c.dilation = win.dilations;
    c.pre_padding = win.pre;
    c.post_padding = win.post;
    c.groups = win.group;
    let id = imp.add_layer(Box::new(c), &inputs)?;
    let y = imp.net.layers[id].outputs[0];
    Ok((if one_d { reshape_tensor(imp, y, vec![0, 0, -1])? } else { y }, id))
}

fn conv_transpose(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let w = conv_weights(imp, node)?;
    let n = w.dims.len() - 2;
    if runtime_weights(imp, &w) {
        let w = tensor_weights(imp, w)?;
        return out(conv_composite::conv_transpose(imp, node, x, w)?);
    }
    let mut win = ConvWindow::read(&a, &w.dims)?;
    if a.has("output_shape") {
        // Pads from the output size when the input's are known and the layer can cut them.
        match deconvolution_pads(imp, node, x, &win.kernel, &w.dims)? {
            Some((begin, end)) => (win.mode, win.pre, win.post) = (crate::layers::window::EXPLICIT_ROUND_DOWN, begin, end),
            None => {
                let w = tensor_weights(imp, w)?;
                return out(conv_composite::conv_transpose(imp, node, x, w)?);
            }
        }
    } else if let Some(extra) = a.ints("output_padding") {
        // output_padding extends the output at the end: less of the full result is cut
        // there; past the full result (only bias there), the composite takes it.
        if extra.len() != n {
            return Err(Error::invalid_argument(format!("output_padding has {} values; {n} expected", extra.len())));
        }
        if win.post.iter().zip(&extra).any(|(p, e)| e > p) {
            let w = tensor_weights(imp, w)?;
            return out(conv_composite::conv_transpose(imp, node, x, w)?);
        }
        for (p, e) in win.post.iter_mut().zip(&extra) {
            *p -= e;
        }
    }
    let one_d = n == 1;
    let x = if one_d {
        win.widen_to_2d();
        as_2d(imp, x)?
    } else {
        x
    };
    let inputs = conv_inputs(imp, x, &w, one_d)?;
    let weights = w.kernel.as_ref().filter(|_| w.kernel_tensor.is_none()).map(|c| c.weights.clone());
    let group = win.group;
    let maps = w.dims[1].checked_mul(group).ok_or_else(|| Error::invalid_argument(format!("group {group} is too large")))?;
    let mut d = Deconvolution::of(maps, win.kernel, weights.unwrap_or_default(), w.bias.map(|b| b.weights));
    if inputs.len() > 1 {
        d.kernel_weights = None;
    }
    d.padding_mode = win.mode;
    d.stride = win.strides;
    d.dilation = win.dilations;
    d.pre_padding = win.pre;
    d.post_padding = win.post;
    d.groups = group;
    let y = layer(imp, d, &inputs)?;
    out(if one_d { reshape_tensor(imp, y, vec![0, 0, -1])? } else { y })
}

/// The deconvolution layer's explicit (pre, post) padding for a ConvTranspose given an
/// output_shape: None where the input's spatial dims are unknown or the output reaches past
/// the full result (negative padding).
fn deconvolution_pads(
    imp: &mut Importer,
    node: &NodeProto,
    x: crate::ir::TensorId,
    kernel: &[i64],
    w_dims: &[i64],
) -> Result<Option<(Vec<i64>, Vec<i64>)>> {
    let a = Attrs(node);
    let dims = imp.dims(x);
    if dims.len() != kernel.len() + 2 || dims[2..].iter().any(|&d| d < 0) || kernel != &w_dims[2..] {
        return Ok(None);
    }
    let kernels = windows::axis_kernels(kernel, a.ints("strides"), a.ints("dilations"))?;
    let placed = conv_composite::transposed_axes(imp, node, x, &kernels)?;
    let (mut pre, mut post) = (vec![], vec![]);
    for ((k, p), &d) in kernels.iter().zip(&placed).zip(&dims[2..]) {
        let (slicing::Dim::Num(begin), slicing::Dim::Num(out)) = (p.pad_begin, p.out) else { return Ok(None) };
        // The layer gives stride · (input − 1) + extent − pre − post outputs.
        let full = (d - 1).checked_mul(k.stride).and_then(|v| v.checked_add(k.extent()));
        let Some(end) = full.and_then(|f| f.checked_sub(begin)).and_then(|v| v.checked_sub(out)) else { return Ok(None) };
        if begin < 0 || end < 0 {
            return Ok(None);
        }
        pre.push(begin);
        post.push(end);
    }
    Ok(Some((pre, post)))
}

fn dilated(node: &NodeProto) -> bool {
    Attrs(node).ints("dilations").is_some_and(|d| d.iter().any(|&v| v != 1))
}

fn pool(imp: &mut Importer, node: &NodeProto, kind: i32) -> Result<Vec<Value>> {
    if node.output.len() > 1 && !node.output[1].is_empty() {
        return Err(Error::unsupported("MaxPool's Indices output is not supported"));
    }
    let x = imp.tensor(input(node, 0)?)?;
    // Max pooling of 8-bit integers runs on their exact FLOAT values (the pooling takes float
    // types) and is cast back.
    let dtype = imp.net.tensors[x].dtype;
    if kind == pooling::MAX && super::small_int::is_small_int(dtype) {
        let wide = cast(imp, x, DataType::Float)?;
        let y = pool_any(imp, node, kind, wide)?;
        return out(cast(imp, y, dtype)?);
    }
    out(pool_any(imp, node, kind, x)?)
}

/// Pooling by the layer, or by slices where the window is dilated.
fn pool_any(imp: &mut Importer, node: &NodeProto, kind: i32, x: crate::ir::TensorId) -> Result<crate::ir::TensorId> {
    if dilated(node) {
        let pool = match kind {
            pooling::MAX => windows::Pool::Max,
            _ => windows::Pool::Average { count_padding: Attrs(node).int("count_include_pad", 0) != 0 },
        };
        return windows::pool_by_slices(imp, node, pool, x);
    }
    pool_of(imp, node, kind, x)
}

/// The pooling layer a node's window attributes describe, over `x` (1-D as 2-D).
fn pool_of(imp: &mut Importer, node: &NodeProto, kind: i32, input: crate::ir::TensorId) -> Result<crate::ir::TensorId> {
    let a = Attrs(node);
    if dilated(node) {
        return Err(Error::internal("dilated pooling reached the pooling layer"));
    }
    let x = input;
    let mut kernel = a.ints("kernel_shape").ok_or_else(|| Error::invalid_argument("kernel_shape is required"))?;
    let n = kernel.len();
    let mut strides = a.ints("strides").unwrap_or(vec![1; n]);
    let (mode, mut pre, mut post) = resolve_pads(&a, n)?;
    let one_d = n == 1;
    let x = if one_d {
        widen(&mut kernel, 1);
        widen(&mut strides, 1);
        widen(&mut pre, 0);
        widen(&mut post, 0);
        as_2d(imp, x)?
    } else {
        x
    };
    let mut p = Pooling::of(kind, kernel);
    p.padding_mode = mode;
    p.stride = strides;
    p.pre_padding = pre;
    p.post_padding = post;
    p.average_count_excludes_padding = a.int("count_include_pad", 0) == 0;
    if a.int("ceil_mode", 0) != 0 && mode == crate::layers::window::EXPLICIT_ROUND_DOWN {
        p.padding_mode = crate::layers::window::EXPLICIT_ROUND_UP;
    }
    let y = layer(imp, p, &[x])?;
    let y = if one_d { reshape_tensor(imp, y, vec![0, 0, -1])? } else { y };
    windows::ceil_mode_trim(imp, node, input, y)
}

/// (sum over the window of |x|^p)^(1/p): an average pool counting padding, times the
/// window's size.
fn lp_pool(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let p = a.int("p", 2);
    if p <= 0 {
        return Err(Error::invalid_argument(format!("LpPool p = {p} must be positive")));
    }
    let kernel = a.ints("kernel_shape").ok_or_else(|| Error::invalid_argument("kernel_shape is required"))?;
    let size = kernel.iter().try_fold(1i64, |n, &k| n.checked_mul(k)).filter(|&n| n > 0);
    let size = size.ok_or_else(|| Error::invalid_argument(format!("kernel_shape {}", dims_str(&kernel))))?;
    let x = imp.tensor(input(node, 0)?)?;
    // The layer's average counts no positions past the end padding, which ceil mode's last
    // window may reach: such windows are not the kernel's size.
    if dilated(node) || a.int("ceil_mode", 0) != 0 {
        return out(windows::pool_by_slices(imp, node, windows::Pool::Lp(p), x)?);
    }
    let abs = layer(imp, Unary::of(unary::ABS), &[x])?;
    let pw = scalar_like(imp, abs, p as f64)?;
    let powered = layer(imp, ElementWise::of(elementwise::POW), &[abs, pw])?;
    let mut node = node.clone();
    // Padding counts as zeros: the average divides by the whole window.
    node.attribute.retain(|at| at.name != "count_include_pad");
    node.attribute.push(crate::onnx::proto::AttributeProto { name: "count_include_pad".into(), i: 1, ..Default::default() });
    let avg = pool_of(imp, &node, pooling::AVERAGE, powered)?;
    let n = scalar_like(imp, avg, size as f64)?;
    let sum = layer(imp, ElementWise::of(elementwise::PROD), &[avg, n])?;
    let inv = scalar_like(imp, sum, 1.0 / p as f64)?;
    out(layer(imp, ElementWise::of(elementwise::POW), &[sum, inv])?)
}

/// Global pooling: a reduction over every axis after the channels, kept as size 1.
fn global_pool(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    if rank < 3 {
        return Err(Error::invalid_argument(format!("global pooling needs [N, C, spatial...], got rank {rank}")));
    }
    let axes: Vec<usize> = (2..rank).collect();
    out(layer(imp, Reduce::of(op, axes_mask(&axes), true), &[x])?)
}

fn dropout(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    // Inference: the identity; the optional mask output is all true. A Dropout known to be in
    // training mode with a non-zero ratio drops at random, which an inference engine does not
    // do; run-time training_mode or ratio inputs are taken as inference, as onnx-tensorrt does.
    let ratio = match optional_input(node, 1) {
        Some(r) => match imp.value(r)? {
            Value::Const(c) => c.floats()?.first().copied(),
            Value::Tensor(_) => None,
        },
        None => Some(Attrs(node).float("ratio", 0.5)),
    };
    let training = match optional_input(node, 2) {
        None => Some(false),
        Some(t) => imp.known_ints(t)?.map(|v| v.first() != Some(&0)),
    };
    if training == Some(true) && ratio.is_some_and(|r| r != 0.0) {
        return Err(Error::unsupported("Dropout in training mode with a non-zero ratio (random masks)"));
    }
    let x = imp.value(input(node, 0)?)?;
    if node.output.len() > 1 && !node.output[1].is_empty() {
        let t = match &x {
            Value::Tensor(t) => *t,
            Value::Const(c) => imp.constant_tensor(c)?,
        };
        // equal-to-itself or not: true everywhere, NaN included
        let same = layer(imp, ElementWise::of(elementwise::EQUAL), &[t, t])?;
        let differs = layer(imp, Unary::of(unary::NOT), &[same])?;
        let any = layer(imp, ElementWise::of(elementwise::OR), &[same, differs])?;
        return Ok(vec![Value::Tensor(t), Value::Tensor(any)]);
    }
    Ok(vec![x])
}

/// The product of two matrices (stacks broadcast); 1-D operands are vectors, as numpy has it.
fn matmul_node(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let (ta, tb) = (imp.tensor(input(node, 0)?)?, imp.tensor(input(node, 1)?)?);
    out(matmul_tensors(imp, ta, tb)?.0)
}

/// numpy.matmul of two tensors of rank 1 or more; also returns the layer, whose precision a
/// caller may set.
pub(super) fn matmul_tensors(imp: &mut Importer, mut ta: TensorId, mut tb: TensorId) -> Result<(TensorId, LayerId)> {
    let (ra, rb) = (imp.dims(ta).len(), imp.dims(tb).len());
    if ra == 0 || rb == 0 {
        return Err(Error::invalid_argument("MatMul operands must have at least one dimension"));
    }
    let op_a = if ra == 1 { matmul::VECTOR } else { matmul::NONE };
    let op_b = if rb == 1 { matmul::VECTOR } else { matmul::NONE };
    // Stack dimensions broadcast: bring matrices to one rank (vectors stay 1-D).
    if ra >= 2 && rb >= 2 {
        let rank = ra.max(rb);
        ta = with_leading_ones(imp, ta, rank - ra)?;
        tb = with_leading_ones(imp, tb, rank - rb)?;
    } else if ra == 1 && rb > 2 {
        ta = with_leading_ones(imp, ta, rb - 2)?;
    } else if rb == 1 && ra > 2 {
        tb = with_leading_ones(imp, tb, ra - 2)?;
    }
    let id = imp.add_layer(Box::new(MatrixMultiply::of(op_a, op_b)), &[ta, tb])?;
    Ok((imp.net.layers[id].outputs[0], id))
}

fn gemm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let at = Attrs(node);
    let (alpha, beta) = (at.float("alpha", 1.0), at.float("beta", 1.0));
    let (a, b) = (imp.tensor(input(node, 0)?)?, imp.tensor(input(node, 1)?)?);
    let op = |t: i64| if t != 0 { matmul::TRANSPOSE } else { matmul::NONE };
    let mm = MatrixMultiply::of(op(at.int("transA", 0)), op(at.int("transB", 0)));
    let mut y = layer(imp, mm, &[a, b])?;
    let dtype = imp.net.tensors[y].dtype;
    if alpha != 1.0 {
        let s = scalar(imp, dtype, alpha as f64, 2)?;
        y = layer(imp, ElementWise::of(elementwise::PROD), &[y, s])?;
    }
    if let Some(c) = optional_input(node, 2) {
        let mut ct = aligned(imp, c, 2)?;
        if beta != 1.0 {
            let s = scalar(imp, imp.net.tensors[ct].dtype, beta as f64, 2)?;
            ct = layer(imp, ElementWise::of(elementwise::PROD), &[ct, s])?;
        }
        y = layer(imp, ElementWise::of(elementwise::SUM), &[y, ct])?;
    }
    out(y)
}

fn softmax(imp: &mut Importer, node: &NodeProto, log: bool) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(t);
    let rank = dims.len();
    let default_axis = if imp.opset >= 13 { -1 } else { 1 };
    let axis = axis_index(Attrs(node).int("axis", default_axis), rank)?;
    let y = if imp.opset >= 13 || axis + 1 == rank.max(1) {
        layer(imp, SoftMax::over_axis(axis), &[t])?
    } else {
        // Before opset 13 the input is seen as 2-D [d0*..*d(axis-1), the rest].
        let flat = match volume(&dims[..axis]) {
            Some(head) => reshape_tensor(imp, t, vec![head as i64, -1])?,
            None if axis == 1 => reshape_tensor(imp, t, vec![0, -1])?,
            None => return Err(Error::unsupported("softmax over unknown leading dimensions before opset 13")),
        };
        let s = layer(imp, SoftMax::over_axis(1), &[flat])?;
        let shape = shape_of(imp, t)?;
        let mut shuffle = crate::layers::generated::Shuffle::new();
        shuffle.zero_is_placeholder = false;
        layer(imp, shuffle, &[s, shape])?
    };
    out(if log { layer(imp, Unary::of(unary::LOG), &[y])? } else { y })
}

fn lrn(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let size = a.int("size", 0);
    if size <= 0 || size % 2 == 0 {
        return Err(Error::unsupported(format!("LRN size {size} (a positive odd size is supported)")));
    }
    // Both divide alpha by the window size.
    let l = LRN::of(size as i32, a.float("alpha", 1e-4), a.float("beta", 0.75), a.float("bias", 1.0));
    out(layer(imp, l, &[x])?)
}
