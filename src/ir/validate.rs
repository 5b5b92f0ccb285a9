//! The IR validity check run after every builder pass.

use super::Network;
use crate::error::{Error, Result};
use crate::types::dims_str;

/// Checks that every tensor reference is in range, each non-input tensor has exactly the
/// producer that lists it, outputs exist, and the graph has no cycle.
pub fn validate(net: &Network) -> Result<()> {
    let n = net.tensors.len();
    for (id, l) in net.layers.iter().enumerate() {
        for &t in l.inputs.iter().chain(&l.outputs) {
            if t >= n {
                return Err(Error::internal(format!("layer '{}' refers to tensor {t}, which does not exist", l.name.as_str())));
            }
        }
        for (i, &o) in l.outputs.iter().enumerate() {
            if net.tensors[o].producer != Some((id, i)) {
                return Err(Error::internal(format!(
                    "tensor '{}' does not record layer '{}' as its producer",
                    net.tensors[o].name.as_str(),
                    l.name.as_str()
                )));
            }
        }
    }
    for &t in &net.outputs {
        if t >= n {
            return Err(Error::internal(format!("network output {t} does not exist")));
        }
    }
    for &t in &net.inputs {
        if net.tensors.get(t).map(|x| x.producer.is_some()).unwrap_or(true) {
            return Err(Error::internal(format!("network input {t} is missing or produced by a layer")));
        }
    }
    net.topological_order()?;
    Ok(())
}

/// Checks that every tensor the engine will hold has a fully known shape.
pub fn require_static_shapes(net: &Network) -> Result<()> {
    for t in &net.tensors {
        if t.dims.iter().any(|&d| d < 0) {
            return Err(Error::unsupported(format!(
                "tensor '{}' has dynamic shape {}; dynamic shapes need optimization profiles, which are not implemented yet",
                t.name.as_str(),
                dims_str(&t.dims)
            )));
        }
    }
    Ok(())
}
