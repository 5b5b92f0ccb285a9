//! Fully connected layer (IFullyConnectedLayer, deprecated in TensorRT 8.6 but still used):
//! the last three input dimensions [C,H,W] are flattened and multiplied by a [K, C·H·W]
//! kernel; the output is [..., K, 1, 1].

use super::generated::FullyConnected;
use super::matmul::{gemm_f32, GemmGeometry};
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, volume};
use crate::weights::Weights;

impl FullyConnected {
    pub fn of(num_outputs: i64, kernel: Weights, bias: Option<Weights>) -> FullyConnected {
        FullyConnected { num_outputs, kernel_weights: Some(kernel), bias_weights: bias }
    }

    pub fn kernel(&self) -> Option<&Weights> {
        self.kernel_weights.as_ref().filter(|w| !w.is_empty())
    }

    pub fn bias(&self) -> Option<&Weights> {
        self.bias_weights.as_ref().filter(|w| !w.is_empty())
    }

    /// x [M, K] times kernelᵀ ([N, K] stored row-major) for a known input shape.
    pub fn gemm(&self, input: &[i64]) -> Result<GemmGeometry> {
        let r = input.len();
        if r < 3 {
            return Err(Error::invalid_argument(format!("a fully connected input needs rank >= 3, got {}", dims_str(input))));
        }
        let k = volume(&input[r - 3..]).ok_or_else(|| Error::invalid_argument("input too large"))? as i64;
        let m = volume(&input[..r - 3]).ok_or_else(|| Error::invalid_argument("input too large"))? as i64;
        Ok(GemmGeometry::plain(m, self.num_outputs, k, false, true))
    }
}

impl Layer for FullyConnected {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_type("the fully connected layer's input", x.dtype, FLOATS)?;
        let r = x.dims.len();
        if r < 3 {
            return Err(Error::invalid_argument(format!("a fully connected input needs rank >= 3, got rank {r}")));
        }
        let n = self.num_outputs;
        if n <= 0 {
            return Err(Error::invalid_argument(format!("a fully connected layer needs a positive output count, got {n}")));
        }
        let kernel = self.kernel().ok_or_else(|| Error::invalid_argument("the fully connected layer has no kernel weights"))?;
        check_type("the kernel weights", kernel.data_type()?, FLOATS)?;
        let k = cx.g.known(&x.dims[r - 3..]);
        let k =
            volume(&k).ok_or_else(|| Error::invalid_argument("the fully connected layer's last three input dimensions must be known"))?;
        if k.checked_mul(n as usize) != Some(kernel.count()?) {
            return Err(Error::invalid_argument(format!(
                "the kernel has {} values; {n} outputs of {k} inputs need {}",
                kernel.count()?,
                k as u128 * n as u128
            )));
        }
        if let Some(b) = self.bias() {
            if b.count()? as i64 != n {
                return Err(Error::invalid_argument("the fully connected bias must have one value per output"));
            }
        }
        let mut dims = x.dims[..r - 3].to_vec();
        dims.extend(cx.g.constants(&[n, 1, 1]));
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }
    fn float_flexible(&self) -> bool {
        true
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let g = self.gemm(x.dims)?;
        let (xv, w) = (x.f32(), self.kernel().ok_or_else(|| Error::internal("no kernel"))?.to_f32()?);
        let bias = self.bias().map(|b| b.to_f32()).transpose()?;
        outputs[0].with_f32(|y| {
            gemm_f32(&g, &xv, &w, y);
            if let Some(b) = &bias {
                for row in y.chunks_mut(b.len()) {
                    for (v, bb) in row.iter_mut().zip(b) {
                        *v += bb;
                    }
                }
            }
        });
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Reduces the last three dims; the rest (now the batch) are rows.
        Ok(())
    }
    any_impls!();
}
