//! Running an implicit-batch engine (IExecutionContext::execute / enqueue with a batch
//! size): every input gets the batch as its leading dimension, and every output must have
//! it too, so the application's buffers (sized batch × the dims it sees) are never overrun.

use super::ExecutionContext;
use crate::backend::cuda::RawStream;
use crate::error::{Error, Result};

impl ExecutionContext {
    /// Sets the batch of every input and the addresses from legacy bindings.
    fn prepare_batch(&mut self, batch: i32, bindings: &[u64]) -> Result<()> {
        let engine = self.engine.clone();
        if !engine.desc.implicit_batch {
            return Err(Error::invalid_argument(
                "the engine was built with an explicit batch dimension: use enqueueV3 / executeV2 (the batch is part of the input shapes)",
            ));
        }
        let max = engine.max_batch_size();
        if batch < 1 || batch as i64 > max {
            return Err(Error::invalid_argument(format!("batch size {batch} is outside 1..{max}, the engine's maximum batch size")));
        }
        for k in 0..engine.nb_inputs() {
            let t = &engine.desc.tensors[engine.desc.io[k]];
            let mut dims = t.dims.clone();
            dims[0] = batch as i64;
            self.set_input_shape(&t.name, &dims)?;
        }
        self.set_bindings(bindings)?;
        let res = self.resolve(true)?;
        for &t in &engine.desc.io[engine.nb_inputs()..] {
            if res.dims[t].as_ref().and_then(|d| d.first()) != Some(&(batch as i64)) {
                return Err(Error::invalid_argument(format!(
                    "output '{}' does not have the batch as its leading dimension; the engine is not a valid implicit-batch engine",
                    engine.desc.tensors[t].name
                )));
            }
        }
        Ok(())
    }

    /// IExecutionContext::enqueue(batchSize, bindings, stream, ...).
    pub fn enqueue_batch(&mut self, batch: i32, bindings: &[u64], stream: RawStream) -> Result<()> {
        self.prepare_batch(batch, bindings)?;
        self.enqueue(stream)
    }

    /// IExecutionContext::execute(batchSize, bindings).
    pub fn execute_batch(&mut self, batch: i32, bindings: &[u64]) -> Result<()> {
        self.prepare_batch(batch, bindings)?;
        self.execute()
    }
}
