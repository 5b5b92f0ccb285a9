//! Implicit-batch networks (createNetworkV2(0), TensorRT's deprecated mode): the application
//! sees every tensor without its batch dimension and gives the batch size per run
//! (IExecutionContext::execute / enqueue). Internally such a network is the explicit-batch
//! network with a leading batch dimension: its inputs get a leading dynamic dimension, each
//! layer is inferred as `with_batch_axis` of itself, and the builder converts the network
//! once (`to_explicit_batch`) and builds it with a batch profile 1..maxBatchSize. So every
//! layer kind has one meaning, written once, and `Layer::add_batch_axis` says how its
//! parameters follow the extra dimension.

use super::{Network, TensorId};
use crate::error::{Error, Result};
use crate::layers::Layer;
use crate::types::dims_str;

impl Network {
    pub fn new_implicit_batch() -> Network {
        Network { implicit_batch: true, ..Network::new() }
    }

    pub(super) fn check_implicit_batch_input(&self, name: &str, dims: &[i64]) -> Result<()> {
        if self.implicit_batch && dims.iter().any(|&d| d < 0) {
            return Err(Error::invalid_argument(format!(
                "input '{name}' {}: an implicit-batch network needs fixed input dimensions (dynamic shapes need kEXPLICIT_BATCH)",
                dims_str(dims)
            )));
        }
        Ok(())
    }

    /// Dims as the application sees them: without the batch dimension of an implicit-batch
    /// network, -1 where unknown until run time.
    pub fn api_dims(&self, t: TensorId) -> Vec<i64> {
        let mut d = self.known_dims(t);
        if self.implicit_batch && !d.is_empty() {
            d.remove(0);
        }
        d
    }

    /// The same network with an explicit leading batch dimension (-1) on every input and
    /// every layer's parameters rewritten for it.
    pub fn to_explicit_batch(&self) -> Result<Network> {
        let mut net = self.clone();
        net.implicit_batch = false;
        for &t in &self.inputs {
            net.tensors[t].declared_dims.insert(0, -1);
        }
        for l in &mut net.layers {
            l.op.add_batch_axis().map_err(|e| e.context(format!("layer '{}'", l.name.as_str())))?;
        }
        net.rebuild()?;
        Ok(net)
    }
}

/// `op` as it runs in the explicit-batch form of an implicit-batch network.
pub fn with_batch_axis(op: &dyn Layer) -> Result<Box<dyn Layer>> {
    let mut converted = op.clone_layer();
    converted.add_batch_axis()?;
    Ok(converted)
}
