//! IScaleLayer on the GPU: one pointwise kernel per float type; the coefficients are
//! uploaded once per engine as f32.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::ScaleDesc;
use crate::backend::cuda::{DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::Scale;
use crate::layers::{Kind, Layer};
use crate::types::volume;
use crate::weights::Weights;
use std::sync::Arc;

pub struct Pointwise;
pub static SCALE: Pointwise = Pointwise;

impl Implementation for Pointwise {
    fn kind(&self) -> Kind {
        Kind::Scale
    }
    fn name(&self) -> &'static str {
        "pointwise"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["scale"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let s: &Scale = spec(op)?;
        Ok(Box::new(Ready {
            kernel: typed_kernel(cx.kernels, "scale", "scale", t.input(0))?,
            op: s.clone(),
            shift: Coefficients::upload(&s.shift)?,
            scale: Coefficients::upload(&s.scale)?,
            power: Coefficients::upload(&s.power)?,
        }))
    }
}

/// One coefficient set on the device (None: the identity).
#[derive(Clone)]
struct Coefficients(Option<Arc<DeviceBuffer>>, i32);

impl Coefficients {
    fn upload(w: &Option<Weights>) -> Result<Coefficients> {
        match w {
            Some(w) if !w.is_empty() => {
                let v = w.to_f32()?;
                Ok(Coefficients(Some(Arc::new(DeviceBuffer::from_f32(&v)?)), (v.len() == 1) as i32))
            }
            _ => Ok(Coefficients(None, 1)),
        }
    }
    fn ptr(&self) -> DevicePtr {
        self.0.as_ref().map(|b| b.ptr).unwrap_or(0)
    }
}

struct Ready {
    kernel: Kernel,
    op: Scale,
    shift: Coefficients,
    scale: Coefficients,
    power: Coefficients,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let dims = s.input(0)?;
        let c = self.op.coefficients(dims);
        let desc = ScaleDesc { n: volume(dims).unwrap_or(0) as i64, inner: c.inner, channels: c.channels, mode: c.mode };
        let keep = [self.shift.clone(), self.scale.clone(), self.power.clone()];
        Ok(Box::new(Run { kernel: self.kernel, desc, ptrs: keep.clone().map(|c| c.ptr()), single: keep.clone().map(|c| c.1), _keep: keep }))
    }
}

struct Run {
    kernel: Kernel,
    desc: ScaleDesc,
    /// Shift, scale and power on the device (0: identity), and whether each is one value.
    ptrs: [DevicePtr; 3],
    single: [i32; 3],
    /// The engine's coefficients stay alive while a context holds this binding.
    _keep: [Coefficients; 3],
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let (ptrs, single) = (&self.ptrs, &self.single);
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&outputs[0]),
            launch::arg(&ptrs[0]),
            launch::arg(&ptrs[1]),
            launch::arg(&ptrs[2]),
            launch::arg(&single[0]),
            launch::arg(&single[1]),
            launch::arg(&single[2]),
            launch::arg(&self.desc),
        ];
        launch::linear(&self.kernel, self.desc.n as usize, stream, &mut args)
    }
}
