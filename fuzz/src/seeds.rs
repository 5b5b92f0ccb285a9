//! Seed inputs: small ONNX models covering every op the parser imports (besides the shipped
//! MNIST model), and the CPU plans built from them (`harness::onnx_to_plan`). `make_seeds` writes them to
//! fuzz/corpus/.

use nvinfer::onnx::proto::{
    AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    TypeProtoTensor, ValueInfoProto,
};
use prost::Message;

const FLOAT: i32 = 1;
const INT32: i32 = 6;
const INT64: i32 = 7;
const FLOAT16: i32 = 10;

/// A graph input or output; a negative dim is symbolic ("N").
fn value(name: &str, elem: i32, dims: &[i64]) -> ValueInfoProto {
    let dim = dims
        .iter()
        .map(|&d| {
            if d < 0 {
                Dimension { dim_value: None, dim_param: Some("N".into()) }
            } else {
                Dimension { dim_value: Some(d), dim_param: None }
            }
        })
        .collect();
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TypeProtoTensor { elem_type: elem, shape: Some(TensorShapeProto { dim }) }) }),
    }
}

fn floats(name: &str, dims: &[i64], raw: bool) -> TensorProto {
    let n: i64 = dims.iter().product();
    let v: Vec<f32> = (0..n).map(|i| ((i * 7 % 11) as f32 - 5.0) / 8.0).collect();
    let mut t = TensorProto { name: name.into(), dims: dims.to_vec(), data_type: FLOAT, ..Default::default() };
    if raw {
        t.raw_data = v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>().into();
    } else {
        t.float_data = v;
    }
    t
}

fn int64s(name: &str, values: &[i64]) -> TensorProto {
    TensorProto { name: name.into(), dims: vec![values.len() as i64], data_type: INT64, int64_data: values.to_vec(), ..Default::default() }
}

fn node(op: &str, inputs: &[&str], outputs: &[&str], attrs: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        name: format!("{op}_{}", outputs.first().copied().unwrap_or("")),
        op_type: op.into(),
        attribute: attrs,
        domain: String::new(),
    }
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { name: name.into(), ints: v.to_vec(), r#type: 7, ..Default::default() }
}

fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto { name: name.into(), i: v, r#type: 2, ..Default::default() }
}

fn float(name: &str, v: f32) -> AttributeProto {
    AttributeProto { name: name.into(), f: v, r#type: 1, ..Default::default() }
}

fn string(name: &str, v: &str) -> AttributeProto {
    AttributeProto { name: name.into(), s: v.as_bytes().to_vec(), r#type: 3, ..Default::default() }
}

fn model(nodes: Vec<NodeProto>, inits: Vec<TensorProto>, inputs: Vec<ValueInfoProto>, outputs: Vec<ValueInfoProto>) -> Vec<u8> {
    ModelProto {
        ir_version: 8,
        producer_name: "nvinfer-fuzz seeds".into(),
        graph: Some(GraphProto { node: nodes, name: "seed".into(), initializer: inits, input: inputs, output: outputs }),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 13 }],
    }
    .encode_to_vec()
}

