//! A deserialized engine (ICudaEngine). Immutable after creation and shared by its
//! execution contexts, which may run on many threads at once.

use crate::backend::cuda::engine::CudaEngine;
use crate::backend::{cuda, Target, BACKEND_ENV};
use crate::error::{Error, Result};
use crate::ir::Name;
use crate::plan::{self, EngineDesc};
use crate::types::{volume, TensorIOMode, TensorLocation};

pub enum EngineBackend {
    Cpu,
    Cuda(CudaEngine),
}

pub struct Engine {
    pub desc: EngineDesc,
    pub backend: EngineBackend,
    /// The plan it came from, returned by serialize().
    plan: Vec<u8>,
    /// I/O tensor names as C strings, in I/O order.
    io_names: Vec<Name>,
}

/// Whether this process can run a plan for `target`.
fn can_run(target: &Target) -> Result<()> {
    match target {
        Target::Cpu => Ok(()),
        Target::Cuda(ma, mi) => {
            let dev = cuda::device().map_err(|e| {
                Error::unsupported(format!(
                    "it was built for a CUDA GPU (sm_{ma}{mi}) and this process has none ({e}); rebuild it here, or unset {BACKEND_ENV}"
                ))
            })?;
            if dev.sm != (*ma, *mi) {
                return Err(Error::unsupported(format!(
                    "it was built for sm_{ma}{mi} but this GPU ({}) is sm_{}{}; rebuild it on this machine",
                    dev.name, dev.sm.0, dev.sm.1
                )));
            }
            Ok(())
        }
    }
}

impl Engine {
    pub fn deserialize(bytes: &[u8]) -> Result<Engine> {
        let desc = plan::deserialize(bytes, can_run)?;
        check_arena(&desc)?;
        let backend = match desc.target {
            Target::Cpu => EngineBackend::Cpu,
            Target::Cuda(..) => EngineBackend::Cuda(CudaEngine::new(&desc).map_err(|e| e.context("cannot load the engine on the GPU"))?),
        };
        let io_names = desc.io_tensors.iter().map(|&t| Name::new(&desc.tensors[t].name)).collect();
        Ok(Engine { desc, backend, plan: bytes.to_vec(), io_names })
    }

    pub fn serialize(&self) -> &[u8] {
        &self.plan
    }

    pub fn location(&self) -> TensorLocation {
        match self.backend {
            EngineBackend::Cpu => TensorLocation::Host,
            EngineBackend::Cuda(_) => TensorLocation::Device,
        }
    }

    pub fn nb_io(&self) -> usize {
        self.desc.io_tensors.len()
    }

    pub fn io_name(&self, index: usize) -> Option<&Name> {
        self.io_names.get(index)
    }

    /// The I/O index of a tensor name.
    pub fn io_index(&self, name: &str) -> Option<usize> {
        self.io_names.iter().position(|n| n.as_str() == name)
    }

    pub fn io_tensor(&self, index: usize) -> Option<&plan::EngineTensor> {
        self.desc.io_tensors.get(index).map(|&t| &self.desc.tensors[t])
    }

    pub fn io_mode(&self, index: usize) -> TensorIOMode {
        self.io_tensor(index).map(|t| t.io_mode).unwrap_or(TensorIOMode::None)
    }

    pub fn nb_layers(&self) -> usize {
        self.desc.layers.len()
    }
}

/// Refuses plans whose intermediate tensors would fall outside the activation arena.
fn check_arena(desc: &EngineDesc) -> Result<()> {
    let mut constant = vec![false; desc.tensors.len()];
    for l in desc.layers.iter().filter(|l| l.op.constant_value().is_some()) {
        for &o in &l.outputs {
            constant[o] = true;
        }
    }
    for (t, is_constant) in desc.tensors.iter().zip(constant) {
        let bytes = volume(&t.dims).unwrap_or(0) as u64 * t.dtype.size_bytes() as u64;
        if t.io_mode == TensorIOMode::None && !is_constant && t.arena_offset.saturating_add(bytes) > desc.arena_bytes {
            return Err(Error::invalid_argument(format!(
                "cannot deserialize the engine plan: tensor '{}' lies outside the activation memory",
                t.name
            )));
        }
    }
    Ok(())
}
