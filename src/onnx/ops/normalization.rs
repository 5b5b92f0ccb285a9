//! Batch, instance, layer and group normalization.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{ElementWise, Normalization, Reduce, Unary};
use crate::layers::{elementwise, reduce, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::dims_str;

pub const OPS: &[(&str, ImportFn)] = &[
    ("BatchNormalization", batch_norm),
    ("GroupNormalization", group_norm),
    ("InstanceNormalization", instance_norm),
    ("LayerNormalization", layer_norm),
    ("MeanVarianceNormalization", mean_variance_norm),
];

fn ew(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(op), &[a, b])
}

/// A per-channel vector [C] reshaped to [1, C, 1, ...] of rank `rank`.
fn per_channel(imp: &mut Importer, name: &str, rank: usize) -> Result<TensorId> {
    match imp.value(name)? {
        Value::Const(mut c) => {
            let n = c.len() as i64;
            c.dims = (0..rank).map(|a| if a == 1 { n } else { 1 }).collect();
            imp.constant_tensor(&c)
        }
        Value::Tensor(t) => {
            let dims: Vec<i64> = (0..rank).map(|a| if a == 1 { -1 } else { 1 }).collect();
            reshape_tensor(imp, t, dims)
        }
    }
}

/// Inference form: (x - mean) / sqrt(var + epsilon) * scale + bias, per channel (axis 1).
fn batch_norm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if imp.opset >= 14 && a.int("training_mode", 0) != 0 {
        return batch_norm_training(imp, node);
    }
    if node.output.iter().skip(1).any(|o| !o.is_empty()) {
        return Err(Error::unsupported("BatchNormalization with statistics outputs outside training_mode (opsets before 14)"));
    }
    if a.int("spatial", 1) == 0 {
        return Err(Error::unsupported("BatchNormalization with spatial=0 (opsets before 9)"));
    }
    let eps = a.float("epsilon", 1e-5) as f64;
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    if rank < 2 {
        return Err(Error::invalid_argument("BatchNormalization needs [N, C, ...]"));
    }
    let names = [input(node, 1)?, input(node, 2)?, input(node, 3)?, input(node, 4)?];
    let consts: Option<Vec<ConstValue>> =
        names.iter().map(|n| imp.value(n).ok().and_then(|v| if let Value::Const(c) = v { Some(c) } else { None })).collect();
    let (mul, add) = match consts {
        // Constants fold into one multiply and one add.
        Some(c) => {
            let (s, b, m, v) = (c[0].floats()?, c[1].floats()?, c[2].floats()?, c[3].floats()?);
            let n = s.len();
            if [b.len(), m.len(), v.len()].iter().any(|&k| k != n) {
                return Err(Error::invalid_argument("scale, bias, mean and var must have one value per channel"));
            }
            let k: Vec<f32> = (0..n).map(|i| (s[i] as f64 / (v[i] as f64 + eps).sqrt()) as f32).collect();
            let shift: Vec<f32> = (0..n).map(|i| (b[i] as f64 - m[i] as f64 * k[i] as f64) as f32).collect();
            let dims: Vec<i64> = (0..rank).map(|a| if a == 1 { n as i64 } else { 1 }).collect();
            let dtype = imp.net.tensors[x].dtype;
            let mut kc = ConstValue::f32(dims.clone(), &k);
            let mut sc = ConstValue::f32(dims, &shift);
            if dtype == crate::types::DataType::Half {
                kc.weights = kc.weights.convert(dtype)?;
                sc.weights = sc.weights.convert(dtype)?;
            }
            (imp.constant_tensor(&kc)?, imp.constant_tensor(&sc)?)
        }
        None => {
            let [s, b, m, v] = [names[0], names[1], names[2], names[3]].map(|n| per_channel(imp, n, rank));
            let (s, b, m, v) = (s?, b?, m?, v?);
            let e = scalar_like(imp, v, eps)?;
            let ve = ew(imp, elementwise::SUM, v, e)?;
            let sd = layer(imp, Unary::of(unary::SQRT), &[ve])?;
            let k = ew(imp, elementwise::DIV, s, sd)?;
            let mk = ew(imp, elementwise::PROD, m, k)?;
            (k, ew(imp, elementwise::SUB, b, mk)?)
        }
    };
    let y = ew(imp, elementwise::PROD, x, mul)?;
    out(ew(imp, elementwise::SUM, y, add)?)
}

