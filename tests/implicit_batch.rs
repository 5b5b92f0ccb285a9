//! Implicit-batch networks (createNetworkV2(0)): the application sees tensors without the
//! batch, sets the batch per run (execute / enqueue with a batch size, up to the builder's
//! maximum), and every sample of a batch gives what the same network gives for that sample
//! alone. Checked on every backend this machine has, against the explicit-batch network
//! built layer for layer with a batch of one.

mod common;

use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::layers::elementwise::SUM;
use nvinfer::layers::generated::*;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::DataType;
use nvinfer::weights::Weights;
use std::sync::Arc;

const C: i64 = 3;
const HW: i64 = 6;
const MAX_BATCH: i64 = 4;

/// x [C, 6, 6] (+ batch) → conv 4 maps 3x3 → + per-channel constant → relu → max pool 2x2 →
/// shuffle (transpose then reshape to [16]) → softmax over the 16 values.
fn network(implicit: bool) -> Network {
    let mut net = if implicit { Network::new_implicit_batch() } else { Network::new() };
    let dims: Vec<i64> = if implicit { vec![C, HW, HW] } else { vec![1, C, HW, HW] };
    let x = net.add_input("x", DataType::Float, &dims).unwrap();
    let add = |net: &mut Network, layer: Box<dyn nvinfer::layers::Layer>, inputs: &[usize]| {
        let l = net.add_layer(layer, inputs).unwrap_or_else(|e| panic!("{}", e.message));
        net.layers[l].outputs[0]
    };
    let w = Weights::from_f32(&common::random((4 * C * 9) as usize, 7));
    let b = Weights::from_f32(&common::random(4, 8));
    let conv = add(&mut net, Box::new(Convolution::of(4, vec![3, 3], w, Some(b))), &[x]);
    let shift = Constant::of(if implicit { vec![4, 1, 1] } else { vec![1, 4, 1, 1] }, Weights::from_f32(&[0.5, -0.25, 0.0, 1.0]));
    let shift = add(&mut net, Box::new(shift), &[]);
    let sum = add(&mut net, Box::new(ElementWise::of(SUM)), &[conv, shift]);
    let relu = add(&mut net, Box::new(Activation::of(0, 0.0, 0.0)), &[sum]);
    let pool = add(&mut net, Box::new(Pooling::of(0, vec![2, 2])), &[relu]);
    let mut shuffle = Shuffle::reshape_to(if implicit { vec![16] } else { vec![1, 16] });
    shuffle.first_transpose = if implicit { vec![1, 2, 0] } else { vec![0, 2, 3, 1] };
    let flat = add(&mut net, Box::new(shuffle), &[pool]);
    let y = add(&mut net, Box::new(SoftMax::over_axis(if implicit { 0 } else { 1 })), &[flat]);
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    net
}

fn engine(net: &Network, target: &Target) -> Arc<Engine> {
    let config = BuilderConfig { max_batch_size: MAX_BATCH, ..Default::default() };
    let plan = build_for(net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("build: {}", e.message));
    Arc::new(Engine::deserialize(&plan).unwrap_or_else(|e| panic!("load: {}", e.message)))
}

#[test]
fn the_application_sees_dims_without_the_batch() {
    let mut net = network(true);
    net.infer_shapes().unwrap();
    let y = net.outputs[0];
    assert_eq!(net.api_dims(y), vec![16]);
    assert_eq!(net.api_dims(net.inputs[0]), vec![C, HW, HW]);
    let conv_out = net.layers[0].outputs[0];
    assert_eq!(net.api_dims(conv_out), vec![4, 4, 4], "conv output per sample");
}

#[test]
fn every_sample_of_a_batch_matches_its_run_alone() {
    for target in targets() {
        let on_device = matches!(target, Target::Cuda(..));
        let implicit = engine(&network(true), &target);
        assert!(implicit.implicit_batch());
        assert_eq!(implicit.max_batch_size(), MAX_BATCH);
        let explicit = engine(&network(false), &target);
        assert!(!explicit.implicit_batch());
        let per_sample = (C * HW * HW) as usize;
        let xs = common::random(per_sample * MAX_BATCH as usize, 11);
        let mut alone = ExecutionContext::new(explicit).unwrap();
        let mut batched = ExecutionContext::new(implicit).unwrap();
        for batch in [1, 3, MAX_BATCH] {
            let x = IoBuffer::with(bytemuck::cast_slice(&xs[..per_sample * batch as usize]), on_device);
            let y = IoBuffer::new(16 * 4 * batch as usize, on_device);
            batched.execute_batch(batch as i32, &[x.address(), y.address()]).unwrap_or_else(|e| panic!("batch {batch}: {}", e.message));
            let got: Vec<f32> = bytemuck::cast_slice(&y.read(16 * 4 * batch as usize)).to_vec();
            for s in 0..batch as usize {
                let xs1 = IoBuffer::with(bytemuck::cast_slice(&xs[s * per_sample..(s + 1) * per_sample]), on_device);
                let y1 = IoBuffer::new(16 * 4, on_device);
                alone.set_tensor_address("x", xs1.address()).unwrap();
                alone.set_tensor_address("y", y1.address()).unwrap();
                alone.execute().unwrap();
                let want: Vec<f32> = bytemuck::cast_slice(&y1.read(16 * 4)).to_vec();
                common::assert_close(&got[s * 16..(s + 1) * 16], &want, 1e-6, &format!("batch {batch} sample {s}"));
            }
        }
        // Outside 1..maxBatchSize: refused, and the context still runs.
        let x = IoBuffer::with(bytemuck::cast_slice(&xs), on_device);
        let y = IoBuffer::new(16 * 4 * MAX_BATCH as usize, on_device);
        for bad in [0, MAX_BATCH as i32 + 1] {
            let e = batched.execute_batch(bad, &[x.address(), y.address()]).unwrap_err();
            assert!(e.message.contains("outside 1..4"), "{}", e.message);
        }
        batched.execute_batch(2, &[x.address(), y.address()]).unwrap();
        common::report(&format!("IMPLICIT-BATCH backend={} batches 1,3,4 match per-sample runs; 0 and 5 refused", backend_name(&target)));
    }
}

#[test]
fn explicit_only_layers_and_dynamic_inputs_are_refused() {
    let mut net = Network::new_implicit_batch();
    let e = net.add_input("x", DataType::Float, &[-1, 4]).unwrap_err();
    assert!(e.message.contains("fixed input dimensions"), "{}", e.message);
    let x = net.add_input("x", DataType::Float, &[2, 4]).unwrap();
    let e = net.add_layer(Box::new(Shape::default()), &[x]).unwrap_err();
    assert!(e.message.contains("explicit-batch network"), "{}", e.message);
    // An explicit-batch engine has no batch to give.
    let mut net = network(false);
    net.infer_shapes().unwrap();
    let engine = engine(&net, &Target::Cpu);
    let mut ctx = ExecutionContext::new(engine).unwrap();
    let e = ctx.execute_batch(1, &[0, 0]).unwrap_err();
    assert!(e.message.contains("explicit batch dimension"), "{}", e.message);
}
