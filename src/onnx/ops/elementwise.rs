//! Broadcasting binary and variadic operators, comparisons, logic and Where.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::*;
use crate::layers::generated::{Select, Unary};
use crate::layers::unary;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[
    ("Add", |i, n| binary(i, n, SUM)),
    ("And", |i, n| binary(i, n, AND)),
    ("Div", |i, n| binary(i, n, DIV)),
    ("Equal", |i, n| binary(i, n, EQUAL)),
    ("Greater", |i, n| binary(i, n, GREATER)),
    ("GreaterOrEqual", |i, n| negated(i, n, LESS)),
    ("Less", |i, n| binary(i, n, LESS)),
    ("LessOrEqual", |i, n| negated(i, n, GREATER)),
    ("Max", |i, n| variadic(i, n, MAX, false)),
    ("Mean", |i, n| variadic(i, n, SUM, true)),
    ("Min", |i, n| variadic(i, n, MIN, false)),
    ("Mod", modulo),
    ("Mul", |i, n| binary(i, n, PROD)),
    ("Or", |i, n| binary(i, n, OR)),
    ("Pow", pow),
    ("Sub", |i, n| binary(i, n, SUB)),
    ("Sum", |i, n| variadic(i, n, SUM, false)),
    ("Where", where_op),
    ("Xor", |i, n| binary(i, n, XOR)),
];

/// Refuses the pre-opset-7 forms (the `broadcast` and `axis` attributes), whose alignment
/// differs from numpy's.
fn check_legacy(node: &NodeProto) -> Result<()> {
    if Attrs(node).has("axis") {
        return Err(Error::unsupported("the legacy 'axis' broadcast attribute (opsets before 7) is not supported"));
    }
    Ok(())
}

fn elementwise(imp: &mut Importer, op: i32, a: TensorId, b: TensorId) -> Result<TensorId> {
    super::small_int::elementwise(imp, op, a, b)
}

fn binary(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    check_legacy(node)?;
    if node.input.len() != 2 {
        return Err(Error::invalid_argument(format!("{} takes 2 inputs, got {}", node.op_type, node.input.len())));
    }
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    out(elementwise(imp, op, t[0], t[1])?)
}

/// a >= b as not(a < b); a <= b as not(a > b).
fn negated(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    let y = elementwise(imp, op, t[0], t[1])?;
    out(layer(imp, Unary::of(unary::NOT), &[y])?)
}

/// Max, Min, Sum and Mean of one or more inputs.
fn variadic(imp: &mut Importer, node: &NodeProto, op: i32, mean: bool) -> Result<Vec<Value>> {
    check_legacy(node)?;
    let names: Vec<&str> = node.input.iter().filter(|s| !s.is_empty()).map(String::as_str).collect();
    if names.is_empty() {
        return Err(Error::invalid_argument(format!("{} needs at least one input", node.op_type)));
    }
    let t = aligned_all(imp, &names)?;
    let mut y = t[0];
    for &x in &t[1..] {
        y = elementwise(imp, op, y, x)?;
    }
    if names.len() == 1 {
        // A lone input passes through (as a tensor of its own, so that the output has a producer).
        y = layer(imp, crate::layers::generated::Identity::new(), &[y])?;
    }
    if mean {
        let n = scalar_like(imp, y, names.len() as f64)?;
        y = elementwise(imp, DIV, y, n)?;
    }
    out(y)
}

/// Pow with an exponent of another type is computed in the base's type.
fn pow(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    check_legacy(node)?;
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    let base_type = imp.net.tensors[t[0]].dtype;
    let e = cast(imp, t[1], base_type)?;
    out(elementwise(imp, POW, t[0], e)?)
}

/// fmod=0: a - floor(a / b) * b (the divisor's sign); fmod=1: a - trunc(a / b) * b (the
/// dividend's sign). 8-bit integers are computed in INT32 (remainders fit their type).
fn modulo(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let fmod = Attrs(node).int("fmod", 0) != 0;
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?])?;
    let dtype = imp.net.tensors[t[0]].dtype;
    let float = dtype.is_float();
    if !(float || dtype == DataType::Int32 || super::small_int::is_small_int(dtype)) {
        return Err(Error::unsupported(format!("Mod of {dtype}")));
    }
    let (a, b) = if float { (t[0], t[1]) } else { (cast(imp, t[0], DataType::Int32)?, cast(imp, t[1], DataType::Int32)?) };
    let q = match (float, fmod) {
        (_, false) => elementwise(imp, FLOOR_DIV, a, b)?,
        // Integer DIV truncates toward zero.
        (false, true) => elementwise(imp, DIV, a, b)?,
        (true, true) => {
            // trunc(q) = sign(q) * floor(|q|)
            let q = elementwise(imp, DIV, a, b)?;
            let mag = layer(imp, Unary::of(unary::ABS), &[q])?;
            let fl = layer(imp, Unary::of(unary::FLOOR), &[mag])?;
            let sign = layer(imp, Unary::of(unary::SIGN), &[q])?;
            elementwise(imp, PROD, fl, sign)?
        }
    };
    let qb = elementwise(imp, PROD, q, b)?;
    let r = elementwise(imp, SUB, a, qb)?;
    out(cast(imp, r, dtype)?)
}

fn where_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let t = aligned_all(imp, &[input(node, 0)?, input(node, 1)?, input(node, 2)?])?;
    if imp.net.tensors[t[0]].dtype != DataType::Bool {
        return Err(Error::invalid_argument("Where's condition must be bool"));
    }
    out(layer(imp, Select::new(), &t)?)
}
