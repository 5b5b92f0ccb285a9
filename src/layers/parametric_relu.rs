//! Parametric ReLU (IParametricReLULayer): y = x for x >= 0, slope * x otherwise. The slope
//! tensor has the input's rank and broadcasts to it one way: each of its dims equals the
//! input's or is 1. The output has the input's shape.

use super::elementwise::broadcast_strides;
use super::generated::ParametricReLU;
use super::{any_impls, axes, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, DataType};

/// The slope's element strides read over the input's dims (0 where broadcast).
pub fn slope_strides(x: &[i64], slope: &[i64]) -> Result<Vec<i64>> {
    if x.len() != slope.len() || x.iter().zip(slope).any(|(&a, &b)| b != a && b != 1) {
        return Err(Error::invalid_argument(format!("the slope {} does not broadcast to the input {}", dims_str(slope), dims_str(x))));
    }
    Ok(broadcast_strides(slope, x))
}

impl Layer for ParametricReLU {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (x, slope) = (input(inputs, 0)?, input(inputs, 1)?);
        for (what, t) in [("input", x.dtype), ("slope", slope.dtype)] {
            if t == DataType::Int8 {
                return Err(Error::unsupported(format!("a parametric ReLU {what} of type kINT8 needs INT8 mode, which is not implemented yet")));
            }
            check_type(&format!("the parametric ReLU {what}"), t, FLOATS)?;
        }
        if x.dims.len() != slope.dims.len() {
            return Err(Error::invalid_argument(format!(
                "the slope must have the input's rank {}, not {}",
                x.dims.len(),
                slope.dims.len()
            )));
        }
        // Each slope dim is 1 or the input's: broadcasting them must give the input's dim.
        let mut dims = Vec::with_capacity(x.dims.len());
        for (i, (&d, &s)) in x.dims.iter().zip(slope.dims).enumerate() {
            let what = || format!("slope dimension {i} (it must be 1 or the input's)");
            let b = cx.g.broadcast(d, s, what)?;
            dims.push(cx.g.assert_eq(b, d, what)?);
        }
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (x, slope) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let strides = slope_strides(x.dims, slope.dims)?;
        let (xv, sv) = (x.f32(), slope.f32());
        outputs[0].with_f32(|y| {
            for (i, (o, &v)) in y.iter_mut().zip(xv.iter()).enumerate() {
                *o = if v >= 0.0 { v } else { v * sv[axes::offset(i, x.dims, &strides)] };
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // Pointwise; a constant slope gains its leading 1 with its constant layer.
        Ok(())
    }
    any_impls!();
}
