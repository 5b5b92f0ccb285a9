//! The ONNX parser on small models built here with the prost structs: shapes, initializer
//! encodings, structured errors (node index, name, op; every bad node reported), damaged
//! input that must give errors and never panic.

mod common;

use nvinfer::ir::Network;
use nvinfer::layers::Param;
use nvinfer::onnx::proto::{data_type, AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, TensorProto};
use nvinfer::onnx::weights::from_tensor_proto;
use nvinfer::onnx::{parse_file, supports_operator, ParserErrorCode};
use nvinfer::weights::Weights;
use prost::Message;

use common::onnx::*;

/// X[1,2,5,5] → Conv(W[3,2,3,3], B[3], pads 1, strides 2) → Relu → Y[1,3,3,3].
fn conv_relu_graph(weights: TensorProto, bias: TensorProto) -> GraphProto {
    GraphProto {
        name: "conv_relu".into(),
        node: vec![
            node(
                "Conv",
                "conv0",
                &["X", "W", "B"],
                &["C"],
                vec![ints_attr("pads", &[1, 1, 1, 1]), ints_attr("strides", &[2, 2]), ints_attr("kernel_shape", &[3, 3])],
            ),
            node("Relu", "relu0", &["C"], &["Y"], vec![]),
        ],
        initializer: vec![weights, bias],
        input: vec![value_info("X", &[1, 2, 5, 5])],
        output: vec![value_info("Y", &[1, 3, 3, 3])],
    }
}

fn conv_weights() -> Vec<f32> {
    common::random(3 * 2 * 3 * 3, 21)
}

fn conv_bias() -> Vec<f32> {
    common::random(3, 22)
}

// ---------------------------------------------------------------- tests

#[test]
fn conv_relu_model_parses_with_the_right_shapes() {
    let g = conv_relu_graph(float_tensor("W", &[3, 2, 3, 3], &conv_weights()), float_tensor("B", &[3], &conv_bias()));
    let net = parse_ok(&model(13, g));
    assert_eq!(net.inputs.len(), 1);
    assert_eq!(net.outputs.len(), 1);
    let x = &net.tensors[net.inputs[0]];
    assert_eq!(x.name.as_str(), "X");
    assert_eq!(net.known_dims(net.inputs[0]), vec![1, 2, 5, 5]);
    let y = &net.tensors[net.outputs[0]];
    assert_eq!(y.name.as_str(), "Y");
    assert_eq!(net.known_dims(net.outputs[0]), vec![1, 3, 3, 3]); // (5 + 2 − 3) / 2 + 1 = 3
    let kinds: Vec<&str> = net.layers.iter().map(|l| l.op.kind().name()).collect();
    assert_eq!(kinds, vec!["Convolution", "Activation"]);
    let conv = &net.layers[0].op;
    assert_eq!(conv.param("num_output_maps"), Some(Param::Ints(vec![3])));
    assert_eq!(conv.param("stride"), Some(Param::Ints(vec![2, 2])));
    assert_eq!(conv.param("pre_padding"), Some(Param::Ints(vec![1, 1])));
    assert_eq!(conv.param("kernel_weights"), Some(Param::Weights(Weights::from_f32(&conv_weights()))));
    assert_eq!(conv.param("bias_weights"), Some(Param::Weights(Weights::from_f32(&conv_bias()))));
    // Layer names keep the ONNX node's name for error messages.
    assert!(net.layers[0].name.as_str().starts_with("conv0"), "{}", net.layers[0].name.as_str());
    assert!(net.layers[1].name.as_str().starts_with("relu0"));
}

#[test]
fn conv_relu_model_runs_like_the_ops_it_names() {
    // Build the parsed model for the CPU and compare with Conv then Relu run by hand.
    // Tolerance: bit-identical (same reference code, same order of operations).
    let g = conv_relu_graph(float_tensor("W", &[3, 2, 3, 3], &conv_weights()), float_tensor("B", &[3], &conv_bias()));
    let net = parse_ok(&model(13, g));
    let plan = common::cpu_plan(&net).expect("build");
    let engine = std::sync::Arc::new(nvinfer::runtime::Engine::deserialize(&plan).unwrap());
    let mut ctx = nvinfer::runtime::ExecutionContext::new(engine).unwrap();
    let x = common::random(50, 23);
    let mut y = vec![0f32; 27];
    common::run_cpu_context(&mut ctx, &[("X", &x)], &mut [("Y", &mut y)]);

    let mut conv = nvinfer::layers::generated::Convolution::of(
        3,
        vec![3, 3],
        Weights::from_f32(&conv_weights()),
        Some(Weights::from_f32(&conv_bias())),
    );
    conv.stride = vec![2, 2];
    conv.pre_padding = vec![1, 1];
    conv.post_padding = vec![1, 1];
    let g = conv.geometry(&[1, 2, 5, 5]).unwrap();
    let mut c = vec![0f32; 27];
    nvinfer::layers::convolution::convolve(&g, &x, &conv_weights(), Some(&conv_bias()), &mut c);
    let expected: Vec<f32> = c.iter().map(|v| v.max(0.0)).collect();
    assert_eq!(y, expected);
    assert!(y.iter().any(|&v| v > 0.0) && y.contains(&0.0), "the random case should exercise both sides of Relu: {y:?}");
}

