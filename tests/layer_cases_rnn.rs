//! Cases for IRNNv2Layer through the table-driven harness (tests/common/cases.rs): every
//! case runs on every backend this machine has, against a reference written here in f64
//! from TensorRT's definition (nvinfer1::RNNOperation's equations, the layer-index and
//! output layout of IRNNv2Layer), never by calling the code under test. Every operation x
//! direction x input mode in kFLOAT and kHALF, several stacked layers, index dimensions,
//! sequences shorter than the maximum, initial hidden and cell states, and each of the three
//! outputs; a few cases have values worked out by hand in a comment. Then what the layer
//! refuses, and the layer in an implicit-batch network.

mod common;

use common::cases::*;
use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::layers::generated::RNNv2;
use nvinfer::layers::{Param, Params};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::DataType;
use nvinfer::weights::Weights;
use std::sync::Arc;

use DataType::{Float, Half, Int32};

// nvinfer1::RNNOperation, RNNGateType (NvInfer.h).
const RELU: i32 = 0;
const TANH: i32 = 1;
const LSTM: i32 = 2;
const GRU: i32 = 3;
const G_INPUT: usize = 0;
const G_OUTPUT: usize = 1;
const G_FORGET: usize = 2;
const G_UPDATE: usize = 3;
const G_RESET: usize = 4;
const G_CELL: usize = 5;
const G_HIDDEN: usize = 6;

fn op_name(op: i32) -> &'static str {
    ["kRELU", "kTANH", "kLSTM", "kGRU"][op as usize]
}

/// The gates an operation uses (RNNGateType values), in the order `cell` reads them.
fn gates_of(op: i32) -> &'static [usize] {
    match op {
        LSTM => &[G_INPUT, G_FORGET, G_CELL, G_OUTPUT],
        GRU => &[G_UPDATE, G_RESET, G_HIDDEN],
        _ => &[G_INPUT],
    }
}

#[derive(Clone, Copy, Debug)]
struct Config {
    op: i32,
    layers: usize,
    hidden: usize,
    data: usize,
    seq: usize,
    bidirectional: bool,
    skip: bool,
}

impl Config {
    fn dirs(&self) -> usize {
        1 + self.bidirectional as usize
    }
    /// Layer indices: stacked layers times directions (2l forward, 2l + 1 backward).
    fn indices(&self) -> usize {
        self.layers * self.dirs()
    }
    /// What layer index `p` reads per step: the data, or both directions of the layer below.
    fn width_in(&self, p: usize) -> usize {
        if p < self.dirs() {
            self.data
        } else {
            self.dirs() * self.hidden
        }
    }
    fn has_w(&self, p: usize) -> bool {
        !(self.skip && p < self.dirs())
    }
}

/// One gate's parameters: W [H, in] (absent under kSKIP), R [H, H], the two biases [H].
#[derive(Clone, Debug)]
struct GateParams {
    w: Option<Vec<f64>>,
    r: Vec<f64>,
    wb: Vec<f64>,
    rb: Vec<f64>,
}

/// Pseudo-random parameters per layer index and gate, exactly representable in `dtype`,
/// scaled by the fan-in so that states stay of order one.
fn random_params(cfg: &Config, dtype: DataType, seed: u64) -> Vec<Vec<GateParams>> {
    let mut seed = seed;
    let mut values = |n: usize, scale: f64| {
        seed += 1;
        let v: Vec<f64> = common::random(n, seed).iter().map(|&x| x as f64 * scale).collect();
        representable(dtype, &v)
    };
    let h = cfg.hidden;
    (0..cfg.indices())
        .map(|p| {
            let input = cfg.width_in(p);
            gates_of(cfg.op)
                .iter()
                .map(|_| GateParams {
                    w: cfg.has_w(p).then(|| values(h * input, 1.5 / (input as f64).sqrt())),
                    r: values(h * h, 1.5 / (h as f64).sqrt()),
                    wb: values(h, 0.5),
                    rb: values(h, 0.5),
                })
                .collect()
        })
        .collect()
}

