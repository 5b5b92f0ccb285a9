//! The boundary layers of an if-conditional (IIfConditional): IConditionLayer,
//! IIfConditionalInputLayer and IIfConditionalOutputLayer. Which layers form each branch and
//! how only the taken one runs is `crate::control`'s; like loop boundaries, these layers never
//! run through an implementation.

use super::generated::{Condition, ConditionalInput, ConditionalOutput};
use super::loop_boundary::{driven_by_construct, MOVABLE};
use super::{any_impls, check_type, explicit_batch_only, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::control::{construct_index, Boundary, BoundaryKind, Construct};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::dims_text;
use crate::types::DataType;

fn in_conditional(id: i32, kind: BoundaryKind) -> Option<Boundary> {
    Some(Boundary { construct: Construct::Conditional(id as u32), kind })
}

impl Condition {
    pub fn of(conditional: u32) -> Condition {
        Condition { conditional_id: conditional as i32 }
    }
}

impl Layer for Condition {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the condition", self.conditional_id)?;
        let c = input(inputs, 0)?;
        if c.dtype != DataType::Bool || !c.dims.is_empty() {
            return Err(Error::invalid_argument(format!(
                "a conditional's condition must be a 0-D kBOOL tensor, not a {}-D {}",
                c.dims.len(),
                c.dtype
            )));
        }
        Ok(vec![])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("IConditionLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("IIfConditional (IConditionLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_conditional(self.conditional_id, BoundaryKind::Condition)
    }
    any_impls!();
}

impl ConditionalInput {
    pub fn of(conditional: u32) -> ConditionalInput {
        ConditionalInput { conditional_id: conditional as i32 }
    }
}

impl Layer for ConditionalInput {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the conditional input", self.conditional_id)?;
        let x = input(inputs, 0)?;
        check_type("a conditional's input", x.dtype, MOVABLE)?;
        // The same values whichever branch runs: a shape tensor stays one.
        Ok(vec![InferOut { dtype: x.dtype, dims: x.dims.to_vec(), values: x.values.map(<[_]>::to_vec) }])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("IIfConditionalInputLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("IIfConditional (IIfConditionalInputLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_conditional(self.conditional_id, BoundaryKind::ConditionalInput)
    }
    any_impls!();
}

impl ConditionalOutput {
    pub fn of(conditional: u32) -> ConditionalOutput {
        ConditionalOutput { conditional_id: conditional as i32 }
    }
}

impl Layer for ConditionalOutput {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the conditional output", self.conditional_id)?;
        let (t, f) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("a conditional's output", t.dtype, MOVABLE)?;
        if t.dtype != f.dtype {
            return Err(Error::invalid_argument(format!(
                "the true and false branches' outputs must have the same type, not {} and {}",
                t.dtype, f.dtype
            )));
        }
        if t.dims.len() != f.dims.len() {
            return Err(Error::invalid_argument(format!(
                "the true and false branches' outputs must have the same shape, not {} and {}",
                dims_text(cx.g, t.dims),
                dims_text(cx.g, f.dims)
            )));
        }
        let mut dims = Vec::with_capacity(t.dims.len());
        for (i, (&a, &b)) in t.dims.iter().zip(f.dims).enumerate() {
            dims.push(cx.g.assert_eq(a, b, || format!("the true and false branches' outputs differ in dimension {i}"))?);
        }
        let values = match (t.values, f.values) {
            (Some(a), Some(b)) if a == b => Some(a.to_vec()),
            _ => None,
        };
        Ok(vec![InferOut { dtype: t.dtype, dims, values }])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("IIfConditionalOutputLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("IIfConditional (IIfConditionalOutputLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_conditional(self.conditional_id, BoundaryKind::ConditionalOutput)
    }
    any_impls!();
}
