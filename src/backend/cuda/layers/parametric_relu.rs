//! IParametricReLULayer on the GPU: one pointwise kernel per float type, the slope read
//! through its broadcast geometry.

use super::{geom, launch, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::parametric_relu::slope_strides;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume};

pub struct Pointwise;
pub static PARAMETRIC_RELU: Pointwise = Pointwise;

impl Implementation for Pointwise {
    fn kind(&self) -> Kind {
        Kind::ParametricReLU
    }
    fn name(&self) -> &'static str {
        "pointwise"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let x = t.input(0);
        x.is_float() && t.input(1) == x && t.outputs[0] == x
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["parametric_relu"]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "parametric_relu", "prelu", t.input(0))? }))
    }
}

struct Ready {
    kernel: Kernel,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (x, slope) = (s.input(0)?, s.input(1)?);
        Ok(Box::new(Run {
            kernel: self.kernel,
            n: volume(x).unwrap_or(0),
            out: geom(x, &strides(x)),
            slope: geom(x, &slope_strides(x, slope)?),
        }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    out: TensorGeom,
    slope: TensorGeom,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.out),
            launch::arg(&self.slope),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
