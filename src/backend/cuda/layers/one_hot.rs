//! IOneHotLayer on the GPU: each output element compares its depth coordinate with its
//! index and takes the on or off value.

use super::{launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::OneHot;
use crate::layers::{Kind, Layer};
use crate::types::{volume, DataType};

pub struct Compare;
pub static ONE_HOT: Compare = Compare;

impl Implementation for Compare {
    fn kind(&self) -> Kind {
        Kind::OneHot
    }
    fn name(&self) -> &'static str {
        "compare"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        sized(t.outputs[0]) && t.input(0) == DataType::Int32 && t.input(1) == t.outputs[0]
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["one_hot"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let o: &OneHot = spec(op)?;
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "one_hot", "one_hot", t.outputs[0])?, op: o.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: OneHot,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (indices, out) = (s.input(0)?, &s.outputs[0]);
        let axis = self.op.axis_for(indices.len())?;
        Ok(Box::new(Run {
            kernel: self.kernel,
            n: volume(out).unwrap_or(0),
            depth: out[axis],
            post: volume(&indices[axis..]).unwrap_or(0) as i64,
        }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    depth: i64,
    post: i64,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.depth),
            launch::arg(&self.post),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
