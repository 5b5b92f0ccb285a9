//! The builder: a short, explicit list of passes from a network definition to a plan.
//!
//! 1. graph passes (`passes::GRAPH_PASSES`): shape inference, type check, constant folding,
//!    fusion, dead layer removal — each followed by the IR validity check;
//! 2. precision assignment (FP32 everywhere today);
//! 3. lowering to an engine description for the target (CPU, or the CUDA device present);
//! 4. tactic selection (CUDA: every candidate timed on the device);
//! 5. memory planning (one shared activation arena);
//! 6. serialization.

pub mod config;
pub mod memory;
pub mod passes;
pub mod tactics;

use crate::backend::{default_target, Target};
use crate::error::{Error, Result};
use crate::ir::{validate, Network};
use crate::log::Reporter;
use crate::plan::{self, EngineDesc, EngineLayer, EngineTensor};
use crate::types::TensorIOMode;
use config::{BuilderConfig, FLAG_FP16, FLAG_INT8, FLAG_TF32};

/// Builds a serialized engine plan for this machine.
pub fn build_serialized(network: &Network, config: &BuilderConfig, reporter: &Reporter) -> Result<Vec<u8>> {
    let (target, why) = default_target();
    if let Some(why) = why {
        reporter.info(&format!("building for the CPU reference backend: {why}"));
    }
    build_for(network, config, reporter, target)
}

/// Builds for an explicit target (tests use this to build CPU plans on GPU machines).
pub fn build_for(network: &Network, config: &BuilderConfig, reporter: &Reporter, target: Target) -> Result<Vec<u8>> {
    let mut net = network.clone();
    validate::validate(&net).map_err(|e| e.context("the network is not valid"))?;
    for (name, pass) in passes::GRAPH_PASSES {
        pass(&mut net, reporter)?;
        validate::validate(&net).map_err(|e| e.context(format!("after builder pass '{name}'")))?;
    }
    validate::require_static_shapes(&net)?;
    if config.flag(FLAG_INT8) {
        return Err(Error::unsupported("BuilderFlag::kINT8 is not implemented yet (no INT8 kernels or calibration)"));
    }
    if config.flag(FLAG_FP16) {
        // kFP16 permits FP16; it does not require it. No FP16 tactics exist yet.
        reporter.info("kFP16 is set, but no FP16 implementations exist yet: every layer runs in FP32");
    }
    let mut desc = lower(&net, target.clone(), config)?;
    if let Target::Cuda(..) = target {
        tactics::select(&mut desc, config, reporter)?;
    }
    desc.arena_bytes = memory::plan_arena(&mut desc.tensors, &desc.layers);
    reporter.info(&format!(
        "built engine for {}: {} layers, {} bytes of activations per context",
        target.name(),
        desc.layers.len(),
        desc.arena_bytes
    ));
    Ok(plan::serialize(&desc))
}

/// The engine description of a validated, shape-inferred network.
fn lower(net: &Network, target: Target, config: &BuilderConfig) -> Result<EngineDesc> {
    let mut tensors: Vec<EngineTensor> = net
        .tensors
        .iter()
        .map(|t| EngineTensor {
            name: t.name.as_str().to_string(),
            dtype: t.dtype,
            dims: t.dims.clone(),
            io_mode: TensorIOMode::None,
            arena_offset: 0,
        })
        .collect();
    for &i in &net.inputs {
        tensors[i].io_mode = TensorIOMode::Input;
    }
    for &o in &net.outputs {
        if tensors[o].io_mode == TensorIOMode::Input {
            return Err(Error::invalid_argument(format!("tensor '{}' cannot be both a network input and output", tensors[o].name)));
        }
        tensors[o].io_mode = TensorIOMode::Output;
    }
    let mut seen = std::collections::HashSet::new();
    for &t in net.inputs.iter().chain(&net.outputs) {
        if !seen.insert(tensors[t].name.as_str()) {
            return Err(Error::invalid_argument(format!("two network inputs or outputs are named '{}'", tensors[t].name)));
        }
    }
    let layers = net
        .topological_order()?
        .into_iter()
        .map(|id| {
            let l = &net.layers[id];
            EngineLayer {
                name: l.name.as_str().to_string(),
                op: l.op.clone(),
                inputs: l.inputs.clone(),
                outputs: l.outputs.clone(),
                tactic: String::new(),
            }
        })
        .collect();
    Ok(EngineDesc {
        name: String::new(),
        target,
        tensors,
        layers,
        io_tensors: net.inputs.iter().chain(&net.outputs).copied().collect(),
        kernels: vec![],
        allow_tf32: config.flag(FLAG_TF32),
        allow_fp16: config.flag(FLAG_FP16),
        arena_bytes: 0,
    })
}