#[test]
fn raw_data_and_float_data_initializers_decode_equally() {
    let (w, b) = (conv_weights(), conv_bias());
    let typed = parse_ok(&model(13, conv_relu_graph(float_tensor("W", &[3, 2, 3, 3], &w), float_tensor("B", &[3], &b))));
    let raw = parse_ok(&model(13, conv_relu_graph(float_tensor_raw("W", &[3, 2, 3, 3], &w), float_tensor_raw("B", &[3], &b))));
    for key in ["kernel_weights", "bias_weights"] {
        assert_eq!(typed.layers[0].op.param(key), raw.layers[0].op.param(key), "{key}");
    }
    assert_eq!(typed.layers[0].op.encode(), raw.layers[0].op.encode());
    // And directly: the same values whichever field carries them.
    let a = from_tensor_proto(&float_tensor("t", &[2, 2], &[1.5, -2.0, 3.0, 1e-3])).unwrap();
    let c = from_tensor_proto(&float_tensor_raw("t", &[2, 2], &[1.5, -2.0, 3.0, 1e-3])).unwrap();
    assert_eq!(a.dims, c.dims);
    assert_eq!(a.floats().unwrap(), c.floats().unwrap());
    assert_eq!(a.floats().unwrap(), vec![1.5, -2.0, 3.0, 1e-3]);
}

#[test]
fn bad_initializers_are_reported() {
    // 7 raw bytes are not a whole number of floats.
    let mut t = float_tensor_raw("W", &[2], &[1.0, 2.0]);
    t.raw_data.truncate(7);
    let e = from_tensor_proto(&t).unwrap_err();
    assert!(e.message.contains('W') && e.message.contains('7'), "{}", e.message);
    // 3 values for a [2,2] tensor.
    let e = from_tensor_proto(&float_tensor("W", &[2, 2], &[1.0, 2.0, 3.0])).unwrap_err();
    assert!(e.message.contains("4") && e.message.contains("3"), "{}", e.message);
    // Through the parser: an InvalidValue error about the initializer, not a panic.
    let mut bad_w = float_tensor("W", &[3, 2, 3, 3], &conv_weights());
    bad_w.float_data.truncate(10);
    let (_, errors) = parse_bytes(&model(13, conv_relu_graph(bad_w, float_tensor("B", &[3], &conv_bias()))));
    assert!(!errors.is_empty());
    assert_eq!(errors[0].code, ParserErrorCode::InvalidValue, "{errors:?}");
    assert!(errors[0].desc.contains("'W'"), "{}", errors[0].desc);
}

#[test]
fn int64_shape_constant_for_reshape() {
    // X[1,2,3,4] → Reshape(shape = INT64 [1,-1]) → Y[1,24], the shape as raw INT64 bytes,
    // as int64_data, and from a Constant node.
    let graph = |shape_init: Option<TensorProto>, extra_nodes: Vec<NodeProto>| {
        let mut nodes = extra_nodes;
        nodes.push(node("Reshape", "reshape0", &["X", "shape"], &["Y"], vec![]));
        GraphProto {
            name: "reshape".into(),
            node: nodes,
            initializer: shape_init.into_iter().collect(),
            input: vec![value_info("X", &[1, 2, 3, 4])],
            output: vec![value_info("Y", &[1, 24])],
        }
    };
    let check = |net: Network| {
        assert_eq!(net.layers.len(), 1, "the shape must not become a layer");
        assert_eq!(net.layers[0].op.kind().name(), "Shuffle");
        let y = &net.tensors[net.outputs[0]];
        assert_eq!(y.name.as_str(), "Y");
        assert_eq!(net.known_dims(net.outputs[0]), vec![1, 24]);
    };
    check(parse_ok(&model(13, graph(Some(int64_tensor_raw("shape", &[1, -1])), vec![]))));
    let typed =
        TensorProto { name: "shape".into(), dims: vec![2], data_type: data_type::INT64, int64_data: vec![1, -1], ..Default::default() };
    check(parse_ok(&model(13, graph(Some(typed), vec![]))));
    let constant = node("Constant", "shape_const", &[], &["shape"], vec![ints_attr("value_ints", &[1, -1])]);
    check(parse_ok(&model(13, graph(None, vec![constant]))));
    // A 0 copies the input's dimension: [0, 6, -1] → [1, 6, 4].
    let net = parse_ok(&model(13, {
        let mut g = graph(Some(int64_tensor_raw("shape", &[0, 6, -1])), vec![]);
        g.output = vec![value_info("Y", &[1, 6, 4])];
        g
    }));
    assert_eq!(net.known_dims(net.outputs[0]), vec![1, 6, 4]);
    // A float shape is refused with a message, not a panic.
    let (_, errors) = parse_bytes(&model(13, graph(Some(float_tensor("shape", &[2], &[1.0, -1.0])), vec![])));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].node, 0);
    assert_eq!(errors[0].op_type, "Reshape");
}

