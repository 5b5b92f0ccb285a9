//! RNN, GRU and LSTM on IRNNv2Layer (one layer, forward or bidirectional). ONNX keeps the
//! time axis first (layout 0) and the gates of a direction stacked in one matrix; the layer
//! takes [batch, time, input] and each gate's matrices apart. What the layer cannot run as
//! ONNX defines it is written out as a loop instead (recurrent_loop.rs).

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{RNNv2, Shuffle};
use crate::layers::rnn_v2::weights::{slot, Gate};
use crate::layers::rnn_v2::{Operation, BIDIRECTION, UNIDIRECTION};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::{dims_str, DataType};
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[
    ("GRU", |i, n| recurrent(i, n, Operation::Gru)),
    ("LSTM", |i, n| recurrent(i, n, Operation::Lstm)),
    ("RNN", |i, n| recurrent(i, n, Operation::Tanh)),
];

/// ONNX's gate order within W, R and B, as TensorRT gates.
fn onnx_gates(op: Operation) -> &'static [Gate] {
    match op {
        Operation::Lstm => &[Gate::Input, Gate::Output, Gate::Forget, Gate::Cell],
        Operation::Gru => &[Gate::Update, Gate::Reset, Gate::Hidden],
        Operation::Relu | Operation::Tanh => &[Gate::Input],
    }
}

/// The activation list TensorRT's operation implies (per direction).
fn default_activations(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::Lstm => &["Sigmoid", "Tanh", "Tanh"],
        Operation::Gru => &["Sigmoid", "Tanh"],
        Operation::Tanh => &["Tanh"],
        Operation::Relu => &["Relu"],
    }
}

fn constant_floats(imp: &Importer, name: &str, what: &str) -> Result<(Vec<i64>, Vec<f32>)> {
    match imp.value(name)? {
        Value::Const(c) => Ok((c.dims.clone(), c.floats()?)),
        Value::Tensor(_) => Err(Error::unsupported(format!("{what} ('{name}') must be an initializer"))),
    }
}

fn transposed(imp: &mut Importer, t: TensorId, perm: Vec<i64>) -> Result<TensorId> {
    layer(imp, Shuffle::transpose(perm), &[t])
}

fn recurrent(imp: &mut Importer, node: &NodeProto, op: Operation) -> Result<Vec<Value>> {
    match rnn_v2_operation(imp, node, op) {
        Some(op) => rnn_v2(imp, node, op),
        None => super::recurrent_loop::import(imp, node, op),
    }
}

/// The IRNNv2Layer operation that runs `node` exactly, or None where the layer cannot take
/// it and the recurrence is written out as a loop (recurrent_loop.rs): a reverse-only
/// direction, clip, input_forget, peepholes, GRU's linear_before_reset=0, other activations,
/// weights that are not initializers, a sequence of unknown length, or initial states for a
/// batch of unknown size without sequence lengths.
fn rnn_v2_operation(imp: &Importer, node: &NodeProto, mut op: Operation) -> Option<Operation> {
    let a = Attrs(node);
    if !matches!(a.string("direction").as_deref().unwrap_or("forward"), "forward" | "bidirectional")
        || a.has("clip")
        || a.int("input_forget", 0) != 0
        || (op == Operation::Gru && a.int("linear_before_reset", 0) == 0)
        || (op == Operation::Lstm && optional_input(node, 7).is_some())
    {
        return None;
    }
    if let Some(acts) = a.0.attribute.iter().find(|x| x.name == "activations") {
        let names: Vec<String> = acts.strings.iter().map(|s| String::from_utf8_lossy(s).to_lowercase()).collect();
        if op == Operation::Tanh && !names.is_empty() && names.iter().all(|n| n == "relu") {
            op = Operation::Relu;
        }
        let want: Vec<String> = default_activations(op).iter().map(|s| s.to_lowercase()).collect();
        if names.chunks(want.len()).any(|c| c != want.as_slice()) {
            return None;
        }
    }
    let is_const = |i: usize| optional_input(node, i).is_none_or(|n| matches!(imp.value(n), Ok(Value::Const(_))));
    if !(1..=3).all(is_const) {
        return None;
    }
    let xd = match imp.value(node.input.first()?).ok()? {
        Value::Const(c) => c.dims,
        Value::Tensor(t) => imp.dims(t),
    };
    let layout = a.int("layout", 0);
    let (batch, steps) = match xd[..] {
        [s, b, _] if layout == 0 => (b, s),
        [b, s, _] => (b, s),
        _ => return None,
    };
    let has = |i: usize| optional_input(node, i).is_some();
    let states_need_lengths = !has(4) && (has(5) || (op == Operation::Lstm && has(6)));
    if steps < 0 || (states_need_lengths && batch < 0) || (op == Operation::Lstm && has(6) && !has(5)) {
        return None;
    }
    Some(op)
}