fn weights(dtype: DataType, v: &[f64]) -> Weights {
    let f: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    match dtype {
        Half => Weights::from_f16(&f.iter().map(|&x| half::f16::from_f32(x)).collect::<Vec<_>>()),
        _ => Weights::from_f32(&f),
    }
}

/// The layer as the C++ API configures it: addRNNv2's parameters, then each gate's
/// weights and biases under the keys IRNNv2Layer::setWeightsForGate / setBiasForGate use,
/// "gate_weights[i]" and "gate_biases[i]" with i = (layer index * 7 + RNNGateType) * 2 +
/// (0 for W, 1 for R).
fn layer(cfg: &Config, params: &[Vec<GateParams>], dtype: DataType) -> RNNv2 {
    let mut l = RNNv2::new();
    let mut set = |key: &str, p: Param| l.set_param(key, p).unwrap_or_else(|e| panic!("{key}: {}", e.message));
    set("layer_count", Param::Ints(vec![cfg.layers as i64]));
    set("hidden_size", Param::Ints(vec![cfg.hidden as i64]));
    set("max_seq_length", Param::Ints(vec![cfg.seq as i64]));
    set("operation", Param::Ints(vec![cfg.op as i64]));
    set("direction", Param::Ints(vec![cfg.bidirectional as i64]));
    set("input_mode", Param::Ints(vec![cfg.skip as i64]));
    for (p, gates) in params.iter().enumerate() {
        for (g, &gate) in gates.iter().zip(gates_of(cfg.op)) {
            let slot = |is_w: bool| (p * 7 + gate) * 2 + usize::from(!is_w);
            if let Some(w) = &g.w {
                set(&format!("gate_weights[{}]", slot(true)), Param::Weights(weights(dtype, w)));
            }
            set(&format!("gate_weights[{}]", slot(false)), Param::Weights(weights(dtype, &g.r)));
            set(&format!("gate_biases[{}]", slot(true)), Param::Weights(weights(dtype, &g.wb)));
            set(&format!("gate_biases[{}]", slot(false)), Param::Weights(weights(dtype, &g.rb)));
        }
    }
    l
}

// ---------------------------------------------------------------- the reference (f64)

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// m [rows, v.len()] times v.
fn matvec(m: &[f64], v: &[f64]) -> Vec<f64> {
    m.chunks(v.len()).map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum()).collect()
}

fn plus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

/// One step: (H[t], C[t]) from X[t], H[t-1], C[t-1], by nvinfer1::RNNOperation's equations.
fn cell(op: i32, gates: &[GateParams], x: &[f64], h: &[f64], c: &[f64]) -> (Vec<f64>, Vec<f64>) {
    // W[g].X[t] + Wb[g] (X[t] itself under kSKIP) and R[g].H[t-1] + Rb[g].
    let from_x = |g: &GateParams| plus(&g.w.as_ref().map_or(x.to_vec(), |w| matvec(w, x)), &g.wb);
    let from_h = |g: &GateParams| plus(&matvec(&g.r, h), &g.rb);
    let both = |k: usize| plus(&from_x(&gates[k]), &from_h(&gates[k]));
    match op {
        RELU => (both(0).iter().map(|v| v.max(0.0)).collect(), c.to_vec()),
        TANH => (both(0).iter().map(|v| v.tanh()).collect(), c.to_vec()),
        LSTM => {
            let (i, f, g, o) = (both(0), both(1), both(2), both(3));
            let c_new: Vec<f64> = (0..h.len()).map(|j| sigmoid(f[j]) * c[j] + sigmoid(i[j]) * g[j].tanh()).collect();
            let h_new = (0..h.len()).map(|j| sigmoid(o[j]) * c_new[j].tanh()).collect();
            (h_new, c_new)
        }
        _ => {
            // The reset gate scales R[h].H[t-1] + Rb[h], after the product.
            let (z, r) = (both(0), both(1));
            let (xh, hh) = (from_x(&gates[2]), from_h(&gates[2]));
            let h_new = (0..h.len())
                .map(|j| {
                    let (z, r) = (sigmoid(z[j]), sigmoid(r[j]));
                    (1.0 - z) * (xh[j] + r * hh[j]).tanh() + z * h[j]
                })
                .collect();
            (h_new, c.to_vec())
        }
    }
}

