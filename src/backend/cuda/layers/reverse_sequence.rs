//! IReverseSequenceLayer on the GPU: each output element reads its mirrored sequence index.

use super::{launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::ReverseSequence;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, DataType};

pub struct Mirror;
pub static REVERSE_SEQUENCE: Mirror = Mirror;

impl Implementation for Mirror {
    fn kind(&self) -> Kind {
        Kind::ReverseSequence
    }
    fn name(&self) -> &'static str {
        "mirror"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        sized(t.outputs[0]) && t.input(0) == t.outputs[0] && t.input(1) == DataType::Int32
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["reverse_sequence"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let r: &ReverseSequence = spec(op)?;
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "reverse_sequence", "reverse_sequence", t.outputs[0])?, op: r.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: ReverseSequence,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let x = s.input(0)?;
        let (b, q) = self.op.axes(x.len())?;
        let st = strides(x);
        Ok(Box::new(Run { kernel: self.kernel, n: volume(x).unwrap_or(0), axes: [x[b], st[b], x[q], st[q]] }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    /// Batch dim, batch stride, sequence dim, sequence stride.
    axes: [i64; 4],
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.axes[0]),
            launch::arg(&self.axes[1]),
            launch::arg(&self.axes[2]),
            launch::arg(&self.axes[3]),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