/// The recurrence on one IRNNv2Layer (rnn_v2_operation has checked that it fits).
fn rnn_v2(imp: &mut Importer, node: &NodeProto, op: Operation) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let dirs: i64 = match a.string("direction").as_deref().unwrap_or("forward") {
        "bidirectional" => 2,
        _ => 1,
    };
    let hidden = a.int("hidden_size", 0);
    let layout = a.int("layout", 0);
    let x = imp.tensor(input(node, 0)?)?;
    let xd = imp.dims(x);
    if xd.len() != 3 {
        return Err(Error::invalid_argument(format!("the sequence input must be 3-D, not {}", dims_str(&xd))));
    }
    // The layer takes [batch, time, input].
    let x = if layout == 0 { transposed(imp, x, vec![1, 0, 2])? } else { x };
    let (batch, steps) = if layout == 0 { (xd[1], xd[0]) } else { (xd[0], xd[1]) };
    let (wd, w) = constant_floats(imp, input(node, 1)?, "W")?;
    let (rd, r) = constant_floats(imp, input(node, 2)?, "R")?;
    let gates = onnx_gates(op);
    let g = gates.len() as i64;
    let in_size = xd[2];
    if hidden <= 0 || wd != [dirs, g * hidden, in_size] || rd != [dirs, g * hidden, hidden] {
        return Err(Error::invalid_argument(format!(
            "W {} and R {} do not fit {dirs} direction(s), {g} gate(s), hidden size {hidden} and input size {in_size}",
            dims_str(&wd),
            dims_str(&rd)
        )));
    }
    let b = match optional_input(node, 3) {
        Some(name) => {
            let (bd, b) = constant_floats(imp, name, "B")?;
            if bd != [dirs, 2 * g * hidden] {
                return Err(Error::invalid_argument(format!("B {} should be [{dirs}, {}]", dims_str(&bd), 2 * g * hidden)));
            }
            b
        }
        None => vec![0.0; (dirs * 2 * g * hidden) as usize],
    };
    let mut l = RNNv2::of(1, hidden as i32, steps as i32, op);
    l.direction = if dirs == 2 { BIDIRECTION } else { UNIDIRECTION };
    let (h, i) = (hidden as usize, in_size as usize);
    let slots = slot(dirs as usize, Gate::Input, true);
    l.gate_weights = vec![Weights::default(); slots];
    l.gate_biases = vec![Weights::default(); slots];
    for d in 0..dirs as usize {
        for (k, &gate) in gates.iter().enumerate() {
            let rows = |m: &[f32], width: usize| m[((d * gates.len() + k) * h) * width..((d * gates.len() + k + 1) * h) * width].to_vec();
            l.gate_weights[slot(d, gate, true)] = Weights::from_f32(&rows(&w, i));
            l.gate_weights[slot(d, gate, false)] = Weights::from_f32(&rows(&r, h));
            let base = d * 2 * gates.len() * h;
            let wb = &b[base + k * h..base + (k + 1) * h];
            let rb = &b[base + (gates.len() + k) * h..base + (gates.len() + k + 1) * h];
            l.gate_biases[slot(d, gate, true)] = Weights::from_f32(wb);
            l.gate_biases[slot(d, gate, false)] = Weights::from_f32(rb);
        }
    }
    // Optional inputs: sequence lengths [batch], initial hidden and cell states [dirs, batch,
    // hidden] (layout 0) as the layer's [batch, dirs, hidden].
    let mut inputs = vec![x];
    let state = |imp: &mut Importer, i: usize| -> Result<Option<TensorId>> {
        match optional_input(node, i) {
            None => Ok(None),
            Some(n) => {
                let t = imp.tensor(n)?;
                Ok(Some(if layout == 0 { transposed(imp, t, vec![1, 0, 2])? } else { t }))
            }
        }
    };
    let lens = optional_input(node, 4).map(|n| imp.tensor(n)).transpose()?;
    let h0 = state(imp, 5)?;
    let c0 = if op == Operation::Lstm { state(imp, 6)? } else { None };
    if lens.is_some() || h0.is_some() || c0.is_some() {
        let lens = match lens {
            Some(t) => cast(imp, t, DataType::Int32)?,
            None if batch >= 0 => imp.constant_tensor(&ConstValue::from_i64("lengths", vec![batch], &vec![steps; batch as usize])?)?,
            None => return Err(Error::unsupported("initial states without sequence lengths for a batch of unknown size")),
        };
        inputs.push(lens);
    }
    if let Some(h0) = h0 {
        inputs.push(h0);
    } else if c0.is_some() {
        return Err(Error::unsupported("an initial cell state without an initial hidden state"));
    }
    if let Some(c0) = c0 {
        inputs.push(c0);
    }
    let outs = imp.add_multi(Box::new(l), &inputs)?;
    // Y [batch, time, dirs * hidden] to [time, dirs, batch, hidden] (layout 1: [batch, time, dirs, hidden]).
    let y = reshape_tensor(imp, outs[0], vec![0, 0, dirs, hidden])?;
    let y = if layout == 0 { transposed(imp, y, vec![1, 2, 0, 3])? } else { y };
    let final_state = |imp: &mut Importer, t: TensorId| -> Result<TensorId> {
        if layout == 0 {
            transposed(imp, t, vec![1, 0, 2])
        } else {
            Ok(t)
        }
    };
    let yh = final_state(imp, outs[1])?;
    let mut results = vec![Value::Tensor(y), Value::Tensor(yh)];
    if op == Operation::Lstm {
        results.push(Value::Tensor(final_state(imp, outs[2])?));
    }
    Ok(results)
}