/// The three outputs for `batch` sequences: [batch, S, K*H], [batch, L, H], [batch, L, H].
#[allow(clippy::too_many_arguments)]
fn reference(
    cfg: &Config,
    params: &[Vec<GateParams>],
    batch: usize,
    x: &[f64],
    lens: &[usize],
    h0: Option<&[f64]>,
    c0: Option<&[f64]>,
) -> [Vec<f64>; 3] {
    let (h, k, n) = (cfg.hidden, cfg.dirs(), cfg.indices());
    let mut y = vec![0.0; batch * cfg.seq * k * h];
    let mut hf = vec![0.0; batch * n * h];
    let mut cf = vec![0.0; batch * n * h];
    for b in 0..batch {
        let len = lens[b];
        // This sequence's steps, as the next layer reads them.
        let mut steps: Vec<Vec<f64>> = (0..len).map(|t| x[(b * cfg.seq + t) * cfg.data..][..cfg.data].to_vec()).collect();
        for l in 0..cfg.layers {
            let mut next = vec![vec![]; len];
            for d in 0..k {
                let p = l * k + d;
                let state = |s: Option<&[f64]>| s.map_or(vec![0.0; h], |s| s[(b * n + p) * h..][..h].to_vec());
                let (mut hs, mut cs) = (state(h0), state(c0));
                let order: Vec<usize> = if d == 0 { (0..len).collect() } else { (0..len).rev().collect() };
                let mut outs = vec![vec![]; len];
                for t in order {
                    (hs, cs) = cell(cfg.op, &params[p], &steps[t], &hs, &cs);
                    outs[t] = hs.clone();
                }
                for t in 0..len {
                    next[t].extend(&outs[t]);
                }
                hf[(b * n + p) * h..][..h].copy_from_slice(&hs);
                cf[(b * n + p) * h..][..h].copy_from_slice(&cs);
            }
            steps = next;
        }
        for (t, v) in steps.iter().enumerate() {
            y[(b * cfg.seq + t) * k * h..][..k * h].copy_from_slice(v);
        }
    }
    [y, hf, cf]
}

// ---------------------------------------------------------------- cases

/// What a set of cases feeds the layer besides the data.
#[derive(Clone, Default)]
struct Extras {
    lens: Option<Vec<i64>>,
    hidden: bool,
    cell: bool,
}

/// Cases comparing each output of one configuration.
fn cases_for(cfg: Config, dtype: DataType, lead: &[i64], extras: &Extras, seed: u64) -> Vec<Case> {
    let params = random_params(&cfg, dtype, seed);
    let batch = lead.iter().product::<i64>() as usize;
    let dims = |tail: &[usize]| lead.iter().copied().chain(tail.iter().map(|&v| v as i64)).collect::<Vec<i64>>();
    let x = rand(dtype, &dims(&[cfg.seq, cfg.data]), seed + 100);
    let mut inputs = vec![x.clone()];
    let mut slots = vec![0];
    let lens: Vec<usize> = extras.lens.clone().map_or(vec![cfg.seq; batch], |l| l.iter().map(|&v| v as usize).collect());
    if let Some(l) = &extras.lens {
        inputs.push(t(Int32, lead, l.iter().map(|&v| v as f64).collect()));
        slots.push(1);
    }
    let state_dims = dims(&[cfg.indices(), cfg.hidden]);
    let h0 = extras.hidden.then(|| rand(dtype, &state_dims, seed + 200));
    let c0 = extras.cell.then(|| rand(dtype, &state_dims, seed + 300));
    for (s, slot) in [(&h0, 2), (&c0, 3)] {
        if let Some(s) = s {
            inputs.push(s.clone());
            slots.push(slot);
        }
    }
    let outs = reference(&cfg, &params, batch, &x.values, &lens, h0.as_ref().map(|v| &v.values[..]), c0.as_ref().map(|v| &v.values[..]));
    let what = format!(
        "{} {} {} L={} H={} E={} S={} dims {:?}{}{}{}",
        op_name(cfg.op),
        if cfg.bidirectional { "kBIDIRECTION" } else { "kUNIDIRECTION" },
        if cfg.skip { "kSKIP" } else { "kLINEAR" },
        cfg.layers,
        cfg.hidden,
        cfg.data,
        cfg.seq,
        x.dims,
        extras.lens.as_ref().map_or(String::new(), |l| format!(" lengths {l:?}")),
        if extras.hidden { " h0" } else { "" },
        if extras.cell { " c0" } else { "" },
    );
    let out_dims = [dims(&[cfg.seq, cfg.dirs() * cfg.hidden]), state_dims.clone(), state_dims];
    let last = if cfg.op == LSTM { 3 } else { 2 };
    (0..last)
        .map(|o| {
            let expected = out(dtype, &out_dims[o], outs[o].clone());
            case(what.clone(), layer(&cfg, &params, dtype), inputs.clone(), expected).at_slots(&slots).output(o)
        })
        .collect()
}

