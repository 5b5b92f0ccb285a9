//! The shape of a tensor as a 1-D kINT32 tensor (IShapeLayer). Its values are the input's
//! dims in the shape graph, so layers computing on it run on the host unless a dim is only
//! known after a layer ran.

use super::generated::Shape;
use super::{any_impls, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, MAX_SHAPE_VALUES};
use crate::error::Result;
use crate::host::{TensorIn, TensorOut};
use crate::types::DataType;

impl Layer for Shape {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        let rank = x.dims.len() as i64;
        let mut out = InferOut::new(DataType::Int32, vec![cx.g.constant(rank)]);
        if x.dims.len() <= MAX_SHAPE_VALUES {
            out.values = Some(x.dims.to_vec());
        }
        Ok(vec![out])
    }
    fn computes_shapes(&self) -> bool {
        true
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        outputs[0].store_i64(x.dims);
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IShapeLayer"))
    }
    any_impls!();
}
