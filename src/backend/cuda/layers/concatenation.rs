//! IConcatenationLayer on the GPU: one copy kernel per input into its columns of the output.

use super::{launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::concatenation::rows;
use crate::layers::generated::Concatenation;
use crate::layers::{Kind, Layer};

pub struct Columns;
pub static CONCATENATION: Columns = Columns;

impl Implementation for Columns {
    fn kind(&self) -> Kind {
        Kind::Concatenation
    }
    fn name(&self) -> &'static str {
        "columns"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let out = t.outputs[0];
        sized(out) && t.inputs.iter().all(|&i| i == Some(out))
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["concatenation"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let c: &Concatenation = spec(op)?;
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "concatenation", "concat", t.outputs[0])?, op: c.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Concatenation,
}

/// One input's copy: its element count, its row and where its columns start.
struct Part {
    n: i64,
    row: i64,
    offset: i64,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let out = &s.outputs[0];
        let axis = self.op.axis_for(out.len())?;
        let (_, out_row) = rows(out, axis);
        let mut parts = Vec::with_capacity(s.inputs.len());
        let mut offset = 0;
        for i in 0..s.inputs.len() {
            let (outer, row) = rows(s.input(i)?, axis);
            parts.push(Part { n: (outer * row) as i64, row: row as i64, offset: offset as i64 });
            offset += row;
        }
        if offset != out_row {
            return Err(Error::internal("the concatenated rows do not fill the output's"));
        }
        Ok(Box::new(Run { kernel: self.kernel, parts, out_row: out_row as i64 }))
    }
}

struct Run {
    kernel: Kernel,
    parts: Vec<Part>,
    out_row: i64,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        for (p, x) in self.parts.iter().zip(inputs) {
            let mut args =
                [launch::arg(x), launch::arg(&outputs[0]), launch::arg(&p.n), launch::arg(&p.row), launch::arg(&self.out_row), launch::arg(&p.offset)];
            launch::linear(&self.kernel, p.n as usize, stream, &mut args)?;
        }
        Ok(())
    }
}
