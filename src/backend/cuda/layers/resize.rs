//! IResizeLayer on the GPU: nearest on elements of 1, 2 or 4 bytes, linear and cubic on
//! FP32 and FP16 (float accumulation), one thread per output element (kernels/resize.cu).

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::ResizeDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::Resize;
use crate::layers::resize::NEAREST;
use crate::layers::{Kind, Layer};
use crate::types::volume;

pub struct Resample;
pub static RESIZE: Resample = Resample;

impl Implementation for Resample {
    fn kind(&self) -> Kind {
        Kind::Resize
    }
    fn name(&self) -> &'static str {
        "resample"
    }
    fn supports(&self, op: &dyn Layer, t: &LayerTypes) -> bool {
        let Ok(r) = spec::<Resize>(op) else { return false };
        let x = t.input(0);
        t.outputs[0] == x && if r.resize_mode == NEAREST { matches!(x.size_bytes(), 1 | 2 | 4) } else { x.is_float() }
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["resize"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let r: &Resize = spec(op)?;
        let x = t.input(0);
        let kernel = if r.resize_mode == NEAREST {
            cx.kernels.function("resize", &format!("nearest_b{}", x.size_bytes()))?
        } else {
            typed_kernel(cx.kernels, "resize", "interp", x)?
        };
        Ok(Box::new(Ready { kernel, op: r.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Resize,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (din, dout) = (s.input(0)?, &s.outputs[0]);
        self.op.check_resized_axes(din, dout)?;
        if din.len() > 8 {
            return Err(Error::unsupported("resize of a tensor of rank above 8"));
        }
        let mut d = ResizeDesc {
            rank: din.len() as i32,
            mode: self.op.resize_mode,
            rounding: self.op.nearest_rounding,
            cubic: self.op.cubic_coeff,
            exclude_outside: self.op.exclude_outside as i32,
            ..Default::default()
        };
        for ax in 0..din.len() {
            d.in_dims[ax] = din[ax];
            d.out_dims[ax] = dout[ax];
            (d.a[ax], d.b[ax]) = self.op.coordinate_map(din[ax], dout[ax]);
        }
        // An empty input has nothing to read: its output must be empty too.
        let n = if din.contains(&0) { 0 } else { volume(dout).unwrap_or(0) };
        Ok(Box::new(Run { kernel: self.kernel, n, desc: d }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: ResizeDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&n), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
