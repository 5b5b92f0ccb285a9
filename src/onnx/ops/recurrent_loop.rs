//! RNN, GRU and LSTM written out as an ILoop, for the forms IRNNv2Layer cannot take (see
//! recurrent.rs, which picks the path): weights computed at run time, GRU's
//! linear_before_reset=0, LSTM peepholes and input_forget, clip, reverse-only direction,
//! activations other than the defaults, sequences of unknown length.
//!
//! Per direction, the input products X·Wᵀ (+ biases) of every step are one matrix multiply
//! before the loop; the loop iterates them along the time axis (backwards for the reverse
//! direction) and carries H (and LSTM's C) as recurrences. With sequence_lens, a step at
//! time index t >= len[b] leaves batch item b's states as they were and writes 0 to Y: the
//! forward direction keeps its state from len[b] - 1 on, and the reverse direction, whose
//! time index falls from seq - 1, starts from the initial state at len[b] - 1, so each item's
//! sequence is reversed within its own length as ONNX asks. Y of the reverse direction is
//! written in input order (a kREVERSE loop output).

use super::slicing::{add_slice, arith, expand, input_dim, Bound, Dim, SliceSpec};
use super::util::*;
use crate::control::{CONCATENATE, LAST_VALUE, REVERSE, TRIP_COUNT};
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::activation::*;
use crate::layers::elementwise::{LESS, PROD, SUB, SUM};
use crate::layers::generated::{
    Activation, Concatenation, ElementWise, Iterator, LoopOutput, MatrixMultiply, Recurrence, Select, TripLimit,
};
use crate::layers::matmul::{NONE, TRANSPOSE};
use crate::layers::rnn_v2::Operation;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::{dims_str, DataType};

/// The recurrence of one ONNX operator.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cell {
    Rnn,
    Gru { linear_before_reset: bool },
    Lstm { input_forget: bool },
}

impl Cell {
    /// Gates stacked in W, R and each half of B (ONNX orders: GRU zrh, LSTM iofc).
    fn gates(self) -> i64 {
        match self {
            Cell::Rnn => 1,
            Cell::Gru { .. } => 3,
            Cell::Lstm { .. } => 4,
        }
    }

    /// Activations per direction: f (RNN); f, g (GRU); f, g, h (LSTM).
    fn default_activations(self) -> &'static [&'static str] {
        match self {
            Cell::Rnn => &["tanh"],
            Cell::Gru { .. } => &["sigmoid", "tanh"],
            Cell::Lstm { .. } => &["sigmoid", "tanh", "tanh"],
        }
    }
}

/// An activation of ONNX's recurrent list: an activation layer, or alpha * x + beta.
#[derive(Clone, Copy, Debug)]
enum Function {
    Layer(i32),
    Affine,
}

#[derive(Clone, Copy, Debug)]
struct Act {
    function: Function,
    alpha: f32,
    beta: f32,
}

/// What a name of ONNX's recurrent activation list is, with its alpha and beta defaults
/// (the defaults of the ONNX operators of that name; None: it takes no such parameter).
fn activation_by_name(name: &str) -> Option<(Function, Option<f32>, Option<f32>)> {
    use Function::{Affine, Layer};
    Some(match name {
        "relu" => (Layer(RELU), None, None),
        "tanh" => (Layer(TANH), None, None),
        "sigmoid" => (Layer(SIGMOID), None, None),
        "affine" => (Affine, Some(1.0), Some(0.0)),
        "leakyrelu" => (Layer(LEAKY_RELU), Some(0.01), None),
        "thresholdedrelu" => (Layer(THRESHOLDED_RELU), Some(1.0), None),
        "scaledtanh" => (Layer(SCALED_TANH), Some(1.0), Some(1.0)),
        "hardsigmoid" => (Layer(HARD_SIGMOID), Some(0.2), Some(0.5)),
        "elu" => (Layer(ELU), Some(1.0), None),
        "softsign" => (Layer(SOFTSIGN), None, None),
        "softplus" => (Layer(SOFTPLUS), None, None),
        _ => return None,
    })
}

