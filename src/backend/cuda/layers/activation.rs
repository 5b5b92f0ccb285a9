//! IActivationLayer on the GPU: one pointwise kernel per float type.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::Activation;
use crate::layers::{Kind, Layer};
use crate::types::volume;

pub struct Pointwise;
pub static ACTIVATION: Pointwise = Pointwise;

impl Implementation for Pointwise {
    fn kind(&self) -> Kind {
        Kind::Activation
    }
    fn name(&self) -> &'static str {
        "pointwise"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["activation"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let a: &Activation = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "activation", "activation", t.input(0))?, op: a.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Activation,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        Ok(Box::new(Run { kernel: self.kernel, n: volume(s.input(0)?).unwrap_or(0), op: self.op.clone() }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    op: Activation,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.op.activation_type),
            launch::arg(&self.op.alpha),
            launch::arg(&self.op.beta),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