fn two_bad_nodes_model() -> Vec<u8> {
    // Node 0 is fine, node 1 ("first_bad", op Foo) and node 2 ("second_bad", op Bar) are not;
    // node 2 reads from node 0, so it is not skipped as a consequence of node 1.
    model(
        13,
        GraphProto {
            name: "bad".into(),
            node: vec![
                node("Relu", "ok0", &["X"], &["A"], vec![]),
                node("Foo", "first_bad", &["A"], &["B"], vec![]),
                node("Bar", "second_bad", &["A"], &["C"], vec![]),
                node("Sigmoid", "after_bad", &["B"], &["D"], vec![]),
            ],
            initializer: vec![],
            input: vec![value_info("X", &[1, 4])],
            output: vec![value_info("D", &[1, 4]), value_info("C", &[1, 4])],
        },
    )
}

#[test]
fn unknown_ops_give_one_error_each_with_node_context() {
    let (_, errors) = parse_bytes(&two_bad_nodes_model());
    assert_eq!(errors.len(), 2, "{:?}", errors.iter().map(|e| e.message()).collect::<Vec<_>>());
    for (e, (index, name, op)) in errors.iter().zip([(1, "first_bad", "Foo"), (2, "second_bad", "Bar")]) {
        assert_eq!(e.code, ParserErrorCode::UnsupportedNode);
        assert_eq!(e.node, index);
        assert_eq!(e.node_name, name);
        assert_eq!(e.op_type, op);
        let m = e.message();
        assert!(m.contains(&format!("node {index}")) && m.contains(name) && m.contains(op), "{m}");
    }
    assert!(supports_operator("Conv"));
    assert!(supports_operator("Relu"));
    assert!(!supports_operator("Foo"));
    assert!(!supports_operator(""));
}

#[test]
fn nodes_of_another_domain_are_unsupported() {
    let mut n = node("Relu", "custom", &["X"], &["Y"], vec![]);
    n.domain = "com.example".into();
    let bytes = model(
        13,
        GraphProto {
            name: "g".into(),
            node: vec![n],
            initializer: vec![],
            input: vec![value_info("X", &[2])],
            output: vec![value_info("Y", &[2])],
        },
    );
    let (_, errors) = parse_bytes(&bytes);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, ParserErrorCode::UnsupportedNode);
    assert!(errors[0].desc.contains("com.example"));
}

#[test]
fn an_invalid_node_names_itself() {
    // Conv whose weights have no spatial dimensions, and a MaxPool with one dilation for two
    // axes: each reported with its node, and parsing goes on.
    let graph = GraphProto {
        name: "g".into(),
        node: vec![
            node("Conv", "conv_dyn_w", &["X", "W"], &["Y"], vec![]),
            node("MaxPool", "pool_dilated", &["X"], &["Z"], vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("dilations", &[2])]),
        ],
        initializer: vec![],
        input: vec![value_info("X", &[1, 1, 4, 4]), value_info("W", &[1, 4])],
        output: vec![value_info("Y", &[1, 1, 3, 3]), value_info("Z", &[1, 1, 2, 2])],
    };
    let (_, errors) = parse_bytes(&model(13, graph));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!((errors[0].node, errors[0].node_name.as_str(), errors[0].op_type.as_str()), (0, "conv_dyn_w", "Conv"));
    assert!(errors[0].desc.contains("weights of shape [1,4]"), "{}", errors[0].desc);
    assert_eq!((errors[1].node, errors[1].node_name.as_str(), errors[1].op_type.as_str()), (1, "pool_dilated", "MaxPool"));
    assert!(errors[1].desc.contains("dilations [2]"), "{}", errors[1].desc);
}