#[test]
fn every_operation_direction_and_input_mode() {
    let mut cases = vec![];
    let mut seed = 1;
    for op in [RELU, TANH, LSTM, GRU] {
        for bidirectional in [false, true] {
            for skip in [false, true] {
                for dtype in [Float, Half] {
                    seed += 10;
                    let cfg = Config { op, layers: 2, hidden: 3, data: if skip { 3 } else { 4 }, seq: 4, bidirectional, skip };
                    // Alternate what else is given, so each combination meets lengths and states.
                    let k = seed / 10;
                    let extras = Extras { lens: (k % 2 == 0).then(|| vec![4, 2, 1]), hidden: k % 3 != 0, cell: op == LSTM && k % 2 == 1 };
                    cases.extend(cases_for(cfg, dtype, &[3], &extras, seed));
                }
            }
        }
    }
    check("RNNv2", cases);
}

#[test]
fn deeper_stacks_index_dims_and_every_extra_input() {
    let mut cases = vec![];
    for (i, op) in [LSTM, GRU, TANH].into_iter().enumerate() {
        for dtype in [Float, Half] {
            let cfg = Config { op, layers: 3, hidden: 4, data: 5, seq: 5, bidirectional: i != 1, skip: false };
            let extras = Extras { lens: Some(vec![5, 3, 1, 4]), hidden: true, cell: op == LSTM };
            cases.extend(cases_for(cfg, dtype, &[2, 2], &extras, 500 + i as u64));
        }
    }
    // No index dims at all: one sequence [S, E], its length a 0-D tensor.
    let cfg = Config { op: GRU, layers: 2, hidden: 2, data: 3, seq: 3, bidirectional: true, skip: false };
    cases.extend(cases_for(cfg, Float, &[], &Extras { lens: Some(vec![2]), hidden: true, cell: false }, 900));
    // A sequence as long as the maximum next to one of a single step, one layer, wider H.
    let cfg = Config { op: RELU, layers: 1, hidden: 6, data: 2, seq: 6, bidirectional: true, skip: false };
    cases.extend(cases_for(cfg, Float, &[2], &Extras { lens: Some(vec![1, 6]), ..Default::default() }, 950));
    check("RNNv2", cases);
}

// ---------------------------------------------------------------- worked by hand

/// Every weight 1 and every bias 0: a layer whose numbers can be followed by hand.
fn ones_layer(cfg: &Config, dtype: DataType) -> RNNv2 {
    let h = cfg.hidden;
    let params: Vec<Vec<GateParams>> = (0..cfg.indices())
        .map(|p| {
            let gate = GateParams {
                w: cfg.has_w(p).then(|| vec![1.0; h * cfg.width_in(p)]),
                r: vec![1.0; h * h],
                wb: vec![0.0; h],
                rb: vec![0.0; h],
            };
            vec![gate; gates_of(cfg.op).len()]
        })
        .collect();
    layer(cfg, &params, dtype)
}

