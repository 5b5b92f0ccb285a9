//! The network IR: the one graph representation, built by the Network Definition API and the
//! ONNX parser, transformed by the builder passes, stored in plans.

pub mod validate;

use crate::error::{Error, Result};
use crate::ops::{check_inputs, Op};
use crate::types::{dims_str, DataType, MAX_DIMS};
use std::ffi::{c_char, CString};

pub type TensorId = usize;
pub type LayerId = usize;

/// A name that can also be handed to C as a stable `const char*`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Name(CString);

impl Name {
    pub fn new(s: &str) -> Name {
        Name(CString::new(s.replace('\0', "")).unwrap_or_default())
    }
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or("")
    }
    /// Valid until the name changes or its owner is dropped.
    pub fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr()
    }
}

#[derive(Clone, Debug)]
pub struct Tensor {
    pub name: Name,
    pub dtype: DataType,
    /// -1 marks a dimension unknown until run time.
    pub dims: Vec<i64>,
    /// The layer and output index that produce it; None for network inputs.
    pub producer: Option<(LayerId, usize)>,
    pub is_input: bool,
    pub is_output: bool,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub name: Name,
    pub op: Box<dyn Op>,
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
    /// Requested compute precision (ILayer::setPrecision), if any.
    pub precision: Option<DataType>,
}

#[derive(Clone, Debug, Default)]
pub struct Network {
    pub tensors: Vec<Tensor>,
    pub layers: Vec<Layer>,
    /// Network inputs and outputs in declaration order.
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
    /// Set whenever a change may alter inferred shapes.
    shapes_stale: bool,
}

fn check_dims(dims: &[i64]) -> Result<()> {
    if dims.len() > MAX_DIMS {
        return Err(Error::invalid_argument(format!("{} has more than {MAX_DIMS} dimensions", dims_str(dims))));
    }
    if dims.iter().any(|&d| d < -1) {
        return Err(Error::invalid_argument(format!("{} has a dimension below -1", dims_str(dims))));
    }
    Ok(())
}

impl Network {
    pub fn new() -> Network {
        Network::default()
    }

    pub fn tensor(&self, id: TensorId) -> Result<&Tensor> {
        self.tensors.get(id).ok_or_else(|| Error::invalid_argument(format!("no tensor {id} in this network")))
    }

    pub fn layer(&self, id: LayerId) -> Result<&Layer> {
        self.layers.get(id).ok_or_else(|| Error::invalid_argument(format!("no layer {id} in this network")))
    }

    pub fn layer_mut(&mut self, id: LayerId) -> Result<&mut Layer> {
        self.shapes_stale = true;
        self.layers.get_mut(id).ok_or_else(|| Error::invalid_argument(format!("no layer {id} in this network")))
    }

    pub fn find_tensor(&self, name: &str) -> Option<TensorId> {
        self.tensors.iter().position(|t| t.name.as_str() == name)
    }

    pub fn add_input(&mut self, name: &str, dtype: DataType, dims: &[i64]) -> Result<TensorId> {
        if name.is_empty() {
            return Err(Error::invalid_argument("network inputs need a name"));
        }
        if self.inputs.iter().any(|&t| self.tensors[t].name.as_str() == name) {
            return Err(Error::invalid_argument(format!("the network already has an input named '{name}'")));
        }
        check_dims(dims)?;
        let id = self.tensors.len();
        self.tensors.push(Tensor { name: Name::new(name), dtype, dims: dims.to_vec(), producer: None, is_input: true, is_output: false });
        self.inputs.push(id);
        Ok(id)
    }

    /// Adds a layer; its output tensors are created with inferred shapes.
    pub fn add_layer(&mut self, op: Box<dyn Op>, inputs: &[TensorId]) -> Result<LayerId> {
        let id = self.add_layer_deferred(op, inputs)?;
        // Report bad parameters now, as TensorRT does when a layer is added.
        self.finish_last_layer()?;
        Ok(id)
    }

    /// Adds a layer whose parameters are set afterwards (the C API's add-then-configure);
    /// call `finish_last_layer` once they are.
    pub fn add_layer_deferred(&mut self, op: Box<dyn Op>, inputs: &[TensorId]) -> Result<LayerId> {
        check_inputs(op.as_ref(), inputs.len())?;
        for &t in inputs {
            self.tensor(t)?;
        }
        let id = self.layers.len();
        let kind = op.kind();
        let name = format!("(Unnamed Layer* {id}) [{kind}]");
        let out = self.tensors.len();
        self.tensors.push(Tensor {
            name: Name::new(&format!("{name}_output")),
            dtype: DataType::Float,
            dims: vec![],
            producer: Some((id, 0)),
            is_input: false,
            is_output: false,
        });
        self.layers.push(Layer { name: Name::new(&name), op, inputs: inputs.to_vec(), outputs: vec![out], precision: None });
        self.shapes_stale = true;
        Ok(id)
    }

