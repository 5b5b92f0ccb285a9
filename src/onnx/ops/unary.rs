//! Operators of one input that map onto TensorRT's IUnaryLayer.

use super::util::*;
use super::ImportFn;
use crate::error::Result;
use crate::layers::generated::{ElementWise, Unary};
use crate::layers::unary::*;
use crate::layers::{elementwise, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Abs", |i, n| un(i, n, ABS)),
    ("Acos", |i, n| un(i, n, ACOS)),
    ("Acosh", |i, n| un(i, n, ACOSH)),
    ("Asin", |i, n| un(i, n, ASIN)),
    ("Asinh", |i, n| un(i, n, ASINH)),
    ("Atan", |i, n| un(i, n, ATAN)),
    ("Atanh", |i, n| un(i, n, ATANH)),
    ("Ceil", |i, n| un(i, n, CEIL)),
    ("Cos", |i, n| un(i, n, COS)),
    ("Cosh", |i, n| un(i, n, COSH)),
    ("Erf", |i, n| un(i, n, ERF)),
    ("Exp", |i, n| un(i, n, EXP)),
    ("Floor", |i, n| un(i, n, FLOOR)),
    ("IsInf", is_inf),
    ("IsNaN", is_nan),
    ("Log", |i, n| un(i, n, LOG)),
    ("Neg", |i, n| un(i, n, NEG)),
    ("Not", |i, n| un(i, n, NOT)),
    ("Reciprocal", |i, n| un(i, n, RECIP)),
    ("Round", |i, n| un(i, n, ROUND)),
    ("Sign", |i, n| un(i, n, SIGN)),
    ("Sin", |i, n| un(i, n, SIN)),
    ("Sinh", |i, n| un(i, n, SINH)),
    ("Sqrt", |i, n| un(i, n, SQRT)),
    ("Tan", |i, n| un(i, n, TAN)),
];

fn un(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    out(layer(imp, Unary::of(op), &[x])?)
}

/// x != x.
fn is_nan(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let same = layer(imp, ElementWise::of(elementwise::EQUAL), &[x, x])?;
    out(layer(imp, Unary::of(unary::NOT), &[same])?)
}

/// Infinities of the signs asked for: both (TensorRT's kISINF), or one of them by the sign.
fn is_inf(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (pos, neg) = (a.int("detect_positive", 1) != 0, a.int("detect_negative", 1) != 0);
    let x = imp.tensor(input(node, 0)?)?;
    let inf = layer(imp, Unary::of(ISINF), &[x])?;
    if pos && neg {
        return out(inf);
    }
    let zero = scalar_like(imp, x, 0.0)?;
    let side = layer(imp, ElementWise::of(if pos { elementwise::GREATER } else { elementwise::LESS }), &[x, zero])?;
    if !pos && !neg {
        let never = layer(imp, ElementWise::of(elementwise::AND), &[inf, side])?;
        let not_side = layer(imp, Unary::of(NOT), &[side])?;
        return out(layer(imp, ElementWise::of(elementwise::AND), &[never, not_side])?);
    }
    out(layer(imp, ElementWise::of(elementwise::AND), &[inf, side])?)
}
