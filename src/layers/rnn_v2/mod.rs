//! A stacked recurrent network over sequences (IRNNv2Layer), as TensorRT 8.6 defines it.
//!
//! Inputs: 0 the data [N.., S, E] (any index dims N.., then S = getMaxSeqLength() steps of
//! E values), 1 the length of each sequence [N..] (kINT32; absent: S), 2 and 3 the initial
//! hidden and cell states [N.., L, H] (absent: zeros). L counts sub-layers: the stacked
//! layers, times 2 when bidirectional (index 2l forward, 2l + 1 backward).
//!
//! Outputs: 0 the last layer's hidden state at every step [N.., S, K * H] (K directions
//! concatenated, forward first; zero past a sequence's length), 1 the final hidden state
//! of every sub-layer [N.., L, H], 2 the final cell state [N.., L, H] for kLSTM. The other
//! operations have no cell state: output 2 is then an empty [N.., L, 0] tensor, since a
//! layer kind here has a fixed number of outputs.
//!
//! Each sub-layer runs over t = 0 .. len-1 (backward: len-1 down to 0), with the gate
//! equations of nvinfer1::RNNOperation; X[t] is the data for the first layer and the
//! concatenated outputs of both directions of the layer below for the others:
//!
//! ```text
//! kRELU / kTANH   H[t] = act(W[i].X[t] + R[i].H[t-1] + Wb[i] + Rb[i])
//! kLSTM           i, f, o = sigmoid(W[g].X[t] + R[g].H[t-1] + Wb[g] + Rb[g]), g = i, f, o
//!                 c = tanh(W[c].X[t] + R[c].H[t-1] + Wb[c] + Rb[c])
//!                 C[t] = f * C[t-1] + i * c,  H[t] = o * tanh(C[t])
//! kGRU            z, r = sigmoid(W[g].X[t] + R[g].H[t-1] + Wb[g] + Rb[g]), g = z, r
//!                 h = tanh(W[h].X[t] + r * (R[h].H[t-1] + Rb[h]) + Wb[h])
//!                 H[t] = (1 - z) * h + z * H[t-1]
//! ```
//!
//! kSKIP replaces the first layer's W[g].X[t] by X[t] (E must then be H). Weights are set
//! after addRNNv2, so a layer with none yet is valid until the network is built
//! (`check_for_build`); see `weights.rs` for their layout.

pub mod reference;
pub mod weights;

use super::generated::RNNv2;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::ExprId;
use crate::types::{volume, DataType};
use weights::{Gate, Geometry};

/// nvinfer1::RNNOperation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Relu = 0,
    Tanh = 1,
    Lstm = 2,
    Gru = 3,
}

impl Operation {
    pub fn from_i32(v: i32) -> Result<Operation> {
        Ok(match v {
            0 => Operation::Relu,
            1 => Operation::Tanh,
            2 => Operation::Lstm,
            3 => Operation::Gru,
            _ => return Err(Error::invalid_argument(format!("RNNOperation {v} does not exist (kRELU 0 to kGRU 3)"))),
        })
    }

    /// The gates the operation uses, in the order the backends keep them.
    pub fn gates(self) -> &'static [Gate] {
        match self {
            Operation::Relu | Operation::Tanh => &[Gate::Input],
            Operation::Lstm => &[Gate::Input, Gate::Forget, Gate::Cell, Gate::Output],
            Operation::Gru => &[Gate::Update, Gate::Reset, Gate::Hidden],
        }
    }
}

/// nvinfer1::RNNInputMode and RNNDirection.
pub const LINEAR: i32 = 0;
pub const SKIP: i32 = 1;
pub const UNIDIRECTION: i32 = 0;
pub const BIDIRECTION: i32 = 1;

/// Input slots.
pub const DATA: usize = 0;
pub const SEQUENCE_LENGTHS: usize = 1;
pub const HIDDEN_STATE: usize = 2;
pub const CELL_STATE: usize = 3;

/// Most stacked layers (their weights' slots stay below the list parameters' limit).
pub const MAX_LAYERS: i32 = 2048;