/// Training form (opset 14+): normalized with the batch's own mean and (biased) variance
/// over every axis but the channels; also returns the running statistics, input * momentum
/// + batch's * (1 - momentum).
fn batch_norm_training(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (eps, momentum) = (a.float("epsilon", 1e-5) as f64, a.float("momentum", 0.9) as f64);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    if rank < 2 {
        return Err(Error::invalid_argument("BatchNormalization needs [N, C, ...]"));
    }
    let axes: Vec<usize> = (0..rank).filter(|&k| k != 1).collect();
    let mask = axes_mask(&axes);
    let mean = layer(imp, Reduce::of(reduce::AVG, mask, true), &[x])?;
    let centered = ew(imp, elementwise::SUB, x, mean)?;
    let squared = ew(imp, elementwise::PROD, centered, centered)?;
    let var = layer(imp, Reduce::of(reduce::AVG, mask, true), &[squared])?;
    let e = scalar_like(imp, var, eps)?;
    let ve = ew(imp, elementwise::SUM, var, e)?;
    let sd = layer(imp, Unary::of(unary::SQRT), &[ve])?;
    let normalized = ew(imp, elementwise::DIV, centered, sd)?;
    let scale = per_channel(imp, input(node, 1)?, rank)?;
    let bias = per_channel(imp, input(node, 2)?, rank)?;
    let scaled = ew(imp, elementwise::PROD, normalized, scale)?;
    let y = ew(imp, elementwise::SUM, scaled, bias)?;
    let mut outputs = vec![Value::Tensor(y)];
    for (k, batch) in [(3, mean), (4, var)] {
        let running = imp.tensor(input(node, k)?)?;
        let batch = reshape_tensor(imp, batch, vec![-1])?;
        let kept = scalar_like(imp, running, momentum)?;
        let kept = ew(imp, elementwise::PROD, running, kept)?;
        let taken = scalar_like(imp, batch, 1.0 - momentum)?;
        let taken = ew(imp, elementwise::PROD, batch, taken)?;
        outputs.push(Value::Tensor(ew(imp, elementwise::SUM, kept, taken)?));
    }
    Ok(outputs)
}

/// Normalization over `axes` with scale and bias already of the input's rank.
fn normalize(imp: &mut Importer, x: TensorId, scale: TensorId, bias: TensorId, axes: &[usize], eps: f32, groups: i32) -> Result<TensorId> {
    layer(imp, Normalization::of(axes_mask(axes), eps, groups), &[x, scale, bias])
}

/// Ones (or zeros) shaped like a tensor of known dims, in its type.
fn filled_like(imp: &mut Importer, like: TensorId, v: f64) -> Result<TensorId> {
    let dims = imp.dims(like);
    if dims.iter().any(|&d| d < 0) {
        return Err(Error::unsupported(format!("a scale or bias of unknown shape {}", dims_str(&dims))));
    }
    let one = ConstValue::scalar(imp.net.tensors[like].dtype, v)?;
    let n = made_constant_count(&dims, "a filled scale or bias")?;
    let bytes: Vec<u8> = one.weights.values.iter().copied().cycle().take(one.weights.values.len() * n).collect();
    let c = ConstValue { dims, weights: crate::weights::Weights::from_bytes(one.dtype(), &bytes)? };
    imp.constant_tensor(&c)
}

fn instance_norm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let eps = Attrs(node).float("epsilon", 1e-5);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    if rank < 3 {
        return Err(Error::invalid_argument("InstanceNormalization needs [N, C, spatial...]"));
    }
    let scale = per_channel(imp, input(node, 1)?, rank)?;
    let bias = per_channel(imp, input(node, 2)?, rank)?;
    let axes: Vec<usize> = (2..rank).collect();
    out(normalize(imp, x, scale, bias, &axes, eps, 1)?)
}

