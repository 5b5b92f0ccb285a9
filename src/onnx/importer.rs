//! Walks an ONNX graph: inputs, initializers, nodes in order, outputs. Each name maps to a
//! network tensor or to a constant known at parse time (weights stay constants until a
//! layer needs them as a tensor).

use super::ops;
use super::proto::{data_type, AttributeProto, GraphProto, ModelProto, NodeProto};
use super::weights::{from_tensor_proto, ConstValue};
use super::{ParserError, ParserErrorCode};
use crate::error::{Error, Result};
use crate::ir::{Network, TensorId};
use crate::layers::generated::Constant;
use crate::layers::Layer;
use crate::types::DataType;
use prost::Message;
use std::collections::HashMap;
use std::path::Path;

/// The oldest and newest default-domain opsets this parser knows. Importers refuse the few
/// forms of early opsets whose meaning differs (legacy broadcast axes, BatchNormalization
/// spatial=0, Upsample's height/width scales).
pub const MIN_OPSET: i64 = 1;
pub const MAX_OPSET: i64 = 21;

#[derive(Clone, Debug)]
pub enum Value {
    Tensor(TensorId),
    Const(ConstValue),
}

/// State shared by the node importers.
pub struct Importer<'a> {
    pub net: &'a mut Network,
    pub opset: i64,
    values: HashMap<String, Value>,
    node_name: String,
    /// Tensors that already carry an ONNX name.
    named: std::collections::HashSet<TensorId>,
}

impl<'a> Importer<'a> {
    /// The value of a node input, or an error naming it.
    pub fn value(&self, name: &str) -> Result<Value> {
        self.values
            .get(name)
            .cloned()
            .ok_or_else(|| Error::invalid_argument(format!("input '{name}' is not produced by any earlier node, input or initializer")))
    }

    pub fn constant(&self, name: &str) -> Result<ConstValue> {
        match self.value(name)? {
            Value::Const(c) => Ok(c),
            Value::Tensor(_) => Err(Error::unsupported(format!("input '{name}' must be a constant (an initializer) here"))),
        }
    }

    /// The value as a network tensor; constants become Constant layers.
    pub fn tensor(&mut self, name: &str) -> Result<TensorId> {
        match self.value(name)? {
            Value::Tensor(t) => Ok(t),
            Value::Const(c) => self.constant_tensor(&c),
        }
    }

    pub fn constant_tensor(&mut self, c: &ConstValue) -> Result<TensorId> {
        self.add(Box::new(Constant::of(c.dims.clone(), c.weights.clone())), &[])
    }

    /// Integer values known at parse time: a constant, or a tensor whose values the shape
    /// graph knows (shapes computed from static dims).
    pub fn known_ints(&self, name: &str) -> Result<Option<Vec<i64>>> {
        Ok(match self.value(name)? {
            Value::Const(c) => Some(c.ints()?),
            Value::Tensor(t) => self.net.known_values(t),
        })
    }

    /// Integer values that must be known at parse time; `what` names them in the error.
    pub fn ints(&self, name: &str, what: &str) -> Result<Vec<i64>> {
        self.known_ints(name)?.ok_or_else(|| {
            Error::unsupported(format!(
                "{what} ('{name}') must be known when the model is parsed (a constant or computed from static shapes)"
            ))
        })
    }

    /// Adds a layer with several outputs and returns them all.
    pub fn add_multi(&mut self, op: Box<dyn Layer>, inputs: &[TensorId]) -> Result<Vec<TensorId>> {
        let layer = self.add_layer(op, inputs)?;
        Ok(self.net.layers[layer].outputs.clone())
    }

    /// Known dims of a tensor (-1 where only known at run time).
    pub fn dims(&self, t: TensorId) -> Vec<i64> {
        self.net.known_dims(t)
    }

    /// Adds a layer named after the current node and returns its output tensor.
    pub fn add(&mut self, op: Box<dyn Layer>, inputs: &[TensorId]) -> Result<TensorId> {
        let layer = self.add_layer(op, inputs)?;
        self.net.layers[layer].outputs.first().copied().ok_or_else(|| Error::internal("a layer without outputs"))
    }

