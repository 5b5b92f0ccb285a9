//! End to end on the CPU backend through the Rust API: parse the shipped model, build,
//! serialize, deserialize, and classify all ten shipped digits.

mod common;

use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::log::{NvtLogger, Reporter};
use nvinfer::runtime::{Engine, ExecutionContext};
use std::sync::Arc;

fn build_mnist() -> Vec<u8> {
    let mut net = Network::new();
    let errors = nvinfer::onnx::parse_file(&mut net, &common::mnist_dir().join("mnist.onnx"));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(net.inputs.len(), 1);
    assert_eq!(net.known_dims(net.inputs[0]), vec![1, 1, 28, 28]);
    assert_eq!(net.tensors[net.outputs[0]].name.as_str(), "Plus214_Output_0");
    build_for(&net, &BuilderConfig::default(), &Reporter::new(NvtLogger::NONE), Target::Cpu).expect("build")
}

fn classify(ctx: &mut ExecutionContext, digit: usize) -> Vec<f32> {
    let input = common::read_digit(digit);
    let mut out = vec![0f32; 10];
    ctx.set_tensor_address("Input3", input.as_ptr() as u64).unwrap();
    ctx.set_tensor_address("Plus214_Output_0", out.as_mut_ptr() as u64).unwrap();
    ctx.enqueue(std::ptr::null_mut()).unwrap();
    out
}

#[test]
fn classifies_every_shipped_digit_on_the_cpu() {
    let plan = build_mnist();
    let engine = Arc::new(Engine::deserialize(&plan).expect("deserialize"));
    assert_eq!(engine.nb_io(), 2);
    let mut ctx = ExecutionContext::new(engine).unwrap();
    for d in 0..10 {
        let probs = common::softmax(&classify(&mut ctx, d));
        assert_eq!(common::argmax(&probs), d, "digit {d}: {probs:?}");
        assert!(probs[d] > 0.9, "digit {d}: probability {}", probs[d]);
    }
}

#[test]
fn plan_round_trip_gives_identical_outputs() {
    let plan = build_mnist();
    let a = Arc::new(Engine::deserialize(&plan).unwrap());
    let again = a.serialize().to_vec();
    assert_eq!(again, plan);
    let b = Arc::new(Engine::deserialize(&again).unwrap());
    let (mut ca, mut cb) = (ExecutionContext::new(a).unwrap(), ExecutionContext::new(b).unwrap());
    for d in 0..10 {
        let (x, y) = (classify(&mut ca, d), classify(&mut cb, d));
        assert_eq!(x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), y.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
    }
}