/// The activations of each direction. activation_alpha and activation_beta are consumed in
/// order by the activations that take them (as onnxruntime reads them); past their end an
/// activation keeps its default. One direction's list serves both when bidirectional.
fn activations(a: &Attrs, cell: Cell, dirs: usize) -> Result<Vec<Vec<Act>>> {
    let per_dir = cell.default_activations().len();
    let names: Vec<String> = match a.0.attribute.iter().find(|x| x.name == "activations") {
        Some(list) if !list.strings.is_empty() => list.strings.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect(),
        _ => cell.default_activations().iter().map(|s| s.to_string()).collect(),
    };
    let names: Vec<String> = match names.len() {
        n if n == per_dir * dirs => names,
        n if n == per_dir => names.iter().cycle().take(per_dir * dirs).cloned().collect(),
        n => {
            return Err(Error::invalid_argument(format!("{n} activations given; {per_dir} per direction expected for {dirs} direction(s)")))
        }
    };
    let (alphas, betas) = (a.floats("activation_alpha").unwrap_or_default(), a.floats("activation_beta").unwrap_or_default());
    let (mut alphas, mut betas) = (alphas.into_iter(), betas.into_iter());
    let mut acts = Vec::with_capacity(names.len());
    for name in &names {
        let Some((function, alpha, beta)) = activation_by_name(&name.to_lowercase()) else {
            return Err(Error::unsupported(format!("the recurrent activation '{name}'")));
        };
        let alpha = alpha.map(|d| alphas.next().unwrap_or(d)).unwrap_or(0.0);
        let beta = beta.map(|d| betas.next().unwrap_or(d)).unwrap_or(0.0);
        // ONNX's recurrent Softplus is log(1 + e^x): the layer's alpha * log(1 + e^(beta x)).
        let (alpha, beta) = if matches!(function, Function::Layer(SOFTPLUS)) { (1.0, 1.0) } else { (alpha, beta) };
        acts.push(Act { function, alpha, beta });
    }
    Ok(acts.chunks(per_dir).map(<[Act]>::to_vec).collect())
}

/// What every direction shares.
struct Setup {
    cell: Cell,
    hidden: i64,
    layout: i64,
    clip: Option<f32>,
    /// X ([seq, batch, input] in layout 0, [batch, seq, input] in layout 1).
    x: TensorId,
    w: TensorId,
    r: TensorId,
    b: Option<TensorId>,
    p: Option<TensorId>,
    /// sequence_lens as INT32 [batch].
    lens: Option<TensorId>,
    h0: Option<TensorId>,
    c0: Option<TensorId>,
    /// The number of steps, as a 0-D INT32 tensor and as a Dim.
    steps: TensorId,
    steps_dim: Dim,
    batch: Dim,
}

impl Setup {
    /// X's (and Y's per-direction) time axis.
    fn seq_axis(&self) -> usize {
        if self.layout == 0 {
            0
        } else {
            1
        }
    }

    /// The direction axis of initial_h, initial_c, Y_h and Y_c.
    fn state_dir_axis(&self) -> usize {
        if self.layout == 0 {
            0
        } else {
            1
        }
    }
}

fn slice_axis(imp: &mut Importer, t: TensorId, axis: usize, start: i64, len: i64) -> Result<TensorId> {
    let rank = imp.dims(t).len();
    add_slice(imp, t, SliceSpec::range_on_axis(rank, axis, start, len))
}

/// Index `k` of `axis`, that axis removed.
fn pick(imp: &mut Importer, t: TensorId, axis: usize, k: i64) -> Result<TensorId> {
    let s = slice_axis(imp, t, axis, k, 1)?;
    squeeze(imp, s, &[axis])
}

fn add(imp: &mut Importer, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(SUM), &[a, b])
}

fn mul(imp: &mut Importer, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, ElementWise::of(PROD), &[a, b])
}

/// a · bᵀ.
fn times_transposed(imp: &mut Importer, a: TensorId, b: TensorId) -> Result<TensorId> {
    layer(imp, MatrixMultiply::of(NONE, TRANSPOSE), &[a, b])
}

/// An activation, its input first bounded to [-clip, clip] when clip is given (every
/// activation's input, LSTM's h(C) included, as the operator text says; the cell state
/// carried on is not clipped).
fn activate(imp: &mut Importer, s: &Setup, x: TensorId, act: Act) -> Result<TensorId> {
    let x = match s.clip {
        Some(c) => layer(imp, Activation::of(CLIP, -c, c), &[x])?,
        None => x,
    };
    match act.function {
        Function::Layer(kind) => layer(imp, Activation::of(kind, act.alpha, act.beta), &[x]),
        Function::Affine => {
            let alpha = scalar_like(imp, x, act.alpha as f64)?;
            let beta = scalar_like(imp, x, act.beta as f64)?;
            let scaled = mul(imp, x, alpha)?;
            add(imp, scaled, beta)
        }
    }
}