    /// Adds a layer named after the current node and returns its id.
    pub fn add_layer(&mut self, op: Box<dyn Layer>, inputs: &[TensorId]) -> Result<crate::ir::LayerId> {
        let layer = self.net.add_layer(op, inputs)?;
        let count = self.net.layers.len();
        let name = if self.node_name.is_empty() { format!("onnx_layer_{count}") } else { format!("{}_{count}", self.node_name) };
        self.net.layers[layer].name = crate::ir::Name::new(&name);
        Ok(layer)
    }
}

impl Importer<'_> {
    /// Imports one node: its outputs become values, or the error comes back with its code.
    fn import_node(&mut self, node: &NodeProto) -> std::result::Result<(), (ParserErrorCode, String)> {
        use ParserErrorCode as C;
        self.node_name = node.name.clone();
        // Every value has one producer: an output named like an existing value is refused.
        let duplicate = node
            .output
            .iter()
            .enumerate()
            .find(|(i, o)| !o.is_empty() && (self.values.contains_key(o.as_str()) || node.output[..*i].contains(o)))
            .map(|(_, o)| o.clone());
        // A node whose inputs are all known has its outputs computed now (see fold.rs).
        let first_layer = self.net.layers.len();
        let all_known = !node.input.is_empty()
            && node.input.iter().filter(|i| !i.is_empty()).all(|i| match self.values.get(i) {
                Some(Value::Const(_)) => true,
                Some(Value::Tensor(t)) => self.net.known_values(*t).is_some(),
                None => false,
            });
        let result = match ops::importer_in(&node.domain, &node.op_type) {
            _ if duplicate.is_some() => Err((
                C::InvalidGraph,
                format!(
                    "output '{}' is already produced by an earlier node, a graph input or an initializer",
                    duplicate.unwrap_or_default()
                ),
            )),
            _ if !ops::knows_domain(&node.domain) => {
                Err((C::UnsupportedNode, format!("operator domain '{}' is not supported", node.domain)))
            }
            None if node.domain.is_empty() => Err((C::UnsupportedNode, format!("no importer for operator '{}'", node.op_type))),
            None => Err((C::UnsupportedNode, format!("no importer for operator '{}' of domain '{}'", node.op_type, node.domain))),
            Some(f) => f(self, node).map_err(|e| {
                let code = if e.code == crate::types::ErrorCode::UnsupportedState { C::UnsupportedNode } else { C::InvalidNode };
                (code, e.message)
            }),
        };
        let mut outputs = result?;
        if all_known {
            for v in outputs.iter_mut() {
                if let Value::Tensor(t) = *v {
                    if let Some(c) = super::fold::fold(self.net, t, first_layer) {
                        *v = Value::Const(c);
                    }
                }
            }
        }
        for (name, value) in node.output.iter().zip(outputs) {
            // A tensor keeps the first ONNX name given to it (a graph input passed on by
            // Identity keeps its own).
            if let Value::Tensor(t) = value {
                if self.named.insert(t) {
                    let _ = self.net.set_tensor_name(t, name);
                }
            }
            self.values.insert(name.clone(), value);
        }
        Ok(())
    }

    /// Gives a subgraph's input `name` its value (a Loop body's iteration count, condition and
    /// loop-carried values).
    pub fn bind(&mut self, name: &str, value: Value) {
        if let Value::Tensor(t) = value {
            if self.named.insert(t) {
                let _ = self.net.set_tensor_name(t, name);
            }
        }
        self.values.insert(name.to_string(), value);
    }

    /// Imports a subgraph (an If branch, a Loop body) into the same network: its initializers
    /// and nodes become values next to the outer ones (ONNX names are unique across scopes).
    pub fn import_subgraph(&mut self, graph: &GraphProto) -> Result<()> {
        for init in &graph.initializer {
            let c = from_tensor_proto(init)?;
            self.values.insert(init.name.clone(), Value::Const(c));
        }
        let outer = self.node_name.clone();
        for (index, node) in graph.node.iter().enumerate() {
            self.import_node(node).map_err(|(code, desc)| {
                let e = format!("subgraph '{}' node {index} ('{}', op {}): {desc}", graph.name, node.name, node.op_type);
                if code == ParserErrorCode::UnsupportedNode {
                    Error::unsupported(e)
                } else {
                    Error::invalid_argument(e)
                }
            })?;
        }
        self.node_name = outer;
        Ok(())
    }
}

