//! The CPU reference backend: runs an engine's layers in order on host buffers, one per
//! tensor. Plain and obviously correct; the oracle for the CUDA backend.

use crate::error::Result;
use crate::ops::HostIn;
use crate::plan::EngineDesc;
use crate::types::volume;

/// One buffer per engine tensor, sized to its shape.
pub fn allocate(desc: &EngineDesc) -> Vec<Vec<f32>> {
    desc.tensors.iter().map(|t| vec![0f32; volume(&t.dims).unwrap_or(0)]).collect()
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
