//! The builder: a short, explicit list of passes from a network definition to a plan.
//!
//! 1. validation and shape inference of the network;
//! 2. graph passes (`passes::GRAPH_PASSES`): constant folding, fusion, dead layer removal —
//!    each followed by the IR validity check;
//! 3. lowering to an engine description (execution order, I/O, optimization profiles);
//! 4. precision and implementation choice (`precision`; on the GPU by timing, `tactics`),
//!    with casts inserted where types change;
//! 5. analysis (the shape program, memory bounds and the memory plan), exactly as the
//!    loader will redo it;
//! 6. serialization, and a check that the plan decodes and verifies.

pub mod config;
pub mod lower;
pub mod passes;
pub mod precision;
pub mod profiles;
pub mod tactics;

use crate::backend::{default_target, Target};
use crate::error::{Error, Result};
use crate::ir::{validate, Network};
use crate::log::Reporter;
use crate::plan;
use crate::runtime::Engine;
use config::{BuilderConfig, FLAG_FP8, FLAG_INT8};

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
    if config.flag(FLAG_INT8) {
        return Err(Error::unsupported("BuilderFlag::kINT8 is not implemented yet (no INT8 kernels or calibration)"));
    }
    if config.flag(FLAG_FP8) {
        return Err(Error::unsupported("BuilderFlag::kFP8 is not supported by this library"));
    }
    let (mut net, batch_config);
    let config = if network.implicit_batch {
        // Built as the explicit-batch network with a batch profile 1..maxBatchSize.
        net = network.to_explicit_batch()?;
        batch_config = implicit_batch_config(&net, config)?;
        &batch_config
    } else {
        net = network.clone();
        config
    };
    net.infer_shapes()?;
    validate::validate(&net).map_err(|e| e.context("the network is not valid"))?;
    if net.outputs.is_empty() {
        return Err(Error::invalid_argument("the network has no outputs: mark at least one with markOutput"));
    }
    for (name, pass) in passes::GRAPH_PASSES {
        pass(&mut net, reporter)?;
        validate::validate(&net).map_err(|e| e.context(format!("after builder pass '{name}'")))?;
    }
    let lowered = lower::lower(&mut net, target.clone(), config, reporter)?;
    let mut desc = match target {
        Target::Cpu => precision::assign(lowered, config, reporter, &mut precision::FirstChoice)?,
        Target::Cuda(..) => {
            let mut timing = tactics::Timing::new(config, reporter)?;
            let mut desc = precision::assign(lowered, config, reporter, &mut timing)?;
            let mut used: Vec<&str> = desc
                .layers
                .iter()
                .filter_map(|l| crate::backend::cuda::layers::find(l.op.kind(), &l.tactic))
                .flat_map(|i| i.kernel_files().iter().copied())
                .chain(["cast"])
                .collect();
            // Loops move slices and slots with kernels of their own (no layer names them).
            let loops =
                desc.layers.iter().any(|l| matches!(l.op.control(), Some(b) if matches!(b.construct, crate::control::Construct::Loop(_))));
            if loops {
                used.push(crate::backend::cuda::engine::CONTROL_FLOW_KERNELS);
            }
            used.sort_unstable();
            used.dedup();
            desc.kernels = timing.images.iter().filter(|(n, _)| used.contains(&n.as_str())).cloned().collect();
            desc
        }
    };
    lower::block_order(&mut desc)?;
    desc.name = String::new();
    desc.implicit_batch = network.implicit_batch;
    // Engine::verify's checks, split: a profile point the network cannot run at is the
    // application's error; anything else the builder produced and the loader would refuse
    // is ours.
    let internal = |e: Error| e.context("the built engine does not verify (internal error)");
    let analysis = crate::engine::analysis::analyze(&desc).map_err(internal)?;
    crate::engine::analysis::check_profile_points(&desc, &analysis.graph)?;
    crate::backend::check_tactics(&desc, &analysis).map_err(internal)?;
    check_fits(&desc, &analysis, &target)?;
    reporter.info(&format!(
        "built engine for {}: {} layers, {} bytes of activations per context",
        target.name(),
        desc.layers.len(),
        analysis.arena_bytes
    ));
    let bytes = plan::serialize(&desc);
    // Cheap insurance: the plan decodes and verifies as a loader will see it.
    let decoded = plan::deserialize(&bytes, |_| Ok(())).map_err(|e| e.context("the builder's own plan does not load (internal error)"))?;
    Engine::verify(&decoded).map_err(|e| e.context("the builder's own plan does not verify (internal error)"))?;
    Ok(bytes)
}

