//! The network IR: the one graph representation, built by the Network Definition API and the
//! parsers, transformed by the builder passes. Every tensor has a type and symbolic dims
//! (and, for shape tensors, symbolic values) in the network's shape graph. Inference is
//! incremental: adding a layer infers only that layer; a change marks the layers it affects,
//! which are re-inferred (in order) the next time shapes are read.

pub mod control_flow;
pub mod implicit_batch;
pub mod validate;

use crate::control::facts::{self, TripFacts};
use crate::control::{self, Boundary, BoundaryKind, Construct};
use crate::error::{Error, Result};
use crate::layers::{InferCx, InferIn, Kind, Layer as LayerSpec, MAX_SHAPE_VALUES};
use crate::shape::{ExprId, ShapeGraph, Symbol};
use crate::types::{dims_str, DataType, MAX_DIMS};
use std::collections::{BTreeSet, HashMap};
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
    pub dims: Vec<ExprId>,
    /// The values, for shape tensors whose values are computable on the host.
    pub values: Option<Vec<ExprId>>,
    /// The layer and output index that produce it; None for network inputs.
    pub producer: Option<(LayerId, usize)>,
    pub is_input: bool,
    pub is_output: bool,
    /// Dims as given to addInput / setDimensions (-1 unknown); inputs only.
    pub declared_dims: Vec<i64>,
    /// ITensor::setDynamicRange.
    pub dynamic_range: Option<(f32, f32)>,
    /// ITensor::setAllowedFormats bit mask.
    pub allowed_formats: u32,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub name: Name,
    pub op: Box<dyn LayerSpec>,
    /// None for an optional input that is not set.
    pub inputs: Vec<Option<TensorId>>,
    pub outputs: Vec<TensorId>,
    /// ILayer::setPrecision.
    pub precision: Option<DataType>,
    /// ILayer::setOutputType, by output.
    pub output_types: Vec<Option<DataType>>,
    /// Why inference failed, if it did (its outputs then have no valid shape).
    pub error: Option<Error>,
}

impl Layer {
    pub fn kind(&self) -> Kind {
        self.op.kind()
    }

