//! IElementWiseLayer on the GPU: one broadcasting kernel per input type.

use super::{geom, launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::elementwise::{broadcast_dims, broadcast_strides};
use crate::layers::generated::ElementWise;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, DataType};

pub struct Broadcasting;
pub static ELEMENTWISE: Broadcasting = Broadcasting;

impl Implementation for Broadcasting {
    fn kind(&self) -> Kind {
        Kind::ElementWise
    }
    fn name(&self) -> &'static str {
        "broadcast"
    }
    fn supports(&self, op: &dyn Layer, t: &LayerTypes) -> bool {
        let Ok(e) = spec::<ElementWise>(op) else { return false };
        let (a, b) = (t.input(0), t.input(1));
        a == b
            && matches!(a, DataType::Float | DataType::Half | DataType::Int32 | DataType::Bool)
            && e.output_type(a, b).ok() == Some(t.outputs[0])
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["elementwise"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let e: &ElementWise = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "elementwise", "elementwise", t.input(0))?, operation: e.operation }))
    }
}

struct Ready {
    kernel: Kernel,
    operation: i32,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (a, b) = (s.input(0)?, s.input(1)?);
        let out = broadcast_dims(a, b)?;
        Ok(Box::new(Run {
            kernel: self.kernel,
            operation: self.operation,
            n: volume(&out).unwrap_or(0),
            out: geom(&out, &strides(&out)),
            ga: geom(&out, &broadcast_strides(a, &out)),
            gb: geom(&out, &broadcast_strides(b, &out)),
        }))
    }
}

struct Run {
    kernel: Kernel,
    operation: i32,
    n: usize,
    out: TensorGeom,
    ga: TensorGeom,
    gb: TensorGeom,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.operation),
            launch::arg(&self.out),
            launch::arg(&self.ga),
            launch::arg(&self.gb),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
