//! IReduceLayer on the GPU: one warp per output element (floats and kINT32).

use super::{geom, launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::generated::Reduce;
use crate::layers::{Kind, Layer};
use crate::types::DataType;

pub struct Warp;
pub static REDUCE: Warp = Warp;

/// Threads per output element: one warp (kernels/reduce.cu's FOR_EACH_WARP_ITEM).
const LANES: usize = 32;

impl Implementation for Warp {
    fn kind(&self) -> Kind {
        Kind::Reduce
    }
    fn name(&self) -> &'static str {
        "warp"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        matches!(t.input(0), DataType::Float | DataType::Half | DataType::Int32) && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["reduce"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let r: &Reduce = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "reduce", "reduce", t.input(0))?, op: r.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Reduce,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let split = self.op.split(s.input(0)?)?;
        Ok(Box::new(Run {
            kernel: self.kernel,
            kept: geom(&split.kept_dims, &split.kept_strides),
            reduced: geom(&split.reduced_dims, &split.reduced_strides),
            n_out: split.kept_count() as i64,
            n_red: split.reduced_count() as i64,
            operation: self.op.operation,
        }))
    }
}

struct Run {
    kernel: Kernel,
    kept: TensorGeom,
    reduced: TensorGeom,
    n_out: i64,
    n_red: i64,
    operation: i32,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&outputs[0]),
            launch::arg(&self.kept),
            launch::arg(&self.reduced),
            launch::arg(&self.n_out),
            launch::arg(&self.n_red),
            launch::arg(&self.operation),
        ];
        launch::linear(&self.kernel, self.n_out as usize * LANES, stream, &mut args)
    }
}