    pub fn present_inputs(&self) -> impl Iterator<Item = TensorId> + '_ {
        self.inputs.iter().flatten().copied()
    }

    /// The present inputs it reads before it runs: all but a recurrence's next value, the
    /// one back edge (see `crate::control`).
    pub fn forward_inputs(&self) -> impl Iterator<Item = TensorId> + '_ {
        let op = self.op.as_ref();
        self.inputs.iter().enumerate().filter(move |(slot, _)| !control::is_back_edge(op, *slot)).filter_map(|(_, t)| *t)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Network {
    pub tensors: Vec<Tensor>,
    pub layers: Vec<Layer>,
    /// Network inputs and outputs in declaration order.
    pub inputs: Vec<TensorId>,
    pub outputs: Vec<TensorId>,
    pub shapes: ShapeGraph,
    /// Layers reading each tensor.
    consumers: Vec<Vec<LayerId>>,
    /// Layers to re-infer before shapes are next read.
    dirty: BTreeSet<LayerId>,
    /// Every layer reads only tensors of earlier layers (so id order is execution order);
    /// setInput can break this, and then a full topological sort is needed.
    ordered: bool,
    /// An implicit-batch network (createNetworkV2(0)): see `implicit_batch.rs`.
    pub implicit_batch: bool,
    /// The names of the network's loops and if-conditionals (INetworkDefinition::addLoop /
    /// addIfConditional), by index; their boundary layers name them by that index.
    pub loops: Vec<Name>,
    pub conditionals: Vec<Name>,
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
        Network { ordered: true, ..Default::default() }
    }

    pub fn tensor(&self, id: TensorId) -> Result<&Tensor> {
        self.tensors.get(id).ok_or_else(|| Error::invalid_argument(format!("no tensor {id} in this network")))
    }

    pub fn layer(&self, id: LayerId) -> Result<&Layer> {
        self.layers.get(id).ok_or_else(|| Error::invalid_argument(format!("no layer {id} in this network")))
    }

    /// The layer for changing its parameters: it is re-inferred before shapes are next read.
    pub fn layer_mut(&mut self, id: LayerId) -> Result<&mut Layer> {
        if id >= self.layers.len() {
            return Err(Error::invalid_argument(format!("no layer {id} in this network")));
        }
        self.dirty.insert(id);
        Ok(&mut self.layers[id])
    }

    pub fn find_tensor(&self, name: &str) -> Option<TensorId> {
        self.tensors.iter().position(|t| t.name.as_str() == name)
    }

    pub fn consumers(&self, t: TensorId) -> &[LayerId] {
        self.consumers.get(t).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Dims for the API: -1 where unknown until run time.
    pub fn known_dims(&self, t: TensorId) -> Vec<i64> {
        self.shapes.known(&self.tensors[t].dims)
    }

    /// A shape tensor's values where the shape graph knows them all as numbers.
    pub fn known_values(&self, t: TensorId) -> Option<Vec<i64>> {
        self.tensors[t].values.as_ref()?.iter().map(|&v| self.shapes.as_const(v)).collect()
    }

    /// An input's dims and values as symbols of the shape graph.
    fn input_shape(&mut self, id: TensorId) {
        let t = &self.tensors[id];
        let (mut declared, dtype) = (t.declared_dims.clone(), t.dtype);
        if self.implicit_batch {
            declared.insert(0, -1);
        }
        let dims: Vec<ExprId> = declared
            .iter()
            .enumerate()
            .map(|(axis, &d)| {
                if d >= 0 {
                    self.shapes.constant(d)
                } else {
                    self.shapes.symbol(Symbol::InputDim { input: id as u32, axis: axis as u32 })
                }
            })
            .collect();
        // A small INT32 vector may be a shape tensor; its values are symbols too (not in
        // implicit-batch networks, which have no shape tensors).
        let values = match declared.as_slice() {
            _ if self.implicit_batch => None,
            [] if dtype == DataType::Int32 => Some(1),
            [n] if dtype == DataType::Int32 && *n >= 0 && *n as usize <= MAX_SHAPE_VALUES => Some(*n as usize),
            _ => None,
        }
        .map(|n| (0..n).map(|i| self.shapes.symbol(Symbol::InputValue { input: id as u32, index: i as u32 })).collect());
        let t = &mut self.tensors[id];
        t.dims = dims;
        t.values = values;
    }

    fn mark_consumers_dirty(&mut self, t: TensorId) {
        if let Some(c) = self.consumers.get(t) {
            self.dirty.extend(c.iter().copied());
        }
    }

    pub fn add_input(&mut self, name: &str, dtype: DataType, dims: &[i64]) -> Result<TensorId> {
        if name.is_empty() {
            return Err(Error::invalid_argument("network inputs need a name"));
        }
        if self.inputs.iter().any(|&t| self.tensors[t].name.as_str() == name) {
            return Err(Error::invalid_argument(format!("the network already has an input named '{name}'")));
        }
        check_dims(dims)?;
        self.check_implicit_batch_input(name, dims)?;
        DataType::parse(dtype as i32, "input type")?;
        let id = self.tensors.len();
        self.tensors.push(Tensor {
            name: Name::new(name),
            dtype,
            dims: vec![],
            values: None,
            producer: None,
            is_input: true,
            is_output: false,
            declared_dims: dims.to_vec(),
            dynamic_range: None,
            allowed_formats: 0,
        });
        self.consumers.push(vec![]);
        self.inputs.push(id);
        self.input_shape(id);
        Ok(id)
    }

    /// Adds a layer and infers its outputs now; bad parameters are reported now (and the
    /// layer is not added), as TensorRT does.
    pub fn add_layer(&mut self, op: Box<dyn LayerSpec>, inputs: &[TensorId]) -> Result<LayerId> {
        let id = self.add_layer_deferred(op, inputs)?;
        self.finish_layer(false)?;
        Ok(id)
    }

    /// Adds a layer whose parameters are set afterwards (the C API's add-then-configure);
    /// call `finish_last_layer` once they are.
    pub fn add_layer_deferred(&mut self, op: Box<dyn LayerSpec>, inputs: &[TensorId]) -> Result<LayerId> {
        let kind = op.kind();
        let (lo, hi) = kind.inputs();
        if inputs.len() < lo || inputs.len() > hi {
            return Err(Error::invalid_argument(format!("{} layers take {lo} to {hi} inputs, got {}", kind.name(), inputs.len())));
        }
        for &t in inputs {
            self.tensor(t)?;
        }
        let id = self.layers.len();
        let name = format!("(Unnamed Layer* {id}) [{}]", kind.name());
        let mut outputs = Vec::with_capacity(kind.outputs());
        for i in 0..kind.outputs() {
            let suffix = if kind.outputs() == 1 { "_output".to_string() } else { format!("_output_{i}") };
            outputs.push(self.tensors.len());
            self.tensors.push(Tensor {
                name: Name::new(&format!("{name}{suffix}")),
                dtype: DataType::Float,
                dims: vec![],
                values: None,
                producer: Some((id, i)),
                is_input: false,
                is_output: false,
                declared_dims: vec![],
                dynamic_range: None,
                allowed_formats: 0,
            });
            self.consumers.push(vec![]);
        }
        for &t in inputs {
            self.consumers[t].push(id);
        }
        let n = outputs.len();
        self.layers.push(Layer {
            name: Name::new(&name),
            op,
            inputs: inputs.iter().map(|&t| Some(t)).collect(),
            outputs,
            precision: None,
            output_types: vec![None; n],
            error: None,
        });
        Ok(id)
    }

    /// Completes the newest layer as TensorRT's add* methods do: fills parameter defaults
    /// that depend on the inputs and infers it. If its own parameters are bad it is removed
    /// and the error returned, unless setters the application may still call can make it
    /// valid (`Layer::completed_by_setters`): it is then kept, invalid until they do.
    pub fn finish_last_layer(&mut self) -> Result<()> {
        self.finish_layer(true)
    }

    /// `finish_last_layer`; `setters_follow` false when the layer's parameters are final (a
    /// layer added by `add_layer`), so that bad ones are always refused.
    fn finish_layer(&mut self, setters_follow: bool) -> Result<()> {
        let Some(id) = self.layers.len().checked_sub(1) else { return Ok(()) };
        self.ensure_inferred();
        {
            let Network { layers, tensors, implicit_batch, .. } = self;
            let l = &mut layers[id];
            // Defaults follow the dims the application sees (without an implicit batch).
            let skip = *implicit_batch as usize;
            let ins: Vec<Option<InferIn>> = l
                .inputs
                .iter()
                .map(|t| t.map(|t| InferIn { dims: tensors[t].dims.get(skip..).unwrap_or(&[]), ..infer_in(&tensors[t]) }))
                .collect();
            l.op.fill_defaults(&ins);
        }
        self.dirty.remove(&id);
        match self.infer_layer(id) {
            Ok(_) => {
                self.mark_trip_dependents(id);
                Ok(())
            }
            Err(e) => {
                // Kept when setters called after the add* method can still make it valid.
                let Network { layers, tensors, shapes, .. } = &*self;
                let ins: Vec<Option<InferIn>> = layers[id].inputs.iter().map(|t| t.map(|t| infer_in(&tensors[t]))).collect();
                if setters_follow && layers[id].op.completed_by_setters(shapes, &ins) {
                    self.mark_trip_dependents(id);
                    return Ok(());
                }
                self.remove_last_layer();
                Err(e)
            }
        }
    }

    fn remove_last_layer(&mut self) {
        if let Some(l) = self.layers.pop() {
            let id = self.layers.len();
            for t in l.present_inputs() {
                self.consumers[t].retain(|&c| c != id);
            }
            // A layer's outputs are the last tensors (a trip limit, a condition or an
            // assertion has none).
            if let Some(&first) = l.outputs.first() {
                self.tensors.truncate(first);
                self.consumers.truncate(first);
            }
            self.dirty.remove(&id);
        }
    }

    /// What inference of layer `id` knows of its loop's trip count (for loop outputs).
    fn trip_facts(&self, id: LayerId) -> TripFacts {
        let Some(Boundary { construct: Construct::Loop(l), kind: BoundaryKind::LoopOutput { .. } }) = self.layers[id].op.control() else {
            return TripFacts::default();
        };
        let layers = self.layers.iter().map(|x| (x.op.as_ref(), x.inputs.as_slice()));
        let tensors = &self.tensors;
        facts::gather(
            facts::boundaries(layers),
            |t| tensors.get(t).map(|x| x.dims.as_slice()),
            |t| tensors.get(t).and_then(|x| x.values.as_deref()),
            l,
        )
    }

    /// Infers one layer from its inputs' current state; returns whether its outputs changed.
    fn infer_layer(&mut self, id: LayerId) -> Result<bool> {
        let trip = self.trip_facts(id);
        let Network { layers, tensors, shapes, implicit_batch, .. } = self;
        let l = &mut layers[id];
        let ins: Vec<Option<InferIn>> = l.inputs.iter().map(|t| t.map(|t| infer_in(&tensors[t]))).collect();
        // An implicit-batch network is inferred as its explicit-batch form.
        let with_batch;
        let op: &dyn LayerSpec = if *implicit_batch {
            with_batch = implicit_batch::with_batch_axis(l.op.as_ref());
            match &with_batch {
                Ok(op) => op.as_ref(),
                Err(e) => {
                    let e = e.clone().context(format!("layer '{}'", l.name.as_str()));
                    l.error = Some(e.clone());
                    return Err(e);
                }
            }
        } else {
            l.op.as_ref()
        };
        let result = op.infer(&mut InferCx { g: shapes, layer: id as u32, trip }, &ins).and_then(|outs| {
            if outs.len() != l.outputs.len() {
                return Err(Error::internal(format!(
                    "{} inference gave {} outputs, not {}",
                    l.op.kind().name(),
                    outs.len(),
                    l.outputs.len()
                )));
            }
            Ok(outs)
        });
        let outs = match result {
            Ok(o) => o,
            Err(e) => {
                let e = e.context(format!("layer '{}'", l.name.as_str()));
                l.error = Some(e.clone());
                return Err(e);
            }
        };
        l.error = None;
        let mut changed = false;
        for (i, (o, &t)) in outs.into_iter().zip(&l.outputs).enumerate() {
            let mut dtype = o.dtype;
            let mut values = o.values;
            if let Some(forced) = l.output_types[i] {
                if forced != dtype {
                    dtype = forced;
                    values = values.filter(|_| forced == DataType::Int32);
                }
            }
            let t = &mut tensors[t];
            if t.dims != o.dims || t.dtype != dtype || t.values != values {
                changed = true;
                t.dims = o.dims;
                t.dtype = dtype;
                t.values = values;
            }
        }
        Ok(changed)
    }

    /// Re-infers what changed since shapes were last read. Errors stay with their layers.
    pub fn ensure_inferred(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        if !self.ordered {
            match self.topological_order() {
                Ok(order) => {
                    self.dirty.clear();
                    for id in order {
                        let _ = self.infer_layer(id);
                    }
                }
                Err(e) => {
                    for id in std::mem::take(&mut self.dirty) {
                        self.layers[id].error = Some(e.clone());
                    }
                }
            }
            return;
        }
        while let Some(id) = self.dirty.pop_first() {
            // A layer reading an output of a failed layer fails too, naming the cause.
            let cause = self.layers[id].present_inputs().find_map(|t| {
                let (p, _) = self.tensors[t].producer?;
                self.layers[p].error.as_ref().map(|_| self.layers[p].name.as_str().to_string())
            });
            if let Some(cause) = cause {
                let l = &mut self.layers[id];
                l.error = Some(Error::invalid_argument(format!(
                    "layer '{}': its input comes from layer '{cause}', which is invalid",
                    l.name.as_str()
                )));
                for o in l.outputs.clone() {
                    self.mark_consumers_dirty(o);
                }
                continue;
            }
            let before = self.layers[id].error.is_some();
            if self.infer_layer(id).unwrap_or(true) || before {
                for o in self.layers[id].outputs.clone() {
                    self.mark_consumers_dirty(o);
                }
            }
            self.mark_trip_dependents(id);
        }
    }

    /// Infers everything pending and returns the first layer error, if any.
    pub fn infer_shapes(&mut self) -> Result<()> {
        self.ensure_inferred();
        match self.layers.iter().find_map(|l| l.error.clone()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    pub fn set_layer_input(&mut self, layer: LayerId, index: usize, tensor: TensorId) -> Result<()> {
        self.tensor(tensor)?;
        let kind = self.layer(layer)?.kind();
        let (_, hi) = kind.inputs();
        if index >= hi {
            return Err(Error::invalid_argument(format!("{} layers have at most {hi} inputs; index {index} is out of range", kind.name())));
        }
        if self.tensors[tensor].producer.is_some_and(|(p, _)| p == layer) {
            return Err(Error::invalid_argument("a layer cannot read its own output"));
        }
        let l = &mut self.layers[layer];
        if l.inputs.len() <= index {
            l.inputs.resize(index + 1, None);
        }
        if let Some(old) = l.inputs[index].replace(tensor) {
            let still = l.inputs.contains(&Some(old));
            if !still {
                self.consumers[old].retain(|&c| c != layer);
            }
        }
        if !self.consumers[tensor].contains(&layer) {
            self.consumers[tensor].push(layer);
        }
        let back_edge = control::is_back_edge(self.layers[layer].op.as_ref(), index);
        if self.tensors[tensor].producer.is_some_and(|(p, _)| p > layer) && !back_edge {
            self.ordered = false;
        }
        self.dirty.insert(layer);
        Ok(())
    }

    /// Sets input `index` of `layer` to null; an index past its inputs changes nothing.
    pub fn clear_layer_input(&mut self, layer: LayerId, index: usize) -> Result<()> {
        self.layer(layer)?;
        let l = &mut self.layers[layer];
        let Some(old) = l.inputs.get_mut(index).and_then(|slot| slot.take()) else { return Ok(()) };
        if !l.inputs.contains(&Some(old)) {
            self.consumers[old].retain(|&c| c != layer);
        }
        self.dirty.insert(layer);
        Ok(())
    }

    pub fn set_input_dims(&mut self, id: TensorId, dims: &[i64]) -> Result<()> {
        check_dims(dims)?;
        let name = self.tensor(id)?.name.as_str().to_string();
        self.check_implicit_batch_input(&name, dims)?;
        let t = self.tensors.get_mut(id).ok_or_else(|| Error::invalid_argument("no such tensor"))?;
        if !t.is_input {
            return Err(Error::invalid_argument("only network inputs have settable dimensions"));
        }
        t.declared_dims = dims.to_vec();
        self.input_shape(id);
        self.mark_consumers_dirty(id);
        Ok(())
    }

    /// ITensor::setType: an input's type, or the type an output is delivered in. TensorRT
    /// leaves other tensors' types unchanged.
    pub fn set_tensor_type(&mut self, id: TensorId, dtype: DataType) -> Result<bool> {
        DataType::parse(dtype as i32, "ITensor::setType")?;
        let t = self.tensors.get(id).ok_or_else(|| Error::invalid_argument("no such tensor"))?;
        if t.is_input {
            self.tensors[id].dtype = dtype;
            self.input_shape(id);
            self.mark_consumers_dirty(id);
            return Ok(true);
        }
        if let (true, Some((layer, out))) = (t.is_output, t.producer) {
            self.layers[layer].output_types[out] = Some(dtype);
            self.dirty.insert(layer);
            return Ok(true);
        }
        Ok(false)
    }

    /// ILayer::setOutputType (None: reset).
    pub fn set_output_type(&mut self, layer: LayerId, index: usize, dtype: Option<DataType>) -> Result<()> {
        if let Some(t) = dtype {
            DataType::parse(t as i32, "ILayer::setOutputType")?;
        }
        let l = self.layer_mut(layer)?;
        let slot = l.output_types.get_mut(index).ok_or_else(|| Error::invalid_argument(format!("the layer has no output {index}")))?;
        *slot = dtype;
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

    /// Removes a network input that no layer reads (INetworkDefinition::removeTensor);
    /// anything else stays and is refused.
    pub fn remove_unused_input(&mut self, id: TensorId) -> Result<()> {
        let t = self.tensor(id)?;
        if !t.is_input || !self.consumers(id).is_empty() || t.is_output {
            return Err(Error::invalid_argument(format!(
                "tensor '{}' cannot be removed: only a network input that no layer reads can",
                t.name.as_str()
            )));
        }
        self.inputs.retain(|&i| i != id);
        self.tensors[id].is_input = false;
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
        if self.ordered {
            return Ok((0..self.layers.len()).collect());
        }
        // Kahn's algorithm over the consumer lists: linear in layers and edges.
        let mut missing: Vec<usize> =
            self.layers.iter().map(|l| l.forward_inputs().filter(|&t| self.tensors[t].producer.is_some()).count()).collect();
        let after_limits = self.trip_dependents();
        for outs in &after_limits {
            for &o in outs {
                missing[o] += 1;
            }
        }
        let mut ready: Vec<LayerId> = (0..self.layers.len()).filter(|&i| missing[i] == 0).rev().collect();
        let mut order = Vec::with_capacity(self.layers.len());
        while let Some(id) = ready.pop() {
            order.push(id);
            for &c in &after_limits[id] {
                missing[c] -= 1;
                if missing[c] == 0 {
                    ready.push(c);
                }
            }
            for &o in &self.layers[id].outputs {
                for &c in &self.consumers[o] {
                    // A recurrence reading `o` only as its next value does not wait for it.
                    let reads = self.layers[c].forward_inputs().filter(|&t| t == o).count();
                    if reads > 0 {
                        missing[c] -= reads;
                        if missing[c] == 0 {
                            ready.push(c);
                        }
                    }
                }
            }
        }
        if order.len() != self.layers.len() {
            let stuck = (0..self.layers.len()).find(|i| !order.contains(i)).map(|i| self.layers[i].name.as_str()).unwrap_or("?");
            return Err(Error::invalid_argument(format!("the network has a cycle through layer '{stuck}'")));
        }
        Ok(order)
    }

    /// For each layer, the layers whose inference follows it although they do not read its
    /// outputs: a loop output's length follows its loop's trip limits and iterators.
    fn trip_dependents(&self) -> Vec<Vec<LayerId>> {
        let mut out = vec![vec![]; self.layers.len()];
        let role = |l: &Layer| match l.op.control() {
            Some(Boundary { construct: Construct::Loop(id), kind }) => Some((id, kind)),
            _ => None,
        };
        for (i, li) in self.layers.iter().enumerate() {
            let Some((id, BoundaryKind::TripLimit { .. } | BoundaryKind::Iterator { .. })) = role(li) else { continue };
            for (j, lj) in self.layers.iter().enumerate() {
                if matches!(role(lj), Some((jd, BoundaryKind::LoopOutput { .. })) if jd == id) {
                    out[i].push(j);
                }
            }
        }
        out
    }

    /// Marks the loop outputs whose length follows layer `id` (a trip limit or iterator) for
    /// inference.
    fn mark_trip_dependents(&mut self, id: LayerId) {
        let Some(Boundary { construct: Construct::Loop(l), kind: BoundaryKind::TripLimit { .. } | BoundaryKind::Iterator { .. } }) =
            self.layers[id].op.control()
        else {
            return;
        };
        for (j, lj) in self.layers.iter().enumerate() {
            if matches!(lj.op.control(), Some(Boundary { construct: Construct::Loop(x), kind: BoundaryKind::LoopOutput { .. } }) if x == l)
            {
                self.dirty.insert(j);
            }
        }
    }

    /// Rebuilds the derived state after a pass changed layers or tensors directly: consumer
    /// lists, a fresh shape graph, and full inference in execution order.
    pub fn rebuild(&mut self) -> Result<()> {
        self.consumers = vec![vec![]; self.tensors.len()];
        for (id, l) in self.layers.iter().enumerate() {
            for t in l.present_inputs() {
                if !self.consumers[t].contains(&id) {
                    self.consumers[t].push(id);
                }
            }
        }
        self.ordered =
            self.layers.iter().enumerate().all(|(id, l)| l.forward_inputs().all(|t| self.tensors[t].producer.is_none_or(|(p, _)| p < id)));
        self.shapes = ShapeGraph::new();
        for i in 0..self.inputs.len() {
            self.input_shape(self.inputs[i]);
        }
        self.dirty = (0..self.layers.len()).collect();
        self.infer_shapes()
    }

    /// Whether tensor `t` is a shape tensor: read (directly, or through layers that compute
    /// on shape values) by a layer's shape input.
    pub fn shape_tensors(&mut self) -> Vec<bool> {
        self.ensure_inferred();
        let mut is_shape = vec![false; self.tensors.len()];
        let mut stack: Vec<TensorId> = vec![];
        for l in &self.layers {
            for &i in l.kind().shape_inputs() {
                if let Some(Some(t)) = l.inputs.get(i) {
                    stack.push(*t);
                }
            }
        }
        while let Some(t) = stack.pop() {
            if std::mem::replace(&mut is_shape[t], true) || self.tensors[t].values.is_none() {
                continue;
            }
            if let Some((p, _)) = self.tensors[t].producer {
                stack.extend(self.layers[p].present_inputs().filter(|&i| self.tensors[i].values.is_some()));
            }
        }
        is_shape
    }

    /// Network inputs by name, for lookups by the parsers and profiles.
    pub fn input_names(&self) -> HashMap<&str, TensorId> {
        self.inputs.iter().map(|&t| (self.tensors[t].name.as_str(), t)).collect()
    }
}

fn infer_in(t: &Tensor) -> InferIn<'_> {
    InferIn { dtype: t.dtype, dims: &t.dims, values: t.values.as_deref() }
}

impl Network {
    /// Keeps the layers marked in `keep` (and the tensors they or the network use), renumbers
    /// layers and tensors in order, and rebuilds the derived state.
    pub fn retain_layers(&mut self, keep: &[bool]) -> Result<()> {
        let mut live = vec![false; self.tensors.len()];
        for &t in self.inputs.iter().chain(&self.outputs) {
            live[t] = true;
        }
        for (id, l) in self.layers.iter().enumerate() {
            if keep[id] {
                for t in l.present_inputs().chain(l.outputs.iter().copied()) {
                    live[t] = true;
                }
            }
        }
        let renumber = |flags: &[bool]| -> Vec<Option<usize>> {
            let mut next = 0;
            flags.iter().map(|&k| k.then(|| (next, next += 1).0)).collect()
        };
        let (tmap, lmap) = (renumber(&live), renumber(keep));
        let remap = |t: usize| tmap[t].ok_or_else(|| Error::internal("a kept layer uses a removed tensor"));
        let old_tensors = std::mem::take(&mut self.tensors);
        for (id, mut t) in old_tensors.into_iter().enumerate() {
            if tmap[id].is_some() {
                if let Some((p, i)) = t.producer {
                    t.producer = Some((lmap[p].ok_or_else(|| Error::internal("a live tensor's producer was removed"))?, i));
                }
                self.tensors.push(t);
            }
        }
        let old_layers = std::mem::take(&mut self.layers);
        for (id, mut l) in old_layers.into_iter().enumerate() {
            if keep[id] {
                l.inputs = l.inputs.iter().map(|i| i.map(remap).transpose()).collect::<Result<_>>()?;
                l.outputs = l.outputs.iter().map(|&o| remap(o)).collect::<Result<_>>()?;
                self.layers.push(l);
            }
        }
        self.inputs = self.inputs.iter().map(|&t| remap(t)).collect::<Result<_>>()?;
        self.outputs = self.outputs.iter().map(|&t| remap(t)).collect::<Result<_>>()?;
        self.rebuild()
    }
}