#[test]
fn truncated_mnist_model_gives_errors_and_never_panics() {
    let bytes = std::fs::read(common::mnist_dir().join("mnist.onnx")).unwrap();
    assert!(parse_bytes(&bytes).1.is_empty(), "the whole file parses");
    for cut in [100, bytes.len() / 2] {
        let (_, errors) = parse_bytes(&bytes[..cut]);
        assert_eq!(errors.len(), 1, "cut at {cut}: {errors:?}");
        assert_eq!(errors[0].code, ParserErrorCode::ModelDeserializeFailed, "cut at {cut}: {}", errors[0].message());
        assert_eq!(errors[0].node, -1);
        assert!(errors[0].message().contains("not a valid ONNX model"), "{}", errors[0].message());
    }
    // Many more cut points: always at least one error, never a panic.
    for cut in (0..bytes.len() - 1).step_by(211) {
        let (_, errors) = parse_bytes(&bytes[..cut]);
        assert!(!errors.is_empty(), "a model cut to {cut} of {} bytes was accepted", bytes.len());
        assert!(errors.iter().all(|e| !e.desc.is_empty()));
    }
}

#[test]
fn garbage_bytes_give_errors_and_never_panic() {
    for seed in 0..64u64 {
        let noise: Vec<u8> = common::random(997, seed + 100).iter().map(|v| ((v + 1.0) * 127.9) as u8).collect();
        let (_, errors) = parse_bytes(&noise);
        assert!(!errors.is_empty(), "random bytes (seed {seed}) were accepted as a model");
    }
    let (_, errors) = parse_bytes(b"this is not an onnx model at all");
    assert!(!errors.is_empty());
    let (_, errors) = parse_bytes(&[]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, ParserErrorCode::InvalidGraph, "an empty model has no graph: {errors:?}");
}

#[test]
fn corrupted_mnist_bytes_never_panic() {
    // Flip bytes all over the real model: the parser may accept a damaged weight, but must
    // never panic, and an accepted network must still be well formed.
    let bytes = std::fs::read(common::mnist_dir().join("mnist.onnx")).unwrap();
    for (i, at) in (0..bytes.len()).step_by(97).enumerate() {
        let mut b = bytes.clone();
        b[at] ^= 0x5a ^ (i as u8);
        let (net, errors) = parse_bytes(&b);
        if errors.is_empty() {
            nvinfer::ir::validate::validate(&net).unwrap_or_else(|e| panic!("flip at {at}: accepted an invalid network: {}", e.message));
        }
    }
}

#[test]
fn old_and_new_opsets_are_refused() {
    let g = conv_relu_graph(float_tensor("W", &[3, 2, 3, 3], &conv_weights()), float_tensor("B", &[3], &conv_bias()));
    let (_, errors) = parse_bytes(&model(0, g.clone()));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, ParserErrorCode::UnsupportedGraph);
    assert!(errors[0].desc.contains("opset 0"), "{}", errors[0].desc);
    assert!(parse_bytes(&model(7, g.clone())).1.is_empty(), "opset 7 parses");
    let (_, errors) = parse_bytes(&model(99, g.clone()));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].desc.contains("99"));
    // No default-domain opset at all.
    let mut m = ModelProto::decode(model(13, g).as_slice()).unwrap();
    m.opset_import[0].domain = "com.example".into();
    let (_, errors) = parse_bytes(&m.encode_to_vec());
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, ParserErrorCode::InvalidGraph);
}

#[test]
fn missing_file_is_an_error() {
    let mut net = Network::new();
    let path = common::repo().join("data/no-such-model.onnx");
    let errors = parse_file(&mut net, &path);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, ParserErrorCode::ModelDeserializeFailed);
    assert!(errors[0].desc.contains("no-such-model.onnx"), "{}", errors[0].desc);
    assert!(net.layers.is_empty() && net.inputs.is_empty());
}

#[test]
fn an_output_nobody_produces_is_an_error() {
    let graph = GraphProto {
        name: "g".into(),
        node: vec![node("Relu", "r", &["X"], &["Y"], vec![])],
        initializer: vec![],
        input: vec![value_info("X", &[2])],
        output: vec![value_info("Nope", &[2])],
    };
    let (_, errors) = parse_bytes(&model(13, graph));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, ParserErrorCode::InvalidGraph);
    assert!(errors[0].desc.contains("Nope"));
}

