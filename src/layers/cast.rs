//! Type conversion (ICastLayer); the builder also inserts casts where a layer's chosen
//! precision differs from its neighbours'.

use super::generated::Cast;
use super::{any_impls, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::Result;
use crate::host::{self, TensorIn, TensorOut};
use crate::types::DataType;

impl Cast {
    pub fn to(dtype: DataType) -> Cast {
        Cast { to_type: dtype as i32 }
    }
}

impl Layer for Cast {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        let to = DataType::parse(self.to_type, "the cast's target type")?;
        let mut out = InferOut::new(to, x.dims.to_vec());
        // A shape tensor stays one through a cast between integer types.
        if to == DataType::Int32 && x.dtype == DataType::Int32 {
            out.values = x.values.map(|v| v.to_vec());
        }
        Ok(vec![out])
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let y = &mut outputs[0];
        host::convert(x.dtype, x.bytes, y.dtype, y.bytes);
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Elementwise: no axis parameters.
        Ok(())
    }
    any_impls!();
}
