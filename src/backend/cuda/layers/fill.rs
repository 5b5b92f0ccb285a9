//! IFillLayer on the GPU: kLINSPACE by coordinates, the random fills from the same
//! counter-based generator as the reference.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::LinspaceDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::fill::LINSPACE;
use crate::layers::generated::Fill;
use crate::layers::{Kind, Layer};
use crate::types::{volume, DataType, MAX_DIMS};

pub struct Generate;
pub static FILL: Generate = Generate;

impl Implementation for Generate {
    fn kind(&self) -> Kind {
        Kind::Fill
    }
    fn name(&self) -> &'static str {
        "generate"
    }
    fn supports(&self, op: &dyn Layer, t: &LayerTypes) -> bool {
        let Ok(f) = spec::<Fill>(op) else { return false };
        let out = t.outputs[0];
        let types_ok = if f.operation == LINSPACE { matches!(out, DataType::Float | DataType::Half | DataType::Int32) } else { out.is_float() };
        // Alpha and beta tensors, when given, are of the output's type.
        types_ok && [1, 2].iter().all(|&i| t.inputs.get(i).copied().flatten().is_none_or(|d| d == out))
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["fill"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let f: &Fill = spec(op)?;
        let base = if f.operation == LINSPACE { "linspace" } else { "random" };
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "fill", base, t.outputs[0])?, op: f.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Fill,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let out = &s.outputs[0];
        let rank = out.len();
        if rank > MAX_DIMS {
            return Err(Error::internal("a fill of more than 8 dimensions"));
        }
        let mut linspace = LinspaceDesc { rank: rank as i32, alpha: self.op.alpha, ..Default::default() };
        linspace.dims[..rank].copy_from_slice(out);
        linspace.beta[..rank].fill(self.op.beta);
        Ok(Box::new(Run { kernel: self.kernel, n: volume(out).unwrap_or(0), op: self.op.operation, linspace, alpha: self.op.alpha as f32, beta: self.op.beta as f32 }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    op: i32,
    linspace: LinspaceDesc,
    alpha: f32,
    beta: f32,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        // Alpha and beta tensors (inputs 1 and 2) when given; the kernels use the
        // parameters for null pointers.
        let alpha_in: DevicePtr = inputs.get(1).copied().unwrap_or(0);
        let beta_in: DevicePtr = inputs.get(2).copied().unwrap_or(0);
        if self.op == LINSPACE {
            let mut args = [launch::arg(&outputs[0]), launch::arg(&n), launch::arg(&self.linspace), launch::arg(&alpha_in), launch::arg(&beta_in)];
            return launch::linear(&self.kernel, self.n, stream, &mut args);
        }
        let mut args = [
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.op),
            launch::arg(&self.alpha),
            launch::arg(&self.beta),
            launch::arg(&alpha_in),
            launch::arg(&beta_in),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
