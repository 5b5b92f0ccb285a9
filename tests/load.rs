//! Load checks on every backend this machine has: one engine, many contexts on many threads
//! (on the GPU each context on its own stream), outputs bit-identical to serial runs; builds on
//! several threads at once give identical plans; running out of memory is a clean error that
//! leaves the process working.

mod common;

use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::cuda::DeviceBuffer;
use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::layers::generated::Activation;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{DataType, ErrorCode};
use std::sync::Arc;

fn mnist_engine(target: &Target) -> Arc<Engine> {
    let plan = build_for(&common::mnist_network(), &BuilderConfig::default(), &common::quiet(), target.clone()).unwrap();
    Arc::new(Engine::deserialize(&plan).unwrap())
}

fn classify(ctx: &mut ExecutionContext, target: &Target, digit: usize) -> Vec<f32> {
    let dev = matches!(target, Target::Cuda(..));
    let x = IoBuffer::with(bytemuck::cast_slice(&common::read_digit(digit)), dev);
    let y = IoBuffer::new(40, dev);
    ctx.set_tensor_address(common::MNIST_INPUT, x.address()).unwrap();
    ctx.set_tensor_address(common::MNIST_OUTPUT, y.address()).unwrap();
    ctx.execute().unwrap();
    bytemuck::cast_slice::<u8, f32>(&y.read(40)).to_vec()
}

#[test]
fn many_contexts_on_many_threads_match_serial_runs() {
    const THREADS: usize = 4;
    const CONTEXTS: usize = 2;
    const ROUNDS: usize = 25;
    for target in targets() {
        let engine = mnist_engine(&target);
        let mut serial_ctx = ExecutionContext::new(engine.clone()).unwrap();
        let serial: Vec<Vec<f32>> = (0..10).map(|d| classify(&mut serial_ctx, &target, d)).collect();
        let serial = &serial;
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let (engine, target) = (engine.clone(), target.clone());
                s.spawn(move || {
                    let mut contexts: Vec<ExecutionContext> =
                        (0..CONTEXTS).map(|_| ExecutionContext::new(engine.clone()).unwrap()).collect();
                    for round in 0..ROUNDS {
                        for (c, ctx) in contexts.iter_mut().enumerate() {
                            let d = (t + c + round) % 10;
                            let y = classify(ctx, &target, d);
                            assert!(y == serial[d], "thread {t} context {c} round {round} digit {d}: differs from the serial run");
                        }
                    }
                });
            }
        });
        common::report(&format!(
            "LOAD backend={} {THREADS} threads x {CONTEXTS} contexts x {ROUNDS} rounds bit-identical to serial",
            backend_name(&target)
        ));
    }
}

#[test]
fn builds_on_several_threads_give_the_same_plan() {
    for target in targets() {
        let plans: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let target = target.clone();
                    s.spawn(move || build_for(&common::mnist_network(), &BuilderConfig::default(), &common::quiet(), target).unwrap())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // On the GPU timing may pick other tactics; every plan must load and classify.
        if target == Target::Cpu {
            assert!(plans.windows(2).all(|w| w[0] == w[1]), "CPU plans built concurrently differ");
        }
        for plan in plans {
            let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
            assert_eq!(common::argmax(&classify(&mut ctx, &target, 7)), 7);
        }
    }
}

/// relu(relu(x)) for x of `dims`.
fn big_network(dims: &[i64]) -> Network {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, dims).unwrap();
    let a = net.add_layer(Box::new(Activation::of(0, 0.0, 0.0)), &[x]).unwrap();
    let b = net.add_layer(Box::new(Activation::of(0, 0.0, 0.0)), &[net.layers[a].outputs[0]]).unwrap();
    net.mark_output(net.layers[b].outputs[0]).unwrap();
    net
}

#[test]
fn running_out_of_memory_is_a_clean_error() {
    for target in targets() {
        // An engine larger than the machine: refused by the builder.
        let e = build_for(&big_network(&[1 << 20, 1 << 20, 64]), &BuilderConfig::default(), &common::quiet(), target.clone()).unwrap_err();
        assert_eq!(e.code, ErrorCode::FailedAllocation, "{}", e.message);
        if let Target::Cuda(..) = target {
            // An engine that fits the card, but not what is left of it: creating a context
            // fails cleanly. 8 GiB of activations, with all but 4 GiB of the card taken.
            let plan = build_for(&big_network(&[1 << 30, 2]), &BuilderConfig::default(), &common::quiet(), target.clone()).unwrap();
            let engine = Arc::new(Engine::deserialize(&plan).unwrap());
            let total = nvinfer::backend::cuda::device().unwrap().total_memory;
            let mut hog = vec![];
            let mut free = total;
            while free > 4 << 30 {
                match DeviceBuffer::alloc(1 << 30) {
                    Ok(b) => hog.push(b),
                    Err(_) => break,
                }
                free = free.saturating_sub(1 << 30);
            }
            let e = ExecutionContext::new(engine.clone()).map(|_| ()).unwrap_err();
            assert_eq!(e.code, ErrorCode::FailedAllocation, "{}", e.message);
            drop(hog);
            // With the memory back, the same engine runs.
            ExecutionContext::new(engine).expect("a context once memory is free");
            common::report("OOM backend=cuda context creation without enough free memory: clean FailedAllocation; works after");
        }
        // The process is intact: MNIST still classifies.
        let mut ctx = ExecutionContext::new(mnist_engine(&target)).unwrap();
        assert_eq!(common::argmax(&classify(&mut ctx, &target, 3)), 3);
        common::report(&format!("OOM backend={} oversized engine refused by the builder; process intact", backend_name(&target)));
    }
}
