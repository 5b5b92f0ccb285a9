//! Activation functions: TensorRT's IActivationLayer where it has the function, otherwise
//! short compositions of elementwise and unary layers.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::activation::*;
use crate::layers::generated::{Activation, ElementWise, ParametricReLU, Unary};
use crate::layers::{elementwise, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Celu", celu),
    ("Clip", clip),
    ("Elu", |i, n| act(i, n, ELU, Attrs(n).float("alpha", 1.0), 0.0)),
    ("Gelu", gelu),
    ("HardSigmoid", |i, n| act(i, n, HARD_SIGMOID, Attrs(n).float("alpha", 0.2), Attrs(n).float("beta", 0.5))),
    ("HardSwish", hard_swish),
    ("LeakyRelu", |i, n| act(i, n, LEAKY_RELU, Attrs(n).float("alpha", 0.01), 0.0)),
    ("Mish", mish),
    ("PRelu", prelu),
    ("Relu", |i, n| act(i, n, RELU, 0.0, 0.0)),
    ("Selu", |i, n| act(i, n, SELU, Attrs(n).float("alpha", 1.673_263_2), Attrs(n).float("gamma", 1.050_701))),
    ("Sigmoid", |i, n| act(i, n, SIGMOID, 0.0, 0.0)),
    ("Shrink", shrink),
    ("Softplus", |i, n| act(i, n, SOFTPLUS, 1.0, 1.0)),
    ("Softsign", |i, n| act(i, n, SOFTSIGN, 0.0, 0.0)),
    ("Tanh", |i, n| act(i, n, TANH, 0.0, 0.0)),
    ("ThresholdedRelu", |i, n| act(i, n, THRESHOLDED_RELU, Attrs(n).float("alpha", 1.0), 0.0)),
];

fn activation(imp: &mut Importer, x: TensorId, kind: i32, alpha: f32, beta: f32) -> Result<TensorId> {
    layer(imp, Activation::of(kind, alpha, beta), &[x])
}

fn act(imp: &mut Importer, node: &NodeProto, kind: i32, alpha: f32, beta: f32) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    // Relu on integers is max(x, 0); the activation layer takes float types.
    if kind == RELU && !imp.net.tensors[x].dtype.is_float() {
        let zero = scalar_like(imp, x, 0.0)?;
        return out(super::small_int::elementwise(imp, elementwise::MAX, x, zero)?);
    }
    out(activation(imp, x, kind, alpha, beta)?)
}

fn mul(imp: &mut Importer, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(elementwise::PROD), &[a, b])
}

/// min(max(x, lo), hi), with bounds from attributes (before opset 11) or optional inputs.
fn clip(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let float = imp.net.tensors[x].dtype.is_float();
    if imp.opset < 11 {
        let a = Attrs(node);
        let (lo, hi) = (a.float("min", f32::MIN), a.float("max", f32::MAX));
        return out(activation(imp, x, CLIP, lo, hi)?);
    }
    let bound = |imp: &mut Importer, i: usize| -> Result<Option<Value>> { optional_input(node, i).map(|n| imp.value(n)).transpose() };
    let (lo, hi) = (bound(imp, 1)?, bound(imp, 2)?);
    let as_float = |v: &Option<Value>| match v {
        None => Some(None),
        Some(Value::Const(c)) if c.len() == 1 => c.floats().ok().map(|f| Some(f[0])),
        _ => None,
    };
    if float {
        if let (Some(l), Some(h)) = (as_float(&lo), as_float(&hi)) {
            return out(activation(imp, x, CLIP, l.unwrap_or(f32::MIN), h.unwrap_or(f32::MAX))?);
        }
    }
    // Integer types or bounds known only at run time: elementwise max and min.
    let mut y = x;
    let rank = imp.dims(x).len();
    for (v, op) in [(lo, elementwise::MAX), (hi, elementwise::MIN)] {
        let Some(v) = v else { continue };
        let b = match v {
            Value::Tensor(t) => t,
            Value::Const(c) => imp.constant_tensor(&c)?,
        };
        let b = with_leading_ones(imp, b, rank.saturating_sub(imp.dims(b).len()))?;
        y = super::small_int::elementwise(imp, op, y, b)?;
    }
    out(y)
}

