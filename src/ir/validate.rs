//! The IR validity check run before building and after every builder pass.

use super::Network;
use crate::control::{checks, placement, Construct};
use crate::error::{Error, Result};

/// Checks that every tensor reference is in range, each non-input tensor has exactly the
/// producer that lists it, inputs are not produced, the graph has no cycle, and every layer
/// inferred without error and passes its build-time checks.
pub fn validate(net: &Network) -> Result<()> {
    let n = net.tensors.len();
    for (id, l) in net.layers.iter().enumerate() {
        for t in l.present_inputs().chain(l.outputs.iter().copied()) {
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
        let (lo, hi) = l.kind().inputs();
        let present = l.present_inputs().count();
        if present < lo || l.inputs.len() > hi {
            return Err(Error::invalid_argument(format!(
                "layer '{}' has {present} inputs; {} layers take {lo} to {hi}",
                l.name.as_str(),
                l.kind().name()
            )));
        }
        if let Some(e) = &l.error {
            return Err(e.clone());
        }
        l.op.check_for_build().map_err(|e| e.context(format!("layer '{}'", l.name.as_str())))?;
    }
    for &t in net.outputs.iter().chain(&net.inputs) {
        if t >= n {
            return Err(Error::internal(format!("network input or output {t} does not exist")));
        }
    }
    for &t in &net.inputs {
        if net.tensors[t].producer.is_some() {
            return Err(Error::internal(format!("network input '{}' is produced by a layer", net.tensors[t].name.as_str())));
        }
    }
    net.topological_order()?;
    validate_control_flow(net)
}

/// Loops and conditionals: where each layer belongs and the rules at their boundaries
/// (`crate::control`).
fn validate_control_flow(net: &Network) -> Result<()> {
    let fg = net.flow_graph();
    if !fg.has_constructs() {
        return Ok(());
    }
    let loops: Vec<&str> = net.loops.iter().map(|n| n.as_str()).collect();
    let conditionals: Vec<&str> = net.conditionals.iter().map(|n| n.as_str()).collect();
    for l in &fg.layers {
        let Some(b) = l.op.control() else { continue };
        let known = match b.construct {
            Construct::Loop(i) => (i as usize) < loops.len(),
            Construct::Conditional(i) => (i as usize) < conditionals.len(),
        };
        if !known {
            return Err(Error::invalid_argument(format!(
                "layer '{}' belongs to {}, which this network does not have",
                l.name,
                b.construct.describe()
            )));
        }
    }
    let placement = placement::place(&fg, &loops, &conditionals)?;
    let dims = |t: usize| net.tensors[t].dims.as_slice();
    let values = |t: usize| net.tensors[t].values.as_deref();
    let dtype = |t: usize| net.tensors[t].dtype;
    checks::check(&fg, &placement, &checks::Shapes { dims: &dims, values: &values, dtype: &dtype }, &net.shapes)
}
