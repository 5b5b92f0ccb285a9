//! IPoolingLayer on the GPU: one kernel for 1-D to 3-D max, average and blended pooling.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::PoolDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::Pooling;
use crate::layers::{Kind, Layer};
use crate::types::volume;

pub struct Window;
pub static POOLING: Window = Window;

impl Implementation for Window {
    fn kind(&self) -> Kind {
        Kind::Pooling
    }
    fn name(&self) -> &'static str {
        "window"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["pooling"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let p: &Pooling = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "pooling", "pool", t.input(0))?, op: p.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Pooling,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = self.op.geometry(s.input(0)?)?;
        let i = |v: [i64; 3]| v.map(|x| x as i32);
        if g.input.iter().chain(&g.output).chain(&g.window).any(|&v| v > i32::MAX as i64) {
            return Err(Error::unsupported("the pooling is too large for the kernel"));
        }
        let desc = PoolDesc {
            planes: g.planes,
            in_size: i(g.input),
            out_size: i(g.output),
            window: i(g.window),
            stride: i(g.stride),
            pad: i(g.pad),
            post: i(g.post),
            pooling_type: self.op.pooling_type,
            exclude_padding: self.op.average_count_excludes_padding as i32,
            blend_factor: self.op.blend_factor,
        };
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&s.outputs[0]).unwrap_or(0), desc }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: PoolDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
