//! IDeconvolutionLayer on the GPU: the direct window implementation of `convolution.rs` with
//! a gathering transposed-convolution kernel (FP32 and FP16, float accumulation, bias fused).

use super::convolution::{Direct, WindowSpec};
use crate::error::Result;
use crate::layers::convolution::ConvGeometry;
use crate::layers::generated::Deconvolution;
use crate::layers::Kind;
use crate::weights::Weights;

impl WindowSpec for Deconvolution {
    const KIND: Kind = Kind::Deconvolution;
    const KERNEL: (&'static str, &'static str) = ("deconvolution", "deconv");
    fn weights(&self) -> Option<&Weights> {
        self.kernel()
    }
    fn bias_values(&self) -> Option<&Weights> {
        self.bias()
    }
    fn geometry_for(&self, input: &[i64]) -> Result<ConvGeometry> {
        self.geometry(input)
    }
}

pub static DIRECT: Direct<Deconvolution> = Direct::new();
