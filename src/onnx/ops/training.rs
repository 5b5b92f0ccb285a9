//! The optimizer steps of ONNX's ai.onnx.preview.training domain (Adagrad, Adam, Momentum):
//! elementwise updates of each tensor X from its gradient G and accumulators, with a scalar
//! learning rate R and step count T given at run time. Each node updates n tensors at once:
//! inputs R, T, then n of each kind; outputs n of each updated kind.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{DIV, GREATER, POW, PROD, SUB, SUM};
use crate::layers::generated::{Select, Unary};
use crate::layers::unary::SQRT;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const DOMAIN: &str = "ai.onnx.preview.training";
pub const OPS: &[(&str, ImportFn)] = &[("Adagrad", adagrad), ("Adam", adam), ("Momentum", momentum)];

/// A float scalar constant.
fn num(imp: &mut Importer, v: f32) -> Result<TensorId> {
    scalar(imp, DataType::Float, v as f64, 0)
}

fn op(imp: &mut Importer, code: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    binary_op(imp, code, a, b)
}

/// `k * a` for a constant k.
fn scaled(imp: &mut Importer, k: f32, a: TensorId) -> Result<TensorId> {
    let k = num(imp, k)?;
    op(imp, PROD, k, a)
}

/// The scalar inputs R and T (as float scalars), and the n tensors of each of `kinds` kinds.
fn operands(imp: &mut Importer, node: &NodeProto, kinds: usize) -> Result<(TensorId, TensorId, usize, Vec<TensorId>)> {
    let count = node.input.len().checked_sub(2).filter(|c| *c > 0 && c % kinds == 0).ok_or_else(|| {
        Error::invalid_argument(format!("{} takes R, T and {kinds} equally many tensors; it has {} inputs", node.op_type, node.input.len()))
    })?;
    let mut scalar_input = |i: usize| -> Result<TensorId> {
        let t = imp.tensor(input(node, i)?)?;
        let t = cast(imp, t, DataType::Float)?;
        reshape_tensor(imp, t, vec![])
    };
    let (r, t) = (scalar_input(0)?, scalar_input(1)?);
    let tensors = (2..node.input.len()).map(|i| imp.tensor(input(node, i)?)).collect::<Result<Vec<_>>>()?;
    Ok((r, t, count / kinds, tensors))
}

/// `norm * X + G`: the gradient with the L2 regularization term.
fn regularized(imp: &mut Importer, norm: f32, x: TensorId, g: TensorId) -> Result<TensorId> {
    let nx = scaled(imp, norm, x)?;
    op(imp, SUM, nx, g)
}

/// `if_positive` where T > 0, else `otherwise` (scalars).
fn when_started(imp: &mut Importer, t: TensorId, if_positive: TensorId, otherwise: TensorId) -> Result<TensorId> {
    let zero = num(imp, 0.0)?;
    let started = op(imp, GREATER, t, zero)?;
    layer(imp, Select::new(), &[started, if_positive, otherwise])
}

fn sqrt(imp: &mut Importer, x: TensorId) -> Result<TensorId> {
    layer(imp, Unary::of(SQRT), &[x])
}

/// r = R / (1 + T * decay); G' = norm * X + G; H' = H + G'^2; X' = X - r * G' / (sqrt(H') + eps).
fn adagrad(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (decay, eps, norm) = (a.float("decay_factor", 0.0), a.float("epsilon", 1e-6), a.float("norm_coefficient", 0.0));
    let (r, t, n, v) = operands(imp, node, 3)?;
    let td = scaled(imp, decay, t)?;
    let one = num(imp, 1.0)?;
    let denom = op(imp, SUM, one, td)?;
    let rate = op(imp, DIV, r, denom)?;
    let (mut xs, mut hs) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let (x, g, h) = (v[k], v[n + k], v[2 * n + k]);
        let g = regularized(imp, norm, x, g)?;
        let g2 = op(imp, PROD, g, g)?;
        let h_new = op(imp, SUM, h, g2)?;
        let root = sqrt(imp, h_new)?;
        let e = num(imp, eps)?;
        let scale = op(imp, SUM, root, e)?;
        let step = op(imp, PROD, rate, g)?;
        let step = op(imp, DIV, step, scale)?;
        xs.push(Value::Tensor(op(imp, SUB, x, step)?));
        hs.push(Value::Tensor(h_new));
    }
    xs.extend(hs);
    Ok(xs)
}

