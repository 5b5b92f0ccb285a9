//! Smoke test of the typed core through the Rust API: dynamic batch, profiles, CPU run.

use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::layers::generated::{Activation, Constant, ElementWise};
use nvinfer::log::{NvtLogger, Reporter};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{DataType, ProfileSelector};
use nvinfer::weights::Weights;
use std::sync::Arc;

#[test]
fn dynamic_batch_runs_on_the_cpu() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 8]).unwrap();
    let c = net.add_layer(Box::new(Constant::of(vec![1, 8], Weights::from_f32(&[1., 2., 3., 4., 5., 6., 7., 8.]))), &[]).unwrap();
    let ct = net.layers[c].outputs[0];
    let add = net.add_layer(Box::new(ElementWise::of(0)), &[x, ct]).unwrap();
    let relu = net.add_layer(Box::new(Activation::of(0, 0.0, 0.0)), &[net.layers[add].outputs[0]]).unwrap();
    let y = net.layers[relu].outputs[0];
    net.mark_output(y).unwrap();
    assert_eq!(net.known_dims(y), vec![-1, 8]);
    let mut config = BuilderConfig::default();
    let mut p = OptimizationProfile::new();
    p.set_dimensions("x", ProfileSelector::Min, &[1, 8]).unwrap();
    p.set_dimensions("x", ProfileSelector::Opt, &[4, 8]).unwrap();
    p.set_dimensions("x", ProfileSelector::Max, &[16, 8]).unwrap();
    config.add_profile(&p).unwrap();
    let reporter = Reporter::new(NvtLogger::NONE);
    let plan = build_for(&net, &config, &reporter, Target::Cpu).expect("build");
    let engine = Arc::new(Engine::deserialize(&plan).expect("load"));
    let mut ctx = ExecutionContext::new(engine).unwrap();
    for batch in [1usize, 5, 16] {
        ctx.set_input_shape("x", &[batch as i64, 8]).unwrap();
        let xs: Vec<f32> = (0..batch * 8).map(|i| i as f32 - 20.0).collect();
        let mut ys = vec![f32::NAN; batch * 8];
        ctx.set_tensor_address("x", xs.as_ptr() as u64).unwrap();
        ctx.set_tensor_address(&net.tensors[y].name.as_str().to_string(), ys.as_mut_ptr() as u64).unwrap();
        ctx.enqueue(std::ptr::null_mut()).unwrap();
        for (i, v) in ys.iter().enumerate() {
            let want = (xs[i] + (i % 8 + 1) as f32).max(0.0);
            assert_eq!(*v, want, "batch {batch} element {i}");
        }
        assert_eq!(ctx.tensor_shape(net.tensors[y].name.as_str()).unwrap(), vec![batch as i64, 8]);
    }
    let err = ctx.set_input_shape("x", &[17, 8]).unwrap_err();
    assert!(err.message.contains("outside"), "{}", err.message);
}