#[test]
fn gemm_and_softmax_import() {
    // X[2,3] → Gemm(W[4,3] transB, C[4], alpha 2) → Softmax(axis 1) → Y[2,4], run on the CPU
    // against a direct computation. Tolerance 1e-6 absolute (probabilities).
    let w = common::random(12, 31);
    let c = common::random(4, 32);
    let graph = GraphProto {
        name: "gemm".into(),
        node: vec![
            node(
                "Gemm",
                "fc",
                &["X", "W", "C"],
                &["G"],
                vec![int_attr("transB", 1), AttributeProto { name: "alpha".into(), f: 2.0, r#type: 1, ..Default::default() }],
            ),
            node("Softmax", "sm", &["G"], &["Y"], vec![int_attr("axis", 1)]),
        ],
        initializer: vec![float_tensor("W", &[4, 3], &w), float_tensor("C", &[4], &c)],
        input: vec![value_info("X", &[2, 3])],
        output: vec![value_info("Y", &[2, 4])],
    };
    let net = parse_ok(&model(13, graph));
    assert_eq!(net.known_dims(net.outputs[0]), vec![2, 4]);
    let engine = std::sync::Arc::new(nvinfer::runtime::Engine::deserialize(&common::cpu_plan(&net).unwrap()).unwrap());
    let mut ctx = nvinfer::runtime::ExecutionContext::new(engine).unwrap();
    let x = common::random(6, 33);
    let mut y = vec![0f32; 8];
    common::run_cpu_context(&mut ctx, &[("X", &x)], &mut [("Y", &mut y)]);
    let mut expected = Vec::new();
    for i in 0..2 {
        let g: Vec<f32> = (0..4).map(|j| 2.0 * (0..3).map(|k| x[i * 3 + k] * w[j * 3 + k]).sum::<f32>() + c[j]).collect();
        expected.extend(common::softmax(&g));
    }
    common::assert_close(&y, &expected, 1e-6, "Gemm + Softmax");
}

#[test]
fn nonsense_attributes_give_node_errors_not_panics() {
    // Each case is one node on X[1,1,6,6]; each must give exactly one error naming node 0.
    let same = |mode: &str| string_attr("auto_pad", mode);
    let w = float_tensor("W", &[1, 1, 3, 3], &common::random(9, 41));
    let cases: Vec<(&str, NodeProto)> = vec![
        ("conv SAME with zero strides", node("Conv", "n", &["X", "W"], &["Y"], vec![same("SAME_UPPER"), ints_attr("strides", &[0, 0])])),
        ("conv SAME with one stride", node("Conv", "n", &["X", "W"], &["Y"], vec![same("SAME_LOWER"), ints_attr("strides", &[2])])),
        ("conv SAME with one dilation", node("Conv", "n", &["X", "W"], &["Y"], vec![same("SAME_UPPER"), ints_attr("dilations", &[1])])),
        ("conv with zero strides", node("Conv", "n", &["X", "W"], &["Y"], vec![ints_attr("strides", &[0, 0])])),
        ("conv with negative dilation", node("Conv", "n", &["X", "W"], &["Y"], vec![ints_attr("dilations", &[-1, 1])])),
        (
            "conv with a 3-D kernel_shape",
            node("Conv", "n", &["X", "W"], &["Y"], vec![same("SAME_UPPER"), ints_attr("kernel_shape", &[3, 3, 3, 3, 3])]),
        ),
        ("conv with 3 pads", node("Conv", "n", &["X", "W"], &["Y"], vec![ints_attr("pads", &[1, 1, 1])])),
        ("conv with an unknown auto_pad", node("Conv", "n", &["X", "W"], &["Y"], vec![same("SIDEWAYS")])),
        (
            "pool SAME with zero strides",
            node(
                "MaxPool",
                "n",
                &["X"],
                &["Y"],
                vec![same("SAME_UPPER"), ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[0, 0])],
            ),
        ),
        (
            "pool SAME with one stride",
            node(
                "AveragePool",
                "n",
                &["X"],
                &["Y"],
                vec![same("SAME_UPPER"), ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[1])],
            ),
        ),
        (
            "pool SAME with kernel longer than the rank",
            node("MaxPool", "n", &["X"], &["Y"], vec![same("SAME_UPPER"), ints_attr("kernel_shape", &[2, 2, 2, 2, 2, 2])]),
        ),
        ("pool without kernel_shape", node("MaxPool", "n", &["X"], &["Y"], vec![])),
        ("transpose with a bad perm", node("Transpose", "n", &["X"], &["Y"], vec![ints_attr("perm", &[0, 1, 2, 7])])),
        ("flatten with a bad axis", node("Flatten", "n", &["X"], &["Y"], vec![int_attr("axis", 9)])),
        ("softmax with a bad axis", node("Softmax", "n", &["X"], &["Y"], vec![int_attr("axis", -9)])),
        ("add with one input", node("Add", "n", &["X"], &["Y"], vec![])),
        ("relu without input", node("Relu", "n", &[], &["Y"], vec![])),
    ];
    for (what, n) in cases {
        let graph = GraphProto {
            name: "g".into(),
            node: vec![n],
            initializer: vec![w.clone()],
            input: vec![value_info("X", &[1, 1, 6, 6])],
            output: vec![value_info("Y", &[1, 1, 6, 6])],
        };
        let bytes = model(13, graph);
        let result = std::panic::catch_unwind(|| parse_bytes(&bytes).1);
        let errors = result.unwrap_or_else(|_| panic!("{what}: the parser panicked"));
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert_eq!(errors[0].node, 0, "{what}: {errors:?}");
        assert!(!errors[0].desc.is_empty(), "{what}");
    }
}