/// (file name, ONNX bytes) of the generated seed models.
pub fn onnx_models() -> Vec<(&'static str, Vec<u8>)> {
    let f = |n: &str, d: &[i64]| value(n, FLOAT, d);
    vec![
        ("relu.onnx", model(vec![node("Relu", &["x"], &["y"], vec![])], vec![], vec![f("x", &[1, 4])], vec![f("y", &[1, 4])])),
        (
            "add_const.onnx",
            model(
                vec![node("Add", &["x", "c"], &["y"], vec![])],
                vec![floats("c", &[2, 3], false)],
                vec![f("x", &[2, 3])],
                vec![f("y", &[])],
            ),
        ),
        (
            "conv.onnx",
            model(
                vec![node(
                    "Conv",
                    &["x", "w", "b"],
                    &["y"],
                    vec![ints("pads", &[1, 1, 1, 1]), ints("strides", &[1, 1]), ints("kernel_shape", &[3, 3])],
                )],
                vec![floats("w", &[3, 2, 3, 3], true), floats("b", &[3], false)],
                vec![f("x", &[1, 2, 5, 5])],
                vec![f("y", &[])],
            ),
        ),
        (
            "conv_group_same.onnx",
            model(
                vec![node(
                    "Conv",
                    &["x", "w"],
                    &["y"],
                    vec![string("auto_pad", "SAME_UPPER"), int("group", 2), ints("strides", &[2, 2]), ints("dilations", &[1, 1])],
                )],
                vec![floats("w", &[4, 1, 2, 2], true)],
                vec![f("x", &[1, 2, 5, 5])],
                vec![f("y", &[])],
            ),
        ),
        (
            "gemm.onnx",
            model(
                vec![node("Gemm", &["a", "b", "c"], &["y"], vec![float("alpha", 0.5), float("beta", 2.0), int("transB", 1)])],
                vec![floats("b", &[3, 4], true), floats("c", &[3], false)],
                vec![f("a", &[2, 4])],
                vec![f("y", &[])],
            ),
        ),
        (
            "matmul.onnx",
            model(
                vec![node("MatMul", &["x", "w"], &["y"], vec![])],
                vec![floats("w", &[3, 2], true)],
                vec![f("x", &[2, 3])],
                vec![f("y", &[])],
            ),
        ),
        (
            "reshape_transpose.onnx",
            model(
                vec![node("Reshape", &["x", "s"], &["r"], vec![]), node("Transpose", &["r"], &["y"], vec![ints("perm", &[1, 0])])],
                vec![int64s("s", &[3, -1])],
                vec![f("x", &[1, 2, 3])],
                vec![f("y", &[])],
            ),
        ),
        (
            "flatten_softmax.onnx",
            model(
                vec![node("Flatten", &["x"], &["fl"], vec![int("axis", 1)]), node("Softmax", &["fl"], &["y"], vec![int("axis", 1)])],
                vec![],
                vec![f("x", &[1, 2, 2])],
                vec![f("y", &[])],
            ),
        ),
        (
            "pools.onnx",
            model(
                vec![
                    node("MaxPool", &["x"], &["p"], vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2])]),
                    node(
                        "AveragePool",
                        &["p"],
                        &["y"],
                        vec![ints("kernel_shape", &[2, 2]), ints("pads", &[1, 1, 0, 0]), int("count_include_pad", 1)],
                    ),
                ],
                vec![],
                vec![f("x", &[1, 1, 4, 4])],
                vec![f("y", &[])],
            ),
        ),
        (
            "activations.onnx",
            model(
                vec![
                    node("Sigmoid", &["x"], &["a"], vec![]),
                    node("Tanh", &["a"], &["b"], vec![]),
                    node("LeakyRelu", &["b"], &["c"], vec![float("alpha", 0.1)]),
                    node("Elu", &["c"], &["d"], vec![]),
                    node("HardSigmoid", &["d"], &["e"], vec![]),
                    node("Softplus", &["e"], &["g"], vec![]),
                    node("Softsign", &["g"], &["h"], vec![]),
                    node("Selu", &["h"], &["y"], vec![]),
                ],
                vec![],
                vec![f("x", &[1, 6])],
                vec![f("y", &[])],
            ),
        ),
        (
            "dynamic.onnx",
            model(
                vec![node("Mul", &["x", "x"], &["m"], vec![]), node("Div", &["m", "c"], &["y"], vec![])],
                vec![floats("c", &[4], false)],
                vec![f("x", &[-1, 4])],
                vec![f("y", &[])],
            ),
        ),
        (
            "constants.onnx",
            model(
                vec![
                    node("Constant", &[], &["k"], vec![float("value_float", 2.0)]),
                    node("Pow", &["x", "k"], &["p"], vec![]),
                    node("Max", &["p", "x"], &["q"], vec![]),
                    node("Min", &["q", "k"], &["r"], vec![]),
                    node("Sub", &["r", "x"], &["s"], vec![]),
                    node("Identity", &["s"], &["y"], vec![]),
                ],
                vec![],
                vec![f("x", &[2, 2])],
                vec![f("y", &[])],
            ),
        ),
        (
            "int_div.onnx",
            model(
                vec![node("Add", &["x", "c"], &["a"], vec![]), node("Div", &["a", "x"], &["y"], vec![])],
                vec![int64s("c", &[1, 2, 3])],
                vec![value("x", INT32, &[3])],
                vec![value("y", INT32, &[])],
            ),
        ),
        (
            "half.onnx",
            model(vec![node("Relu", &["x"], &["y"], vec![])], vec![], vec![value("x", FLOAT16, &[2, 2])], vec![value("y", FLOAT16, &[])]),
        ),
    ]
}
