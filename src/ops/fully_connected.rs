//! Fully connected layer (IFullyConnectedLayer, deprecated in TensorRT 8.6 but still used):
//! the last three input dimensions [C,H,W] are flattened and multiplied by a [K, C·H·W]
//! kernel; the output is [..., K, 1, 1].

use super::matmul::{gemm_cpu, prepare_gemm};
use super::{unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::blas::GemmShape;
use crate::backend::cuda::{CudaLayer, DeviceBuffer, DevicePtr, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, LayerType};

#[derive(Clone, PartialEq, prost::Message)]
pub struct FullyConnected {
    #[prost(int64, tag = "1")]
    pub num_outputs: i64,
    #[prost(float, repeated, tag = "2")]
    pub kernel_weights: Vec<f32>,
    #[prost(float, repeated, tag = "3")]
    pub bias_weights: Vec<f32>,
}

impl FullyConnected {
    fn gemm_shape(&self, input: &[i64]) -> GemmShape {
        let r = input.len();
        let k = volume(&input[r - 3..]).unwrap_or(0) as u64;
        let m = volume(&input[..r - 3]).unwrap_or(0) as u64;
        let n = self.num_outputs as u64;
        GemmShape { m, n, k, trans_a: false, trans_b: true, batch: 1, a_stride: 0, b_stride: 0, c_stride: 0 }
    }
}

impl Op for FullyConnected {
    fn kind(&self) -> &'static str {
        "FullyConnected"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::FullyConnected
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        let x = inputs[0];
        if x.len() < 3 {
            return Err(Error::invalid_argument(format!("fully connected input needs rank >= 3, got {}", dims_str(x))));
        }
        if let Some(k) = volume(&x[x.len() - 3..]) {
            if self.num_outputs <= 0 || k * self.num_outputs as usize != self.kernel_weights.len() {
                return Err(Error::invalid_argument(format!(
                    "fully connected kernel has {} values; {} outputs of {k} inputs need {}",
                    self.kernel_weights.len(),
                    self.num_outputs,
                    k * self.num_outputs.max(0) as usize
                )));
            }
        }
        if !self.bias_weights.is_empty() && self.bias_weights.len() as i64 != self.num_outputs {
            return Err(Error::invalid_argument("fully connected bias must have one value per output"));
        }
        let mut out = x[..x.len() - 3].to_vec();
        out.extend([self.num_outputs, 1, 1]);
        Ok(vec![out])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "num_outputs" => self.num_outputs = value.int(key)?,
            "kernel_weights" => self.kernel_weights = value.weights(key)?,
            "bias_weights" => self.bias_weights = value.weights(key)?,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        Some(match key {
            "num_outputs" => Param::Ints(vec![self.num_outputs]),
            "kernel_weights" => Param::Weights(self.kernel_weights.clone()),
            "bias_weights" => Param::Weights(self.bias_weights.clone()),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let s = self.gemm_shape(inputs[0].dims);
        gemm_cpu(&s, inputs[0].data, &self.kernel_weights, &mut outputs[0]);
        if !self.bias_weights.is_empty() {
            for row in outputs[0].chunks_mut(s.n as usize) {
                for (y, b) in row.iter_mut().zip(&self.bias_weights) {
                    *y += b;
                }
            }
        }
        Ok(())
    }
    fn cuda_tactics(&self) -> Vec<&'static str> {
        vec!["cublaslt", "tiled"]
    }
    fn cuda_kernel_files(&self, tactic: &str) -> Vec<&'static str> {
        let mut files = vec!["elementwise"];
        if tactic == "tiled" {
            files.push("matmul");
        }
        files
    }
    fn prepare_cuda(&self, tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let s = self.gemm_shape(&prep.shapes.inputs[0]);
        let bias = if self.bias_weights.is_empty() {
            None
        } else {
            let add = super::elementwise::ElementWise::new(super::elementwise::SUM);
            let out = vec![s.m as i64, s.n as i64];
            let shapes = super::LayerShapes { inputs: vec![out.clone(), vec![1, s.n as i64]], outputs: vec![out] };
            let sub = CudaPrep { kernels: prep.kernels, shapes: &shapes, allow_tf32: prep.allow_tf32 };
            Some((add.prepare_cuda("default", &sub)?, DeviceBuffer::upload_f32(&self.bias_weights)?))
        };
        Ok(Box::new(FullyConnectedCuda {
            gemm: prepare_gemm(tactic, s, prep)?,
            weights: DeviceBuffer::upload_f32(&self.kernel_weights)?,
            bias,
        }))
    }
}

struct FullyConnectedCuda {
    gemm: Box<dyn CudaLayer>,
    weights: DeviceBuffer,
    bias: Option<(Box<dyn CudaLayer>, DeviceBuffer)>,
}

impl CudaLayer for FullyConnectedCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        self.gemm.enqueue(stream, &[inputs[0], self.weights.ptr], outputs, scratch)?;
        if let Some((add, bias)) = &self.bias {
            // In place: each output element reads only itself and its bias.
            add.enqueue(stream, &[outputs[0], bias.ptr], outputs, scratch)?;
        }
        Ok(())
    }
    fn workspace_bytes(&self) -> usize {
        self.gemm.workspace_bytes()
    }
}
