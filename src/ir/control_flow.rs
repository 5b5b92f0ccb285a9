//! Loops and if-conditionals of a network (INetworkDefinition::addLoop / addIfConditional):
//! the network keeps only their names; their boundary layers are ordinary layers naming them
//! by index, and `crate::control` derives the rest from the graph.

use super::{Name, Network};
use crate::control::FlowGraph;
use crate::error::{Error, Result};

impl Network {
    fn refuse_implicit_batch(&self, what: &str) -> Result<()> {
        if self.implicit_batch {
            return Err(Error::unsupported(format!(
                "{what} needs an explicit-batch network (createNetworkV2 with kEXPLICIT_BATCH), as in TensorRT"
            )));
        }
        Ok(())
    }

    /// A new loop; returns its index.
    pub fn add_loop(&mut self) -> Result<u32> {
        self.refuse_implicit_batch("a loop (ILoop)")?;
        let id = self.loops.len() as u32;
        self.loops.push(Name::new(&format!("(Unnamed Loop {id})")));
        Ok(id)
    }

    /// A new if-conditional; returns its index.
    pub fn add_conditional(&mut self) -> Result<u32> {
        self.refuse_implicit_batch("an if-conditional (IIfConditional)")?;
        let id = self.conditionals.len() as u32;
        self.conditionals.push(Name::new(&format!("(Unnamed IfConditional {id})")));
        Ok(id)
    }

    /// The layers as control-flow analysis sees them.
    pub fn flow_graph(&self) -> FlowGraph<'_> {
        FlowGraph {
            layers: self
                .layers
                .iter()
                .map(|l| crate::control::FlowLayer { name: l.name.as_str(), op: l.op.as_ref(), inputs: &l.inputs, outputs: &l.outputs })
                .collect(),
            tensors: self.tensors.len(),
            outputs: self.outputs.clone(),
        }
    }
}
