//! ISoftMaxLayer on the GPU.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::SoftmaxDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::SoftMax;
use crate::layers::{Kind, Layer};

pub struct Axis;
pub static SOFTMAX: Axis = Axis;

impl Implementation for Axis {
    fn kind(&self) -> Kind {
        Kind::SoftMax
    }
    fn name(&self) -> &'static str {
        "axis"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["softmax"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let s: &SoftMax = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "softmax", "softmax", t.input(0))?, op: s.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: SoftMax,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (outer, axis, inner) = self.op.split(s.input(0)?)?;
        Ok(Box::new(Run { kernel: self.kernel, desc: SoftmaxDesc { outer: outer as i64, axis: axis as i32, inner: inner as i64 } }))
    }
}

struct Run {
    kernel: Kernel,
    desc: SoftmaxDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, (self.desc.outer * self.desc.inner) as usize, stream, &mut args)
    }
}
