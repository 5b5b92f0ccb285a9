//! ITopKLayer on the GPU: one block per slice, k selection rounds (floats and kINT32).

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TopKDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::TopK;
use crate::layers::top_k::MAX;
use crate::layers::{Kind, Layer};
use crate::types::DataType;

pub struct Select;
pub static TOP_K: Select = Select;

/// Threads per block (TOPK_THREADS in kernels/top_k.cu).
const THREADS: u32 = 256;
/// Most blocks launched; the kernel's loop over slices covers the rest.
const MAX_BLOCKS: usize = 65535;

impl Implementation for Select {
    fn kind(&self) -> Kind {
        Kind::TopK
    }
    fn name(&self) -> &'static str {
        "select"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let x = t.input(0);
        matches!(x, DataType::Float | DataType::Half | DataType::Int32) && t.outputs[0] == x && t.outputs[1] == DataType::Int32
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["top_k"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let k: &TopK = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "top_k", "top_k", t.input(0))?, op: k.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: TopK,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = self.op.geometry(s.input(0)?)?;
        if self.op.k as usize > g.n {
            return Err(Error::invalid_argument(format!("top-k k = {} exceeds the axis length {}", self.op.k, g.n)));
        }
        let desc = TopKDesc { outer: g.outer as i64, n: g.n as i64, inner: g.inner as i64, k: self.op.k, largest: (self.op.operation == MAX) as i32 };
        Ok(Box::new(Run { kernel: self.kernel, slices: g.outer * g.inner, desc }))
    }
}

struct Run {
    kernel: Kernel,
    slices: usize,
    desc: TopKDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        if self.slices == 0 {
            return Ok(());
        }
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&outputs[1]), launch::arg(&self.desc)];
        self.kernel.launch(self.slices.min(MAX_BLOCKS) as u32, THREADS, stream, &mut args)
    }
}