impl RNNv2 {
    /// As addRNNv2 creates it.
    pub fn of(layer_count: i32, hidden_size: i32, max_seq_length: i32, operation: Operation) -> RNNv2 {
        RNNv2 { layer_count, hidden_size, max_seq_length, operation: operation as i32, ..RNNv2::new() }
    }

    pub fn op(&self) -> Result<Operation> {
        Operation::from_i32(self.operation)
    }

    /// The sizes for data vectors of length `data`, with every parameter checked.
    pub fn geometry(&self, data: i64) -> Result<Geometry> {
        let operation = self.op()?;
        if !(1..=MAX_LAYERS).contains(&self.layer_count) || self.hidden_size < 1 || self.max_seq_length < 1 {
            return Err(Error::invalid_argument(format!(
                "IRNNv2Layer: layer count {} (1 to {MAX_LAYERS}), hidden size {} and maximum sequence length {} must be positive",
                self.layer_count, self.hidden_size, self.max_seq_length
            )));
        }
        let dirs = match self.direction {
            UNIDIRECTION => 1,
            BIDIRECTION => 2,
            d => return Err(Error::invalid_argument(format!("RNNDirection {d} does not exist"))),
        };
        let skip = match self.input_mode {
            LINEAR => false,
            SKIP => true,
            m => return Err(Error::invalid_argument(format!("RNNInputMode {m} does not exist"))),
        };
        if data < 1 || data > i32::MAX as i64 {
            return Err(Error::invalid_argument(format!("IRNNv2Layer: the data length {data} must be positive")));
        }
        if skip && data != self.hidden_size as i64 {
            return Err(Error::invalid_argument(format!(
                "IRNNv2Layer: kSKIP adds the input to the first layer as it is, so the data length {data} must be the hidden size {}",
                self.hidden_size
            )));
        }
        Ok(Geometry { operation, layers: self.layer_count as usize, dirs, hidden: self.hidden_size as usize, data: data as usize, skip })
    }

    /// The geometry for a data tensor of these dims, and its batch (the index dims' volume).
    pub fn geometry_for(&self, data_dims: &[i64]) -> Result<(Geometry, usize)> {
        let [lead @ .., _, e] = data_dims else {
            return Err(Error::invalid_argument("the IRNNv2Layer input must have at least 2 dimensions [.., S, E]"));
        };
        let batch = volume(lead).ok_or_else(|| Error::invalid_argument("the IRNNv2Layer batch overflows"))?;
        Ok((self.geometry(*e)?, batch))
    }
}

/// Checks a state input (`what`) against [lead.., sub-layers, H].
fn check_state(cx: &mut InferCx, what: &str, x: &InferIn, lead: &[ExprId], sublayers: usize, hidden: usize) -> Result<()> {
    check_type(what, x.dtype, FLOATS)?;
    if x.dims.len() != lead.len() + 2 {
        return Err(Error::invalid_argument(format!(
            "IRNNv2Layer: {what} must have the input's {} index dimensions, then [L, H]",
            lead.len()
        )));
    }
    let expected: Vec<ExprId> = lead.iter().copied().chain([cx.g.constant(sublayers as i64), cx.g.constant(hidden as i64)]).collect();
    for (k, (&d, &e)) in x.dims.iter().zip(&expected).enumerate() {
        cx.g.assert_eq(d, e, || format!("IRNNv2Layer: {what} dimension {k} must be [N.., L = {sublayers}, H = {hidden}]'s"))?;
    }
    Ok(())
}

