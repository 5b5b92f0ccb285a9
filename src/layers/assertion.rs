//! IAssertionLayer: a kBOOL shape tensor whose every value must be true. It adds checks to
//! the shape program, so a false value fails shape resolution with the layer's message: when
//! the network is built if the values are known then, otherwise at setInputShape or enqueue,
//! and the context stays usable. It has no outputs and never runs; dead-layer removal keeps
//! it (`has_side_effects`).

use super::generated::Assertion;
use super::{any_impls, explicit_batch_only, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::DataType;

impl Assertion {
    pub fn of(message: &str) -> Assertion {
        Assertion { message: message.to_string() }
    }
}

impl Layer for Assertion {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let c = input(inputs, 0)?;
        if c.dtype != DataType::Bool || c.dims.len() > 1 {
            return Err(Error::invalid_argument(format!(
                "an assertion's condition must be a 0-D or 1-D kBOOL shape tensor, not a {}-D {}",
                c.dims.len(),
                c.dtype
            )));
        }
        let values = c.values.ok_or_else(|| {
            Error::invalid_argument("an assertion's condition must be a shape tensor: its values must be computable from shapes on the host")
        })?;
        for &v in values {
            cx.g.is_true_later(v, cx.layer as i64, || format!("assertion failed: {}", self.message))?;
        }
        Ok(vec![])
    }
    fn has_side_effects(&self) -> bool {
        true
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(Error::internal("IAssertionLayer is a check of the shape program; it never runs"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("IAssertionLayer (its condition is a shape tensor)"))
    }
    any_impls!();
}
