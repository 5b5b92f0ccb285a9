//! NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss as gathers and reductions.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Gather, Reduce, Select, SoftMax, Unary};
use crate::layers::{elementwise, gather, reduce, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("NegativeLogLikelihoodLoss", nll_node), ("SoftmaxCrossEntropyLoss", softmax_cross_entropy)];

fn ew(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    binary_op(imp, op, a, b)
}

/// loss[n, d..] = -input[n, target[n, d..], d..] * weight[target] (0 where target is
/// ignore_index), reduced by none, sum or mean (divided by the sum of the weights used).
fn nll(imp: &mut Importer, node: &NodeProto, x: TensorId, target: TensorId, weight: Option<TensorId>) -> Result<TensorId> {
    let a = Attrs(node);
    let rank = imp.dims(x).len();
    if rank < 2 {
        return Err(Error::invalid_argument("the loss input must be [N, C, ...]"));
    }
    if imp.net.tensors[target].dtype != DataType::Int32 {
        return Err(Error::invalid_argument("the loss target must hold integer classes"));
    }
    let ignore = a.has("ignore_index").then(|| a.int("ignore_index", 0));
    // Ignored targets read class 0 and count with weight 0.
    let (safe_target, keep) = match ignore {
        Some(ii) => {
            let ii_t = scalar_like(imp, target, ii as f64)?;
            let is_ignored = ew(imp, elementwise::EQUAL, target, ii_t)?;
            let zero = scalar_like(imp, target, 0.0)?;
            let zeros = ew(imp, elementwise::PROD, target, zero)?;
            let safe = layer(imp, Select::new(), &[is_ignored, zeros, target])?;
            (safe, Some(layer(imp, Unary::of(unary::NOT), &[is_ignored])?))
        }
        None => (target, None),
    };
    let idx = unsqueeze(imp, safe_target, &[1])?;
    let mut g = Gather::with_mode(gather::ELEMENT);
    g.axis = 1;
    let picked = layer(imp, g, &[x, idx])?;
    let picked = squeeze(imp, picked, &[1])?;
    let dtype = imp.net.tensors[x].dtype;
    // Per-element weight: weight[target], times 0 where ignored.
    let mut w = match weight {
        Some(wt) => Some(layer(imp, Gather::on_axis(0), &[wt, safe_target])?),
        None => None,
    };
    if let Some(k) = keep {
        let k = cast(imp, k, dtype)?;
        w = Some(match w {
            Some(w) => ew(imp, elementwise::PROD, w, k)?,
            None => k,
        });
    }
    let minus = scalar_like(imp, picked, -1.0)?;
    let mut loss = ew(imp, elementwise::PROD, picked, minus)?;
    if let Some(w) = w {
        loss = ew(imp, elementwise::PROD, loss, w)?;
    }
    let all = axes_mask(&(0..rank - 1).collect::<Vec<_>>());
    match a.string("reduction").as_deref().unwrap_or("mean") {
        "none" => Ok(loss),
        "sum" => layer(imp, Reduce::of(reduce::SUM, all, false), &[loss]),
        "mean" => match w {
            None => layer(imp, Reduce::of(reduce::AVG, all, false), &[loss]),
            Some(w) => {
                let s = layer(imp, Reduce::of(reduce::SUM, all, false), &[loss])?;
                let n = layer(imp, Reduce::of(reduce::SUM, all, false), &[w])?;
                ew(imp, elementwise::DIV, s, n)
            }
        },
        other => Err(Error::invalid_argument(format!("unknown reduction '{other}'"))),
    }
}

fn nll_node(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let target = imp.tensor(input(node, 1)?)?;
    let weight = optional_input(node, 2).map(|w| imp.tensor(w)).transpose()?;
    out(nll(imp, node, x, target, weight)?)
}

/// NLL of log-softmax over the classes (axis 1); the second output is the log-softmax.
fn softmax_cross_entropy(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let sm = layer(imp, SoftMax::over_axis(1), &[x])?;
    let log_prob = layer(imp, Unary::of(unary::LOG), &[sm])?;
    let target = imp.tensor(input(node, 1)?)?;
    let weight = optional_input(node, 2).map(|w| imp.tensor(w)).transpose()?;
    let loss = nll(imp, node, log_prob, target, weight)?;
    Ok(vec![Value::Tensor(loss), Value::Tensor(log_prob)])
}
