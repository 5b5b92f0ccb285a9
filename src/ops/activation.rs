//! Pointwise activation (IActivationLayer).

use super::{launch, unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{volume, LayerType};

/// nvinfer1::ActivationType values.
pub const RELU: i32 = 0;
pub const MAX_TYPE: i32 = 11;

#[derive(Clone, PartialEq, prost::Message)]
pub struct Activation {
    #[prost(int32, tag = "1")]
    pub activation: i32,
    #[prost(float, tag = "2")]
    pub alpha: f32,
    #[prost(float, tag = "3")]
    pub beta: f32,
}

impl Activation {
    pub fn new(activation: i32, alpha: f32, beta: f32) -> Activation {
        Activation { activation, alpha, beta }
    }
}

/// The reference formula for one value; `kernels/activation.cu` mirrors it.
pub fn apply(kind: i32, alpha: f32, beta: f32, v: f32) -> f32 {
    match kind {
        0 => v.max(0.0),
        1 => 1.0 / (1.0 + (-v).exp()),
        2 => v.tanh(),
        3 => {
            if v >= 0.0 {
                v
            } else {
                alpha * v
            }
        }
        4 => {
            if v >= 0.0 {
                v
            } else {
                alpha * (v.exp() - 1.0)
            }
        }
        5 => beta * if v >= 0.0 { v } else { alpha * (v.exp() - 1.0) },
        6 => v / (1.0 + v.abs()),
        7 => alpha * (beta * v).exp().ln_1p(),
        8 => v.max(alpha).min(beta),
        9 => (alpha * v + beta).clamp(0.0, 1.0),
        10 => alpha * (beta * v).tanh(),
        11 => {
            if v > alpha {
                v
            } else {
                0.0
            }
        }
        _ => v,
    }
}

impl Op for Activation {
    fn kind(&self) -> &'static str {
        "Activation"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::Activation
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        if !(0..=MAX_TYPE).contains(&self.activation) {
            return Err(Error::invalid_argument(format!("unknown activation type {}", self.activation)));
        }
        Ok(vec![inputs[0].to_vec()])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "type" => self.activation = value.int(key)? as i32,
            "alpha" => self.alpha = value.float(key)? as f32,
            "beta" => self.beta = value.float(key)? as f32,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        Some(match key {
            "type" => Param::Ints(vec![self.activation as i64]),
            "alpha" => Param::Float(self.alpha as f64),
            "beta" => Param::Float(self.beta as f64),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        for (o, &x) in outputs[0].iter_mut().zip(inputs[0].data) {
            *o = apply(self.activation, self.alpha, self.beta, x);
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["activation"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        Ok(Box::new(ActivationCuda {
            kernel: prep.kernels.function("activation", "activation_f32")?,
            n: volume(&prep.shapes.inputs[0]).unwrap_or(0),
            op: self.clone(),
        }))
    }
}

struct ActivationCuda {
    kernel: Kernel,
    n: usize,
    op: Activation,
}

impl CudaLayer for ActivationCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.op.activation),
            launch::arg(&self.op.alpha),
            launch::arg(&self.op.beta),
        ];
        self.kernel.launch(launch::grid(self.n), launch::BLOCK, stream, &mut args)
    }
}
