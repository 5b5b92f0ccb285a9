//! If on IIfConditional, Loop and Scan on ILoop. If: both branches are imported into the network, each branch output pair
//! becomes an IIfConditionalOutputLayer, and which layers run only for one side follows from
//! the graph (src/control). Layers of a branch that read only outer values run outside.

use super::util::*;
use super::ImportFn;
use crate::control::{CONCATENATE, LAST_VALUE, REVERSE, TRIP_COUNT, TRIP_WHILE};
use crate::error::{Error, Result};
use crate::layers::elementwise;
use crate::layers::generated::{Condition, ConditionalOutput, ElementWise, Iterator, LoopOutput, Recurrence, TripLimit};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[("If", if_op), ("Loop", loop_op), ("Scan", scan_op)];

fn if_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (Some(then_g), Some(else_g)) = (a.graph("then_branch"), a.graph("else_branch")) else {
        return Err(Error::invalid_argument("If needs then_branch and else_branch graphs"));
    };
    if then_g.output.len() != else_g.output.len() || then_g.output.len() != node.output.len() {
        return Err(Error::invalid_argument("If's branches and node must have the same number of outputs"));
    }
    // A condition known now picks its branch while parsing.
    if let Some(v) = imp.known_ints(input(node, 0)?).ok().flatten().filter(|v| v.len() == 1) {
        let g = if v[0] != 0 { then_g } else { else_g };
        imp.import_subgraph(g)?;
        return g.output.iter().map(|o| imp.value(&o.name)).collect();
    }
    let cond = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[cond].dtype != DataType::Bool {
        return Err(Error::invalid_argument("If's condition must be bool"));
    }
    let cond = reshape_tensor(imp, cond, vec![])?;
    let id = imp.net.add_conditional()?;
    imp.add_layer(Box::new(Condition::of(id)), &[cond])?;
    imp.import_subgraph(then_g)?;
    imp.import_subgraph(else_g)?;
    let mut outs = Vec::with_capacity(node.output.len());
    for (t, e) in then_g.output.iter().zip(&else_g.output) {
        let (tt, et) = (imp.tensor(&t.name)?, imp.tensor(&e.name)?);
        outs.push(Value::Tensor(layer(imp, ConditionalOutput::of(id), &[tt, et])?));
    }
    Ok(outs)
}

/// Loop on ILoop: the iteration number, the condition and every loop-carried value are
/// recurrences; the trip count M is a kCOUNT limit and the condition a kWHILE limit (both when
/// both are given); final values are kLAST_VALUE outputs of the recurrences (the initial
/// values after zero iterations) and scan outputs kCONCATENATE outputs along a new axis 0.
fn loop_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let Some(body) = Attrs(node).graph("body") else {
        return Err(Error::invalid_argument("Loop needs a body graph"));
    };
    let carried = node.input.len().saturating_sub(2);
    if body.input.len() != carried + 2 || body.output.len() < carried + 1 {
        return Err(Error::invalid_argument(format!(
            "Loop's body takes {} inputs and gives {} outputs; {} and at least {} expected (iteration, condition, {carried} carried values)",
            body.input.len(),
            body.output.len(),
            carried + 2,
            carried + 1
        )));
    }
    let scans = body.output.len() - carried - 1;
    if node.output.len() > carried + scans {
        return Err(Error::invalid_argument("Loop has more outputs than its body gives"));
    }
    let id = imp.net.add_loop()?;
    // M: a count known now (INT64's maximum, as exporters write "no limit", is none when a
    // condition is given), else a tensor. The condition, once given, is a recurrence (the
    // body computes the next one) even when its first value is known.
    let count = match optional_input(node, 0) {
        None => None,
        Some(m) => match imp.known_ints(m)? {
            Some(v) if v.first().is_some_and(|&n| n >= i32::MAX as i64) && optional_input(node, 1).is_some() => None,
            Some(_) | None => {
                let t = imp.tensor(m)?;
                let t = cast(imp, t, DataType::Int32)?;
                Some(reshape_tensor(imp, t, vec![])?)
            }
        },
    };
    let cond = match optional_input(node, 1) {
        None => None,
        Some(c) => {
            let t = imp.tensor(c)?;
            let t = cast(imp, t, DataType::Bool)?;
            Some(reshape_tensor(imp, t, vec![])?)
        }
    };
    if count.is_none() && cond.is_none() {
        return Err(Error::unsupported("a Loop with neither a trip count nor a condition (it would not end)"));
    }
    if let Some(m) = count {
        imp.add_layer(Box::new(TripLimit::of(id, TRIP_COUNT)), &[m])?;
    }
    // The iteration number, counted from 0.
    let zero = imp.constant_tensor(&ConstValue::i32(vec![], &[0]))?;
    let iteration = imp.add_layer(Box::new(Recurrence::of(id)), &[zero])?;
    let i = imp.net.layers[iteration].outputs[0];
    imp.bind(&body.input[0].name, Value::Tensor(i));
    let cond_recurrence = match cond {
        Some(c) => {
            let r = imp.add_layer(Box::new(Recurrence::of(id)), &[c])?;
            let current = imp.net.layers[r].outputs[0];
            imp.add_layer(Box::new(TripLimit::of(id, TRIP_WHILE)), &[current])?;
            imp.bind(&body.input[1].name, Value::Tensor(current));
            Some(r)
        }
        None => {
            let t = imp.constant_tensor(&ConstValue { dims: vec![], weights: Weights::from_bytes(DataType::Bool, &[1])? })?;
            imp.bind(&body.input[1].name, Value::Tensor(t));
            None
        }
    };
    let mut recurrences = Vec::with_capacity(carried);
    for k in 0..carried {
        let init = imp.tensor(input(node, k + 2)?)?;
        let r = imp.add_layer(Box::new(Recurrence::of(id)), &[init])?;
        imp.bind(&body.input[k + 2].name, Value::Tensor(imp.net.layers[r].outputs[0]));
        recurrences.push(r);
    }
    imp.import_subgraph(body)?;
    let one = imp.constant_tensor(&ConstValue::i32(vec![], &[1]))?;
    let next_i = layer(imp, ElementWise::of(elementwise::SUM), &[i, one])?;
    imp.net.set_layer_input(iteration, 1, next_i)?;
    if let Some(r) = cond_recurrence {
        let c = imp.tensor(&body.output[0].name)?;
        let c = cast(imp, c, DataType::Bool)?;
        let c = reshape_tensor(imp, c, vec![])?;
        imp.net.set_layer_input(r, 1, c)?;
    }
    let mut outs = Vec::with_capacity(node.output.len());
    for (k, &r) in recurrences.iter().enumerate() {
        let next = imp.tensor(&body.output[k + 1].name)?;
        imp.net.set_layer_input(r, 1, next)?;
        let current = imp.net.layers[r].outputs[0];
        outs.push(Value::Tensor(layer(imp, LoopOutput::of(id, LAST_VALUE, 0), &[current])?));
    }
    for s in 0..scans {
        let v = imp.tensor(&body.output[carried + 1 + s].name)?;
        outs.push(Value::Tensor(layer(imp, LoopOutput::of(id, CONCATENATE, 0), &[v])?));
    }
    outs.truncate(node.output.len());
    Ok(outs)
}

