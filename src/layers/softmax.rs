//! Softmax over one axis (ISoftMaxLayer).

use super::generated::SoftMax;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::volume;

impl SoftMax {
    pub fn over_axis(axis: usize) -> SoftMax {
        SoftMax { axes: 1 << axis }
    }

    /// The reduced axis for a rank.
    pub fn axis(&self, rank: usize) -> Result<usize> {
        let axes = self.axes as u64;
        if axes.count_ones() != 1 || axes.trailing_zeros() as usize >= rank.max(1) {
            return Err(Error::invalid_argument(format!("softmax axes mask {axes:#x} must select one of the {rank} axes")));
        }
        Ok(axes.trailing_zeros() as usize)
    }

    /// The input seen as [outer, axis, inner].
    pub fn split(&self, dims: &[i64]) -> Result<(usize, usize, usize)> {
        if dims.is_empty() {
            return Ok((1, 1, 1));
        }
        let a = self.axis(dims.len())?;
        let outer = volume(&dims[..a]).unwrap_or(0);
        let inner = volume(&dims[a + 1..]).unwrap_or(0);
        Ok((outer, dims[a].max(0) as usize, inner))
    }
}

impl Layer for SoftMax {
    fn fill_defaults(&mut self, inputs: &[Option<InferIn>]) {
        // TensorRT's default axis: the number of axes minus three, and 0 below rank 3.
        if self.axes == 0 {
            let rank = inputs.first().and_then(|i| i.as_ref()).map(|i| i.dims.len()).unwrap_or(0);
            self.axes = 1 << rank.saturating_sub(3);
        }
    }
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_type("the softmax input", x.dtype, FLOATS)?;
        if !x.dims.is_empty() {
            self.axis(x.dims.len())?;
        }
        Ok(vec![InferOut::new(float_type(inputs), x.dims.to_vec())])
    }
    fn float_flexible(&self) -> bool {
        true
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let (outer, axis, inner) = self.split(x.dims)?;
        let xv = x.f32();
        outputs[0].with_f32(|y| {
            for o in 0..outer {
                for i in 0..inner {
                    let at = |j: usize| (o * axis + j) * inner + i;
                    let m = (0..axis).map(|j| xv[at(j)]).fold(f32::NEG_INFINITY, f32::max);
                    let s: f32 = (0..axis).map(|j| (xv[at(j)] - m).exp()).sum();
                    for j in 0..axis {
                        y[at(j)] = (xv[at(j)] - m).exp() / s;
                    }
                }
            }
        });
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        self.axes = self.axes.checked_mul(2).filter(|&a| a > 0).ok_or_else(|| Error::invalid_argument("softmax axes mask overflows"))?;
        Ok(())
    }
    any_impls!();
}
