//! One importer per ONNX operator. Each reads its node's inputs and attributes, adds layers
//! through the importer, and returns the values of the node's outputs.

use super::importer::{Attrs, Importer, Value};
use super::proto::NodeProto;
use super::weights::{from_tensor_proto, ConstValue};
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Activation, Convolution, ElementWise, MatrixMultiply, Pooling, Shuffle, SoftMax};
use crate::layers::{activation, elementwise, matmul, pooling};
use crate::types::{dims_str, volume};

type ImportFn = fn(&mut Importer, &NodeProto) -> Result<Vec<Value>>;

const IMPORTERS: &[(&str, ImportFn)] = &[
    ("Add", |i, n| binary(i, n, elementwise::SUM)),
    ("AveragePool", |i, n| pool(i, n, pooling::AVERAGE)),
    ("Constant", constant),
    ("Conv", conv),
    ("Div", |i, n| binary(i, n, elementwise::DIV)),
    ("Elu", |i, n| act(i, n, 4, Attrs(n).float("alpha", 1.0), 0.0)),
    ("Flatten", flatten),
    ("Gemm", gemm),
    ("HardSigmoid", |i, n| act(i, n, 9, Attrs(n).float("alpha", 0.2), Attrs(n).float("beta", 0.5))),
    ("Identity", identity),
    ("LeakyRelu", |i, n| act(i, n, 3, Attrs(n).float("alpha", 0.01), 0.0)),
    ("MatMul", matmul_node),
    ("Max", |i, n| binary(i, n, 2)),
    ("MaxPool", |i, n| pool(i, n, pooling::MAX)),
    ("Min", |i, n| binary(i, n, 3)),
    ("Mul", |i, n| binary(i, n, elementwise::PROD)),
    ("Pow", |i, n| binary(i, n, 6)),
    ("Relu", |i, n| act(i, n, activation::RELU, 0.0, 0.0)),
    ("Reshape", reshape),
    ("Selu", |i, n| act(i, n, 5, Attrs(n).float("alpha", 1.673_263_2), Attrs(n).float("gamma", 1.050_701))),
    ("Sigmoid", |i, n| act(i, n, 1, 0.0, 0.0)),
    ("Softmax", softmax),
    ("Softplus", |i, n| act(i, n, 7, 1.0, 1.0)),
    ("Softsign", |i, n| act(i, n, 6, 0.0, 0.0)),
    ("Sub", |i, n| binary(i, n, elementwise::SUB)),
    ("Tanh", |i, n| act(i, n, 2, 0.0, 0.0)),
    ("Transpose", transpose),
];

pub fn importer_for(op: &str) -> Option<ImportFn> {
    IMPORTERS.iter().find(|(name, _)| *name == op).map(|(_, f)| *f)
}

fn input(node: &NodeProto, i: usize) -> Result<&str> {
    match node.input.get(i).map(String::as_str) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(Error::invalid_argument(format!("input {i} is missing"))),
    }
}

fn optional_input(node: &NodeProto, i: usize) -> Option<&str> {
    node.input.get(i).map(String::as_str).filter(|s| !s.is_empty())
}

fn act(imp: &mut Importer, node: &NodeProto, kind: i32, alpha: f32, beta: f32) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let t = imp.add(Box::new(Activation::of(kind, alpha, beta)), &[x])?;
    Ok(vec![Value::Tensor(t)])
}

fn identity(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    Ok(vec![imp.value(input(node, 0)?)?])
}

fn constant(_imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if let Some(t) = a.tensor("value") {
        return Ok(vec![Value::Const(from_tensor_proto(t)?)]);
    }
    if a.has("value_float") {
        return Ok(vec![Value::Const(ConstValue::f32(vec![], &[a.float("value_float", 0.0)]))]);
    }
    if let Some(v) = a.ints("value_ints") {
        return Ok(vec![Value::Const(ConstValue::from_i64("value_ints", vec![v.len() as i64], &v)?)]);
    }
    if a.has("value_int") {
        return Ok(vec![Value::Const(ConstValue::from_i64("value_int", vec![], &[a.int("value_int", 0)])?)]);
    }
    Err(Error::unsupported("Constant nodes are supported with value, value_float, value_int or value_ints"))
}

/// A tensor reshaped (without data movement) to `dims` (0 copies the input's dimension).
fn reshape_tensor(imp: &mut Importer, t: TensorId, dims: Vec<i64>) -> Result<TensorId> {
    imp.add(Box::new(Shuffle::reshape_to(dims)), &[t])
}

/// ONNX broadcasting aligns shapes at the right; TensorRT needs equal ranks. Lower-rank
/// operands get leading 1s (constants directly, tensors through a reshape).
fn aligned(imp: &mut Importer, name: &str, rank: usize) -> Result<TensorId> {
    match imp.value(name)? {
        Value::Const(mut c) => {
            while c.dims.len() < rank {
                c.dims.insert(0, 1);
            }
            imp.constant_tensor(&c)
        }
        Value::Tensor(t) => {
            let mut dims = imp.dims(t);
            if dims.len() >= rank {
                return Ok(t);
            }
            while dims.len() < rank {
                dims.insert(0, 1);
            }
            reshape_tensor(imp, t, dims)
        }
    }
}

