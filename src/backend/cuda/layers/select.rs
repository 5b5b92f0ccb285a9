//! ISelectLayer on the GPU: one broadcasting kernel choosing each element's branch.

use super::{geom, launch, sized, sized_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::elementwise::broadcast_strides;
use crate::layers::select::broadcast_all;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, DataType};

pub struct Choose;
pub static SELECT: Choose = Choose;

impl Implementation for Choose {
    fn kind(&self) -> Kind {
        Kind::Select
    }
    fn name(&self) -> &'static str {
        "choose"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let out = t.outputs[0];
        sized(out) && t.input(0) == DataType::Bool && t.input(1) == out && t.input(2) == out
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["select"]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "select", "select", t.outputs[0])? }))
    }
}

struct Ready {
    kernel: Kernel,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (c, a, b) = (s.input(0)?, s.input(1)?, s.input(2)?);
        let out = broadcast_all(&[c, a, b])?;
        let g = |d: &[i64]| geom(&out, &broadcast_strides(d, &out));
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&out).unwrap_or(0), out: geom(&out, &strides(&out)), c: g(c), a: g(a), b: g(b) }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    out: TensorGeom,
    c: TensorGeom,
    a: TensorGeom,
    b: TensorGeom,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&inputs[2]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.out),
            launch::arg(&self.c),
            launch::arg(&self.a),
            launch::arg(&self.b),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
