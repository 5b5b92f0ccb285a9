//! IGridSampleLayer on the GPU: one thread per output element (kernels/grid_sample.cu), FP32
//! and FP16 with float arithmetic.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::GridSampleDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::GridSample;
use crate::layers::{Kind, Layer};
use crate::types::volume;

pub struct Sample;
pub static GRID_SAMPLE: Sample = Sample;

impl Implementation for Sample {
    fn kind(&self) -> Kind {
        Kind::GridSample
    }
    fn name(&self) -> &'static str {
        "sample"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let x = t.input(0);
        x.is_float() && t.input(1) == x && t.outputs[0] == x
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["grid_sample"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let g: &GridSample = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "grid_sample", "grid_sample", t.input(0))?, op: g.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: GridSample,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (x, grid) = (s.input(0)?, s.input(1)?);
        let desc = GridSampleDesc {
            n: x[0],
            c: x[1],
            h: x[2],
            w: x[3],
            ho: grid[1],
            wo: grid[2],
            mode: self.op.interpolation_mode,
            padding: self.op.sample_mode,
            align_corners: self.op.align_corners as i32,
        };
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&s.outputs[0]).unwrap_or(0), desc }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: GridSampleDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&inputs[1]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
