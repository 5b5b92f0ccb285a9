//! Zero padding of the two innermost dimensions (IPaddingLayer, deprecated in TensorRT 8.2
//! for ISliceLayer): positive pads add zeros, negative ones crop. It is a kFILL slice with
//! start -pre and stride 1, and runs as one (src/layers/slice.rs).

use super::generated::Padding;
use super::slice::{copy_window, Window, FILL};
use super::{any_impls, check_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, DataType};

/// The types TensorRT 8.6 pads.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8];

/// The padded dimensions: TensorRT pads the two innermost.
pub const PADDED: usize = 2;

impl Padding {
    pub fn of(pre: Vec<i64>, post: Vec<i64>) -> Padding {
        Padding { pre_padding: pre, post_padding: post }
    }

    /// The slice that pads an input of `rank` dims: every output coordinate reads
    /// coordinate - pre, zeros outside.
    pub fn window(&self, rank: usize) -> Window {
        let mut start = vec![0; rank];
        for (s, &p) in start[rank - PADDED..].iter_mut().zip(&self.pre_padding) {
            *s = -p;
        }
        Window { mode: FILL, start, stride: vec![1; rank] }
    }

    fn check(&self, rank: usize) -> Result<()> {
        if self.pre_padding.len() != PADDED || self.post_padding.len() != PADDED {
            return Err(Error::invalid_argument(format!(
                "padding {} and {} must each give the two innermost dimensions",
                dims_str(&self.pre_padding),
                dims_str(&self.post_padding)
            )));
        }
        if rank < 4 {
            return Err(Error::invalid_argument(format!("a padding layer needs an input of rank 4 or more, not {rank}")));
        }
        Ok(())
    }
}

impl Layer for Padding {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_type("the padded tensor", x.dtype, TYPES)?;
        let rank = x.dims.len();
        self.check(rank)?;
        let mut dims = x.dims.to_vec();
        for k in 0..PADDED {
            let axis = rank - PADDED + k;
            let pads = cx.g.constant(self.pre_padding[k] + self.post_padding[k]);
            let padded = cx.g.add(x.dims[axis], pads)?;
            dims[axis] = cx.g.at_least(padded, 0, || format!("padding axis {axis}: negative padding crops more than the dimension"))?;
        }
        Ok(vec![InferOut::new(x.dtype, dims)])
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let zero = vec![0u8; x.dtype.size_bytes()];
        copy_window(x, &self.window(x.dims.len()), &zero, &mut outputs[0])
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // The padded dimensions count from the back.
        Ok(())
    }
    any_impls!();
}