/// [rows, n] with each row repeating its value n times.
fn rows(values: &[f64], n: usize) -> Vec<f64> {
    values.iter().flat_map(|&v| std::iter::repeat_n(v, n)).collect()
}

#[test]
fn worked_by_hand() {
    let mut cases = vec![];
    // kRELU, 1 layer, H = 5, E = 7, every weight 1, biases 0, every input value 1, so each
    // unit of H[t] is 7 (W.x: seven ones) plus 5 * H[t-1] (R.h: five equal units):
    //   H[0] = 7, H[1] = 7 + 35 = 42, H[2] = 7 + 210 = 217, H[3] = 7 + 1085 = 1092.
    // With lengths [4, 3, 2] the steps past each length are 0, and the final hidden state
    // is the last step run: 1092, 217, 42.
    let cfg = Config { op: RELU, layers: 1, hidden: 5, data: 7, seq: 4, bidirectional: false, skip: false };
    let x = t(Float, &[3, 4, 7], vec![1.0; 84]);
    let lens = t(Int32, &[3], vec![4.0, 3.0, 2.0]);
    let y: Vec<f64> = [[7.0, 42.0, 217.0, 1092.0], [7.0, 42.0, 217.0, 0.0], [7.0, 42.0, 0.0, 0.0]].concat();
    cases.push(case(
        "kRELU by hand, lengths 4 3 2",
        ones_layer(&cfg, Float),
        vec![x.clone(), lens.clone()],
        out(Float, &[3, 4, 5], rows(&y, 5)),
    ));
    cases.push(
        case(
            "kRELU by hand, lengths 4 3 2",
            ones_layer(&cfg, Float),
            vec![x, lens],
            out(Float, &[3, 1, 5], rows(&[1092.0, 217.0, 42.0], 5)),
        )
        .output(1),
    );
    // The same bidirectional, every sequence full: the backward direction meets the same
    // numbers in reverse, so step t is [forward H[t], backward H[3 - t]], and both final
    // states are 1092 (layer indices 0 forward, 1 backward).
    let cfg = Config { bidirectional: true, ..cfg };
    let x = t(Float, &[1, 4, 7], vec![1.0; 28]);
    let y: Vec<f64> = [[7.0, 1092.0], [42.0, 217.0], [217.0, 42.0], [1092.0, 7.0]].iter().flat_map(|r| rows(r, 5)).collect();
    cases.push(case("kRELU kBIDIRECTION by hand", ones_layer(&cfg, Float), vec![x.clone()], out(Float, &[1, 4, 10], y)));
    cases.push(case("kRELU kBIDIRECTION by hand", ones_layer(&cfg, Float), vec![x], out(Float, &[1, 2, 5], vec![1092.0; 10])).output(1));
    // kSKIP: no W, the input (E = H = 5 ones) is added as it is: H[t] = 1 + 5 * H[t-1]:
    // 1, 6, 31, 156.
    let cfg = Config { op: RELU, layers: 1, hidden: 5, data: 5, seq: 4, bidirectional: false, skip: true };
    let x = t(Float, &[1, 4, 5], vec![1.0; 20]);
    cases.push(case("kRELU kSKIP by hand", ones_layer(&cfg, Float), vec![x], out(Float, &[1, 4, 5], rows(&[1.0, 6.0, 31.0, 156.0], 5))));
    // kLSTM, the same ones: every gate's input is p = 7 + 5 * H[t-1]; i = f = o = sigmoid(p),
    // c = tanh(p), C[t] = f * C[t-1] + i * c, H[t] = o * tanh(C[t]):
    //   t0: p = 7, sigmoid(7) = 0.9990889, tanh(7) = 0.9999983, C = 0.9990873,
    //       H = 0.9990889 * tanh(0.9990873) = 0.7605171
    //   t1: p = 7 + 5 * 0.7605171 = 10.802585, C = 1.9990466, H = 0.9639405
    //   t2: p = 11.819703, C = 2.9990245, H = 0.9950378
    //   t3: p = 11.975189, C = 3.9989994, H = 0.9993217
    // (the values TensorRT's own LSTM example prints). Bidirectional, the backward
    // direction gives the same sequence from the last step: [H[t], H[3 - t]].
    let h = [0.7605170716954348, 0.9639405473590977, 0.9950377988301934, 0.9993216622924116];
    let cfg = Config { op: LSTM, layers: 1, hidden: 5, data: 7, seq: 4, bidirectional: false, skip: false };
    let x = t(Float, &[1, 4, 7], vec![1.0; 28]);
    cases.push(case("kLSTM by hand", ones_layer(&cfg, Float), vec![x.clone()], out(Float, &[1, 4, 5], rows(&h, 5))));
    cases.push(
        case("kLSTM by hand", ones_layer(&cfg, Float), vec![x.clone()], out(Float, &[1, 1, 5], vec![3.998999356777256; 5])).output(2),
    );
    let cfg = Config { bidirectional: true, ..cfg };
    let y: Vec<f64> = (0..4).flat_map(|t| rows(&[h[t], h[3 - t]], 5)).collect();
    cases.push(case("kLSTM kBIDIRECTION by hand", ones_layer(&cfg, Float), vec![x.clone()], out(Float, &[1, 4, 10], y)));
    cases.push(
        case("kLSTM kBIDIRECTION by hand", ones_layer(&cfg, Float), vec![x], out(Float, &[1, 2, 5], vec![3.998999356777256; 10])).output(2),
    );
    // kGRU with H = E = 1 and an initial hidden state 0.5: W[z] = R[z] = 0 and Wb[z] = ln 3
    // make z = sigmoid(ln 3) = 3/4; W[r] = R[r] = 0 and Wb[r] = -ln 3 make r = 1/4;
    // W[h] = 1, R[h] = 2, Wb[h] = 0, Rb[h] = 1; all other biases 0. The reset gate scales
    // R[h].H + Rb[h] after the product: h = tanh(x + r * (2 H + 1)), H' = (1 - z) h + z H.
    //   x = 1: h = tanh(1 + 0.25 * 2) = tanh(1.5) = 0.9051483, H = 0.25 * 0.9051483 + 0.375
    //          = 0.6012871
    //   x = 2: h = tanh(2 + 0.25 * 2.2025741) = tanh(2.5506435) = 0.9878959,
    //          H = 0.25 * 0.9878959 + 0.75 * 0.6012871 = 0.6979393
    // (Swapping z and r, or resetting H before R[h], gives other numbers.)
    let ln3 = 3f64.ln();
    let scalar = |w: Option<f64>, r: f64, wb: f64, rb: f64| GateParams { w: w.map(|v| vec![v]), r: vec![r], wb: vec![wb], rb: vec![rb] };
    let params = vec![vec![scalar(Some(0.0), 0.0, ln3, 0.0), scalar(Some(0.0), 0.0, -ln3, 0.0), scalar(Some(1.0), 2.0, 0.0, 1.0)]];
    let cfg = Config { op: GRU, layers: 1, hidden: 1, data: 1, seq: 2, bidirectional: false, skip: false };
    let x = t(Float, &[1, 2, 1], vec![1.0, 2.0]);
    let h0 = t(Float, &[1, 1, 1], vec![0.5]);
    cases.push(
        case(
            "kGRU by hand",
            layer(&cfg, &params, Float),
            vec![x, h0],
            out(Float, &[1, 2, 1], vec![0.6012870634112166, 0.6979392703926623]),
        )
        .at_slots(&[0, 2]),
    );
    check("RNNv2", cases);
}

