//! IRNNv2Layer on the GPU, correct before fast: for each stacked layer, one kernel launch
//! per time step (both directions together, a thread per sequence, direction and hidden
//! unit), so a step reads the hidden states the previous launch wrote. Weights are packed
//! in f32 once per engine (`rnn_v2::weights::pack`); a context's workspace holds the f32
//! copies of the input and initial states, the cell states, each sequence's length and two
//! sequence buffers that the layers take turns reading and writing. Nothing waits on the
//! host: every sequence runs all S steps, and a thread past its sequence's length does
//! nothing.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::RnnDesc;
use crate::backend::cuda::{DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::RNNv2;
use crate::layers::rnn_v2::weights::{self, Geometry};
use crate::layers::rnn_v2::{Operation, CELL_STATE, DATA, HIDDEN_STATE, SEQUENCE_LENGTHS};
use crate::layers::{Kind, Layer};
use crate::types::DataType;
use std::sync::Arc;

pub struct Stepwise;
pub static STEPWISE: Stepwise = Stepwise;

impl Implementation for Stepwise {
    fn kind(&self) -> Kind {
        Kind::RNNv2
    }
    fn name(&self) -> &'static str {
        "stepwise"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let dtype = t.input(DATA);
        let present = |i: usize| t.inputs.get(i).copied().flatten();
        dtype.is_float()
            && t.outputs.iter().all(|&o| o == dtype)
            && [HIDDEN_STATE, CELL_STATE].iter().all(|&i| present(i).is_none_or(|s| s == dtype))
            && present(SEQUENCE_LENGTHS).is_none_or(|l| l == DataType::Int32)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["rnn_v2"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let r: &RNNv2 = spec(op)?;
        let geo = r.geometry(weights::data_length(r)?)?;
        let (values, offsets) = weights::pack(&weights::collect(r, &geo)?);
        let typed = |base: &str| typed_kernel(cx.kernels, "rnn_v2", base, t.input(DATA));
        let kernels = Kernels {
            step: cx.kernels.function("rnn_v2", "rnn_step")?,
            lengths: cx.kernels.function("rnn_v2", "rnn_lengths")?,
            widen: typed("rnn_widen")?,
            narrow: typed("rnn_narrow")?,
            output: typed("rnn_output")?,
            final_hidden: typed("rnn_final_hidden")?,
        };
        Ok(Box::new(Ready { op: r.clone(), geo, kernels, weights: Arc::new(DeviceBuffer::from_f32(&values)?), offsets }))
    }
}

struct Ready {
    op: RNNv2,
    geo: Geometry,
    kernels: Kernels,
    /// Packed f32 weights (`weights::pack`) and where each sub-layer's block starts.
    weights: Arc<DeviceBuffer>,
    offsets: Vec<usize>,
}

/// Workspace regions, in bytes from the start, each 256-byte aligned.
#[derive(Clone, Copy, Debug, Default)]
struct Layout {
    lengths: usize,
    hidden0: usize,
    cell: usize,
    seq_a: usize,
    seq_b: usize,
    total: usize,
}

impl Layout {
    fn new(geo: &Geometry, batch: usize, seq: usize) -> Result<Layout> {
        let overflow = || Error::invalid_argument("the IRNNv2Layer workspace overflows");
        let states = batch.checked_mul(geo.sublayers() * geo.hidden).ok_or_else(overflow)?;
        let width = geo.dirs * geo.hidden;
        let steps = batch.checked_mul(seq).ok_or_else(overflow)?;
        let sizes = [
            batch.checked_mul(4),
            states.checked_mul(4),
            states.checked_mul(4),
            steps.checked_mul(width.max(geo.data) * 4),
            steps.checked_mul(width * 4),
        ];
        let mut at = [0usize; 5];
        let mut total = 0usize;
        for (slot, size) in at.iter_mut().zip(sizes) {
            *slot = total;
            total = total.checked_add(size.ok_or_else(overflow)?.next_multiple_of(256)).ok_or_else(overflow)?;
        }
        Ok(Layout { lengths: at[0], hidden0: at[1], cell: at[2], seq_a: at[3], seq_b: at[4], total })
    }
}

impl Prepared for Ready {
    fn workspace_bytes(&self, max: &Shapes) -> usize {
        let Ok(x) = max.input(DATA) else { return 0 };
        let batch = x[..x.len().saturating_sub(2)].iter().map(|&d| d.max(0) as usize).product();
        Layout::new(&self.geo, batch, self.op.max_seq_length as usize).map(|l| l.total).unwrap_or(0)
    }

    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (geo, batch) = self.op.geometry_for(s.input(DATA)?)?;
        if geo != self.geo {
            return Err(Error::internal("IRNNv2Layer input does not match its prepared weights"));
        }
        let seq = self.op.max_seq_length as usize;
        let layout = Layout::new(&geo, batch, seq)?;
        let states = geo.sublayers() as i32;
        let width = geo.dirs * geo.hidden;
        let descs = (0..geo.layers)
            .map(|l| {
                let p = l * geo.dirs;
                let mut w_offset = [0i64; 2];
                for d in 0..geo.dirs {
                    w_offset[d] = self.offsets[p + d] as i64;
                }
                RnnDesc {
                    batch: batch as i64,
                    seq: seq as i32,
                    in_size: geo.in_size(p) as i32,
                    hidden: geo.hidden as i32,
                    dirs: geo.dirs as i32,
                    gates: geo.operation.gates().len() as i32,
                    operation: geo.operation as i32,
                    skip: geo.skips_w(p) as i32,
                    states,
                    state0: p as i32,
                    step: 0,
                    w_offset,
                }
            })
            .collect();
        Ok(Box::new(Run {
            k: self.kernels,
            descs,
            layout,
            batch,
            seq,
            width,
            data_values: batch * seq * geo.data,
            state_values: batch * geo.sublayers() * geo.hidden,
            lstm: geo.operation == Operation::Lstm,
            weights: self.weights.ptr,
            _keep: self.weights.clone(),
        }))
    }
}

