//! If on IIfConditional: both branches are imported into the network, each branch output pair
//! becomes an IIfConditionalOutputLayer, and which layers run only for one side follows from
//! the graph (src/control). Layers of a branch that read only outer values run outside.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{Condition, ConditionalOutput};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("If", if_op)];

fn if_op(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let (Some(then_g), Some(else_g)) = (a.graph("then_branch"), a.graph("else_branch")) else {
        return Err(Error::invalid_argument("If needs then_branch and else_branch graphs"));
    };
    if then_g.output.len() != else_g.output.len() || then_g.output.len() != node.output.len() {
        return Err(Error::invalid_argument("If's branches and node must have the same number of outputs"));
    }
    // A condition known now picks its branch while parsing.
    if let Some(v) = imp.known_ints(input(node, 0)?).ok().flatten().filter(|v| v.len() == 1) {
        let g = if v[0] != 0 { then_g } else { else_g };
        imp.import_subgraph(g)?;
        return g.output.iter().map(|o| imp.value(&o.name)).collect();
    }
    let cond = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[cond].dtype != DataType::Bool {
        return Err(Error::invalid_argument("If's condition must be bool"));
    }
    let cond = reshape_tensor(imp, cond, vec![])?;
    let id = imp.net.add_conditional()?;
    imp.add_layer(Box::new(Condition::of(id)), &[cond])?;
    imp.import_subgraph(then_g)?;
    imp.import_subgraph(else_g)?;
    let mut outs = Vec::with_capacity(node.output.len());
    for (t, e) in then_g.output.iter().zip(&else_g.output) {
        let (tt, et) = (imp.tensor(&t.name)?, imp.tensor(&e.name)?);
        outs.push(Value::Tensor(layer(imp, ConditionalOutput::of(id), &[tt, et])?));
    }
    Ok(outs)
}