/// G' = norm * X + G; V' = alpha V + beta' G' (beta' = 1 on the first step, T = 0);
/// standard X' = X - R V', nesterov X' = X - R (G' + alpha V').
fn momentum(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let need = |name: &str| a.floats(name).and_then(|v| v.first().copied()).or_else(|| a.has(name).then(|| a.float(name, 0.0)));
    let (Some(alpha), Some(beta), Some(norm)) = (need("alpha"), need("beta"), need("norm_coefficient")) else {
        return Err(Error::invalid_argument("Momentum needs alpha, beta and norm_coefficient"));
    };
    let nesterov = match a.string("mode").as_deref() {
        Some("standard") => false,
        Some("nesterov") => true,
        other => return Err(Error::invalid_argument(format!("Momentum mode {other:?}: 'standard' or 'nesterov'"))),
    };
    let (r, t, n, v) = operands(imp, node, 3)?;
    let (b, one) = (num(imp, beta)?, num(imp, 1.0)?);
    let beta_now = when_started(imp, t, b, one)?;
    let (mut xs, mut vs) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let (x, g, m) = (v[k], v[n + k], v[2 * n + k]);
        let g = regularized(imp, norm, x, g)?;
        let am = scaled(imp, alpha, m)?;
        let bg = op(imp, PROD, beta_now, g)?;
        let m_new = op(imp, SUM, am, bg)?;
        let direction = if nesterov {
            let am_new = scaled(imp, alpha, m_new)?;
            op(imp, SUM, g, am_new)?
        } else {
            m_new
        };
        let step = op(imp, PROD, r, direction)?;
        xs.push(Value::Tensor(op(imp, SUB, x, step)?));
        vs.push(Value::Tensor(m_new));
    }
    xs.extend(vs);
    Ok(xs)
}

/// G' = norm * X + G; V' = alpha V + (1 - alpha) G'; H' = beta H + (1 - beta) G'^2;
/// R' = R sqrt(1 - beta^T) / (1 - alpha^T) for T > 0, else R;
/// X' = (1 - norm_post) (X - R' V' / (sqrt(H') + eps)).
fn adam(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (alpha, beta, eps) = (a.float("alpha", 0.9), a.float("beta", 0.999), a.float("epsilon", 1e-6));
    let (norm, post) = (a.float("norm_coefficient", 0.0), a.float("norm_coefficient_post", 0.0));
    let (r, t, n, v) = operands(imp, node, 4)?;
    // Bias-corrected rate.
    let (al, be, one) = (num(imp, alpha)?, num(imp, beta)?, num(imp, 1.0)?);
    let at = op(imp, POW, al, t)?;
    let bt = op(imp, POW, be, t)?;
    let one_minus_bt = op(imp, SUB, one, bt)?;
    let root = sqrt(imp, one_minus_bt)?;
    let one_minus_at = op(imp, SUB, one, at)?;
    let corrected = op(imp, PROD, r, root)?;
    let corrected = op(imp, DIV, corrected, one_minus_at)?;
    let rate = when_started(imp, t, corrected, r)?;
    let (mut xs, mut ms, mut hs) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for k in 0..n {
        let (x, g, m, h) = (v[k], v[n + k], v[2 * n + k], v[3 * n + k]);
        let g = regularized(imp, norm, x, g)?;
        let am = scaled(imp, alpha, m)?;
        let ag = scaled(imp, 1.0 - alpha, g)?;
        let m_new = op(imp, SUM, am, ag)?;
        let bh = scaled(imp, beta, h)?;
        let g2 = op(imp, PROD, g, g)?;
        let bg = scaled(imp, 1.0 - beta, g2)?;
        let h_new = op(imp, SUM, bh, bg)?;
        let root = sqrt(imp, h_new)?;
        let e = num(imp, eps)?;
        let scale = op(imp, SUM, root, e)?;
        let ratio = op(imp, DIV, m_new, scale)?;
        let step = op(imp, PROD, rate, ratio)?;
        let x_new = op(imp, SUB, x, step)?;
        xs.push(Value::Tensor(scaled(imp, 1.0 - post, x_new)?));
        ms.push(Value::Tensor(m_new));
        hs.push(Value::Tensor(h_new));
    }
    xs.extend(ms);
    xs.extend(hs);
    Ok(xs)
}
