//! Regression tests for issue 6's findings 3 and 4: inputs that used to be accepted and fail
//! late (or never) are refused at the first point the problem can be known, with the node or
//! tensor named, and leave everything usable. (Finding 1 is in plan_errors.rs, finding 2 in
//! scaling.rs.)

mod common;

use common::onnx::*;
use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::layers::generated::{Activation, ElementWise, Shuffle};
use nvinfer::onnx::ParserErrorCode;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{DataType, ErrorCode, ProfileSelector};
use std::sync::Arc;

#[test]
fn a_reshape_whose_element_count_overflows_is_refused_when_added() {
    // [2^32, 2^32] has 2^64 elements: known to be impossible as soon as the layer exists.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 16]).unwrap();
    let e = net.add_layer(Box::new(Shuffle::reshape_to(vec![1 << 32, 1 << 32])), &[x]).unwrap_err();
    assert!(e.message.contains("overflows"), "{}", e.message);
    assert!(net.layers.is_empty(), "the refused layer is not kept");
    // Through the ONNX parser: a node error, not a later failure (dims within INT32, whose
    // product overflows 64 bits; INT64 values outside INT32 are refused with the initializer).
    let shape = int64_tensor_raw("s", &[i32::MAX as i64; 3]);
    let m =
        model(13, graph(vec![node("Reshape", "huge", &["X", "s"], &["Y"], vec![])], vec![shape], &[("X", &[1, 16])], &[("Y", &[1, 16])]));
    let (_, errors) = parse_bytes(&m);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].node, errors[0].op_type.as_str()), (0, "Reshape"));
    assert!(errors[0].desc.contains("overflows"), "{}", errors[0].desc);
    let (_, errors) = parse_bytes(&model(
        13,
        graph(
            vec![node("Reshape", "huge", &["X", "s"], &["Y"], vec![])],
            vec![int64_tensor_raw("s", &[1 << 32, 1 << 32])],
            &[("X", &[1, 16])],
            &[("Y", &[1, 16])],
        ),
    ));
    assert!(errors.iter().any(|e| e.desc.contains("'s'") && e.desc.contains("INT32")), "{errors:?}");
}

#[test]
fn an_engine_larger_than_the_machine_is_refused_by_the_builder() {
    // A batch of 2·10¹⁵ is a valid shape, but no context for it can exist: the builder says
    // so, naming the tensor, instead of writing a plan its own runtime refuses.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[2_000_000_000_000_000, 8]).unwrap();
    let a = net.add_layer(Box::new(Activation::of(0, 0.0, 0.0)), &[x]).unwrap();
    let b = net.add_layer(Box::new(Activation::of(1, 0.0, 0.0)), &[net.layers[a].outputs[0]]).unwrap();
    net.mark_output(net.layers[b].outputs[0]).unwrap();
    let e = build_for(&net, &BuilderConfig::default(), &common::quiet(), Target::Cpu).unwrap_err();
    assert_eq!(e.code, ErrorCode::FailedAllocation, "{}", e.message);
    assert!(e.message.contains("cannot run on this machine") && e.message.contains("[2000000000000000,8]"), "{}", e.message);
}

#[test]
fn a_network_that_cannot_run_at_the_profiles_opt_shapes_is_refused_by_the_builder() {
    // x [-1, 4] reshaped to [5, 5]: no batch gives 25 elements, so no context could ever run
    // it. The builder says so, naming the profile point and the layer, instead of building an
    // engine whose every setInputShape fails.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 4]).unwrap();
    let l = net.add_layer(Box::new(Shuffle::reshape_to(vec![5, 5])), &[x]).unwrap();
    net.layers[l].name = nvinfer::ir::Name::new("to5x5");
    net.mark_output(net.layers[l].outputs[0]).unwrap();
    let mut config = BuilderConfig::default();
    let mut p = OptimizationProfile::new();
    for (selector, batch) in [(ProfileSelector::Min, 1), (ProfileSelector::Opt, 2), (ProfileSelector::Max, 8)] {
        p.set_dimensions("x", selector, &[batch, 4]).unwrap();
    }
    config.add_profile(&p).unwrap();
    let e = build_for(&net, &config, &common::quiet(), Target::Cpu).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument, "{}", e.message);
    for part in ["profile 0 at its kOPT shapes ('x' [2,4])", "layer 'to5x5'", "25 and 8"] {
        assert!(e.message.contains(part), "'{part}' missing from: {}", e.message);
    }
    assert!(!e.message.contains("internal error"), "{}", e.message);
}