/// A state of zeros, [batch, hidden], of X's type.
fn zero_state(imp: &mut Importer, s: &Setup) -> Result<TensorId> {
    let zero = scalar(imp, imp.net.tensors[s.x].dtype, 0.0, 2)?;
    let target = match s.batch {
        Dim::Num(b) => Bound::Known(vec![b, s.hidden]),
        Dim::Tensor(b) => {
            let h = ints_tensor(imp, &[s.hidden])?;
            Bound::Tensor(concat_1d(imp, &[b, h])?)
        }
    };
    expand(imp, zero, target)
}

/// Direction `d`'s initial state from initial_h or initial_c, or zeros.
fn initial_state(imp: &mut Importer, s: &Setup, given: Option<TensorId>, d: i64) -> Result<TensorId> {
    match given {
        Some(t) => pick(imp, t, s.state_dir_axis(), d),
        None => zero_state(imp, s),
    }
}

/// One direction's outputs: Y ([seq, batch, hidden] in layout 0, [batch, seq, hidden] in
/// layout 1), Y_h and Y_c ([batch, hidden]).
struct DirectionOutputs {
    y: TensorId,
    y_h: TensorId,
    y_c: Option<TensorId>,
}

/// The loop of direction `d`.
fn direction(imp: &mut Importer, s: &Setup, d: i64, reverse: bool, acts: &[Act]) -> Result<DirectionOutputs> {
    let (h, g) = (s.hidden, s.cell.gates());
    // Input products of every step, with the biases that do not depend on the state.
    let w = slice_axis(imp, s.w, 0, d, 1)?;
    let mut xw = times_transposed(imp, s.x, w)?;
    let r = pick(imp, s.r, 0, d)?;
    let (mut wb, mut rb) = (None, None);
    if let Some(b) = s.b {
        let b = slice_axis(imp, b, 0, d, 1)?;
        wb = Some(slice_axis(imp, b, 1, 0, g * h)?);
        rb = Some(slice_axis(imp, b, 1, g * h, g * h)?);
    }
    // GRU keeps R's bias inside the loop (linear_before_reset applies the reset gate to it).
    let input_bias = match (s.cell, wb, rb) {
        (_, None, _) => None,
        (Cell::Gru { .. }, Some(wb), _) => Some(wb),
        (_, Some(wb), Some(rb)) => Some(add(imp, wb, rb)?),
        (_, Some(wb), None) => Some(wb),
    };
    if let Some(bias) = input_bias {
        let bias = reshape_tensor(imp, bias, vec![1, 1, g * h])?;
        xw = add(imp, xw, bias)?;
    }
    let peepholes = match s.p {
        Some(p) => {
            let p = slice_axis(imp, p, 0, d, 1)?;
            Some([slice_axis(imp, p, 1, 0, h)?, slice_axis(imp, p, 1, h, h)?, slice_axis(imp, p, 1, 2 * h, h)?])
        }
        None => None,
    };

    let id = imp.net.add_loop()?;
    imp.add_layer(Box::new(TripLimit::of(id, TRIP_COUNT)), &[s.steps])?;
    let x_t = layer(imp, Iterator::of(id, s.seq_axis() as i32, reverse), &[xw])?;
    let h_init = initial_state(imp, s, s.h0, d)?;
    let h_rec = imp.add_layer(Box::new(Recurrence::of(id)), &[h_init])?;
    let h_prev = imp.net.layers[h_rec].outputs[0];
    let c_rec = match s.cell {
        Cell::Lstm { .. } => {
            let c_init = initial_state(imp, s, s.c0, d)?;
            Some(imp.add_layer(Box::new(Recurrence::of(id)), &[c_init])?)
        }
        _ => None,
    };
    let c_prev = c_rec.map(|c| imp.net.layers[c].outputs[0]);

    let gate = |imp: &mut Importer, t: TensorId, k: i64| slice_axis(imp, t, 1, k * h, h);
    let (h_next, c_next) = match s.cell {
        Cell::Rnn => {
            let hr = times_transposed(imp, h_prev, r)?;
            let pre = add(imp, x_t, hr)?;
            (activate(imp, s, pre, acts[0])?, None)
        }
        Cell::Gru { linear_before_reset } => {
            let r_zr = slice_axis(imp, r, 0, 0, 2 * h)?;
            let r_h = slice_axis(imp, r, 0, 2 * h, h)?;
            let mut h_zr = times_transposed(imp, h_prev, r_zr)?;
            let mut rb_h = None;
            if let Some(rb) = rb {
                let rb_zr = slice_axis(imp, rb, 1, 0, 2 * h)?;
                h_zr = add(imp, h_zr, rb_zr)?;
                rb_h = Some(slice_axis(imp, rb, 1, 2 * h, h)?);
            }
            let (xz, xr, xh) = (gate(imp, x_t, 0)?, gate(imp, x_t, 1)?, gate(imp, x_t, 2)?);
            let (hz, hr) = (gate(imp, h_zr, 0)?, gate(imp, h_zr, 1)?);
            let z_pre = add(imp, xz, hz)?;
            let z = activate(imp, s, z_pre, acts[0])?;
            let r_pre = add(imp, xr, hr)?;
            let reset = activate(imp, s, r_pre, acts[0])?;
            // linear_before_reset=1: r ⊙ (H·Rhᵀ + Rbh); 0: (r ⊙ H)·Rhᵀ + Rbh.
            let mut recurrent = if linear_before_reset {
                times_transposed(imp, h_prev, r_h)?
            } else {
                let reset_h = mul(imp, reset, h_prev)?;
                times_transposed(imp, reset_h, r_h)?
            };
            if let Some(rb_h) = rb_h {
                recurrent = add(imp, recurrent, rb_h)?;
            }
            if linear_before_reset {
                recurrent = mul(imp, reset, recurrent)?;
            }
            let h_pre = add(imp, xh, recurrent)?;
            let candidate = activate(imp, s, h_pre, acts[1])?;
            // (1 - z) ⊙ h̃ + z ⊙ H
            let one = scalar_like(imp, z, 1.0)?;
            let keep_new = layer(imp, ElementWise::of(SUB), &[one, z])?;
            let new_part = mul(imp, keep_new, candidate)?;
            let old_part = mul(imp, z, h_prev)?;
            (add(imp, new_part, old_part)?, None)
        }
        Cell::Lstm { input_forget } => {
            let c_prev = c_prev.ok_or_else(|| Error::internal("an LSTM without a cell state"))?;
            let hr = times_transposed(imp, h_prev, r)?;
            let pre = add(imp, x_t, hr)?;
            let (mut i_pre, mut o_pre, mut f_pre, c_pre) = (gate(imp, pre, 0)?, gate(imp, pre, 1)?, gate(imp, pre, 2)?, gate(imp, pre, 3)?);
            if let Some([p_i, _, p_f]) = peepholes {
                let pi = mul(imp, p_i, c_prev)?;
                i_pre = add(imp, i_pre, pi)?;
                let pf = mul(imp, p_f, c_prev)?;
                f_pre = add(imp, f_pre, pf)?;
            }
            let i = activate(imp, s, i_pre, acts[0])?;
            // input_forget couples the gates: f = 1 - i.
            let f = if input_forget {
                let one = scalar_like(imp, i, 1.0)?;
                layer(imp, ElementWise::of(SUB), &[one, i])?
            } else {
                activate(imp, s, f_pre, acts[0])?
            };
            let candidate = activate(imp, s, c_pre, acts[1])?;
            let kept = mul(imp, f, c_prev)?;
            let added = mul(imp, i, candidate)?;
            let c = add(imp, kept, added)?;
            // The output gate's peephole reads the new cell state.
            if let Some([_, p_o, _]) = peepholes {
                let po = mul(imp, p_o, c)?;
                o_pre = add(imp, o_pre, po)?;
            }
            let o = activate(imp, s, o_pre, acts[0])?;
            let hc = activate(imp, s, c, acts[2])?;
            (mul(imp, o, hc)?, Some(c))
        }
    };

    // Past an item's length its states stay and its Y is 0.
    let (h_next, c_next, y_t) = match s.lens {
        None => (h_next, c_next, h_next),
        Some(lens) => {
            let live = step_mask(imp, s, id, reverse, lens)?;
            let zero = scalar_like(imp, h_next, 0.0)?;
            let y_t = layer(imp, Select::new(), &[live, h_next, zero])?;
            let h_kept = layer(imp, Select::new(), &[live, h_next, h_prev])?;
            let c_kept = match (c_next, c_prev) {
                (Some(c), Some(prev)) => Some(layer(imp, Select::new(), &[live, c, prev])?),
                _ => None,
            };
            (h_kept, c_kept, y_t)
        }
    };
    imp.net.set_layer_input(h_rec, 1, h_next)?;
    let y_kind = if reverse { REVERSE } else { CONCATENATE };
    let y = layer(imp, LoopOutput::of(id, y_kind, s.seq_axis() as i32), &[y_t])?;
    let y_h = layer(imp, LoopOutput::of(id, LAST_VALUE, 0), &[h_prev])?;
    let y_c = match (c_rec, c_next, c_prev) {
        (Some(c_rec), Some(c_next), Some(c_prev)) => {
            imp.net.set_layer_input(c_rec, 1, c_next)?;
            Some(layer(imp, LoopOutput::of(id, LAST_VALUE, 0), &[c_prev])?)
        }
        _ => None,
    };
    Ok(DirectionOutputs { y, y_h, y_c })
}