fn rank_of(imp: &Importer, name: &str) -> Result<usize> {
    Ok(match imp.value(name)? {
        Value::Const(c) => c.dims.len(),
        Value::Tensor(t) => imp.net.tensors[t].dims.len(),
    })
}

fn binary(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    if node.input.len() != 2 {
        return Err(Error::unsupported(format!("{} with {} inputs is not supported (2 expected)", node.op_type, node.input.len())));
    }
    let (a, b) = (input(node, 0)?, input(node, 1)?);
    let rank = rank_of(imp, a)?.max(rank_of(imp, b)?);
    let (ta, tb) = (aligned(imp, a, rank)?, aligned(imp, b, rank)?);
    let t = imp.add(Box::new(ElementWise::of(op)), &[ta, tb])?;
    Ok(vec![Value::Tensor(t)])
}

/// Leading and trailing pads from ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end].
fn split_pads(pads: &[i64], n: usize) -> Result<(Vec<i64>, Vec<i64>)> {
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

fn conv(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let w = imp.constant(input(node, 1)?).map_err(|e| e.context("Conv weights"))?;
    if !(3..=5).contains(&w.dims.len()) {
        return Err(Error::unsupported(format!("Conv weights of shape {} (1-D to 3-D convolutions are supported)", dims_str(&w.dims))));
    }
    let n = w.dims.len() - 2;
    let bias = match optional_input(node, 2) {
        Some(b) => Some(imp.constant(b).map_err(|e| e.context("Conv bias"))?.weights),
        None => None,
    };
    let kernel = a.ints("kernel_shape").unwrap_or_else(|| w.dims[2..].to_vec());
    let strides = a.ints("strides").unwrap_or(vec![1; n]);
    let dilations = a.ints("dilations").unwrap_or(vec![1; n]);
    let group = a.int("group", 1);
    if group <= 0 {
        return Err(Error::invalid_argument(format!("group {group} must be positive")));
    }
    let (mode, pre, post) = resolve_pads(&a, kernel.len())?;
    let mut c = Convolution::of(w.dims[0], kernel, w.weights, bias);
    c.padding_mode = mode;
    c.stride = strides;
    c.dilation = dilations;
    c.pre_padding = pre;
    c.post_padding = post;
    c.groups = group;
    Ok(vec![Value::Tensor(imp.add(Box::new(c), &[x])?)])
}

fn pool(imp: &mut Importer, node: &NodeProto, kind: i32) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if a.ints("dilations").is_some_and(|d| d.iter().any(|&v| v != 1)) {
        return Err(Error::unsupported("dilated pooling is not supported"));
    }
    if node.output.len() > 1 {
        return Err(Error::unsupported("MaxPool's Indices output is not supported"));
    }
    let x = imp.tensor(input(node, 0)?)?;
    let kernel = a.ints("kernel_shape").ok_or_else(|| Error::invalid_argument("kernel_shape is required"))?;
    let strides = a.ints("strides").unwrap_or(vec![1; kernel.len()]);
    let (mode, pre, post) = resolve_pads(&a, kernel.len())?;
    let mut p = Pooling::of(kind, kernel);
    p.padding_mode = mode;
    p.stride = strides;
    p.pre_padding = pre;
    p.post_padding = post;
    p.average_count_excludes_padding = a.int("count_include_pad", 0) == 0;
    if a.int("ceil_mode", 0) != 0 && mode == crate::layers::window::EXPLICIT_ROUND_DOWN {
        p.padding_mode = crate::layers::window::EXPLICIT_ROUND_UP;
    }
    Ok(vec![Value::Tensor(imp.add(Box::new(p), &[x])?)])
}

fn reshape(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let shape = imp.constant(input(node, 1)?).map_err(|e| e.context("Reshape's shape"))?;
    let mut dims = shape.ints()?;
    let allow_zero = Attrs(node).int("allowzero", 0) != 0;
    match imp.value(input(node, 0)?)? {
        // Reshaping a constant needs no layer.
        Value::Const(mut c) => {
            let n = c.len() as i64;
            for (i, d) in dims.iter_mut().enumerate() {
                if *d == 0 && !allow_zero {
                    *d = *c.dims.get(i).ok_or_else(|| Error::invalid_argument("reshape copies a missing dimension"))?;
                }
            }
            if let Some(p) = dims.iter().position(|&d| d == -1) {
                let known: i64 = dims.iter().filter(|&&d| d != -1).product();
                dims[p] = if known > 0 { n / known } else { 0 };
            }
            if dims.iter().any(|&d| d < 0) || volume(&dims) != Some(c.len()) {
                return Err(Error::invalid_argument(format!(
                    "cannot reshape a constant of shape {} to {}",
                    dims_str(&c.dims),
                    dims_str(&dims)
                )));
            }
            c.dims = dims;
            Ok(vec![Value::Const(c)])
        }
        Value::Tensor(t) => {
            let mut s = Shuffle::reshape_to(dims);
            s.zero_is_placeholder = !allow_zero;
            Ok(vec![Value::Tensor(imp.add(Box::new(s), &[t])?)])
        }
    }
}