/// x * HardSigmoid(x) with alpha 1/6 and beta 1/2.
fn hard_swish(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let s = activation(imp, x, HARD_SIGMOID, 1.0 / 6.0, 0.5)?;
    out(mul(imp, x, s)?)
}

/// x * tanh(softplus(x)).
fn mish(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let sp = activation(imp, x, SOFTPLUS, 1.0, 1.0)?;
    let t = activation(imp, sp, TANH, 0.0, 0.0)?;
    out(mul(imp, x, t)?)
}

/// alpha * elu(x / alpha) with elu's alpha 1: x where x > 0, alpha (exp(x / alpha) - 1) elsewhere.
fn celu(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let alpha = Attrs(node).float("alpha", 1.0);
    if alpha == 0.0 {
        return Err(Error::invalid_argument("Celu alpha must not be 0"));
    }
    let x = imp.tensor(input(node, 0)?)?;
    let inv = scalar_like(imp, x, 1.0 / alpha as f64)?;
    let scaled = mul(imp, x, inv)?;
    let e = activation(imp, scaled, ELU, 1.0, 0.0)?;
    let a = scalar_like(imp, x, alpha as f64)?;
    out(mul(imp, e, a)?)
}

/// 0.5 x (1 + erf(x / sqrt 2)), or with approximate="tanh"
/// 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
fn gelu(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let inner = match Attrs(node).string("approximate").as_deref().unwrap_or("none") {
        "none" => {
            let c = scalar_like(imp, x, std::f64::consts::FRAC_1_SQRT_2)?;
            let z = mul(imp, x, c)?;
            layer(imp, Unary::of(unary::ERF), &[z])?
        }
        "tanh" => {
            let x2 = mul(imp, x, x)?;
            let x3 = mul(imp, x2, x)?;
            let k = scalar_like(imp, x, 0.044_715)?;
            let kx3 = mul(imp, x3, k)?;
            let sum = layer(imp, ElementWise::of(elementwise::SUM), &[x, kx3])?;
            let c = scalar_like(imp, x, (2.0 / std::f64::consts::PI).sqrt())?;
            let z = mul(imp, sum, c)?;
            activation(imp, z, TANH, 0.0, 0.0)?
        }
        other => return Err(Error::invalid_argument(format!("unknown Gelu approximate '{other}'"))),
    };
    let one = scalar_like(imp, x, 1.0)?;
    let plus = layer(imp, ElementWise::of(elementwise::SUM), &[inner, one])?;
    let half = scalar_like(imp, x, 0.5)?;
    let hx = mul(imp, x, half)?;
    out(mul(imp, hx, plus)?)
}

/// x where x >= 0, slope * x elsewhere; the slope broadcasts to x.
fn prelu(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let slope_name = input(node, 1)?;
    let slope = aligned(imp, slope_name, rank)?;
    out(layer(imp, ParametricReLU::new(), &[x, slope])?)
}

/// x + bias below -lambd, x - bias above lambd, 0 between.
fn shrink(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (lambd, bias) = (a.float("lambd", 0.5) as f64, a.float("bias", 0.0) as f64);
    let x = imp.tensor(input(node, 0)?)?;
    let (lo, hi) = (scalar_like(imp, x, -lambd)?, scalar_like(imp, x, lambd)?);
    let below = layer(imp, ElementWise::of(elementwise::LESS), &[x, lo])?;
    let above = layer(imp, ElementWise::of(elementwise::GREATER), &[x, hi])?;
    let b = scalar_like(imp, x, bias)?;
    let up = layer(imp, ElementWise::of(elementwise::SUM), &[x, b])?;
    let down = layer(imp, ElementWise::of(elementwise::SUB), &[x, b])?;
    let zero = scalar_like(imp, x, 0.0)?;
    let upper = layer(imp, crate::layers::generated::Select::new(), &[above, down, zero])?;
    out(layer(imp, crate::layers::generated::Select::new(), &[below, up, upper])?)
}
