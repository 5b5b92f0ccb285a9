//! IQuantizeLayer and IDequantizeLayer on the GPU: pointwise kernels reading the scale
//! tensor (per tensor or per channel); zero points are 0 (checked at build time).

use super::{launch, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::QuantDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::{Dequantize, Quantize};
use crate::layers::quantize::ScaleIndex;
use crate::layers::{Kind, Layer};
use crate::types::{volume, DataType};

/// Which of the two layers an implementation serves.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Quantize,
    Dequantize,
}

pub struct Pointwise(Direction);
pub static QUANTIZE: Pointwise = Pointwise(Direction::Quantize);
pub static DEQUANTIZE: Pointwise = Pointwise(Direction::Dequantize);

impl Implementation for Pointwise {
    fn kind(&self) -> Kind {
        match self.0 {
            Direction::Quantize => Kind::Quantize,
            Direction::Dequantize => Kind::Dequantize,
        }
    }
    fn name(&self) -> &'static str {
        "pointwise"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let scale_ok = t.input(1) == DataType::Float;
        match self.0 {
            Direction::Quantize => t.input(0).is_float() && scale_ok && t.outputs[0] == DataType::Int8,
            Direction::Dequantize => t.input(0) == DataType::Int8 && scale_ok && t.outputs[0] == DataType::Float,
        }
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["quantize"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let (axis, name) = match self.0 {
            Direction::Quantize => (spec::<Quantize>(op)?.axis, format!("quantize_{}", t.input(0).kernel_suffix())),
            Direction::Dequantize => (spec::<Dequantize>(op)?.axis, "dequantize_f32".to_string()),
        };
        Ok(Box::new(Ready { kernel: cx.kernels.function("quantize", &name)?, axis }))
    }
}

struct Ready {
    kernel: Kernel,
    axis: i32,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let x = s.input(0)?;
        let idx = ScaleIndex::new(x, self.axis, volume(s.input(1)?).unwrap_or(0))?;
        let desc = QuantDesc { n: volume(x).unwrap_or(0) as i64, inner: idx.inner, channels: idx.channels, per_channel: idx.per_channel as i32 };
        Ok(Box::new(Run { kernel: self.kernel, desc }))
    }
}

struct Run {
    kernel: Kernel,
    desc: QuantDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&inputs[1]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.desc.n as usize, stream, &mut args)
    }
}