fn flatten(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(t);
    let rank = dims.len() as i64;
    let mut axis = Attrs(node).int("axis", 1);
    if axis < 0 {
        axis += rank;
    }
    if axis < 0 || axis > rank {
        return Err(Error::invalid_argument(format!("axis {axis} is out of range for rank {rank}")));
    }
    let (head, tail) = dims.split_at(axis as usize);
    let size = |d: &[i64]| volume(d).map(|v| v as i64);
    // Unknown sizes are inferred (-1) or copied (0) by the reshape.
    let target = match (size(head), size(tail)) {
        (Some(h), _) => vec![h, -1],
        (None, Some(w)) => vec![-1, w],
        (None, None) if axis == 1 => vec![0, -1],
        _ => return Err(Error::unsupported("Flatten of a tensor with unknown dimensions on both sides of the axis")),
    };
    Ok(vec![Value::Tensor(reshape_tensor(imp, t, target)?)])
}

fn matmul_node(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let (a, b) = (input(node, 0)?, input(node, 1)?);
    let (ra, rb) = (rank_of(imp, a)?, rank_of(imp, b)?);
    if ra < 2 || rb < 2 {
        return Err(Error::unsupported("MatMul with a 1-D operand is not supported yet"));
    }
    let rank = ra.max(rb);
    let (ta, tb) = (aligned(imp, a, rank)?, aligned(imp, b, rank)?);
    let t = imp.add(Box::new(MatrixMultiply::of(matmul::NONE, matmul::NONE)), &[ta, tb])?;
    Ok(vec![Value::Tensor(t)])
}

fn gemm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let at = Attrs(node);
    let (alpha, beta) = (at.float("alpha", 1.0), at.float("beta", 1.0));
    let (a, b) = (imp.tensor(input(node, 0)?)?, imp.tensor(input(node, 1)?)?);
    let op = |t: i64| if t != 0 { matmul::TRANSPOSE } else { matmul::NONE };
    let mm = MatrixMultiply::of(op(at.int("transA", 0)), op(at.int("transB", 0)));
    let mut y = imp.add(Box::new(mm), &[a, b])?;
    if alpha != 1.0 {
        let s = imp.constant_tensor(&ConstValue::f32(vec![1, 1], &[alpha]))?;
        y = imp.add(Box::new(ElementWise::of(elementwise::PROD)), &[y, s])?;
    }
    if let Some(c) = optional_input(node, 2) {
        let mut cv = imp.constant(c).map_err(|e| e.context("Gemm's C"))?;
        if beta != 1.0 {
            cv = ConstValue::f32(cv.dims.clone(), &cv.floats()?.iter().map(|v| v * beta).collect::<Vec<_>>());
        }
        while cv.dims.len() < 2 {
            cv.dims.insert(0, 1);
        }
        let ct = imp.constant_tensor(&cv)?;
        y = imp.add(Box::new(ElementWise::of(elementwise::SUM)), &[y, ct])?;
    }
    Ok(vec![Value::Tensor(y)])
}

fn softmax(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(t);
    let rank = dims.len() as i64;
    let default_axis = if imp.opset >= 13 { -1 } else { 1 };
    let mut axis = Attrs(node).int("axis", default_axis);
    if axis < 0 {
        axis += rank;
    }
    if axis < 0 || axis >= rank.max(1) {
        return Err(Error::invalid_argument(format!("softmax axis {axis} is out of range for rank {rank}")));
    }
    if imp.opset >= 13 || axis == rank - 1 {
        return Ok(vec![Value::Tensor(imp.add(Box::new(SoftMax::over_axis(axis as usize)), &[t])?)]);
    }
    // Before opset 13 the input is seen as 2-D [d0*..*d(axis-1), the rest].
    let head = volume(&dims[..axis as usize]).ok_or_else(|| Error::unsupported("softmax over unknown dimensions"))? as i64;
    let flat = reshape_tensor(imp, t, vec![head, -1])?;
    let s = imp.add(Box::new(SoftMax::over_axis(1)), &[flat])?;
    Ok(vec![Value::Tensor(reshape_tensor(imp, s, dims)?)])
}

fn transpose(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(t).len() as i64;
    let perm = Attrs(node).ints("perm").unwrap_or_else(|| (0..rank).rev().collect());
    Ok(vec![Value::Tensor(imp.add(Box::new(Shuffle::transpose(perm)), &[t])?)])
}
