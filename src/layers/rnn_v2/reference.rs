//! The CPU reference of IRNNv2Layer: every sequence of the batch, layer by layer, direction
//! by direction, step by step, in f32.

use super::weights::{GateParams, Geometry, SubLayer};
use super::Operation;

/// What one run reads: the data [batch, seq, E], each sequence's length (at most seq), and
/// the initial states [batch, sub-layers, H] (zeros where absent).
pub struct Sequences<'a> {
    pub batch: usize,
    pub seq: usize,
    pub data: &'a [f32],
    pub lengths: &'a [usize],
    pub hidden: Option<&'a [f32]>,
    pub cell: Option<&'a [f32]>,
}

/// The layer's results: the last layer's output at every step [batch, seq, K * H] (zero
/// past a sequence's length), and the final hidden and cell states [batch, sub-layers, H].
pub struct Results {
    pub output: Vec<f32>,
    pub hidden: Vec<f32>,
    pub cell: Vec<f32>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

fn dot(row: &[f32], v: &[f32]) -> f32 {
    row.iter().zip(v).map(|(a, b)| a * b).sum()
}

/// Unit `j` of a gate: (W[g].x + Wb[g], R[g].h + Rb[g]); the two halves are kept apart
/// because GRU's hidden gate scales only the recurrent one by the reset gate.
fn gate_parts(g: &GateParams, x: &[f32], h: &[f32], j: usize) -> (f32, f32) {
    let n = h.len();
    let from_input = match &g.w {
        Some(w) => dot(&w[j * x.len()..(j + 1) * x.len()], x),
        None => x[j],
    };
    (from_input + g.wb[j], dot(&g.r[j * n..(j + 1) * n], h) + g.rb[j])
}

/// One step of one sub-layer: the new hidden state, and the cell state updated in place
/// (LSTM only). Gates are in `Operation::gates` order.
fn step(op: Operation, s: &SubLayer, x: &[f32], h: &[f32], c: &mut [f32]) -> Vec<f32> {
    let sum = |g: usize, j: usize| {
        let (a, b) = gate_parts(&s.gates[g], x, h, j);
        a + b
    };
    (0..h.len())
        .map(|j| match op {
            Operation::Relu => sum(0, j).max(0.0),
            Operation::Tanh => sum(0, j).tanh(),
            Operation::Lstm => {
                let (i, f, cell, o) = (sigmoid(sum(0, j)), sigmoid(sum(1, j)), sum(2, j).tanh(), sigmoid(sum(3, j)));
                c[j] = f * c[j] + i * cell;
                o * c[j].tanh()
            }
            Operation::Gru => {
                let (z, r) = (sigmoid(sum(0, j)), sigmoid(sum(1, j)));
                let (from_input, recurrent) = gate_parts(&s.gates[2], x, h, j);
                let candidate = (from_input + r * recurrent).tanh();
                (1.0 - z) * candidate + z * h[j]
            }
        })
        .collect()
}

/// Runs every layer over every sequence.
pub fn run(geo: &Geometry, sublayers: &[SubLayer], q: &Sequences) -> Results {
    let (h, k, n) = (geo.hidden, geo.dirs, geo.sublayers());
    let mut hidden = vec![0f32; q.batch * n * h];
    let mut cell = vec![0f32; q.batch * n * h];
    let mut input = q.data.to_vec();
    let mut in_size = geo.data;
    for layer in 0..geo.layers {
        let mut output = vec![0f32; q.batch * q.seq * k * h];
        for dir in 0..k {
            let p = layer * k + dir;
            for b in 0..q.batch {
                let state = (b * n + p) * h..(b * n + p + 1) * h;
                let mut hs = q.hidden.map_or(vec![0.0; h], |v| v[state.clone()].to_vec());
                let mut cs = q.cell.map_or(vec![0.0; h], |v| v[state.clone()].to_vec());
                let len = q.lengths[b];
                for s in 0..len {
                    // The backward direction reads the sequence from its last valid step.
                    let t = if dir == 0 { s } else { len - 1 - s };
                    let x = &input[(b * q.seq + t) * in_size..(b * q.seq + t + 1) * in_size];
                    hs = step(geo.operation, &sublayers[p], x, &hs, &mut cs);
                    let at = (b * q.seq + t) * k * h + dir * h;
                    output[at..at + h].copy_from_slice(&hs);
                }
                hidden[state.clone()].copy_from_slice(&hs);
                cell[state].copy_from_slice(&cs);
            }
        }
        input = output;
        in_size = k * h;
    }
    Results { output: input, hidden, cell }
}
