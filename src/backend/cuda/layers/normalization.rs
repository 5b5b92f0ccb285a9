//! INormalizationLayer on the GPU: one block per normalized instance (layer, instance and
//! group norms alike, through the spec's plan of the input's view).

use super::{geom, launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::Normalization;
use crate::layers::{Kind, Layer};
use crate::types::strides;

pub struct Block;
pub static NORMALIZATION: Block = Block;

/// Threads per block (NORM_THREADS in kernels/normalization.cu).
const THREADS: u32 = 256;
/// Most blocks launched; the kernel's loop over instances covers the rest.
const MAX_BLOCKS: usize = 65535;

impl Implementation for Block {
    fn kind(&self) -> Kind {
        Kind::Normalization
    }
    fn name(&self) -> &'static str {
        "block"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let x = t.input(0);
        x.is_float() && t.input(1) == x && t.input(2) == x && t.outputs[0] == x
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["normalization"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let n: &Normalization = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "normalization", "normalization", t.input(0))?, op: n.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Normalization,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let plan = self.op.plan(s.input(0)?, s.input(1)?, s.input(2)?)?;
        let split = plan.split();
        Ok(Box::new(Run {
            kernel: self.kernel,
            view: geom(&plan.view, &strides(&plan.view)),
            kept: geom(&split.kept_dims, &split.kept_strides),
            reduced: geom(&split.reduced_dims, &split.reduced_strides),
            scale: geom(&plan.view, &plan.scale_strides),
            bias: geom(&plan.view, &plan.bias_strides),
            n_inst: split.kept_count() as i64,
            n_red: split.reduced_count() as i64,
            epsilon: self.op.epsilon,
        }))
    }
}

struct Run {
    kernel: Kernel,
    view: TensorGeom,
    kept: TensorGeom,
    reduced: TensorGeom,
    scale: TensorGeom,
    bias: TensorGeom,
    n_inst: i64,
    n_red: i64,
    epsilon: f32,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        if self.n_inst == 0 || self.n_red == 0 {
            return Ok(());
        }
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&inputs[2]),
            launch::arg(&outputs[0]),
            launch::arg(&self.view),
            launch::arg(&self.kept),
            launch::arg(&self.reduced),
            launch::arg(&self.scale),
            launch::arg(&self.bias),
            launch::arg(&self.n_inst),
            launch::arg(&self.n_red),
            launch::arg(&self.epsilon),
        ];
        self.kernel.launch((self.n_inst as usize).min(MAX_BLOCKS) as u32, THREADS, stream, &mut args)
    }
}
