//! Tactic selection on the GPU: every CUDA implementation of every layer is timed on random
//! inputs of the layer's real shapes, and the fastest is recorded in the plan together with
//! the cubins it needs.

use super::config::{BuilderConfig, POOL_WORKSPACE};
use crate::backend::cuda::{self, nvrtc, sources, DeviceBuffer, Event, Kernels, Scratch, Stream};
use crate::error::{Error, Result};
use crate::log::Reporter;
use crate::ops::{CudaPrep, LayerShapes};
use crate::plan::EngineDesc;
use crate::types::volume;
use std::collections::BTreeSet;

/// Deterministic values in [-1, 1) for timing runs (never zeros, which can time faster).
pub fn pseudo_random(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Compiles the kernel files that `files` names for the device's architecture.
pub fn compile_kernels(files: &BTreeSet<&'static str>, sm: (i32, i32)) -> Result<Vec<(String, Vec<u8>)>> {
    files
        .iter()
        .map(|&f| {
            let src = sources::source(f).ok_or_else(|| Error::internal(format!("no kernel source '{f}'")))?;
            Ok((f.to_string(), nvrtc::compile_cubin(f, src, sm)?))
        })
        .collect()
}

pub fn select(desc: &mut EngineDesc, config: &BuilderConfig, reporter: &Reporter) -> Result<()> {
    let dev = cuda::device()?;
    dev.bind()?;
    let mut files = BTreeSet::new();
    for l in &desc.layers {
        for t in l.op.cuda_tactics() {
            files.extend(l.op.cuda_kernel_files(t));
        }
    }
    let images = compile_kernels(&files, dev.sm)?;
    let kernels = Kernels::load(&images)?;
    let stream = Stream::new()?;
    let iterations = config.avg_timing_iterations.max(1);
    let workspace_limit = config.pool_limits[POOL_WORKSPACE as usize];
    for (index, layer) in desc.layers.iter_mut().enumerate() {
        if layer.op.constant_value().is_some() {
            continue;
        }
        let shapes = LayerShapes {
            inputs: layer.inputs.iter().map(|&t| desc.tensors[t].dims.clone()).collect(),
            outputs: layer.outputs.iter().map(|&t| desc.tensors[t].dims.clone()).collect(),
        };
        let inputs: Vec<DeviceBuffer> = shapes
            .inputs
            .iter()
            .enumerate()
            .map(|(i, d)| DeviceBuffer::upload_f32(&pseudo_random(volume(d).unwrap_or(0), (index * 8 + i) as u64 + 1)))
            .collect::<Result<_>>()?;
        let outputs: Vec<DeviceBuffer> =
            shapes.outputs.iter().map(|d| DeviceBuffer::alloc(volume(d).unwrap_or(0) * 4)).collect::<Result<_>>()?;
        let in_ptrs: Vec<u64> = inputs.iter().map(|b| b.ptr).collect();
        let out_ptrs: Vec<u64> = outputs.iter().map(|b| b.ptr).collect();
        let prep = CudaPrep { kernels: &kernels, shapes: &shapes, allow_tf32: desc.allow_tf32 };
        let mut best: Option<(f32, &'static str)> = None;
        let mut last_error = None;
        for tactic in layer.op.cuda_tactics() {
            let timed = (|| -> Result<f32> {
                let impl_ = layer.op.prepare_cuda(tactic, &prep)?;
                let ws_bytes = impl_.workspace_bytes();
                if ws_bytes as u64 > workspace_limit {
                    return Err(Error::invalid_config(format!(
                        "needs {ws_bytes} bytes of workspace, over the kWORKSPACE limit {workspace_limit}"
                    )));
                }
                let ws = DeviceBuffer::alloc(ws_bytes)?;
                let scratch = Scratch { workspace: ws.ptr, workspace_bytes: ws_bytes };
                impl_.enqueue(stream.0, &in_ptrs, &out_ptrs, &scratch)?; // warm-up
                let (start, end) = (Event::new()?, Event::new()?);
                start.record(stream.0)?;
                for _ in 0..iterations {
                    impl_.enqueue(stream.0, &in_ptrs, &out_ptrs, &scratch)?;
                }
                end.record(stream.0)?;
                Ok(end.elapsed_since(&start)? / iterations as f32)
            })();
            match timed {
                Ok(ms) => {
                    reporter.verbose(&format!("tactic timing: layer '{}' tactic '{tactic}': {:.4} ms", layer.name, ms));
                    if best.map(|(b, _)| ms < b).unwrap_or(true) {
                        best = Some((ms, tactic));
                    }
                }
                Err(e) => {
                    reporter.verbose(&format!("tactic timing: layer '{}' tactic '{tactic}' skipped: {e}", layer.name));
                    last_error = Some(e);
                }
            }
        }
        let (_, tactic) = best.ok_or_else(|| {
            let why = last_error.map(|e| e.message).unwrap_or_default();
            Error::unsupported(format!("layer '{}' has no CUDA implementation that can run here: {why}", layer.name))
        })?;
        layer.tactic = tactic.to_string();
    }
    stream.synchronize()?;
    let used: BTreeSet<&str> =
        desc.layers.iter().filter(|l| !l.tactic.is_empty()).flat_map(|l| l.op.cuda_kernel_files(&l.tactic)).collect();
    desc.kernels = images.into_iter().filter(|(n, _)| used.contains(n.as_str())).collect();
    Ok(())
}