impl Layer for RNNv2 {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, DATA)?;
        check_type("the IRNNv2Layer input", x.dtype, FLOATS)?;
        let [lead @ .., s, e] = x.dims else {
            return Err(Error::invalid_argument("the IRNNv2Layer input must have at least 2 dimensions [.., S, E]"));
        };
        let data = cx.g.as_const(*e).ok_or_else(|| Error::invalid_argument("the IRNNv2Layer data length (the input's last dimension) must be known"))?;
        let geo = self.geometry(data)?;
        let max_seq = cx.g.constant(self.max_seq_length as i64);
        let s = cx.g.assert_eq(*s, max_seq, || "the IRNNv2Layer input's second-last dimension must be the maximum sequence length".into())?;
        let get = |i: usize| inputs.get(i).and_then(|x| x.as_ref());
        if let Some(lengths) = get(SEQUENCE_LENGTHS) {
            check_type("the IRNNv2Layer sequence lengths", lengths.dtype, &[DataType::Int32])?;
            if lengths.dims.len() != lead.len() {
                return Err(Error::invalid_argument("the IRNNv2Layer sequence lengths must have the input's index dimensions [N..]"));
            }
            for (k, (&d, &n)) in lengths.dims.iter().zip(lead).enumerate() {
                cx.g.assert_eq(d, n, || format!("IRNNv2Layer sequence lengths dimension {k} must be the input's"))?;
            }
        }
        let (sub, h) = (geo.sublayers(), geo.hidden);
        if let Some(hidden) = get(HIDDEN_STATE) {
            check_state(cx, "the initial hidden state", hidden, lead, sub, h)?;
        }
        if let Some(cell) = get(CELL_STATE) {
            if geo.operation != Operation::Lstm {
                return Err(Error::invalid_argument("IRNNv2Layer: a cell state is set, but only kLSTM has one"));
            }
            check_state(cx, "the initial cell state", cell, lead, sub, h)?;
        }
        let dims = |cx: &mut InferCx, tail: [i64; 2], first: Option<ExprId>| -> Vec<ExprId> {
            let tail = [first.unwrap_or_else(|| cx.g.constant(tail[0])), cx.g.constant(tail[1])];
            lead.iter().copied().chain(tail).collect()
        };
        let cell_width = if geo.operation == Operation::Lstm { h } else { 0 };
        // Weights are checked when some are set; none at all waits for the build (they are
        // set after addRNNv2): `check_for_build`.
        weights::check(self, &geo)?;
        let dtype = float_type(inputs);
        let outputs = [dims(cx, [0, (geo.dirs * h) as i64], Some(s)), dims(cx, [sub as i64, h as i64], None), dims(cx, [sub as i64, cell_width as i64], None)];
        Ok(outputs.into_iter().map(|d| InferOut::new(dtype, d)).collect())
    }

    fn check_for_build(&self) -> Result<()> {
        if weights::nothing_set(self) {
            return Err(Error::invalid_argument(format!(
                "IRNNv2Layer: none of its {} weight matrices and bias vectors is set (setWeightsForGate, setBiasForGate)",
                weights::arrays_needed(self)?
            )));
        }
        Ok(())
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, DATA)?;
        let (geo, batch) = self.geometry_for(x.dims)?;
        let sublayers = weights::collect(self, &geo)?;
        let seq = self.max_seq_length as usize;
        let get = |i: usize| inputs.get(i).and_then(|x| x.as_ref());
        // Lengths outside [0, S] are clamped, as the CUDA implementation does.
        let lengths: Vec<usize> = match get(SEQUENCE_LENGTHS) {
            Some(l) => l.i64().iter().map(|&v| v.clamp(0, seq as i64) as usize).collect(),
            None => vec![seq; batch],
        };
        let state_len = batch * geo.sublayers() * geo.hidden;
        let (data, hidden, cell) = (x.f32(), get(HIDDEN_STATE).map(|t| t.f32()), get(CELL_STATE).map(|t| t.f32()));
        let sizes_ok = data.len() == batch * seq * geo.data
            && lengths.len() == batch
            && [&hidden, &cell].iter().all(|s| s.as_ref().is_none_or(|v| v.len() == state_len));
        if !sizes_ok {
            return Err(Error::internal("IRNNv2Layer inputs disagree with the layer's sizes"));
        }
        let q = reference::Sequences { batch, seq, data: &data, lengths: &lengths, hidden: hidden.as_deref(), cell: cell.as_deref() };
        let r = reference::run(&geo, &sublayers, &q);
        outputs[0].store_f32(&r.output);
        outputs[1].store_f32(&r.hidden);
        if geo.operation == Operation::Lstm {
            outputs[2].store_f32(&r.cell);
        }
        Ok(())
    }

    /// The leading index dims are any number of dims: the batch is one more.
    fn add_batch_axis(&mut self) -> Result<()> {
        Ok(())
    }
    any_impls!();
}