/// Attribute lookups for a node.
pub struct Attrs<'n>(pub &'n NodeProto);

impl<'n> Attrs<'n> {
    fn get(&self, name: &str) -> Option<&'n AttributeProto> {
        self.0.attribute.iter().find(|a| a.name == name)
    }
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.get(name).map(|a| a.i).unwrap_or(default)
    }
    pub fn float(&self, name: &str, default: f32) -> f32 {
        self.get(name).map(|a| a.f).unwrap_or(default)
    }
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.get(name).map(|a| a.ints.clone())
    }
    pub fn floats(&self, name: &str) -> Option<Vec<f32>> {
        self.get(name).map(|a| a.floats.clone())
    }
    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
    }
    pub fn tensor(&self, name: &str) -> Option<&'n super::proto::TensorProto> {
        self.get(name).and_then(|a| a.t.as_ref())
    }
    pub fn graph(&self, name: &str) -> Option<&'n GraphProto> {
        self.get(name).and_then(|a| a.g.as_ref())
    }
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The engine type of an ONNX element type: INT64 is carried as INT32 and DOUBLE as FLOAT, as
/// onnx-tensorrt does.
pub fn onnx_type(elem: i32) -> Option<DataType> {
    match elem {
        data_type::FLOAT | data_type::DOUBLE => Some(DataType::Float),
        data_type::FLOAT16 => Some(DataType::Half),
        data_type::INT32 | data_type::INT64 => Some(DataType::Int32),
        data_type::INT8 => Some(DataType::Int8),
        data_type::BOOL => Some(DataType::Bool),
        data_type::UINT8 => Some(DataType::Uint8),
        _ => None,
    }
}

/// Parses a serialized model into `net`. Returns every error found (empty on success).
pub fn import_model(net: &mut Network, bytes: &[u8], model_dir: Option<&Path>) -> Vec<ParserError> {
    import_model_nodes(net, bytes, model_dir).errors
}

/// What a parse found: its errors and, for each node of the main graph in order, whether it
/// was imported (see `node_supported`).
pub struct ImportReport {
    pub errors: Vec<ParserError>,
    /// One flag per node; empty when the model could not be decoded.
    pub node_supported: Vec<bool>,
}