    /// Checks the newest layer's parameters by inferring shapes; removes it if they are bad.
    /// An error in another layer is returned but leaves the new layer in place.
    pub fn finish_last_layer(&mut self) -> Result<()> {
        self.shapes_stale = true;
        let last = self.layers.len().checked_sub(1);
        match self.infer_shapes_at() {
            Ok(()) => Ok(()),
            Err((layer, e)) => {
                if layer == last {
                    self.remove_last_layer();
                }
                Err(e)
            }
        }
    }

    fn remove_last_layer(&mut self) {
        if let Some(l) = self.layers.pop() {
            self.tensors.truncate(l.outputs[0]);
            self.shapes_stale = true;
        }
    }

    pub fn set_layer_input(&mut self, layer: LayerId, index: usize, tensor: TensorId) -> Result<()> {
        self.tensor(tensor)?;
        let l = self.layer_mut(layer)?;
        let slot = l.inputs.get_mut(index).ok_or_else(|| Error::invalid_argument(format!("layer has no input {index}")))?;
        *slot = tensor;
        Ok(())
    }

    pub fn set_tensor_dims(&mut self, id: TensorId, dims: &[i64]) -> Result<()> {
        check_dims(dims)?;
        let t = self.tensors.get_mut(id).ok_or_else(|| Error::invalid_argument("no such tensor"))?;
        if !t.is_input {
            return Err(Error::invalid_argument("only network inputs have settable dimensions"));
        }
        t.dims = dims.to_vec();
        self.shapes_stale = true;
        Ok(())
    }

    pub fn set_tensor_name(&mut self, id: TensorId, name: &str) -> Result<()> {
        let t = self.tensors.get_mut(id).ok_or_else(|| Error::invalid_argument("no such tensor"))?;
        t.name = Name::new(name);
        Ok(())
    }

    pub fn mark_output(&mut self, id: TensorId) -> Result<()> {
        self.tensor(id)?;
        if !self.outputs.contains(&id) {
            self.outputs.push(id);
            self.tensors[id].is_output = true;
        }
        Ok(())
    }

    pub fn unmark_output(&mut self, id: TensorId) -> Result<()> {
        self.tensor(id)?;
        self.outputs.retain(|&t| t != id);
        self.tensors[id].is_output = false;
        Ok(())
    }

    /// Layer ids in an order where producers come before consumers.
    pub fn topological_order(&self) -> Result<Vec<LayerId>> {
        let mut ready: Vec<bool> = self.tensors.iter().map(|t| t.producer.is_none()).collect();
        let mut done = vec![false; self.layers.len()];
        let mut order = Vec::with_capacity(self.layers.len());
        loop {
            let before = order.len();
            for (id, l) in self.layers.iter().enumerate() {
                if !done[id] && l.inputs.iter().all(|&t| ready[t]) {
                    done[id] = true;
                    order.push(id);
                    for &o in &l.outputs {
                        ready[o] = true;
                    }
                }
            }
            if order.len() == self.layers.len() {
                return Ok(order);
            }
            if order.len() == before {
                let stuck = self.layers.iter().enumerate().find(|(i, _)| !done[*i]).map(|(_, l)| l.name.as_str()).unwrap_or("?");
                return Err(Error::invalid_argument(format!("the network has a cycle through layer '{stuck}'")));
            }
        }
    }

    /// Recomputes every layer output's shape and type from the inputs.
    pub fn infer_shapes(&mut self) -> Result<()> {
        self.infer_shapes_at().map_err(|(_, e)| e)
    }

    /// Like `infer_shapes`, also naming the layer that failed (None: the graph itself).
    fn infer_shapes_at(&mut self) -> std::result::Result<(), (Option<LayerId>, Error)> {
        if !self.shapes_stale {
            return Ok(());
        }
        for id in self.topological_order().map_err(|e| (None, e))? {
            let layer = &self.layers[id];
            let in_dims: Vec<&[i64]> = layer.inputs.iter().map(|&t| self.tensors[t].dims.as_slice()).collect();
            let out = layer.op.infer(&in_dims).map_err(|e| (Some(id), e.context(format!("layer '{}'", layer.name.as_str()))))?;
            let outputs = layer.outputs.clone();
            for (t, dims) in outputs.into_iter().zip(out) {
                self.tensors[t].dims = dims;
            }
        }
        self.shapes_stale = false;
        Ok(())
    }
}
