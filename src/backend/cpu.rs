//! The CPU reference backend: runs an engine's layers in order on host buffers, one per
//! tensor. Plain and obviously correct; the oracle for the CUDA backend.

use crate::error::{Error, Result};
use crate::ops::HostIn;
use crate::plan::EngineDesc;
use crate::types::volume;
use crate::types::ErrorCode;

/// One buffer per engine tensor, sized to its shape. Running out of memory is an error,
/// not an abort.
pub fn allocate(desc: &EngineDesc) -> Result<Vec<Vec<f32>>> {
    desc.tensors
        .iter()
        .map(|t| {
            let n = volume(&t.dims).ok_or_else(|| Error::invalid_argument(format!("tensor '{}' has no fixed size", t.name)))?;
            let mut buf = Vec::new();
            buf.try_reserve_exact(n).map_err(|_| {
                Error::new(ErrorCode::FailedAllocation, format!("cannot allocate {n} floats of host memory for tensor '{}'", t.name))
            })?;
            buf.resize(n, 0f32);
            Ok(buf)
        })
        .collect()
}

/// Runs every layer; inputs must already be in their buffers.
pub fn execute(desc: &EngineDesc, buffers: &mut [Vec<f32>]) -> Result<()> {
    for layer in &desc.layers {
        let mut outputs: Vec<Vec<f32>> = layer.outputs.iter().map(|&o| std::mem::take(&mut buffers[o])).collect();
        let inputs: Vec<HostIn> = layer.inputs.iter().map(|&i| HostIn { data: &buffers[i], dims: &desc.tensors[i].dims }).collect();
        let result = layer.op.run_cpu(&inputs, &mut outputs).map_err(|e| e.context(format!("layer '{}'", layer.name)));
        for (&o, buf) in layer.outputs.iter().zip(outputs) {
            buffers[o] = buf;
        }
        result?;
    }
    Ok(())
}
