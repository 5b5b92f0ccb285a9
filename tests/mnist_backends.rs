//! The shipped MNIST model on every backend this machine has, against the CPU reference:
//! FP32 with kTF32 cleared within 1e-5 (relative to the largest logit), and with kFP16
//! within 1e-2, reporting which layers the builder ran in kHALF.

mod common;

use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, FLAG_FP16, FLAG_TF32};
use nvinfer::engine::analysis::Step;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::DataType;
use std::sync::Arc;

fn logits(engine: &Arc<Engine>, target: &Target) -> Vec<Vec<f32>> {
    let dev = matches!(target, Target::Cuda(..));
    let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
    (0..10)
        .map(|d| {
            let x = IoBuffer::with(bytemuck::cast_slice(&common::read_digit(d)), dev);
            let y = IoBuffer::new(40, dev);
            ctx.set_tensor_address(common::MNIST_INPUT, x.address()).unwrap();
            ctx.set_tensor_address(common::MNIST_OUTPUT, y.address()).unwrap();
            ctx.execute().unwrap();
            bytemuck::cast_slice::<u8, f32>(&y.read(40)).to_vec()
        })
        .collect()
}

fn build(target: &Target, fp16: bool) -> Arc<Engine> {
    let mut config = BuilderConfig::default();
    config.set_flag(FLAG_TF32, false);
    config.set_flag(FLAG_FP16, fp16);
    let plan = build_for(&common::mnist_network(), &config, &common::quiet(), target.clone()).unwrap();
    Arc::new(Engine::deserialize(&plan).unwrap())
}

#[test]
fn every_backend_agrees_with_the_cpu_reference() {
    let reference = logits(&build(&Target::Cpu, false), &Target::Cpu);
    for (d, l) in reference.iter().enumerate() {
        assert_eq!(common::argmax(l), d, "the CPU reference classifies digit {d}");
    }
    for target in targets() {
        for fp16 in [false, true] {
            let engine = build(&target, fp16);
            let got = logits(&engine, &target);
            let err = got.iter().zip(&reference).map(|(a, b)| common::max_rel_err(a, b)).fold(0f32, f32::max);
            let tol = if fp16 { 1e-2 } else { 1e-5 };
            let half: Vec<String> = engine
                .desc
                .layers
                .iter()
                .zip(&engine.analysis.steps)
                .filter(|(l, s)| {
                    **s == Step::Run
                        && l.op.kind().name() != "Cast"
                        && l.outputs.iter().any(|&o| engine.desc.tensors[o].dtype == DataType::Half)
                })
                .map(|(l, _)| format!("{}:{}", l.op.kind().name(), l.tactic))
                .collect();
            common::report(&format!(
                "MNIST backend={} kFP16={fp16} max_rel_err={err:.2e} (tol {tol:.0e}) layers in kHALF: [{}]",
                backend_name(&target),
                half.join(", ")
            ));
            assert!(err <= tol, "{} kFP16={fp16}: error {err}", backend_name(&target));
            for (d, l) in got.iter().enumerate() {
                assert_eq!(common::argmax(l), d, "{} kFP16={fp16} digit {d}", backend_name(&target));
            }
        }
    }
}