// ---------------------------------------------------------------- what the layer refuses

fn small() -> (Config, Vec<Vec<GateParams>>) {
    let cfg = Config { op: GRU, layers: 2, hidden: 3, data: 4, seq: 3, bidirectional: true, skip: false };
    let params = random_params(&cfg, Float, 77);
    (cfg, params)
}

/// A network of one RNNv2 layer over x [2, S, E] with output 0 marked.
fn network_of(l: RNNv2, x_dims: &[i64]) -> nvinfer::Result<Network> {
    let mut net = Network::new();
    let x = net.add_input("x", Float, x_dims)?;
    let id = net.add_layer(Box::new(l), &[x])?;
    let y = net.layers[id].outputs[0];
    net.mark_output(y)?;
    Ok(net)
}

fn build_error(net: &Network) -> String {
    match build_for(net, &BuilderConfig::default(), &common::quiet(), Target::Cpu) {
        Ok(_) => panic!("the build succeeded"),
        Err(e) => e.message,
    }
}

#[test]
fn a_layer_without_weights_is_added_but_not_built() {
    let (cfg, _) = small();
    let mut bare = RNNv2::new();
    for (k, v) in [("layer_count", 2), ("hidden_size", 3), ("max_seq_length", 3), ("operation", GRU as i64), ("direction", 1)] {
        bare.set_param(k, Param::Ints(vec![v])).unwrap();
    }
    let mut net = network_of(bare, &[2, cfg.seq as i64, cfg.data as i64]).expect("addRNNv2 without weights yet");
    net.infer_shapes().unwrap();
    let outs = net.layers[0].outputs.clone();
    assert_eq!(net.api_dims(outs[0]), vec![2, 3, 6], "outputs have their dims before the weights are set");
    let e = build_error(&net);
    // 4 layer indices x 3 gates x (W, R, W bias, R bias).
    assert!(e.contains("none of its 48 weight matrices and bias vectors is set (setWeightsForGate"), "{e}");
}

