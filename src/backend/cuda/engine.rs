//! An engine prepared on the CUDA device: kernels loaded from the plan's cubins, each
//! layer's chosen tactic prepared, constants uploaded once.

use super::memory::copy_async;
use super::{CudaLayer, DeviceBuffer, Kernels, RawStream, Scratch};
use crate::error::{Error, Result};

/// The most inputs or outputs one layer may have.
const MAX_LAYER_IO: usize = 8;
use crate::ops::{CudaPrep, LayerShapes};
use crate::plan::EngineDesc;
use crate::types::TensorIOMode;

pub struct CudaEngine {
    _kernels: Kernels,
    /// None for constant layers, which are bound rather than run.
    layers: Vec<Option<Box<dyn CudaLayer>>>,
    /// Device copies of constant tensors, indexed by tensor.
    constants: Vec<Option<DeviceBuffer>>,
    /// The largest workspace any layer needs.
    pub workspace_bytes: usize,
}

impl CudaEngine {
    pub fn new(desc: &EngineDesc) -> Result<CudaEngine> {
        super::device()?.bind()?;
        let kernels = Kernels::load(&desc.kernels)?;
        let mut constants: Vec<Option<DeviceBuffer>> = desc.tensors.iter().map(|_| None).collect();
        let mut layers = Vec::with_capacity(desc.layers.len());
        for l in &desc.layers {
            if l.inputs.len() > MAX_LAYER_IO || l.outputs.len() > MAX_LAYER_IO {
                return Err(Error::unsupported(format!("layer '{}' has more than {MAX_LAYER_IO} inputs or outputs", l.name)));
            }
            if let Some(values) = l.op.constant_value() {
                constants[l.outputs[0]] = Some(DeviceBuffer::upload_f32(values)?);
                layers.push(None);
                continue;
            }
            let shapes = LayerShapes {
                inputs: l.inputs.iter().map(|&t| desc.tensors[t].dims.clone()).collect(),
                outputs: l.outputs.iter().map(|&t| desc.tensors[t].dims.clone()).collect(),
            };
            let prep = CudaPrep { kernels: &kernels, shapes: &shapes, allow_tf32: desc.allow_tf32 };
            let prepared = l.op.prepare_cuda(&l.tactic, &prep).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
            layers.push(Some(prepared));
        }
        let workspace_bytes = layers.iter().flatten().map(|l| l.workspace_bytes()).max().unwrap_or(0);
        Ok(CudaEngine { _kernels: kernels, layers, constants, workspace_bytes })
    }

    /// Writes the device address of every tensor for one run into `addrs` (one slot per
    /// tensor): I/O from the application, constants from the engine, intermediates from the
    /// context's arena. Writes in place so enqueue allocates nothing, not even on the host.
    pub fn tensor_addresses(&self, desc: &EngineDesc, io: &[u64], arena: u64, addrs: &mut [u64]) {
        for (i, (t, slot)) in desc.tensors.iter().zip(addrs.iter_mut()).enumerate() {
            *slot = match &self.constants[i] {
                Some(c) if t.io_mode == TensorIOMode::None => c.ptr,
                _ => arena + t.arena_offset,
            };
        }
        for (&t, &a) in desc.io_tensors.iter().zip(io) {
            addrs[t] = a;
        }
    }

    /// Enqueues the whole network on `stream`; never allocates or synchronizes.
    pub fn enqueue(&self, desc: &EngineDesc, addrs: &[u64], scratch: &Scratch, stream: RawStream) -> Result<()> {
        let (mut ins, mut outs) = ([0u64; MAX_LAYER_IO], [0u64; MAX_LAYER_IO]);
        for (l, prepared) in desc.layers.iter().zip(&self.layers) {
            match prepared {
                Some(p) => {
                    let (ins, outs) = (&mut ins[..l.inputs.len()], &mut outs[..l.outputs.len()]);
                    for (slot, &t) in ins.iter_mut().zip(&l.inputs) {
                        *slot = addrs[t];
                    }
                    for (slot, &t) in outs.iter_mut().zip(&l.outputs) {
                        *slot = addrs[t];
                    }
                    p.enqueue(stream, ins, outs, scratch).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
                }
                // A constant that is also a network output is copied to the application.
                None => {
                    let out = l.outputs[0];
                    if let Some(c) = &self.constants[out] {
                        if desc.tensors[out].io_mode == TensorIOMode::Output {
                            copy_async(addrs[out], c.ptr, c.bytes, stream)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
