//! IUnaryLayer on the GPU: one pointwise kernel per input type (float types, kINT32, kBOOL).

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::Unary;
use crate::layers::{Kind, Layer};
use crate::types::volume;

pub struct Pointwise;
pub static UNARY: Pointwise = Pointwise;

impl Implementation for Pointwise {
    fn kind(&self) -> Kind {
        Kind::Unary
    }
    fn name(&self) -> &'static str {
        "pointwise"
    }
    fn supports(&self, op: &dyn Layer, t: &LayerTypes) -> bool {
        let Ok(u) = spec::<Unary>(op) else { return false };
        let x = t.input(0);
        u.input_types().is_ok_and(|allowed| allowed.contains(&x)) && t.outputs[0] == u.output_type(x)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["unary"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let u: &Unary = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "unary", "unary", t.input(0))?, operation: u.operation }))
    }
}

struct Ready {
    kernel: Kernel,
    operation: i32,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        Ok(Box::new(Run { kernel: self.kernel, n: volume(s.input(0)?).unwrap_or(0), operation: self.operation }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    operation: i32,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&n), launch::arg(&self.operation)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