/// The configuration of an implicit-batch network's build: one profile giving every input
/// (now with its leading batch dimension) batches 1 to maxBatchSize, optimized for the
/// largest, as TensorRT optimizes implicit-batch engines.
fn implicit_batch_config(net: &Network, config: &BuilderConfig) -> Result<BuilderConfig> {
    if !config.profiles.is_empty() {
        return Err(Error::invalid_config("optimization profiles need an explicit-batch network (kEXPLICIT_BATCH)"));
    }
    let max = config.max_batch_size;
    if !(1..=i32::MAX as i64).contains(&max) {
        return Err(Error::invalid_config(format!("the maximum batch size {max} must be at least 1 (IBuilder::setMaxBatchSize)")));
    }
    let mut profile = config::OptimizationProfile::new();
    for &t in &net.inputs {
        let tensor = &net.tensors[t];
        let dims = |batch: i64| std::iter::once(batch).chain(tensor.declared_dims[1..].iter().copied()).collect::<Vec<_>>();
        let name = tensor.name.as_str();
        profile.set_dimensions(name, crate::types::ProfileSelector::Min, &dims(1))?;
        profile.set_dimensions(name, crate::types::ProfileSelector::Opt, &dims(max))?;
        profile.set_dimensions(name, crate::types::ProfileSelector::Max, &dims(max))?;
    }
    let mut out = config.clone();
    out.profiles = vec![profile];
    Ok(out)
}

/// Memory of the machine the engine is built for: the GPU's, or the host's for the CPU.
fn machine_memory(target: &Target) -> Option<u64> {
    match target {
        Target::Cuda(..) => crate::backend::cuda::device().ok().map(|d| d.total_memory as u64),
        Target::Cpu => {
            // SAFETY: sysconf only reads system configuration.
            let (pages, size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
            (pages > 0 && size > 0).then(|| pages as u64 * size as u64)
        }
    }
}

/// Refuses an engine whose context or I/O memory cannot exist on the machine it is built for
/// (a batch of 2·10¹⁵ is a valid shape, but no context for it can be created): the error
/// comes now, naming the largest tensor, instead of at createExecutionContext.
fn check_fits(desc: &crate::engine::EngineDesc, a: &crate::engine::Analysis, target: &Target) -> Result<()> {
    let Some(limit) = machine_memory(target) else { return Ok(()) };
    let largest = (0..desc.tensors.len()).max_by_key(|&t| a.tensors[t].max_bytes);
    let what = |t: usize| {
        format!(
            "tensor '{}' {} may need {} bytes",
            desc.tensors[t].name,
            crate::types::dims_str(&desc.tensors[t].dims),
            a.tensors[t].max_bytes
        )
    };
    if a.arena_bytes > limit || largest.is_some_and(|t| a.tensors[t].max_bytes > limit) {
        return Err(Error::new(
            crate::types::ErrorCode::FailedAllocation,
            format!(
                "the engine cannot run on this machine: it needs {} bytes of activation memory per context and {}, over the {limit} bytes of {} memory",
                a.arena_bytes,
                largest.map(what).unwrap_or_default(),
                if matches!(target, Target::Cpu) { "host" } else { "GPU" }
            ),
        ));
    }
    Ok(())
}
