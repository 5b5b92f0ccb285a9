//! Identity (IIdentityLayer): a copy. With an output type set, the builder turns it into a
//! conversion.

use super::generated::Identity;
use super::{any_impls, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::Result;
use crate::host::{TensorIn, TensorOut};

impl Layer for Identity {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        Ok(vec![InferOut { dtype: x.dtype, dims: x.dims.to_vec(), values: x.values.map(|v| v.to_vec()) }])
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let n = outputs[0].bytes.len().min(x.bytes.len());
        outputs[0].bytes[..n].copy_from_slice(&x.bytes[..n]);
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Elementwise: no axis parameters.
        Ok(())
    }
    any_impls!();
}