/// Like `import_model`, also telling which nodes were imported (IParser::supportsModel). A node
/// skipped because an upstream node failed counts as supported when its operator has an
/// importer. When the graph cannot be imported at all (its opset), every node is unsupported.
pub fn import_model_nodes(net: &mut Network, bytes: &[u8], model_dir: Option<&Path>) -> ImportReport {
    use ParserErrorCode as C;
    let graph_err =
        |code, desc: String, node_supported| ImportReport { errors: vec![ParserError::graph(code, desc, "import_model")], node_supported };
    // One copy of the model; initializers' raw data are slices of it.
    let model = match ModelProto::decode(bytes::Bytes::copy_from_slice(bytes)) {
        Ok(m) => m,
        Err(e) => {
            return graph_err(C::ModelDeserializeFailed, format!("the data is not a valid ONNX model ({} bytes): {e}", bytes.len()), vec![])
        }
    };
    let Some(mut graph) = model.graph else {
        return graph_err(C::InvalidGraph, "the model has no graph".into(), vec![]);
    };
    let unsupported = vec![false; graph.node.len()];
    let opset = model.opset_import.iter().find(|o| o.domain.is_empty() || o.domain == "ai.onnx").map(|o| o.version);
    let opset = match opset {
        Some(v) if v < MIN_OPSET => {
            return graph_err(C::UnsupportedGraph, format!("opset {v} is older than the oldest supported opset {MIN_OPSET}"), unsupported)
        }
        Some(v) => v,
        // A model of other domains only (ai.onnx.ml, training): default-domain importers are
        // not reached; a default-domain node without the import is still an error.
        None if graph.node.iter().all(|n| !n.domain.is_empty() && n.domain != "ai.onnx") => MAX_OPSET,
        None => return graph_err(C::InvalidGraph, "the model imports no default-domain opset".into(), unsupported),
    };
    if opset > MAX_OPSET {
        return graph_err(C::UnsupportedGraph, format!("opset {opset} is newer than the newest supported opset {MAX_OPSET}"), unsupported);
    }
    // Tensors kept in side files are read now; one that cannot be read stays EXTERNAL, and
    // its error is reported once here.
    let mut errors: Vec<ParserError> = super::external_data::load_graph(&mut graph, model_dir)
        .into_iter()
        .map(|e| ParserError::graph(C::InvalidValue, e.message, "load_external_data"))
        .collect();
    let mut node_supported = Vec::with_capacity(graph.node.len());
    let mut imp = Importer { net, opset, values: HashMap::new(), node_name: String::new(), named: Default::default() };
    for init in &graph.initializer {
        if init.data_location == super::external_data::EXTERNAL {
            continue; // its data could not be read: reported above
        }
        match from_tensor_proto(init) {
            Ok(c) => {
                imp.values.insert(init.name.clone(), Value::Const(c));
            }
            Err(e) => errors.push(ParserError::graph(C::InvalidValue, e.message, "import_initializer")),
        }
    }
    for input in &graph.input {
        if imp.values.contains_key(&input.name) {
            continue; // an initializer listed as an input (older exporters do this)
        }
        let Some(tt) = input.r#type.as_ref().and_then(|t| t.tensor_type.as_ref()) else {
            errors.push(ParserError::graph(C::UnsupportedGraph, format!("graph input '{}' is not a tensor", input.name), "import_input"));
            continue;
        };
        let Some(dtype) = onnx_type(tt.elem_type) else {
            errors.push(ParserError::graph(
                C::UnsupportedGraph,
                format!("graph input '{}' has ONNX element type {}, which is not supported", input.name, tt.elem_type),
                "import_input",
            ));
            continue;
        };
        let dims: Vec<i64> =
            tt.shape.as_ref().map(|s| s.dim.iter().map(|d| d.dim_value.filter(|&v| v >= 0).unwrap_or(-1)).collect()).unwrap_or_default();
        match imp.net.add_input(&input.name, dtype, &dims) {
            Ok(t) => {
                imp.named.insert(t);
                imp.values.insert(input.name.clone(), Value::Tensor(t));
            }
            Err(e) => errors.push(ParserError::graph(C::InvalidGraph, e.message, "import_input")),
        }
    }
    for (index, node) in graph.node.iter().enumerate() {
        // A node whose inputs failed earlier is skipped quietly: its cause is already reported.
        let missing_upstream = node.input.iter().any(|i| !i.is_empty() && !imp.values.contains_key(i));
        if missing_upstream && !errors.is_empty() {
            node_supported.push(ops::importer_in(&node.domain, &node.op_type).is_some());
            continue;
        }
        let imported = imp.import_node(node);
        node_supported.push(imported.is_ok());
        match imported {
            Ok(()) => {}
            Err((code, desc)) => errors.push(ParserError {
                code,
                desc,
                node: index as i32,
                node_name: node.name.clone(),
                op_type: node.op_type.clone(),
                func: "import_node",
            }),
        }
    }
    for output in &graph.output {
        let value = imp.values.get(&output.name).cloned();
        let t = match value {
            // A tensor named otherwise (an input, another output) is copied out under this name.
            Some(Value::Tensor(t)) if imp.net.tensors[t].name.as_str() != output.name || imp.net.tensors[t].is_output => {
                imp.add(Box::new(crate::layers::generated::Identity::new()), &[t]).inspect(|&t| {
                    let _ = imp.net.set_tensor_name(t, &output.name);
                })
            }
            Some(Value::Tensor(t)) => Ok(t),
            Some(Value::Const(c)) => imp.constant_tensor(&c).inspect(|&t| {
                let _ = imp.net.set_tensor_name(t, &output.name);
            }),
            None if !errors.is_empty() => continue,
            None => Err(Error::invalid_argument(format!("graph output '{}' is not produced by any node", output.name))),
        };
        match t.and_then(|t| imp.net.mark_output(t)) {
            Ok(()) => {}
            Err(e) => errors.push(ParserError::graph(C::InvalidGraph, e.message, "import_output")),
        }
    }
    ImportReport { errors, node_supported }
}