/// Parses a one-output graph, builds it for the CPU and runs it on `feeds` (one per input).
fn run_graph(
    opset: i64,
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
    inputs: &[(&str, &[i64])],
    output: (&str, &[i64]),
    feeds: &[&[f32]],
) -> Vec<f32> {
    let graph = GraphProto {
        name: "g".into(),
        node: nodes,
        initializer: inits,
        input: inputs.iter().map(|(n, d)| value_info(n, d)).collect(),
        output: vec![value_info(output.0, output.1)],
    };
    let net = parse_ok(&model(opset, graph));
    assert_eq!(net.known_dims(net.outputs[0]), output.1, "output shape");
    let engine = std::sync::Arc::new(nvinfer::runtime::Engine::deserialize(&common::cpu_plan(&net).unwrap()).unwrap());
    let mut ctx = nvinfer::runtime::ExecutionContext::new(engine).unwrap();
    let mut y = vec![0f32; output.1.iter().product::<i64>() as usize];
    let named: Vec<(&str, &[f32])> = inputs.iter().map(|(n, _)| *n).zip(feeds.iter().copied()).collect();
    common::run_cpu_context(&mut ctx, &named, &mut [(output.0, &mut y)]);
    y
}

#[test]
fn importers_compute_what_onnx_specifies() {
    // Each expected value is computed here from the ONNX operator definition.
    // Tolerance 1e-6 absolute (values of order 1).
    let x12 = common::random(12, 51);

    // Softmax before opset 13 flattens from the axis on: [2,3,2] axis 1 → 6 values per batch.
    let y = run_graph(
        11,
        vec![node("Softmax", "s", &["X"], &["Y"], vec![int_attr("axis", 1)])],
        vec![],
        &[("X", &[2, 3, 2])],
        ("Y", &[2, 3, 2]),
        &[&x12],
    );
    let expected: Vec<f32> = x12.chunks(6).flat_map(common::softmax).collect();
    common::assert_close(&y, &expected, 1e-6, "Softmax opset 11");
    // From opset 13 the default axis is the last one.
    let y = run_graph(13, vec![node("Softmax", "s", &["X"], &["Y"], vec![])], vec![], &[("X", &[2, 3, 2])], ("Y", &[2, 3, 2]), &[&x12]);
    let expected: Vec<f32> = x12.chunks(2).flat_map(common::softmax).collect();
    common::assert_close(&y, &expected, 1e-6, "Softmax opset 13");

    // Flatten keeps the data and makes [d0·d1, d2·d3].
    let y = run_graph(
        13,
        vec![node("Flatten", "f", &["X"], &["Y"], vec![int_attr("axis", 2)])],
        vec![],
        &[("X", &[1, 3, 2, 2])],
        ("Y", &[3, 4]),
        &[&x12],
    );
    assert_eq!(y, x12);

    // Transpose without perm reverses the axes: y[k,j,i] = x[i,j,k] for x of [2,3,2].
    let y = run_graph(13, vec![node("Transpose", "t", &["X"], &["Y"], vec![])], vec![], &[("X", &[2, 3, 2])], ("Y", &[2, 3, 2]), &[&x12]);
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..2 {
                assert_eq!(y[(k * 3 + j) * 2 + i], x12[(i * 3 + j) * 2 + k]);
            }
        }
    }

    // MatMul of [2,3,2] by a [2,4] initializer broadcasts the matrix over the batch.
    let w = common::random(8, 52);
    let y = run_graph(
        13,
        vec![node("MatMul", "m", &["X", "W"], &["Y"], vec![])],
        vec![float_tensor("W", &[2, 4], &w)],
        &[("X", &[2, 3, 2])],
        ("Y", &[2, 3, 4]),
        &[&x12],
    );
    let mut expected = Vec::new();
    for row in x12.chunks(2) {
        for j in 0..4 {
            expected.push(row[0] * w[j] + row[1] * w[4 + j]);
        }
    }
    common::assert_close(&y, &expected, 1e-6, "MatMul");

    // Add and Sub right-align shapes: [3] is broadcast over the rows of [4,3]; the constant
    // may be either operand.
    let b = [10.0f32, 20.0, 30.0];
    let y = run_graph(
        13,
        vec![node("Add", "a", &["X", "B"], &["Y"], vec![])],
        vec![float_tensor("B", &[3], &b)],
        &[("X", &[4, 3])],
        ("Y", &[4, 3]),
        &[&x12],
    );
    let expected: Vec<f32> = x12.iter().enumerate().map(|(i, v)| v + b[i % 3]).collect();
    common::assert_close(&y, &expected, 0.0, "Add");
    let y = run_graph(
        13,
        vec![node("Sub", "s", &["B", "X"], &["Y"], vec![])],
        vec![float_tensor("B", &[3], &b)],
        &[("X", &[4, 3])],
        ("Y", &[4, 3]),
        &[&x12],
    );
    let expected: Vec<f32> = x12.iter().enumerate().map(|(i, v)| b[i % 3] - v).collect();
    common::assert_close(&y, &expected, 0.0, "Sub");
    // A scalar (rank 0) divisor.
    let y = run_graph(
        13,
        vec![node("Div", "d", &["X", "S"], &["Y"], vec![])],
        vec![float_tensor("S", &[], &[4.0])],
        &[("X", &[4, 3])],
        ("Y", &[4, 3]),
        &[&x12],
    );
    let expected: Vec<f32> = x12.iter().map(|v| v / 4.0).collect();
    common::assert_close(&y, &expected, 0.0, "Div by a scalar");

    // LeakyRelu's default alpha is 0.01; Elu's is 1.
    let y = run_graph(13, vec![node("LeakyRelu", "l", &["X"], &["Y"], vec![])], vec![], &[("X", &[12])], ("Y", &[12]), &[&x12]);
    let expected: Vec<f32> = x12.iter().map(|&v| if v >= 0.0 { v } else { 0.01 * v }).collect();
    common::assert_close(&y, &expected, 1e-7, "LeakyRelu");
    let y = run_graph(13, vec![node("Elu", "e", &["X"], &["Y"], vec![])], vec![], &[("X", &[12])], ("Y", &[12]), &[&x12]);
    let expected: Vec<f32> = x12.iter().map(|&v| if v >= 0.0 { v } else { v.exp() - 1.0 }).collect();
    common::assert_close(&y, &expected, 1e-6, "Elu");

    // AveragePool 2x2 on a 3x3 plane with pads 1 (stride 2): count_include_pad decides
    // whether the padding counts; x = 1..9 gives window sums 1, 5, 11, 28.
    let x9: Vec<f32> = (1..=9).map(|v| v as f32).collect();
    let pool = |include: i64| {
        let attrs = vec![
            ints_attr("kernel_shape", &[2, 2]),
            ints_attr("strides", &[2, 2]),
            ints_attr("pads", &[1, 1, 1, 1]),
            int_attr("count_include_pad", include),
        ];
        run_graph(13, vec![node("AveragePool", "p", &["X"], &["Y"], attrs)], vec![], &[("X", &[1, 1, 3, 3])], ("Y", &[1, 1, 2, 2]), &[&x9])
    };
    assert_eq!(pool(0), vec![1.0, 2.5, 5.5, 7.0]);
    assert_eq!(pool(1), vec![0.25, 1.25, 2.75, 7.0]);
    // MaxPool with SAME_UPPER on 3x3, kernel 2, stride 1: pads 0 before, 1 after.
    let attrs = vec![
        ints_attr("kernel_shape", &[2, 2]),
        AttributeProto { name: "auto_pad".into(), s: b"SAME_UPPER".to_vec(), r#type: 3, ..Default::default() },
    ];
    let y = run_graph(13, vec![node("MaxPool", "p", &["X"], &["Y"], attrs)], vec![], &[("X", &[1, 1, 3, 3])], ("Y", &[1, 1, 3, 3]), &[&x9]);
    assert_eq!(y, vec![5.0, 6.0, 6.0, 8.0, 9.0, 9.0, 8.0, 9.0, 9.0]);

    // Gemm with transA and beta: Y = Aᵀ·B + 0.5·C, A given as [3,2] (so Aᵀ is [2,3]).
    let bm = common::random(3 * 4, 53);
    let c = common::random(4, 54);
    let attrs = vec![int_attr("transA", 1), AttributeProto { name: "beta".into(), f: 0.5, r#type: 1, ..Default::default() }];
    let x6 = &x12[..6];
    let y = run_graph(
        13,
        vec![node("Gemm", "g", &["A", "Bm", "C"], &["Y"], attrs)],
        vec![float_tensor("Bm", &[3, 4], &bm), float_tensor("C", &[4], &c)],
        &[("A", &[3, 2])],
        ("Y", &[2, 4]),
        &[x6],
    );
    let mut expected = Vec::new();
    for i in 0..2 {
        for j in 0..4 {
            expected.push((0..3).map(|k| x6[k * 2 + i] * bm[k * 4 + j]).sum::<f32>() + 0.5 * c[j]);
        }
    }
    common::assert_close(&y, &expected, 1e-6, "Gemm transA beta");
}

#[test]
fn auto_pad_same_puts_the_odd_pixel_where_onnx_says() {
    // 1x1x5x5 input 0..24, 2x2 kernel of ones, stride 2: ceil(5/2) = 3 outputs per axis and one
    // pixel of padding in total per axis, after the data for SAME_UPPER, before for SAME_LOWER.
    let x: Vec<f32> = (0..25).map(|v| v as f32).collect();
    let at = |r: i64, c: i64| if (0..5).contains(&r) && (0..5).contains(&c) { x[(r * 5 + c) as usize] } else { 0.0 };
    for (mode, shift) in [("SAME_UPPER", 0), ("SAME_LOWER", 1)] {
        let y = run_graph(
            13,
            vec![node(
                "Conv",
                "c",
                &["X", "W"],
                &["Y"],
                vec![string_attr("auto_pad", mode), ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[2, 2])],
            )],
            vec![float_tensor("W", &[1, 1, 2, 2], &[1.0; 4])],
            &[("X", &[1, 1, 5, 5])],
            ("Y", &[1, 1, 3, 3]),
            &[&x],
        );
        let mut expected = vec![];
        for i in 0..3 {
            for j in 0..3 {
                let (r, c) = (2 * i - shift, 2 * j - shift);
                expected.push(at(r, c) + at(r, c + 1) + at(r + 1, c) + at(r + 1, c + 1));
            }
        }
        assert_eq!(y, expected, "{mode}");
    }
}

#[test]
fn a_declared_zero_dimension_is_zero_and_a_missing_one_is_dynamic() {
    // ONNX keeps dim_value (a number, 0 included) and dim_param (a name) in a oneof; a
    // dimension with neither is unknown. A zero is a real, empty extent.
    let mut graph = graph(vec![node("Relu", "r", &["X"], &["Y"], vec![])], vec![], &[("X", &[0, 3])], &[("Y", &[0, 3])]);
    let shape = graph.input[0].r#type.as_mut().unwrap().tensor_type.as_mut().unwrap().shape.as_mut().unwrap();
    shape.dim.push(Dimension { dim_value: None, dim_param: Some("n".into()) });
    shape.dim.push(Dimension { dim_value: None, dim_param: None });
    let (net, errors) = parse_bytes(&model(13, graph));
    assert!(errors.is_empty(), "{errors:?}");
    let x = net.inputs[0];
    assert_eq!(net.known_dims(x), vec![0, 3, -1, -1]);
}

#[test]
fn cumsum_by_doubling_shifts_matches_a_running_sum() {
    // [3, 13] along axis 1 (13 is not a power of two, so the last shift overhangs), in all four
    // exclusive/reverse combinations, against a direct running sum. Tolerance 1e-5 absolute.
    let x = common::random(39, 7);
    for (exclusive, reverse) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
        let y = run_graph(
            14,
            vec![node("CumSum", "c", &["X", "axis"], &["Y"], vec![int_attr("exclusive", exclusive), int_attr("reverse", reverse)])],
            vec![int64_tensor_raw("axis", &[-1])],
            &[("X", &[3, 13])],
            ("Y", &[3, 13]),
            &[&x],
        );
        let mut expected = vec![0f32; 39];
        for row in 0..3 {
            let mut acc = 0f32;
            let order: Vec<usize> = if reverse == 1 { (0..13).rev().collect() } else { (0..13).collect() };
            for j in order {
                let v = x[row * 13 + j];
                if exclusive == 0 {
                    acc += v;
                }
                expected[row * 13 + j] = acc;
                if exclusive == 1 {
                    acc += v;
                }
            }
        }
        common::assert_close(&y, &expected, 1e-5, &format!("CumSum exclusive={exclusive} reverse={reverse}"));
    }
}
