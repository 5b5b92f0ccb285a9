//! IShapeLayer on the GPU, for the rare case its input's shape is only known at run time
//! (after a data-dependent count): the dims are written by the fill kernel.

use super::{launch, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::FillDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::{Kind, Layer};
use crate::types::{DataType, MAX_DIMS};

pub struct Fill;
pub static SHAPE: Fill = Fill;

impl Implementation for Fill {
    fn kind(&self) -> Kind {
        Kind::Shape
    }
    fn name(&self) -> &'static str {
        "fill"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.outputs[0] == DataType::Int32
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["cast"]
    }
    fn prepare(&self, _op: &dyn Layer, _t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        Ok(Box::new(Ready { kernel: cx.kernels.function("cast", "fill_i32")? }))
    }
}

struct Ready {
    kernel: Kernel,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let dims = s.input(0)?;
        if dims.len() > MAX_DIMS {
            return Err(Error::internal("a shape of more than 8 dimensions"));
        }
        let mut d = FillDesc { offset: 0, count: dims.len() as i32, ..Default::default() };
        for (slot, &v) in d.values.iter_mut().zip(dims) {
            *slot = i32::try_from(v).map_err(|_| Error::unsupported(format!("dimension {v} does not fit in kINT32")))?;
        }
        Ok(Box::new(Run { kernel: self.kernel, desc: d }))
    }
}

struct Run {
    kernel: Kernel,
    desc: FillDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, _inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&outputs[0]), launch::arg(&self.desc)];
        self.kernel.launch(1, MAX_DIMS as u32, stream, &mut args)
    }
}
