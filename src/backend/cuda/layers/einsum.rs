//! IEinsumLayer on the GPU: one thread per output element, looping over the summed labels.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::EinsumDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::einsum::{EinsumPlan, Equation};
use crate::layers::generated::Einsum;
use crate::layers::{Kind, Layer};

pub struct Direct;
pub static EINSUM: Direct = Direct;

impl Implementation for Direct {
    fn kind(&self) -> Kind {
        Kind::Einsum
    }
    fn name(&self) -> &'static str {
        "direct"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let x = t.input(0);
        x.is_float() && t.inputs.iter().flatten().all(|&i| i == x) && t.outputs[0] == x
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["einsum"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let e: &Einsum = spec(op)?;
        Ok(Box::new(Ready { kernel: typed_kernel(cx.kernels, "einsum", "einsum", t.input(0))?, equation: Equation::parse(&e.equation)? }))
    }
}

struct Ready {
    kernel: Kernel,
    equation: Equation,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let dims: Vec<&[i64]> = (0..self.equation.terms.len()).map(|i| s.input(i)).collect::<Result<_>>()?;
        let plan = EinsumPlan::new(&self.equation, &dims)?;
        let mut desc = EinsumDesc {
            out_rank: plan.out_rank as i32,
            sum_rank: (plan.sizes.len() - plan.out_rank) as i32,
            n_out: plan.out_count() as i64,
            n_sum: plan.sum_count() as i64,
            ..Default::default()
        };
        if plan.sizes.len() > desc.sizes.len() {
            return Err(Error::internal("an einsum with more than 26 labels"));
        }
        desc.sizes[..plan.sizes.len()].copy_from_slice(&plan.sizes);
        desc.a_strides[..plan.sizes.len()].copy_from_slice(&plan.strides[0]);
        if let Some(b) = plan.strides.get(1) {
            desc.b_strides[..plan.sizes.len()].copy_from_slice(b);
        }
        Ok(Box::new(Run { kernel: self.kernel, two: plan.strides.len() == 2, desc }))
    }
}

struct Run {
    kernel: Kernel,
    /// Whether there is a second operand (the kernel gets a null pointer otherwise).
    two: bool,
    desc: EinsumDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let b: DevicePtr = if self.two { inputs[1] } else { 0 };
        let mut args = [launch::arg(&inputs[0]), launch::arg(&b), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.desc.n_out as usize, stream, &mut args)
    }
}