fn layer_norm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let axis = axis_index(a.int("axis", -1), rank)?;
    let scale = aligned(imp, input(node, 1)?, rank)?;
    let bias = match optional_input(node, 2) {
        Some(b) => aligned(imp, b, rank)?,
        None => filled_like(imp, scale, 0.0)?,
    };
    let axes: Vec<usize> = (axis..rank).collect();
    let eps = a.float("epsilon", 1e-5);
    let y = normalize(imp, x, scale, bias, &axes, eps, 1)?;
    if node.output.iter().skip(1).all(|o| o.is_empty()) {
        return out(y);
    }
    // The statistics outputs: mean and 1 / sqrt(variance + epsilon), reduced axes kept.
    let (mean, centered) = mean_and_centered(imp, x, &axes)?;
    let sq = ew(imp, elementwise::PROD, centered, centered)?;
    let var = layer(imp, Reduce::of(reduce::AVG, axes_mask(&axes), true), &[sq])?;
    let e = scalar_like(imp, var, eps as f64)?;
    let ve = ew(imp, elementwise::SUM, var, e)?;
    let sd = layer(imp, Unary::of(unary::SQRT), &[ve])?;
    let inv = layer(imp, Unary::of(unary::RECIP), &[sd])?;
    Ok(vec![Value::Tensor(y), Value::Tensor(mean), Value::Tensor(inv)])
}

/// The mean over `axes` (kept) and x minus it.
fn mean_and_centered(imp: &mut Importer, x: TensorId, axes: &[usize]) -> Result<(TensorId, TensorId)> {
    let mean = layer(imp, Reduce::of(reduce::AVG, axes_mask(axes), true), &[x])?;
    let centered = ew(imp, elementwise::SUB, x, mean)?;
    Ok((mean, centered))
}

/// (x - mean) / (sqrt(variance) + 1e-9) over `axes` (default N, H, W).
fn mean_variance_norm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let axes = axis_indices(&Attrs(node).ints("axes").unwrap_or(vec![0, 2, 3]), rank)?;
    let (_, centered) = mean_and_centered(imp, x, &axes)?;
    let sq = ew(imp, elementwise::PROD, centered, centered)?;
    let var = layer(imp, Reduce::of(reduce::AVG, axes_mask(&axes), true), &[sq])?;
    let sd = layer(imp, Unary::of(unary::SQRT), &[var])?;
    let e = scalar_like(imp, sd, 1e-9)?;
    let den = ew(imp, elementwise::SUM, sd, e)?;
    out(ew(imp, elementwise::DIV, centered, den)?)
}

/// Opset 18 takes scale and bias per group, opset 21 per channel (applied after the
/// normalization).
fn group_norm(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let groups = a.int("num_groups", 0);
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let rank = dims.len();
    if rank < 3 || groups <= 0 || (dims[1] >= 0 && dims[1] % groups != 0) {
        return Err(Error::invalid_argument(format!("GroupNormalization of {} into {groups} groups", dims_str(&dims))));
    }
    let eps = a.float("epsilon", 1e-5);
    let axes: Vec<usize> = (2..rank).collect();
    let (s, b) = (input(node, 1)?, input(node, 2)?);
    made_constant_count(&[groups], "per-group scales")?;
    let per_group = imp.opset < 21;
    if per_group {
        let scale = per_channel(imp, s, rank)?;
        let bias = per_channel(imp, b, rank)?;
        return out(normalize(imp, x, scale, bias, &axes, eps, groups as i32)?);
    }
    let ones: Vec<i64> = (0..rank).map(|a| if a == 1 { groups } else { 1 }).collect();
    let one = ConstValue::scalar(imp.net.tensors[x].dtype, 1.0)?;
    let zero = ConstValue::scalar(imp.net.tensors[x].dtype, 0.0)?;
    let rep = |c: &ConstValue| -> Result<ConstValue> {
        let bytes: Vec<u8> = c.weights.values.iter().copied().cycle().take(c.weights.values.len() * groups as usize).collect();
        Ok(ConstValue { dims: ones.clone(), weights: crate::weights::Weights::from_bytes(c.dtype(), &bytes)? })
    };
    let (one, zero) = (rep(&one)?, rep(&zero)?);
    let (ot, zt) = (imp.constant_tensor(&one)?, imp.constant_tensor(&zero)?);
    let y = normalize(imp, x, ot, zt, &axes, eps, groups as i32)?;
    let scale = per_channel(imp, s, rank)?;
    let bias = per_channel(imp, b, rank)?;
    let y = ew(imp, elementwise::PROD, y, scale)?;
    out(ew(imp, elementwise::SUM, y, bias)?)
}