#[test]
fn a_misaligned_address_is_refused() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let l = net.add_layer(Box::new(Activation::of(0, 0.0, 0.0)), &[x]).unwrap();
    net.set_tensor_name(net.layers[l].outputs[0], "y").unwrap();
    net.mark_output(net.layers[l].outputs[0]).unwrap();
    let plan = common::cpu_plan(&net).unwrap();
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    let buf = [0u32; 8];
    let odd = buf.as_ptr() as u64 + 1;
    let e = ctx.set_tensor_address("x", odd).unwrap_err();
    assert!(e.message.contains("aligned"), "{}", e.message);
    assert_eq!(ctx.tensor_address("x").unwrap(), 0, "the refused address was not kept");
    // The context still runs with proper addresses.
    let (xs, mut ys) = ([-1.0f32, 2.0, -3.0, 4.0], vec![0f32; 4]);
    common::run_cpu_context(&mut ctx, &[("x", &xs)], &mut [("y", &mut ys)]);
    assert_eq!(ys, vec![0.0, 2.0, 0.0, 4.0]);
}

#[test]
fn inputs_may_share_memory_but_an_output_may_not_overlap_an_input() {
    let mut net = Network::new();
    let a = net.add_input("a", DataType::Float, &[4]).unwrap();
    let b = net.add_input("b", DataType::Float, &[4]).unwrap();
    let l = net.add_layer(Box::new(ElementWise::of(0)), &[a, b]).unwrap();
    net.set_tensor_name(net.layers[l].outputs[0], "y").unwrap();
    net.mark_output(net.layers[l].outputs[0]).unwrap();
    let plan = common::cpu_plan(&net).unwrap();
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    // Both inputs read one buffer: allowed, they are only read.
    let (xs, mut ys) = ([1.0f32, 2.0, 3.0, 4.0], vec![0f32; 4]);
    common::run_cpu_context(&mut ctx, &[("a", &xs), ("b", &xs)], &mut [("y", &mut ys)]);
    assert_eq!(ys, vec![2.0, 4.0, 6.0, 8.0]);
    // The output written over an input: refused before anything is written.
    let mut inout = vec![1.0f32, 2.0, 3.0, 4.0];
    let (other, p) = ([0.5f32; 4], inout.as_mut_ptr() as u64);
    ctx.set_tensor_address("a", p).unwrap();
    ctx.set_tensor_address("b", other.as_ptr() as u64).unwrap();
    ctx.set_tensor_address("y", p).unwrap();
    let e = ctx.enqueue(std::ptr::null_mut()).unwrap_err();
    assert!(e.message.contains("'y'") && e.message.contains("'a'") && e.message.contains("overlaps"), "{}", e.message);
    assert_eq!(inout, vec![1.0, 2.0, 3.0, 4.0], "nothing was written");
}

#[test]
fn two_nodes_producing_one_tensor_are_refused() {
    let m = model(
        13,
        graph(
            vec![
                node("Relu", "first", &["X"], &["T"], vec![]),
                node("Sigmoid", "second", &["X"], &["T"], vec![]),
                node("Relu", "last", &["T"], &["Y"], vec![]),
            ],
            vec![],
            &[("X", &[4])],
            &[("Y", &[4])],
        ),
    );
    let (_, errors) = parse_bytes(&m);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].node, errors[0].node_name.as_str(), errors[0].code), (1, "second", ParserErrorCode::InvalidGraph));
    assert!(errors[0].desc.contains("'T'") && errors[0].desc.contains("already produced"), "{}", errors[0].desc);
    // An output named like a graph input is refused too.
    let m = model(13, graph(vec![node("Relu", "shadow", &["X"], &["X"], vec![])], vec![], &[("X", &[4])], &[("X", &[4])]));
    let (_, errors) = parse_bytes(&m);
    assert!(errors.iter().any(|e| e.node == 0 && e.desc.contains("already produced")), "{errors:?}");
}

#[test]
fn invalid_window_attributes_are_node_errors() {
    let w = float_tensor("W", &[2, 2, 1, 1], &[1.0, 0.0, 0.0, 1.0]);
    for (what, nodes, inits) in [
        ("Conv group=0", vec![node("Conv", "g0", &["X", "W"], &["Y"], vec![int_attr("group", 0)])], vec![w.clone()]),
        ("Conv group=-2", vec![node("Conv", "gneg", &["X", "W"], &["Y"], vec![int_attr("group", -2)])], vec![w.clone()]),
        (
            "MaxPool negative pads",
            vec![node("MaxPool", "negpad", &["X"], &["Y"], vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("pads", &[-1, 0, 0, 0])])],
            vec![],
        ),
        (
            "MaxPool zero stride",
            vec![node("MaxPool", "s0", &["X"], &["Y"], vec![ints_attr("kernel_shape", &[2, 2]), ints_attr("strides", &[0, 1])])],
            vec![],
        ),
    ] {
        let m = model(13, graph(nodes, inits, &[("X", &[1, 2, 4, 4])], &[("Y", &[1, 2, 4, 4])]));
        let (net, errors) = parse_bytes(&m);
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert_eq!((errors[0].node, errors[0].code), (0, ParserErrorCode::InvalidNode), "{what}: {errors:?}");
        assert!(net.layers.is_empty(), "{what}: no layer was added");
    }
}
