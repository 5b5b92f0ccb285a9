//! ILRNLayer on the GPU: one thread per element, its window of channels summed in float.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::LrnDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::LRN;
use crate::layers::{Kind, Layer};

pub struct Window;
pub static LRN_WINDOW: Window = Window;

impl Implementation for Window {
    fn kind(&self) -> Kind {
        Kind::LRN
    }
    fn name(&self) -> &'static str {
        "window"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["lrn"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let l: &LRN = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "lrn", "lrn", t.input(0))?, op: l.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: LRN,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = LRN::geometry(s.input(0)?)?;
        let desc = LrnDesc {
            outer: g.outer as i64,
            channels: g.channels as i64,
            inner: g.inner as i64,
            window: self.op.window,
            alpha: self.op.alpha,
            beta: self.op.beta,
            k: self.op.k,
        };
        Ok(Box::new(Run { kernel: self.kernel, n: g.outer * g.channels * g.inner, desc }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: LrnDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
