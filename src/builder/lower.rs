//! Lowering: the optimized network becomes an engine description, layers in execution
//! order, I/O tensors in declaration order (inputs, then outputs), with the profiles and the
//! precision requests the precision pass needs.

use super::config::{BuilderConfig, FLAG_TF32};
use super::profiles;
use crate::backend::Target;
use crate::engine::{EngineDesc, EngineLayer, EngineTensor};
use crate::error::{Error, Result};
use crate::ir::Network;
use crate::log::Reporter;
use crate::types::{DataType, TensorIOMode};
use std::collections::HashSet;

pub struct Lowered {
    pub desc: EngineDesc,
    /// ILayer::setPrecision, by engine layer.
    pub precision: Vec<Option<DataType>>,
    /// ILayer::setOutputType, by engine layer and output.
    pub output_types: Vec<Vec<Option<DataType>>>,
}

/// Tensors computed from shapes: outputs of shape layers and of layers computing on them,
/// and shape-tensor inputs.
fn derived_from_shapes(net: &Network, shape_inputs: &[bool], order: &[usize]) -> Vec<bool> {
    let mut derived: Vec<bool> = (0..net.tensors.len()).map(|t| net.tensors[t].is_input && shape_inputs[t]).collect();
    for &id in order {
        let l = &net.layers[id];
        let from_shapes = l.op.computes_shapes() || l.present_inputs().any(|t| derived[t]);
        for &o in &l.outputs {
            derived[o] = from_shapes && net.tensors[o].values.is_some();
        }
    }
    derived
}

pub fn lower(net: &mut Network, target: Target, config: &BuilderConfig, reporter: &Reporter) -> Result<Lowered> {
    let consumed_as_shapes = net.shape_tensors();
    let order = net.topological_order()?;
    let derived = derived_from_shapes(net, &consumed_as_shapes, &order);
    let profiles = profiles::resolve(net, &consumed_as_shapes, config, reporter)?;
    let mut tensors: Vec<EngineTensor> = net
        .tensors
        .iter()
        .map(|t| EngineTensor {
            name: t.name.as_str().to_string(),
            dtype: t.dtype,
            dims: net.shapes.known(&t.dims),
            io_mode: TensorIOMode::None,
            shape_tensor: false,
        })
        .collect();
    for &i in &net.inputs {
        tensors[i].io_mode = TensorIOMode::Input;
        tensors[i].shape_tensor = consumed_as_shapes[i];
        tensors[i].dims = net.tensors[i].declared_dims.clone();
    }
    for &o in &net.outputs {
        if tensors[o].io_mode == TensorIOMode::Input {
            return Err(Error::invalid_argument(format!("tensor '{}' cannot be both a network input and output", tensors[o].name)));
        }
        tensors[o].io_mode = TensorIOMode::Output;
        let t = &net.tensors[o];
        tensors[o].shape_tensor = t.dtype == DataType::Int32 && t.values.is_some() && (derived[o] || consumed_as_shapes[o]);
    }
    let mut seen = HashSet::new();
    for &t in net.inputs.iter().chain(&net.outputs) {
        if !seen.insert(tensors[t].name.as_str()) {
            return Err(Error::invalid_argument(format!("two network inputs or outputs are named '{}'", tensors[t].name)));
        }
    }
    let mut layers = Vec::with_capacity(order.len());
    let (mut precision, mut output_types) = (vec![], vec![]);
    for id in order {
        let l = &net.layers[id];
        layers.push(EngineLayer {
            name: l.name.as_str().to_string(),
            op: l.op.clone(),
            inputs: l.inputs.clone(),
            outputs: l.outputs.clone(),
            tactic: String::new(),
        });
        precision.push(l.precision);
        output_types.push(l.output_types.clone());
    }
    let desc = EngineDesc {
        name: String::new(),
        target,
        tensors,
        layers,
        io: net.inputs.iter().chain(&net.outputs).copied().collect(),
        profiles,
        kernels: vec![],
        allow_tf32: config.flag(FLAG_TF32),
        implicit_batch: false,
    };
    Ok(Lowered { desc, precision, output_types })
}

/// Puts an engine's layers in block order (`crate::control::program`): a loop's or
/// conditional's layers contiguous, what they read before them. Run once every layer is
/// final (the precision pass adds casts), so the loader finds the order it requires.
pub fn block_order(desc: &mut EngineDesc) -> Result<()> {
    let flow = crate::engine::analysis::flow_graph(desc);
    if !flow.has_constructs() {
        return Ok(());
    }
    let placement = crate::control::placement::place(&flow, &[], &[])?;
    let (order, _) = crate::control::program::arrange(&flow, &placement);
    if order.len() != desc.layers.len() {
        return Err(Error::internal(format!("block order covers {} of {} layers", order.len(), desc.layers.len())));
    }
    let mut layers: Vec<Option<EngineLayer>> = std::mem::take(&mut desc.layers).into_iter().map(Some).collect();
    for li in order {
        let l = layers[li].take().ok_or_else(|| Error::internal("a layer twice in block order"))?;
        desc.layers.push(l);
    }
    Ok(())
}
