//! Softmax over one axis (ISoftMaxLayer).

use super::{launch, unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{volume, LayerType};

#[derive(Clone, PartialEq, prost::Message)]
pub struct SoftMax {
    /// Bit mask with one bit set (ISoftMaxLayer::setAxes); 0 means TensorRT's default axis.
    #[prost(uint32, tag = "1")]
    pub axes: u32,
}

impl SoftMax {
    pub fn over_axis(axis: usize) -> SoftMax {
        SoftMax { axes: 1 << axis }
    }

    /// The reduced axis for a rank; the default is the channel axis of NCHW inputs.
    fn axis(&self, rank: usize) -> Result<usize> {
        if self.axes == 0 {
            // TensorRT's default: the number of axes minus three, and 0 below rank 3.
            return Ok(rank.saturating_sub(3));
        }
        if self.axes.count_ones() != 1 || self.axes.trailing_zeros() as usize >= rank {
            return Err(Error::invalid_argument(format!("softmax axes mask {:#x} must select one of the {rank} axes", self.axes)));
        }
        Ok(self.axes.trailing_zeros() as usize)
    }

    /// The input seen as [outer, axis, inner].
    fn split(&self, dims: &[i64]) -> Result<(usize, usize, usize)> {
        let a = self.axis(dims.len())?;
        let outer = volume(&dims[..a]).unwrap_or(0);
        let inner = volume(&dims[a + 1..]).unwrap_or(0);
        Ok((outer, dims[a].max(0) as usize, inner))
    }
}

impl Op for SoftMax {
    fn kind(&self) -> &'static str {
        "SoftMax"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::SoftMax
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        self.axis(inputs[0].len())?;
        Ok(vec![inputs[0].to_vec()])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "axes" => self.axes = value.int(key)? as u32,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        (key == "axes").then(|| Param::Ints(vec![self.axes as i64]))
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let (outer, axis, inner) = self.split(inputs[0].dims)?;
        let (x, y) = (inputs[0].data, &mut outputs[0]);
        for o in 0..outer {
            for i in 0..inner {
                let at = |j: usize| (o * axis + j) * inner + i;
                let m = (0..axis).map(|j| x[at(j)]).fold(f32::MIN, f32::max);
                let s: f32 = (0..axis).map(|j| (x[at(j)] - m).exp()).sum();
                for j in 0..axis {
                    y[at(j)] = (x[at(j)] - m).exp() / s;
                }
            }
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["softmax"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let (outer, axis, inner) = self.split(&prep.shapes.inputs[0])?;
        Ok(Box::new(SoftMaxCuda { kernel: prep.kernels.function("softmax", "softmax_f32")?, outer, axis, inner }))
    }
}

struct SoftMaxCuda {
    kernel: Kernel,
    outer: usize,
    axis: usize,
    inner: usize,
}

impl CudaLayer for SoftMaxCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let (outer, axis, inner) = (self.outer as i64, self.axis as i32, self.inner as i64);
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&outer), launch::arg(&axis), launch::arg(&inner)];
        self.kernel.launch(launch::grid(self.outer * self.inner), launch::BLOCK, stream, &mut args)
    }
}
