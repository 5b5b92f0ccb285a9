//! Building ONNX models in tests with the parser's own prost structs, and parsing them.

use nvinfer::ir::Network;
use nvinfer::onnx::proto::*;
use nvinfer::onnx::{parse, ParserError};
use prost::Message;

pub fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto { dim: dims.iter().map(|&d| Dimension { dim_value: Some(d), dim_param: None }).collect() }),
            }),
        }),
    }
}

pub fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str], attrs: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: name.into(),
        op_type: op.into(),
        attribute: attrs,
        domain: String::new(),
    }
}

pub fn ints_attr(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { name: name.into(), ints: v.to_vec(), r#type: 7, ..Default::default() }
}

pub fn string_attr(name: &str, v: &str) -> AttributeProto {
    AttributeProto { name: name.into(), s: v.as_bytes().to_vec(), r#type: 3, ..Default::default() }
}

pub fn int_attr(name: &str, v: i64) -> AttributeProto {
    AttributeProto { name: name.into(), i: v, r#type: 2, ..Default::default() }
}

pub fn float_tensor(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::FLOAT, float_data: values.to_vec(), ..Default::default() }
}

pub fn float_tensor_raw(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: data_type::FLOAT, raw_data, ..Default::default() }
}

pub fn int64_tensor_raw(name: &str, values: &[i64]) -> TensorProto {
    let raw_data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    TensorProto { name: name.into(), dims: vec![values.len() as i64], data_type: data_type::INT64, raw_data, ..Default::default() }
}

/// A graph of `nodes` with float inputs and outputs of the given dims.
pub fn graph(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, inputs: &[(&str, &[i64])], outputs: &[(&str, &[i64])]) -> GraphProto {
    GraphProto {
        name: "g".into(),
        node: nodes,
        initializer: inits,
        input: inputs.iter().map(|(n, d)| value_info(n, d)).collect(),
        output: outputs.iter().map(|(n, d)| value_info(n, d)).collect(),
    }
}

pub fn model(opset: i64, graph: GraphProto) -> Vec<u8> {
    ModelProto {
        ir_version: 8,
        producer_name: "nvinfer tests".into(),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: opset }],
    }
    .encode_to_vec()
}

pub fn parse_bytes(bytes: &[u8]) -> (Network, Vec<ParserError>) {
    let mut net = Network::new();
    let errors = parse(&mut net, bytes, None);
    (net, errors)
}

pub fn parse_ok(bytes: &[u8]) -> Network {
    let (net, errors) = parse_bytes(bytes);
    assert!(errors.is_empty(), "{:?}", errors.iter().map(|e| e.message()).collect::<Vec<_>>());
    net
}