#[derive(Clone, Copy)]
struct Kernels {
    step: Kernel,
    lengths: Kernel,
    widen: Kernel,
    narrow: Kernel,
    output: Kernel,
    final_hidden: Kernel,
}

struct Run {
    k: Kernels,
    /// One descriptor per stacked layer (its step field set per launch).
    descs: Vec<RnnDesc>,
    layout: Layout,
    batch: usize,
    seq: usize,
    width: usize,
    data_values: usize,
    state_values: usize,
    lstm: bool,
    weights: DevicePtr,
    /// The engine's weights stay alive while a context holds this binding.
    _keep: Arc<DeviceBuffer>,
}

impl Run {
    /// `src` (null: zeros) widened to f32 at `dst`.
    fn widen(&self, src: DevicePtr, dst: DevicePtr, n: usize, stream: RawStream) -> Result<()> {
        let n64 = n as i64;
        launch::linear(&self.k.widen, n, stream, &mut [launch::arg(&src), launch::arg(&dst), launch::arg(&n64)])
    }
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        if scratch.workspace_bytes < self.layout.total {
            return Err(Error::internal(format!("IRNNv2Layer needs {} bytes of workspace, has {}", self.layout.total, scratch.workspace_bytes)));
        }
        let at = |offset: usize| scratch.workspace + offset as u64;
        let input = |i: usize| inputs.get(i).copied().unwrap_or(0);
        let (lengths, hidden0, cell) = (at(self.layout.lengths), at(self.layout.hidden0), at(self.layout.cell));
        let (batch, seq, width) = (self.batch as i64, self.seq as i32, self.width as i32);

        let given = input(SEQUENCE_LENGTHS);
        let mut args = [launch::arg(&given), launch::arg(&lengths), launch::arg(&batch), launch::arg(&seq)];
        launch::linear(&self.k.lengths, self.batch, stream, &mut args)?;
        self.widen(input(HIDDEN_STATE), hidden0, self.state_values, stream)?;
        self.widen(input(CELL_STATE), cell, self.state_values, stream)?;
        let mut layer_in = at(self.layout.seq_a);
        let mut layer_out = at(self.layout.seq_b);
        self.widen(input(DATA), layer_in, self.data_values, stream)?;

        let threads = self.batch * self.width;
        for desc in &self.descs {
            let mut d = *desc;
            for step in 0..self.seq {
                d.step = step as i32;
                let mut args = [
                    launch::arg(&layer_in),
                    launch::arg(&layer_out),
                    launch::arg(&hidden0),
                    launch::arg(&cell),
                    launch::arg(&lengths),
                    launch::arg(&self.weights),
                    launch::arg(&d),
                ];
                launch::linear(&self.k.step, threads, stream, &mut args)?;
            }
            let mut args = [launch::arg(&layer_out), launch::arg(&hidden0), launch::arg(&lengths), launch::arg(&outputs[1]), launch::arg(&d)];
            launch::linear(&self.k.final_hidden, threads, stream, &mut args)?;
            std::mem::swap(&mut layer_in, &mut layer_out);
        }
        // The last layer's output is now in layer_in.
        let mut args = [
            launch::arg(&layer_in),
            launch::arg(&lengths),
            launch::arg(&outputs[0]),
            launch::arg(&batch),
            launch::arg(&seq),
            launch::arg(&width),
        ];
        launch::linear(&self.k.output, self.batch * self.seq * self.width, stream, &mut args)?;
        if self.lstm {
            let n = self.state_values as i64;
            let mut args = [launch::arg(&cell), launch::arg(&outputs[2]), launch::arg(&n)];
            launch::linear(&self.k.narrow, self.state_values, stream, &mut args)?;
        }
        Ok(())
    }
}