#[test]
fn missing_or_malformed_weights_name_the_gate() {
    let (cfg, params) = small();
    let x = [2, cfg.seq as i64, cfg.data as i64];
    // The R weights of kRESET in layer index 3 (layer 1 backward) left out. Given with the
    // layer, they are refused when it is added (the C++ API sets them afterwards, and then
    // the build refuses them: tests/cpp_api/layers_rnn.cpp).
    let mut l = layer(&cfg, &params, Float);
    l.gate_weights[(3 * 7 + G_RESET) * 2 + 1] = Weights::default();
    let e = network_of(l, &x).unwrap_err().message;
    assert!(e.contains("R weights of gate kRESET in layer index 3 is not set") && e.contains("[3, 3]"), "{e}");
    // Layer index 2 (layer 1 forward) reads both directions of layer 0: W is [H, 2H].
    let mut l = layer(&cfg, &params, Float);
    l.gate_weights[(2 * 7 + G_UPDATE) * 2] = Weights::from_f32(&[0.5; 12]);
    let e = network_of(l, &x).unwrap_err().message;
    assert!(e.contains("W weights of gate kUPDATE in layer index 2: 12 values given, 18 needed [3, 6]"), "{e}");
    let mut l = layer(&cfg, &params, Float);
    l.gate_biases[G_HIDDEN * 2] = Weights::from_i32(&[1, 2, 3]); // layer index 0, W bias
    let e = network_of(l, &x).unwrap_err().message;
    assert!(e.contains("W bias of gate kHIDDEN in layer index 0: the values are kINT32"), "{e}");
}

#[test]
fn inputs_and_settings_that_do_not_fit_are_refused() {
    let (cfg, params) = small();
    let x = [2, cfg.seq as i64, cfg.data as i64];
    // kSKIP needs E = H.
    let mut l = layer(&cfg, &params, Float);
    l.input_mode = 1;
    let e = network_of(l, &x).unwrap_err().message;
    assert!(e.contains("kSKIP") && e.contains("must be the hidden size 3"), "{e}");
    // The second-last input dim is the maximum sequence length.
    let e = network_of(layer(&cfg, &params, Float), &[2, 5, cfg.data as i64]).unwrap_err().message;
    assert!(e.contains("maximum sequence length"), "{e}");
    // Only kLSTM has a cell state; a state has the input's index dims then [L, H].
    let mut net = network_of(layer(&cfg, &params, Float), &x).unwrap();
    let c = net.add_input("c", Float, &[2, 4, 3]).unwrap();
    net.set_layer_input(0, 3, c).unwrap();
    let e = net.infer_shapes().unwrap_err().message;
    assert!(e.contains("only kLSTM has one"), "{e}");
    let mut net = network_of(layer(&cfg, &params, Float), &x).unwrap();
    let h = net.add_input("h", Float, &[2, 2, 3]).unwrap();
    net.set_layer_input(0, 2, h).unwrap();
    let e = net.infer_shapes().unwrap_err().message;
    assert!(e.contains("initial hidden state") && e.contains("L = 4"), "{e}");
    // Lengths are kINT32 [N..].
    let mut net = network_of(layer(&cfg, &params, Float), &x).unwrap();
    let s = net.add_input("s", Float, &[2]).unwrap();
    net.set_layer_input(0, 1, s).unwrap();
    let e = net.infer_shapes().unwrap_err().message;
    assert!(e.contains("sequence lengths") && e.contains("kINT32"), "{e}");
    // Unknown enum values.
    let mut l = layer(&cfg, &params, Float);
    l.operation = 4;
    assert!(network_of(l, &x).unwrap_err().message.contains("RNNOperation 4"));
}

