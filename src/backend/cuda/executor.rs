//! Running a CUDA engine in one context: the arena and workspace, each layer bound to the
//! resolved shapes (redone only when shapes change), and the enqueue loop, which allocates
//! nothing and never synchronizes (except to learn a data-dependent size, a loop's kWHILE
//! condition or device-computed count, or a conditional's condition: see `flow`).

mod flow;

use super::descriptors::FillDesc;
use super::engine::CudaEngine;
use super::layers::{launch, Bound, Shapes};
use super::memory::copy_async;
use super::{device, DeviceBuffer, DevicePtr, RawStream, Scratch, Stream};
use crate::backend::cpu::IoBinding;
use crate::engine::analysis::Step;
use crate::engine::Storage;
use crate::error::{Error, Result};
use crate::host::encode_i64;
use crate::runtime::engine::{Engine, EngineBackend};
use crate::runtime::resolve::Resolution;
use crate::types::byte_size;

pub struct CudaState {
    arena: DeviceBuffer,
    workspace: DeviceBuffer,
    own_stream: Stream,
    /// Each tensor's device address for the current run (refilled, never reallocated).
    addrs: Vec<u64>,
    /// Each running layer bound to the current shapes; None until bound.
    bound: Vec<Option<Box<dyn Bound>>>,
    bound_valid: bool,
    /// A layer's input and output addresses, sized once for the layer with the most.
    layer_inputs: Vec<DevicePtr>,
    layer_outputs: Vec<DevicePtr>,
}

/// One run in progress: a context's memory and bound layers, the stream, and the shapes as
/// counts become known.
pub(crate) struct CudaRun<'a, 's> {
    st: &'s mut CudaState,
    engine: &'a Engine,
    ce: &'a CudaEngine,
    res: std::borrow::Cow<'a, Resolution>,
    counts: Vec<(u32, u32, i64)>,
    reresolve: &'a crate::runtime::resolve::Reresolve<'a>,
    stream: RawStream,
    scratch: Scratch,
}

impl CudaRun<'_, '_> {
    /// Enqueues layer `li` as its step says (not loop or conditional boundaries: `flow`).
    fn run_layer(&mut self, li: usize) -> Result<()> {
        let (engine, ce, st) = (self.engine, self.ce, &mut *self.st);
        let (desc, a) = (&engine.desc, &engine.analysis);
        let l = &desc.layers[li];
        match a.steps[li] {
            Step::Host | Step::Control => {}
            Step::Constant => {
                let o = l.outputs[0];
                if let (Storage::Io(_), Some(c)) = (a.tensors[o].storage, &ce.constants[li]) {
                    copy_async(st.addrs[o], c.ptr, c.bytes, self.stream)?;
                }
            }
            Step::Run => {
                let b = st.bound[li].as_ref().ok_or_else(|| Error::internal(format!("layer '{}' is not bound", l.name)))?;
                for (slot, i) in st.layer_inputs.iter_mut().zip(&l.inputs) {
                    *slot = i.map(|i| st.addrs[i]).unwrap_or(0);
                }
                for (slot, &o) in st.layer_outputs.iter_mut().zip(&l.outputs) {
                    *slot = st.addrs[o];
                }
                b.enqueue(self.stream, &st.layer_inputs[..l.inputs.len()], &st.layer_outputs[..l.outputs.len()], &self.scratch)
                    .map_err(|e| e.context(format!("layer '{}'", l.name)))?;
                if !ce.counted[li].is_empty() {
                    for &o in &ce.counted[li] {
                        let n = b.count(o as usize).ok_or_else(|| Error::internal(format!("layer '{}' reported no count", l.name)))?;
                        self.counts.push((li as u32, o, n));
                    }
                    self.res = std::borrow::Cow::Owned((self.reresolve)(&self.counts)?);
                    st.bind_known(engine, ce, &self.res, li + 1)?;
                }
            }
        }
        Ok(())
    }
}

impl CudaState {
    pub fn new(engine: &Engine, ce: &CudaEngine) -> Result<CudaState> {
        device()?.bind()?;
        Ok(CudaState {
            arena: DeviceBuffer::alloc(engine.analysis.arena_bytes as usize)?,
            workspace: DeviceBuffer::alloc(ce.workspace_bytes)?,
            own_stream: Stream::new()?,
            addrs: vec![0; engine.desc.tensors.len()],
            bound: (0..engine.desc.layers.len()).map(|_| None).collect(),
            bound_valid: false,
            layer_inputs: vec![0; engine.desc.layers.iter().map(|l| l.inputs.len()).max().unwrap_or(0)],
            layer_outputs: vec![0; engine.desc.layers.iter().map(|l| l.outputs.len()).max().unwrap_or(0)],
        })
    }

    /// Shapes changed: layers bind again before the next run.
    pub fn invalidate(&mut self) {
        self.bound_valid = false;
    }

    pub fn own_stream(&self) -> RawStream {
        self.own_stream.0
    }

