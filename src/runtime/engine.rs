//! A deserialized engine (ICudaEngine). Immutable after creation and shared by its
//! execution contexts, which may run on many threads at once.

use crate::backend::cpu::CpuEngine;
use crate::backend::cuda::engine::CudaEngine;
use crate::backend::{check_tactics, cuda, Target, BACKEND_ENV};
use crate::engine::{analysis, Analysis, EngineDesc, EngineTensor, InputRange};
use crate::error::{Error, Result};
use crate::ir::Name;
use crate::plan;
use crate::types::{TensorIOMode, TensorLocation};

pub enum EngineBackend {
    Cpu(CpuEngine),
    Cuda(CudaEngine),
}

pub struct Engine {
    pub desc: EngineDesc,
    pub analysis: Analysis,
    pub backend: EngineBackend,
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
        Engine::load(desc).map_err(|e| Error::new(e.code, format!("cannot deserialize the engine plan: {}", e.message)))
    }

    /// Checks a description as the loader does (without preparing a device): what the
    /// builder runs on its own plan before returning it.
    pub fn verify(desc: &EngineDesc) -> Result<Analysis> {
        let a = analysis::analyze(desc)?;
        analysis::check_profile_points(desc, &a.graph)?;
        check_tactics(desc, &a)?;
        Ok(a)
    }

    pub fn load(desc: EngineDesc) -> Result<Engine> {
        let analysis = Engine::verify(&desc)?;
        let backend = match desc.target {
            Target::Cpu => EngineBackend::Cpu(CpuEngine::new(&desc)?),
            Target::Cuda(..) => {
                EngineBackend::Cuda(CudaEngine::new(&desc, &analysis).map_err(|e| e.context("cannot load the engine on the GPU"))?)
            }
        };
        let io_names = desc.io.iter().map(|&t| Name::new(&desc.tensors[t].name)).collect();
        Ok(Engine { desc, analysis, backend, io_names })
    }

    /// The plan, encoded again from the description (the engine keeps no copy of it).
    pub fn serialize(&self) -> Vec<u8> {
        plan::serialize(&self.desc)
    }

    pub fn is_cpu(&self) -> bool {
        matches!(self.backend, EngineBackend::Cpu(_))
    }

    pub fn nb_io(&self) -> usize {
        self.desc.io.len()
    }

    pub fn nb_inputs(&self) -> usize {
        self.desc.nb_inputs()
    }

    pub fn io_name(&self, index: usize) -> Option<&Name> {
        self.io_names.get(index)
    }

    /// The I/O index of a tensor name.
    pub fn io_index(&self, name: &str) -> Option<usize> {
        self.analysis.io_index.get(name).copied()
    }

    pub fn io_tensor(&self, index: usize) -> Option<&EngineTensor> {
        self.desc.io.get(index).map(|&t| &self.desc.tensors[t])
    }

    pub fn io_mode(&self, index: usize) -> TensorIOMode {
        self.io_tensor(index).map(|t| t.io_mode).unwrap_or(TensorIOMode::None)
    }

    /// TensorRT's meaning: shape tensors are in host memory, everything else on the device
    /// (CPU engines accept host memory for those too).
    pub fn location(&self, index: usize) -> TensorLocation {
        match self.io_tensor(index) {
            Some(t) if t.shape_tensor => TensorLocation::Host,
            _ => TensorLocation::Device,
        }
    }

    pub fn nb_layers(&self) -> usize {
        self.desc.layers.len()
    }

    /// Built from an implicit-batch network (ICudaEngine::hasImplicitBatchDimension).
    pub fn implicit_batch(&self) -> bool {
        self.desc.implicit_batch
    }

    /// The largest batch execute/enqueue accept: the profile's largest leading dimension of
    /// an implicit-batch engine's inputs; 1 otherwise, as TensorRT reports.
    pub fn max_batch_size(&self) -> i64 {
        let Some(profile) = self.desc.profiles.first().filter(|_| self.desc.implicit_batch) else { return 1 };
        profile.inputs.iter().filter_map(|r| r.max.first().copied()).min().unwrap_or(1)
    }

    /// Dims as the application sees them: without an implicit batch dimension.
    pub fn api_dims(&self, dims: &[i64]) -> Vec<i64> {
        match dims.split_first() {
            Some((_, rest)) if self.desc.implicit_batch => rest.to_vec(),
            _ => dims.to_vec(),
        }
    }

    pub fn nb_profiles(&self) -> usize {
        self.desc.profiles.len()
    }

    /// The range of input `index` in `profile` (None for outputs or bad indices).
    pub fn profile_range(&self, index: usize, profile: usize) -> Option<&InputRange> {
        self.desc.profiles.get(profile)?.inputs.get(index)
    }

    /// Device (or host, on the CPU) memory a context needs: activations and workspace.
    pub fn device_memory_size(&self) -> u64 {
        let workspace = match &self.backend {
            EngineBackend::Cuda(c) => c.workspace_bytes as u64,
            EngineBackend::Cpu(_) => 0,
        };
        self.analysis.arena_bytes + workspace
    }
}
