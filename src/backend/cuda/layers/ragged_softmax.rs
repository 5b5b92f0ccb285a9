//! IRaggedSoftMaxLayer on the GPU: one thread per row.

use super::{launch, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::ragged_softmax::rows;
use crate::layers::{Kind, Layer};
use crate::types::DataType;

pub struct Rows;
pub static RAGGED_SOFTMAX: Rows = Rows;

impl Implementation for Rows {
    fn kind(&self) -> Kind {
        Kind::RaggedSoftMax
    }
    fn name(&self) -> &'static str {
        "rows"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.input(1) == DataType::Int32 && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["ragged_softmax"]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "ragged_softmax", "ragged_softmax", t.input(0))? }))
    }
}

struct Ready {
    kernel: Kernel,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (n, cols) = rows(s.input(0)?);
        Ok(Box::new(Run { kernel: self.kernel, rows: n as i64, cols: cols as i64 }))
    }
}

struct Run {
    kernel: Kernel,
    rows: i64,
    cols: i64,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args =
            [launch::arg(&inputs[0]), launch::arg(&inputs[1]), launch::arg(&outputs[0]), launch::arg(&self.rows), launch::arg(&self.cols)];
        launch::linear(&self.kernel, self.rows as usize, stream, &mut args)
    }
}