/// Scan (opset 9 on) on ILoop: each scan input is an iterator along its axis (reversed when
/// its direction is 1), each state a recurrence; the trip count is the first scan input's
/// length along its axis. Final states are kLAST_VALUE outputs, scan outputs kCONCATENATE (or
/// kREVERSE) outputs along their axis.
fn scan_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    if imp.opset < 9 {
        return Err(Error::unsupported("Scan of opset 8 (a batch axis and sequence lengths)"));
    }
    let Some(body) = a.graph("body") else {
        return Err(Error::invalid_argument("Scan needs a body graph"));
    };
    let m = a.int("num_scan_inputs", 0);
    let inputs: Vec<&str> = node.input.iter().map(String::as_str).collect();
    if m < 1 || m as usize > inputs.len() {
        return Err(Error::invalid_argument(format!("Scan's num_scan_inputs {m} must be from 1 to its {} inputs", inputs.len())));
    }
    let m = m as usize;
    let n = inputs.len() - m;
    if body.input.len() != n + m || body.output.len() < n {
        return Err(Error::invalid_argument(
            "Scan's body must take the states and one element of each scan input, and give the states first",
        ));
    }
    let k = body.output.len() - n;
    let list = |name: &str, len: usize| -> Result<Vec<i64>> {
        let v = a.ints(name).unwrap_or_else(|| vec![0; len]);
        if v.len() != len {
            return Err(Error::invalid_argument(format!("Scan's {name} must have {len} values")));
        }
        Ok(v)
    };
    let (in_axes, in_dirs) = (list("scan_input_axes", m)?, list("scan_input_directions", m)?);
    let (out_axes, out_dirs) = (list("scan_output_axes", k)?, list("scan_output_directions", k)?);
    let id = imp.net.add_loop()?;
    let mut recurrences = Vec::with_capacity(n);
    for s in 0..n {
        let init = imp.tensor(inputs[s])?;
        let r = imp.add_layer(Box::new(Recurrence::of(id)), &[init])?;
        imp.bind(&body.input[s].name, Value::Tensor(imp.net.layers[r].outputs[0]));
        recurrences.push(r);
    }
    for j in 0..m {
        let x = imp.tensor(inputs[n + j])?;
        let axis = axis_index(in_axes[j], imp.dims(x).len())?;
        if j == 0 {
            let shape = shape_of(imp, x)?;
            let length = gather_1d(imp, shape, &[axis as i64])?;
            let length = reshape_tensor(imp, length, vec![])?;
            imp.add_layer(Box::new(TripLimit::of(id, TRIP_COUNT)), &[length])?;
        }
        let element = layer(imp, Iterator::of(id, axis as i32, in_dirs[j] != 0), &[x])?;
        imp.bind(&body.input[n + j].name, Value::Tensor(element));
    }
    imp.import_subgraph(body)?;
    let mut outs = Vec::with_capacity(n + k);
    for (s, &r) in recurrences.iter().enumerate() {
        let next = imp.tensor(&body.output[s].name)?;
        imp.net.set_layer_input(r, 1, next)?;
        let current = imp.net.layers[r].outputs[0];
        outs.push(Value::Tensor(layer(imp, LoopOutput::of(id, LAST_VALUE, 0), &[current])?));
    }
    for j in 0..k {
        let v = imp.tensor(&body.output[n + j].name)?;
        let axis = axis_index(out_axes[j], imp.dims(v).len() + 1)?;
        let kind = if out_dirs[j] != 0 { REVERSE } else { CONCATENATE };
        outs.push(Value::Tensor(layer(imp, LoopOutput::of(id, kind, axis as i32), &[v])?));
    }
    Ok(outs)
}