/// Inside loop `id`: which batch items are within their length at this step, as BOOL
/// [batch, 1]. The time index counts up from 0, or down from seq - 1 when reversed.
fn step_mask(imp: &mut Importer, s: &Setup, id: u32, reverse: bool, lens: TensorId) -> Result<TensorId> {
    let first = if reverse { arith(imp, SUB, s.steps_dim, Dim::Num(1))? } else { Dim::Num(0) };
    let first = match first {
        Dim::Num(v) => ints_tensor(imp, &[v])?,
        Dim::Tensor(t) => reshape_tensor(imp, t, vec![1])?,
    };
    let counter = imp.add_layer(Box::new(Recurrence::of(id)), &[first])?;
    let t = imp.net.layers[counter].outputs[0];
    let step = ints_tensor(imp, &[if reverse { -1 } else { 1 }])?;
    let next = add(imp, t, step)?;
    imp.net.set_layer_input(counter, 1, next)?;
    let live = layer(imp, ElementWise::of(LESS), &[t, lens])?;
    reshape_tensor(imp, live, vec![-1, 1])
}

/// Checks a tensor's known dims against the expected ones (unknown dims pass).
fn check_dims(imp: &Importer, t: TensorId, want: &[i64], what: &str) -> Result<()> {
    let dims = imp.dims(t);
    let fits = dims.len() == want.len() && dims.iter().zip(want).all(|(&d, &w)| d < 0 || w < 0 || d == w);
    if !fits {
        return Err(Error::invalid_argument(format!("{what} is {}; {} expected", dims_str(&dims), dims_str(want))));
    }
    Ok(())
}

