//! Pointwise activation (IActivationLayer).

use super::generated::Activation;
use super::{any_impls, check_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};

/// nvinfer1::ActivationType values.
pub const RELU: i32 = 0;
pub const SIGMOID: i32 = 1;
pub const TANH: i32 = 2;
pub const LEAKY_RELU: i32 = 3;
pub const ELU: i32 = 4;
pub const SELU: i32 = 5;
pub const SOFTSIGN: i32 = 6;
pub const SOFTPLUS: i32 = 7;
pub const CLIP: i32 = 8;
pub const HARD_SIGMOID: i32 = 9;
pub const SCALED_TANH: i32 = 10;
pub const THRESHOLDED_RELU: i32 = 11;

impl Activation {
    pub fn of(kind: i32, alpha: f32, beta: f32) -> Activation {
        Activation { activation_type: kind, alpha, beta }
    }
}

/// The reference formula for one value; `kernels/activation.cu` mirrors it.
pub fn apply(kind: i32, alpha: f32, beta: f32, v: f32) -> f32 {
    match kind {
        RELU => v.max(0.0),
        SIGMOID => 1.0 / (1.0 + (-v).exp()),
        TANH => v.tanh(),
        LEAKY_RELU => {
            if v >= 0.0 {
                v
            } else {
                alpha * v
            }
        }
        ELU => {
            if v >= 0.0 {
                v
            } else {
                alpha * (v.exp() - 1.0)
            }
        }
        SELU => beta * if v >= 0.0 { v } else { alpha * (v.exp() - 1.0) },
        SOFTSIGN => v / (1.0 + v.abs()),
        SOFTPLUS => alpha * (beta * v).exp().ln_1p(),
        CLIP => v.max(alpha).min(beta),
        HARD_SIGMOID => (alpha * v + beta).clamp(0.0, 1.0),
        SCALED_TANH => alpha * (beta * v).tanh(),
        THRESHOLDED_RELU => {
            if v > alpha {
                v
            } else {
                0.0
            }
        }
        _ => v,
    }
}

impl Layer for Activation {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        if !(RELU..=THRESHOLDED_RELU).contains(&self.activation_type) {
            return Err(Error::invalid_argument(format!("unknown ActivationType {}", self.activation_type)));
        }
        let x = input(inputs, 0)?;
        check_type("the activation's input", x.dtype, FLOATS)?;
        Ok(vec![InferOut::new(x.dtype, x.dims.to_vec())])
    }
    fn float_flexible(&self) -> bool {
        true
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?.f32();
        outputs[0].with_f32(|y| {
            for (o, &v) in y.iter_mut().zip(x.iter()) {
                *o = apply(self.activation_type, self.alpha, self.beta, v);
            }
        });
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Elementwise: no axis parameters.
        Ok(())
    }
    any_impls!();
}