    /// Binds every running layer whose shapes are known (layers after a data-dependent
    /// count wait for it); `from` skips layers before it.
    fn bind_known(&mut self, engine: &Engine, ce: &CudaEngine, res: &Resolution, from: usize) -> Result<()> {
        for (li, l) in engine.desc.layers.iter().enumerate().skip(from) {
            let Some(p) = &ce.layers[li] else { continue };
            if from > 0 && self.bound[li].is_some() {
                continue;
            }
            let inputs: Option<Vec<Option<Vec<i64>>>> =
                l.inputs.iter().map(|i| i.map_or(Some(None), |i| res.dims[i].clone().map(Some))).collect();
            // A layer that counts its own output size is bound with the largest one.
            let counts_itself = !ce.counted[li].is_empty();
            let outputs: Option<Vec<Vec<i64>>> =
                l.outputs.iter().map(|&o| res.dims[o].clone().or_else(|| counts_itself.then(|| ce.max_dims[o].clone()))).collect();
            let values = l
                .inputs
                .iter()
                .map(|i| i.and_then(|i| engine.analysis.tensors[i].values.as_deref()).and_then(|v| res.eval.all(v)))
                .collect();
            self.bound[li] = match (inputs, outputs) {
                (Some(inputs), Some(outputs)) => {
                    Some(p.bind(&Shapes { inputs, outputs, values }).map_err(|e| e.context(format!("layer '{}'", l.name)))?)
                }
                _ => None,
            };
        }
        Ok(())
    }

    pub fn enqueue(
        &mut self,
        engine: &Engine,
        io: &[IoBinding],
        first: &Resolution,
        reresolve: &crate::runtime::resolve::Reresolve<'_>,
        stream: RawStream,
    ) -> Result<Option<Resolution>> {
        let EngineBackend::Cuda(ce) = &engine.backend else { return Err(Error::internal("a CUDA run of a non-CUDA engine")) };
        device()?.bind()?;
        let res = std::borrow::Cow::Borrowed(first);
        // Engines with data-dependent sizes bind what follows a count once it is known.
        if !self.bound_valid || engine.analysis.data_dependent {
            self.bound.iter_mut().for_each(|b| *b = None);
            self.bind_known(engine, ce, &res, 0)?;
            self.bound_valid = true;
        }
        let (desc, a) = (&engine.desc, &engine.analysis);
        for (t, info) in a.tensors.iter().enumerate() {
            self.addrs[t] = match info.storage {
                Storage::Io(k) => io[k].address,
                Storage::Constant(l) => ce.constants[l].as_ref().map(|b| b.ptr).unwrap_or(0),
                Storage::Arena(off) => self.arena.ptr + off,
                Storage::None => 0,
            };
        }
        // Shape values read as data: written by a tiny kernel (arguments are copied at
        // launch, so nothing on the host must outlive the call).
        for (t, info) in a.tensors.iter().enumerate() {
            if !info.materialize {
                continue;
            }
            let fill = ce.fill.as_ref().ok_or_else(|| Error::internal("no fill kernel"))?;
            let values = info.values.as_deref().ok_or_else(|| Error::internal("materialized tensor without values"))?;
            for (c, chunk) in values.chunks(8).enumerate() {
                let mut d = FillDesc { offset: (c * 8) as i64, count: chunk.len() as i32, ..Default::default() };
                for (slot, &e) in d.values.iter_mut().zip(chunk) {
                    *slot = res.eval.get(e).ok_or_else(|| Error::internal("unknown shape value"))? as i32;
                }
                let mut args = [launch::arg(&self.addrs[t]), launch::arg(&d)];
                fill.launch(1, 8, stream, &mut args)?;
            }
        }
        let scratch = Scratch { workspace: self.workspace.ptr, workspace_bytes: self.workspace.bytes };
        let mut run = CudaRun { st: self, engine, ce, res, counts: vec![], reresolve, stream, scratch };
        crate::control::exec::run(desc, a, &mut run, &a.program)?;
        let res = run.res;
        for (k, b) in io.iter().enumerate().skip(desc.nb_inputs()) {
            let t = desc.io[k];
            let tensor = &desc.tensors[t];
            // Outputs sized by a count: now that it is known, into the application's memory.
            if a.tensors[t].deferred {
                let dims = res.dims[t].as_deref().ok_or_else(|| Error::internal("a deferred output's shape is unknown"))?;
                let bytes = byte_size(dims, tensor.dtype).ok_or_else(|| Error::internal("output size overflows"))?;
                let mut dst = b.address;
                if let Some(alloc) = &b.allocator {
                    dst = alloc.reallocate(&tensor.name, b.address, bytes as u64, 256).ok_or_else(|| {
                        Error::new(
                            crate::types::ErrorCode::FailedAllocation,
                            format!("the output allocator gave no memory for '{}' ({bytes} bytes)", tensor.name),
                        )
                    })?;
                    alloc.notify_shape(&tensor.name, dims);
                }
                if dst == 0 && bytes > 0 {
                    return Err(Error::invalid_argument(format!(
                        "output '{}' has no memory: set an output allocator or an address",
                        tensor.name
                    )));
                }
                copy_async(dst, self.addrs[t], bytes, stream)?;
                continue;
            }
            // Shape outputs live in host memory: written now from their values.
            if !tensor.shape_tensor {
                continue;
            }
            let values =
                a.tensors[t].values.as_deref().and_then(|v| res.eval.all(v)).ok_or_else(|| Error::internal("shape output values"))?;
            let dims = res.dims[t].as_deref().unwrap_or(&[]);
            let bytes = byte_size(dims, desc.tensors[t].dtype).unwrap_or(0);
            // SAFETY: the application gave host memory for the output's size (checked to be
            // set by the context).
            let dst = unsafe { std::slice::from_raw_parts_mut(b.address as *mut u8, bytes) };
            encode_i64(desc.tensors[t].dtype, &values, dst);
        }
        Ok(match res {
            std::borrow::Cow::Owned(r) => Some(r),
            std::borrow::Cow::Borrowed(_) => None,
        })
    }
}