pub fn import(imp: &mut Importer, node: &NodeProto, op: Operation) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let cell = match op {
        Operation::Tanh | Operation::Relu => Cell::Rnn,
        Operation::Gru => Cell::Gru { linear_before_reset: a.int("linear_before_reset", 0) != 0 },
        Operation::Lstm => Cell::Lstm { input_forget: a.int("input_forget", 0) != 0 },
    };
    let (dirs, reverse_only) = match a.string("direction").as_deref().unwrap_or("forward") {
        "forward" => (1, false),
        "reverse" => (1, true),
        "bidirectional" => (2, false),
        other => return Err(Error::invalid_argument(format!("unknown direction '{other}'"))),
    };
    let acts = activations(&a, cell, dirs as usize)?;
    let clip = if a.has("clip") { Some(a.float("clip", 0.0)) } else { None };
    if clip.is_some_and(|c| c.is_nan() || c < 0.0) {
        return Err(Error::invalid_argument("clip must not be negative"));
    }
    let layout = a.int("layout", 0);
    if layout != 0 && layout != 1 {
        return Err(Error::invalid_argument(format!("layout {layout} (0 or 1 expected)")));
    }
    let x = imp.tensor(input(node, 0)?)?;
    let xd = imp.dims(x);
    if xd.len() != 3 {
        return Err(Error::invalid_argument(format!("the sequence input must be 3-D, not {}", dims_str(&xd))));
    }
    let dtype = imp.net.tensors[x].dtype;
    if !matches!(dtype, DataType::Float | DataType::Half) {
        return Err(Error::unsupported(format!("a recurrence over {dtype:?} values")));
    }
    let w = imp.tensor(input(node, 1)?)?;
    let r = imp.tensor(input(node, 2)?)?;
    let rd = imp.dims(r);
    let hidden = match a.int("hidden_size", 0) {
        h if h > 0 => h,
        _ if rd.len() == 3 && rd[2] > 0 => rd[2],
        _ => return Err(Error::unsupported("a recurrence without hidden_size whose R has no known last dimension")),
    };
    let g = cell.gates();
    let gh =
        g.checked_mul(hidden).filter(|v| *v <= i32::MAX as i64 / 2).ok_or_else(|| Error::invalid_argument("hidden_size is too large"))?;
    check_dims(imp, w, &[dirs, gh, xd[2]], "W")?;
    check_dims(imp, r, &[dirs, gh, hidden], "R")?;
    let optional = |imp: &mut Importer, i: usize| optional_input(node, i).map(|n| imp.tensor(n)).transpose();
    let b = optional(imp, 3)?;
    if let Some(b) = b {
        check_dims(imp, b, &[dirs, 2 * gh], "B")?;
    }
    let (seq_axis, batch_axis) = if layout == 0 { (0, 1) } else { (1, 0) };
    let state_dims = if layout == 0 { [dirs, xd[1], hidden] } else { [xd[0], dirs, hidden] };
    let lens = match optional(imp, 4)? {
        Some(t) => {
            check_dims(imp, t, &[xd[batch_axis]], "sequence_lens")?;
            Some(cast(imp, t, DataType::Int32)?)
        }
        None => None,
    };
    let h0 = optional(imp, 5)?;
    let (mut c0, mut p) = (None, None);
    if let Cell::Lstm { .. } = cell {
        c0 = optional(imp, 6)?;
        p = optional(imp, 7)?;
    }
    for (t, what) in [(h0, "initial_h"), (c0, "initial_c")] {
        if let Some(t) = t {
            check_dims(imp, t, &state_dims, what)?;
        }
    }
    if let Some(p) = p {
        check_dims(imp, p, &[dirs, 3 * hidden], "P")?;
    }
    for t in [Some(w), Some(r), b, h0, c0, p].into_iter().flatten() {
        if imp.net.tensors[t].dtype != dtype {
            return Err(Error::invalid_argument(format!("the recurrence's inputs must all be {dtype:?}")));
        }
    }
    let steps_dim = input_dim(imp, x, seq_axis)?;
    let steps = match steps_dim {
        Dim::Num(n) => imp.constant_tensor(&ConstValue::from_i64("the step count", vec![], &[n])?)?,
        Dim::Tensor(t) => reshape_tensor(imp, t, vec![])?,
    };
    let batch = input_dim(imp, x, batch_axis)?;
    let s = Setup { cell, hidden, layout, clip, x, w, r, b, p, lens, h0, c0, steps, steps_dim, batch };

    let mut outs = Vec::with_capacity(dirs as usize);
    for d in 0..dirs {
        let reverse = reverse_only || d == 1;
        outs.push(direction(imp, &s, d, reverse, &acts[d as usize])?);
    }
    // Y: [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]); Y_h and Y_c:
    // [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]).
    let y_dir_axis = if layout == 0 { 1 } else { 2 };
    let y = stack(imp, &outs.iter().map(|o| o.y).collect::<Vec<_>>(), y_dir_axis)?;
    let y_h = stack(imp, &outs.iter().map(|o| o.y_h).collect::<Vec<_>>(), s.state_dir_axis())?;
    let mut results = vec![Value::Tensor(y), Value::Tensor(y_h)];
    if let Cell::Lstm { .. } = cell {
        let cs: Vec<TensorId> = outs.iter().filter_map(|o| o.y_c).collect();
        results.push(Value::Tensor(stack(imp, &cs, s.state_dir_axis())?));
    }
    Ok(results)
}

/// Tensors of one shape stacked along a new axis.
fn stack(imp: &mut Importer, parts: &[TensorId], axis: usize) -> Result<TensorId> {
    let parts = parts.iter().map(|&t| unsqueeze(imp, t, &[axis])).collect::<Result<Vec<_>>>()?;
    if parts.len() == 1 {
        return Ok(parts[0]);
    }
    layer(imp, Concatenation::on_axis(axis as i32), &parts)
}
