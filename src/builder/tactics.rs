//! Tactic selection on the GPU: every candidate (precision × implementation) of every running
//! layer is timed on the device at the first profile's kOPT shapes, on pseudo-random inputs,
//! and the fastest is recorded in the plan with the cubins it needs. With kFP16, a kHALF
//! candidate within 5% of the fastest wins the tie: it halves the memory traffic downstream.

use super::config::{BuilderConfig, POOL_WORKSPACE};
use super::precision::{Candidate, Chooser};
use crate::backend::cuda::layers::{self, PrepareCx, Shapes};
use crate::backend::cuda::{self, nvrtc, sources, DeviceBuffer, Event, Kernels, Stream};
use crate::engine::EngineLayer;
use crate::error::{Error, Result};
use crate::host::encode_f32;
use crate::log::Reporter;
use crate::types::{byte_size, DataType};
use std::collections::HashMap;

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

/// Compiles `files` for the device's architecture.
pub fn compile_kernels(files: &[&str], sm: (i32, i32)) -> Result<Vec<(String, bytes::Bytes)>> {
    files
        .iter()
        .map(|&f| {
            let src = sources::source(f).ok_or_else(|| Error::internal(format!("no kernel source '{f}'")))?;
            Ok((f.to_string(), bytes::Bytes::from(nvrtc::compile_cubin(f, src, sm)?)))
        })
        .collect()
}

/// Edge of the timing advantage kHALF gets: a kHALF candidate wins within this factor.
const HALF_TIE: f32 = 1.05;

pub struct Timing<'a> {
    pub images: Vec<(String, bytes::Bytes)>,
    kernels: Kernels,
    stream: Stream,
    iterations: i32,
    workspace_limit: u64,
    allow_tf32: bool,
    reporter: &'a Reporter,
    /// Identical layers (same parameters, types and shapes) are timed once.
    cache: HashMap<String, usize>,
}

impl<'a> Timing<'a> {
    pub fn new(config: &BuilderConfig, reporter: &'a Reporter) -> Result<Timing<'a>> {
        let dev = cuda::device()?;
        dev.bind()?;
        let images = compile_kernels(&layers::all_kernel_files(), dev.sm)?;
        let kernels = Kernels::load(&images)?;
        Ok(Timing {
            images,
            kernels,
            stream: Stream::new()?,
            iterations: config.avg_timing_iterations.max(1),
            workspace_limit: config.pool_limits[POOL_WORKSPACE as usize],
            allow_tf32: config.flag(super::config::FLAG_TF32),
            reporter,
            cache: HashMap::new(),
        })
    }

    fn time(&self, l: &EngineLayer, c: &Candidate, shapes: &Shapes, seed: u64) -> Result<f32> {
        let imp = layers::find(l.op.kind(), c.tactic).ok_or_else(|| Error::internal("unknown tactic"))?;
        let prepared = imp.prepare(l.op.as_ref(), &c.types, &PrepareCx { kernels: &self.kernels, allow_tf32: self.allow_tf32 })?;
        let ws_bytes = prepared.workspace_bytes(shapes);
        if ws_bytes as u64 > self.workspace_limit {
            return Err(Error::invalid_config(format!(
                "needs {ws_bytes} bytes of workspace, over the kWORKSPACE limit {}",
                self.workspace_limit
            )));
        }
        let bound = prepared.bind(shapes)?;
        let buffer = |dims: &[i64], t: DataType, fill: Option<u64>| -> Result<DeviceBuffer> {
            let bytes = byte_size(dims, t).ok_or_else(|| Error::invalid_argument("a timing buffer is too large"))?;
            let mut host = vec![0u8; bytes];
            if let (Some(seed), true) = (fill, t.is_float()) {
                encode_f32(t, &pseudo_random(bytes / t.size_bytes(), seed), &mut host);
            }
            DeviceBuffer::from_bytes(&host)
        };
        let mut inputs = vec![];
        for (i, (d, t)) in shapes.inputs.iter().zip(&c.types.inputs).enumerate() {
            inputs.push(match (d, t) {
                (Some(d), Some(t)) => Some(buffer(d, *t, Some(seed * 8 + i as u64 + 1))?),
                _ => None,
            });
        }
        let outputs = shapes.outputs.iter().zip(&c.types.outputs).map(|(d, &t)| buffer(d, t, None)).collect::<Result<Vec<_>>>()?;
        let ws = DeviceBuffer::alloc(ws_bytes)?;
        let scratch = cuda::Scratch { workspace: ws.ptr, workspace_bytes: ws_bytes };
        let ins: Vec<u64> = inputs.iter().map(|b| b.as_ref().map(|b| b.ptr).unwrap_or(0)).collect();
        let outs: Vec<u64> = outputs.iter().map(|b| b.ptr).collect();
        bound.enqueue(self.stream.0, &ins, &outs, &scratch)?; // warm-up
        let (start, end) = (Event::new()?, Event::new()?);
        start.record(self.stream.0)?;
        for _ in 0..self.iterations {
            bound.enqueue(self.stream.0, &ins, &outs, &scratch)?;
        }
        end.record(self.stream.0)?;
        let ms = end.elapsed_since(&start)? / self.iterations as f32;
        self.stream.synchronize()?;
        Ok(ms)
    }
}

impl Chooser for Timing<'_> {
    fn needs_shapes(&self) -> bool {
        true
    }

    fn choose(&mut self, l: &EngineLayer, cands: &[Candidate], shapes: Option<&Shapes>) -> Result<usize> {
        let shapes = shapes.ok_or_else(|| Error::internal("timing needs shapes"))?;
        if cands.len() == 1 {
            return Ok(0);
        }
        let key = format!(
            "{}|{:?}|{:?}|{:?}",
            l.op.kind().name(),
            l.op.encode(),
            cands.iter().map(|c| (c.tactic, &c.types)).collect::<Vec<_>>(),
            shapes
        );
        if let Some(&i) = self.cache.get(&key) {
            return Ok(i);
        }
        let mut best: Option<(f32, usize)> = None;
        let mut last_error = None;
        for (i, c) in cands.iter().enumerate() {
            match self.time(l, c, shapes, i as u64) {
                Ok(ms) => {
                    self.reporter.verbose(&format!(
                        "tactic timing: layer '{}' {} '{}': {ms:.4} ms",
                        l.name,
                        c.precision.map(|p| p.name()).unwrap_or(""),
                        c.tactic
                    ));
                    let score = if c.precision == Some(DataType::Half) { ms / HALF_TIE } else { ms };
                    if best.is_none_or(|(b, _)| score < b) {
                        best = Some((score, i));
                    }
                }
                Err(e) => {
                    self.reporter.verbose(&format!("tactic timing: layer '{}' '{}' skipped: {e}", l.name, c.tactic));
                    last_error = Some(e);
                }
            }
        }
        let (_, i) = best.ok_or_else(|| {
            Error::unsupported(format!(
                "layer '{}' has no CUDA implementation that can run here: {}",
                l.name,
                last_error.map(|e| e.message).unwrap_or_default()
            ))
        })?;
        self.cache.insert(key, i);
        Ok(i)
    }
}
