//! The coordinates of the non-zero elements (INonZeroLayer): a [rank, count] kINT32 tensor
//! whose count is only known once the layer ran. Outputs sized by it reach the application
//! through its IOutputAllocator.

use super::generated::NonZero;
use super::{any_impls, check_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::DataType;

impl Layer for NonZero {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        let types = [DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Uint8, DataType::Bool];
        check_type("the non-zero layer's input", x.dtype, &types)?;
        let bound = cx.g.volume(x.dims)?;
        let count = cx.data_dependent(0, bound);
        let rank = cx.g.constant(x.dims.len() as i64);
        Ok(vec![InferOut::new(DataType::Int32, vec![rank, count])])
    }
    fn run_cpu(&self, cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let nonzero: Vec<bool> = if x.dtype.is_float() { x.f32().iter().map(|&v| v != 0.0).collect() } else { x.i64().iter().map(|&v| v != 0).collect() };
        let count = nonzero.iter().filter(|&&b| b).count();
        let rank = x.dims.len();
        // Row-major [rank, count]: row d holds coordinate d of each non-zero element in order.
        let mut coords = vec![0i64; rank * count];
        for (j, i) in nonzero.iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i).enumerate() {
            let mut rem = i as i64;
            for d in (0..rank).rev() {
                coords[d * count + j] = rem % x.dims[d];
                rem /= x.dims[d];
            }
        }
        let out = &mut outputs[0];
        if coords.len() * 4 > out.bytes.len() {
            return Err(Error::internal("the non-zero output is larger than its bound"));
        }
        crate::host::encode_i64(DataType::Int32, &coords, &mut out.bytes[..coords.len() * 4]);
        cx.counts.push((0, count as i64));
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("INonZeroLayer"))
    }
    any_impls!();
}