#[test]
fn outputs_have_the_documented_shapes() {
    let (cfg, _) = small();
    let net = |op: i32, bidirectional: bool| {
        let cfg = Config { op, bidirectional, ..cfg };
        let mut n = network_of(layer(&cfg, &random_params(&cfg, Float, 3), Float), &[2, 7, 3, 4]).unwrap();
        n.infer_shapes().unwrap();
        let o = n.layers[0].outputs.clone();
        (n.api_dims(o[0]), n.api_dims(o[1]), n.api_dims(o[2]))
    };
    assert_eq!(net(GRU, true), (vec![2, 7, 3, 6], vec![2, 7, 4, 3], vec![2, 7, 4, 0]), "GRU: no cell state, an empty output 2");
    assert_eq!(net(LSTM, false), (vec![2, 7, 3, 3], vec![2, 7, 2, 3], vec![2, 7, 2, 3]));
}

// ---------------------------------------------------------------- implicit batch

#[test]
fn implicit_batch_runs_each_sample_as_its_own_sequence() {
    let cfg = Config { op: LSTM, layers: 2, hidden: 3, data: 4, seq: 3, bidirectional: true, skip: false };
    let params = random_params(&cfg, Float, 42);
    let mut net = Network::new_implicit_batch();
    let x = net.add_input("x", Float, &[3, 4]).unwrap();
    let h = net.add_input("h", Float, &[4, 3]).unwrap();
    let l = net.add_layer(Box::new(layer(&cfg, &params, Float)), &[x]).unwrap();
    net.set_layer_input(l, 2, h).unwrap();
    let y = net.layers[l].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.api_dims(y), vec![3, 6]);
    let batch = 3usize;
    let xs: Vec<f32> = common::random(batch * 12, 5);
    let hs: Vec<f32> = common::random(batch * 12, 6);
    let widen = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let [want, _, _] = reference(&cfg, &params, batch, &widen(&xs), &[3; 3], Some(&widen(&hs)), None);
    for target in targets() {
        let on_device = matches!(target, Target::Cuda(..));
        let config = BuilderConfig { max_batch_size: 4, ..Default::default() };
        let plan = build_for(&net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("build: {}", e.message));
        let engine = Arc::new(Engine::deserialize(&plan).unwrap());
        let mut ctx = ExecutionContext::new(engine).unwrap();
        let bx = IoBuffer::with(bytemuck::cast_slice(&xs), on_device);
        let bh = IoBuffer::with(bytemuck::cast_slice(&hs), on_device);
        let by = IoBuffer::new(batch * 18 * 4, on_device);
        ctx.execute_batch(batch as i32, &[bx.address(), bh.address(), by.address()]).unwrap_or_else(|e| panic!("{}", e.message));
        let got: Vec<f32> = bytemuck::cast_slice(&by.read(batch * 18 * 4)).to_vec();
        let err = got.iter().zip(&want).map(|(&a, &b)| (a as f64 - b).abs()).fold(0.0, f64::max);
        assert!(err < 1e-5, "{}: error {err}", backend_name(&target));
    }
}
