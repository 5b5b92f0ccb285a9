//! GPU oracle tests: every op's CUDA implementation against its CPU reference on random
//! inputs, and the MNIST engine on the GPU against the CPU engine.
//!
//! Without a CUDA device each test prints "skipped: no CUDA device (<reason>)" and passes.
//! With one, each prints a line starting with "GPU-CHECK" with the measured error, which the
//! GPU check script collects. Both go straight to stderr (`common::report`), so they show
//! without `--nocapture`.
//!
//! Error measure: max|gpu − cpu| / max(max|cpu|, 1e-6) over all elements.
//! Tolerances: 1e-5 for FP32 (cuBLASLt with TF32 off); 1e-2 for the MNIST engine built
//! with kFP16 allowed. Outputs are filled with NaN before every GPU run and checked to be
//! NaN-free afterwards, so an element the GPU never wrote fails the test.

mod common;

use nvinfer::backend::cuda::{self, sources::KERNEL_SOURCES, DeviceBuffer, Kernels, Scratch, Stream};
use nvinfer::backend::Target;
use nvinfer::builder::config::{BuilderConfig, FLAG_FP16, FLAG_TF32};
use nvinfer::builder::tactics::compile_kernels;
use nvinfer::ops::activation::Activation;
use nvinfer::ops::convolution::Convolution;
use nvinfer::ops::elementwise::ElementWise;
use nvinfer::ops::fully_connected::FullyConnected;
use nvinfer::ops::matmul::{MatrixMultiply, NONE, TRANSPOSE};
use nvinfer::ops::pooling::{Pooling, AVERAGE, MAX};
use nvinfer::ops::shuffle::Shuffle;
use nvinfer::ops::softmax::SoftMax;
use nvinfer::ops::{CudaPrep, LayerShapes, Op};
use nvinfer::plan::{EngineDesc, EngineLayer, EngineTensor};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{volume, DataType, TensorIOMode, TensorLocation};
use std::collections::BTreeSet;
use std::sync::{Arc, Barrier, Once, OnceLock};

/// FP32 tolerance on the relative error.
const FP32_TOL: f32 = 1e-5;
/// Tolerance for engines built with kFP16 allowed.
const FP16_TOL: f32 = 1e-2;

// ---------------------------------------------------------------- harness

/// The device, bound to this thread; None (after printing why) when there is none.
fn gpu() -> Option<&'static cuda::Device> {
    static CACHE: Once = Once::new();
    // Kernel cubins go to a cache inside target/ (unless the caller chose one), never to
    // $HOME. Set before any test compiles (every test calls gpu() first, and Once blocks
    // the others meanwhile).
    CACHE.call_once(|| {
        if std::env::var_os(cuda::nvrtc::CACHE_ENV).is_none() {
            std::env::set_var(cuda::nvrtc::CACHE_ENV, std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-cache-gpu-tests"));
        }
    });
    match cuda::device() {
        Ok(d) => {
            d.bind().expect("bind the primary context");
            Some(d)
        }
        Err(e) => {
            common::report(&format!("skipped: no CUDA device ({})", e.message));
            None
        }
    }
}

/// Every kernel file compiled for this device and loaded once per process.
fn kernels() -> &'static Kernels {
    static K: OnceLock<Kernels> = OnceLock::new();
    K.get_or_init(|| {
        let dev = cuda::device().expect("a device");
        let files: BTreeSet<&'static str> = KERNEL_SOURCES.iter().map(|(n, _)| *n).collect();
        let images = compile_kernels(&files, dev.sm).unwrap_or_else(|e| panic!("NVRTC: {}", e.message));
        Kernels::load(&images).unwrap_or_else(|e| panic!("loading cubins: {}", e.message))
    })
}

/// Waits for all device work, including synchronous copies whose DMA may still be in flight.
fn device_sync() {
    cudarc::driver::result::ctx::synchronize().expect("cuCtxSynchronize");
}

fn upload(v: &[f32]) -> DeviceBuffer {
    DeviceBuffer::upload_f32(v).expect("upload")
}

/// A device buffer of `n` NaNs.
fn poisoned(n: usize) -> DeviceBuffer {
    upload(&vec![f32::NAN; n])
}

fn download(b: &DeviceBuffer, n: usize) -> Vec<f32> {
    device_sync();
    let mut v = vec![0f32; n];
    b.download_f32(&mut v).expect("download");
    v
}

/// Runs `op`'s CUDA implementation `tactic` once on `inputs` and returns its output.
fn run_gpu(op: &dyn Op, tactic: &str, inputs: &[(&[f32], &[i64])], allow_tf32: bool) -> Vec<f32> {
    let in_dims: Vec<&[i64]> = inputs.iter().map(|i| i.1).collect();
    let out_dims = op.infer(&in_dims).expect("infer").remove(0);
    let shapes = LayerShapes { inputs: in_dims.iter().map(|d| d.to_vec()).collect(), outputs: vec![out_dims.clone()] };
    let prep = CudaPrep { kernels: kernels(), shapes: &shapes, allow_tf32 };
    let layer = op.prepare_cuda(tactic, &prep).unwrap_or_else(|e| panic!("{} tactic '{tactic}': {}", op.kind(), e.message));
    let bufs: Vec<DeviceBuffer> = inputs.iter().map(|(v, _)| upload(v)).collect();
    let ptrs: Vec<u64> = bufs.iter().map(|b| b.ptr).collect();
    let n = volume(&out_dims).unwrap();
    let out = poisoned(n);
    let ws = DeviceBuffer::alloc(layer.workspace_bytes()).expect("workspace");
    let scratch = Scratch { workspace: ws.ptr, workspace_bytes: ws.bytes };
    let stream = Stream::new().expect("stream");
    device_sync();
    layer.enqueue(stream.0, &ptrs, &[out.ptr], &scratch).unwrap_or_else(|e| panic!("{} tactic '{tactic}': {}", op.kind(), e.message));
    stream.synchronize().expect("stream sync");
    let y = download(&out, n);
    common::assert_all_written(&y, &format!("GPU {} ({tactic})", op.kind()));
    // The inputs are left as they were.
    for (b, (v, _)) in bufs.iter().zip(inputs) {
        assert_eq!(
            download(b, v.len()).iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            v.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            "{}: an input was modified",
            op.kind()
        );
    }
    y
}

/// Runs `op` on both backends and returns the relative error (asserting it is ≤ tol).
fn compare(name: &str, op: &dyn Op, tactic: &str, inputs: &[(&[f32], &[i64])], tol: f32) -> f32 {
    let (_, cpu) = common::run_op_cpu(op, inputs).unwrap_or_else(|e| panic!("{name}: CPU: {}", e.message));
    common::assert_all_written(&cpu, &format!("CPU {name}"));
    let gpu = run_gpu(op, tactic, inputs, false);
    let err = common::max_rel_err(&gpu, &cpu);
    common::report(&format!("GPU-CHECK {name} max_rel_err={err:.2e}"));
    assert!(err <= tol, "{name}: max relative error {err:.3e} > {tol:e}");
    err
}

fn rand(n: usize, seed: u64) -> Vec<f32> {
    common::random(n, seed)
}

// ---------------------------------------------------------------- ops

#[test]
fn convolution() {
    if gpu().is_none() {
        return;
    }
    // (name, input dims, maps, kernel, stride, pre pad, post pad, dilation, groups, bias)
    let cases: &[(&str, [i64; 4], i64, [i64; 2], [i64; 2], [i64; 2], [i64; 2], [i64; 2], i64, bool)] = &[
        ("conv2d", [2, 3, 11, 11], 5, [3, 3], [1, 1], [0, 0], [0, 0], [1, 1], 1, true),
        ("conv2d_pad_stride", [2, 4, 12, 10], 6, [3, 3], [2, 2], [1, 1], [1, 1], [1, 1], 1, true),
        ("conv2d_groups2", [1, 4, 9, 9], 6, [3, 3], [1, 1], [1, 1], [1, 1], [1, 1], 2, true),
        ("conv2d_groups2_stride_pad_dilation", [2, 6, 13, 11], 4, [3, 2], [2, 1], [2, 1], [1, 0], [2, 2], 2, false),
        ("conv2d_depthwise", [1, 8, 7, 7], 8, [3, 3], [1, 1], [1, 1], [1, 1], [1, 1], 8, true),
        ("conv2d_5x5_asymmetric_pad", [1, 2, 28, 28], 8, [5, 5], [1, 1], [2, 1], [1, 2], [1, 1], 1, true),
    ];
    for (i, &(name, dims, k, kernel, stride, pre, post, dil, groups, bias)) in cases.iter().enumerate() {
        let weights = rand((k * dims[1] / groups * kernel[0] * kernel[1]) as usize, 100 + i as u64);
        let b = if bias { rand(k as usize, 200 + i as u64) } else { vec![] };
        let mut conv = Convolution::new(k, kernel, weights, b);
        conv.stride = stride.to_vec();
        conv.pre_padding = pre.to_vec();
        conv.post_padding = post.to_vec();
        conv.dilation = dil.to_vec();
        conv.groups = groups;
        let x = rand(volume(&dims).unwrap(), 300 + i as u64);
        compare(name, &conv, "default", &[(&x, &dims)], FP32_TOL);
    }
}

#[test]
fn pooling() {
    if gpu().is_none() {
        return;
    }
    // (name, type, window, stride, pre, post, exclude padding)
    let cases: &[(&str, i32, [i64; 2], [i64; 2], [i64; 2], [i64; 2], bool)] = &[
        ("maxpool2x2", MAX, [2, 2], [2, 2], [0, 0], [0, 0], true),
        ("maxpool3x3_s2_pad1", MAX, [3, 3], [2, 2], [1, 1], [1, 1], true),
        ("avgpool2x2", AVERAGE, [2, 2], [2, 2], [0, 0], [0, 0], true),
        ("avgpool3x3_pad1_exclude", AVERAGE, [3, 3], [1, 1], [1, 1], [1, 1], true),
        ("avgpool3x3_pad1_include", AVERAGE, [3, 3], [1, 1], [1, 1], [1, 1], false),
        ("avgpool3x2_s2x1_asymmetric", AVERAGE, [3, 2], [2, 1], [1, 0], [0, 1], true),
    ];
    let dims = [2i64, 3, 13, 12];
    let x = rand(volume(&dims).unwrap(), 400);
    for &(name, kind, window, stride, pre, post, exclude) in cases {
        let mut pool = Pooling::new(kind, window);
        pool.stride = stride.to_vec();
        pool.pre_padding = pre.to_vec();
        pool.post_padding = post.to_vec();
        pool.average_count_excludes_padding = exclude;
        compare(name, &pool, "default", &[(&x, &dims)], FP32_TOL);
    }
}

#[test]
fn activation() {
    if gpu().is_none() {
        return;
    }
    let dims = [3i64, 7, 50];
    let x: Vec<f32> = rand(volume(&dims).unwrap(), 500).iter().map(|v| v * 4.0).collect();
    let params: [(f32, f32); 12] = [
        (0.0, 0.0),
        (0.0, 0.0),
        (0.0, 0.0),
        (0.1, 0.0),
        (1.0, 0.0),
        (1.6732632, 1.0507009),
        (0.0, 0.0),
        (1.0, 1.0),
        (-1.5, 2.0),
        (0.2, 0.5),
        (1.7159, 0.6667),
        (0.5, 0.0),
    ];
    for (kind, (alpha, beta)) in params.iter().enumerate() {
        let op = Activation::new(kind as i32, *alpha, *beta);
        compare(&format!("activation_type{kind}"), &op, "default", &[(&x, &dims)], FP32_TOL);
    }
}

#[test]
fn elementwise_with_broadcast() {
    if gpu().is_none() {
        return;
    }
    let (da, db) = ([3i64, 1, 5, 7], [1i64, 4, 5, 1]);
    let a = rand(volume(&da).unwrap(), 600);
    let b = rand(volume(&db).unwrap(), 601);
    // Division needs divisors away from 0; powers need positive bases.
    let b_away: Vec<f32> = b.iter().map(|v| v.signum() * (0.5 + v.abs())).collect();
    let a_pos: Vec<f32> = a.iter().map(|v| 0.25 + v.abs()).collect();
    for op in 0..8 {
        let (x, y) = match op {
            5 | 7 => (&a, &b_away),
            6 => (&a_pos, &b),
            _ => (&a, &b),
        };
        compare(&format!("elementwise_op{op}_broadcast"), &ElementWise::new(op), "default", &[(x, &da), (y, &db)], FP32_TOL);
    }
    // Same shapes, and broadcasting the first operand.
    compare("elementwise_sum_same_shape", &ElementWise::new(0), "default", &[(&a, &da), (&rand(a.len(), 602), &da)], FP32_TOL);
    compare(
        "elementwise_sub_broadcast_first",
        &ElementWise::new(4),
        "default",
        &[(&b, &db), (&rand(3 * 4 * 5 * 7, 603), &[3, 4, 5, 7])],
        FP32_TOL,
    );
}

#[test]
fn matmul_both_tactics() {
    if gpu().is_none() {
        return;
    }
    // (name, op0, op1, a dims, b dims)
    let cases: &[(&str, i32, i32, &[i64], &[i64])] = &[
        ("plain", NONE, NONE, &[37, 53], &[53, 29]),
        ("transA", TRANSPOSE, NONE, &[53, 37], &[53, 29]),
        ("transB", NONE, TRANSPOSE, &[37, 53], &[29, 53]),
        ("transAB", TRANSPOSE, TRANSPOSE, &[53, 37], &[29, 53]),
        ("batched", NONE, NONE, &[3, 17, 23], &[3, 23, 19]),
        ("batch_broadcast_b", NONE, NONE, &[3, 17, 23], &[1, 23, 19]),
        ("batch_broadcast_a", NONE, TRANSPOSE, &[1, 17, 23], &[4, 19, 23]),
        ("rank4_batch", TRANSPOSE, NONE, &[2, 3, 23, 17], &[2, 3, 23, 19]),
        ("thin_long_k", NONE, NONE, &[2, 300], &[300, 40]),
    ];
    for tactic in ["cublaslt", "tiled"] {
        for (i, &(name, op0, op1, da, db)) in cases.iter().enumerate() {
            let a = rand(volume(da).unwrap(), 700 + i as u64);
            let b = rand(volume(db).unwrap(), 800 + i as u64);
            let mm = MatrixMultiply::new(op0, op1);
            compare(&format!("matmul_{tactic}_{name}"), &mm, tactic, &[(&a, da), (&b, db)], FP32_TOL);
        }
    }
}

#[test]
fn fully_connected_both_tactics() {
    if gpu().is_none() {
        return;
    }
    let dims = [3i64, 8, 2, 2];
    let x = rand(volume(&dims).unwrap(), 900);
    for tactic in ["cublaslt", "tiled"] {
        for (bias, tag) in [(rand(10, 902), "bias"), (vec![], "nobias")] {
            let fc = FullyConnected { num_outputs: 10, kernel_weights: rand(10 * 32, 901), bias_weights: bias };
            compare(&format!("fully_connected_{tactic}_{tag}"), &fc, tactic, &[(&x, &dims)], FP32_TOL);
        }
    }
}

#[test]
fn shuffle_with_transposes() {
    if gpu().is_none() {
        return;
    }
    let dims = [2i64, 3, 4, 5];
    let x = rand(volume(&dims).unwrap(), 1000);
    let cases: Vec<(&str, Shuffle)> = vec![
        ("shuffle_first_transpose", Shuffle { first_transpose: vec![0, 2, 3, 1], ..Default::default() }),
        ("shuffle_reshape_only", Shuffle::reshape(vec![0, -1, 5])),
        (
            "shuffle_reshape_second_transpose",
            Shuffle {
                has_reshape: true,
                reshape: vec![6, 20],
                second_transpose: vec![1, 0],
                zero_is_placeholder: true,
                ..Default::default()
            },
        ),
        (
            "shuffle_both_transposes",
            Shuffle {
                first_transpose: vec![3, 1, 2, 0],
                has_reshape: true,
                reshape: vec![5, 12, 2],
                second_transpose: vec![2, 0, 1],
                zero_is_placeholder: true,
            },
        ),
        ("shuffle_identity_transpose", Shuffle { first_transpose: vec![0, 1, 2, 3], ..Default::default() }),
    ];
    for (name, s) in cases {
        compare(name, &s, "default", &[(&x, &dims)], 0.0); // a permutation is exact
    }
}

#[test]
fn softmax() {
    if gpu().is_none() {
        return;
    }
    let dims = [4i64, 7, 5];
    let x: Vec<f32> = rand(volume(&dims).unwrap(), 1100).iter().map(|v| v * 8.0).collect();
    for axis in 0..3 {
        compare(&format!("softmax_axis{axis}"), &SoftMax::over_axis(axis), "default", &[(&x, &dims)], FP32_TOL);
    }
    compare("softmax_2d_axis1", &SoftMax::over_axis(1), "default", &[(&rand(3 * 1000, 1101), &[3, 1000])], FP32_TOL);
}

// ---------------------------------------------------------------- a hand-made engine

#[test]
fn hand_made_engine_runs_each_matmul_tactic() {
    // An EngineDesc built by hand forces the tactic, then goes through the plan and the
    // runtime like any engine: a·b with a [19,33] and b [33,21].
    let Some(dev) = gpu() else { return };
    let (da, db, dc) = (vec![19i64, 33], vec![33i64, 21], vec![19i64, 21]);
    let a = rand(19 * 33, 1200);
    let b = rand(33 * 21, 1201);
    let mm = MatrixMultiply::new(NONE, NONE);
    let (_, cpu) = common::run_op_cpu(&mm, &[(&a, &da), (&b, &db)]).unwrap();
    for tactic in ["cublaslt", "tiled"] {
        let tensor = |name: &str, dims: &Vec<i64>, io| EngineTensor {
            name: name.into(),
            dtype: DataType::Float,
            dims: dims.clone(),
            io_mode: io,
            arena_offset: 0,
        };
        let files: BTreeSet<&'static str> = mm.cuda_kernel_files(tactic).into_iter().collect();
        let desc = EngineDesc {
            name: format!("matmul-{tactic}"),
            target: Target::Cuda(dev.sm.0, dev.sm.1),
            tensors: vec![
                tensor("a", &da, TensorIOMode::Input),
                tensor("b", &db, TensorIOMode::Input),
                tensor("c", &dc, TensorIOMode::Output),
            ],
            layers: vec![EngineLayer {
                name: "mm".into(),
                op: Box::new(mm.clone()),
                inputs: vec![0, 1],
                outputs: vec![2],
                tactic: tactic.into(),
            }],
            io_tensors: vec![0, 1, 2],
            kernels: compile_kernels(&files, dev.sm).unwrap(),
            allow_tf32: false,
            allow_fp16: false,
            arena_bytes: 0,
        };
        let engine = Arc::new(Engine::deserialize(&nvinfer::plan::serialize(&desc)).unwrap_or_else(|e| panic!("{tactic}: {}", e.message)));
        assert_eq!(engine.location(), TensorLocation::Device);
        assert_eq!(engine.desc.layers[0].tactic, tactic);
        let mut ctx = ExecutionContext::new(engine).unwrap();
        let (ba, bb, bc) = (upload(&a), upload(&b), poisoned(cpu.len()));
        device_sync();
        ctx.set_tensor_address("a", ba.ptr).unwrap();
        ctx.set_tensor_address("b", bb.ptr).unwrap();
        ctx.set_tensor_address("c", bc.ptr).unwrap();
        ctx.execute().unwrap();
        let gpu = download(&bc, cpu.len());
        common::assert_all_written(&gpu, tactic);
        let err = common::max_rel_err(&gpu, &cpu);
        common::report(&format!("GPU-CHECK engine_matmul_{tactic} max_rel_err={err:.2e}"));
        assert!(err <= FP32_TOL, "{tactic}: {err:e}");
    }
}

// ---------------------------------------------------------------- MNIST

fn cpu_logits() -> &'static Vec<Vec<f32>> {
    static L: OnceLock<Vec<Vec<f32>>> = OnceLock::new();
    L.get_or_init(|| {
        let engine = Arc::new(Engine::deserialize(&common::cpu_plan(&common::mnist_network()).unwrap()).unwrap());
        let mut ctx = ExecutionContext::new(engine).unwrap();
        (0..10)
            .map(|d| {
                let x = common::read_digit(d);
                let mut y = vec![0f32; 10];
                common::run_cpu_context(&mut ctx, &[(common::MNIST_INPUT, &x)], &mut [(common::MNIST_OUTPUT, &mut y)]);
                assert_eq!(common::argmax(&y), d, "CPU engine, digit {d}");
                y
            })
            .collect()
    })
}

fn gpu_plan(dev: &cuda::Device, tf32: bool, fp16: bool) -> Vec<u8> {
    let mut config = BuilderConfig::default();
    config.set_flag(FLAG_TF32, tf32);
    config.set_flag(FLAG_FP16, fp16);
    nvinfer::builder::build_for(&common::mnist_network(), &config, &common::quiet(), Target::Cuda(dev.sm.0, dev.sm.1))
        .unwrap_or_else(|e| panic!("GPU build: {}", e.message))
}

/// Runs one digit through a GPU context with device buffers; returns the logits.
fn classify_gpu(ctx: &mut ExecutionContext, digit: usize) -> Vec<f32> {
    let x = upload(&common::read_digit(digit));
    let y = poisoned(10);
    device_sync();
    ctx.set_tensor_address(common::MNIST_INPUT, x.ptr).unwrap();
    ctx.set_tensor_address(common::MNIST_OUTPUT, y.ptr).unwrap();
    ctx.execute().unwrap_or_else(|e| panic!("execute: {}", e.message));
    let logits = download(&y, 10);
    common::assert_all_written(&logits, &format!("GPU logits of digit {digit}"));
    logits
}

fn mnist_against_cpu(name: &str, tf32: bool, fp16: bool, tol: f32) {
    let Some(dev) = gpu() else { return };
    let plan = gpu_plan(dev, tf32, fp16);
    let engine = Arc::new(Engine::deserialize(&plan).unwrap_or_else(|e| panic!("{}", e.message)));
    assert_eq!(engine.location(), TensorLocation::Device);
    assert!(engine.desc.layers.iter().all(|l| l.op.constant_value().is_some() || !l.tactic.is_empty()), "every layer has a tactic");
    let mut ctx = ExecutionContext::new(engine).unwrap();
    let mut worst = 0f32;
    for d in 0..10 {
        let logits = classify_gpu(&mut ctx, d);
        let err = common::max_rel_err(&logits, &cpu_logits()[d]);
        worst = worst.max(err);
        assert!(err <= tol, "{name} digit {d}: max relative error {err:e} > {tol:e}\nGPU {logits:?}\nCPU {:?}", cpu_logits()[d]);
        assert_eq!(common::argmax(&logits), d, "{name}: digit {d} misclassified: {logits:?}");
    }
    common::report(&format!("GPU-CHECK {name} max_rel_err={worst:.2e}"));
}

#[test]
fn mnist_fp32_matches_the_cpu() {
    mnist_against_cpu("mnist_fp32_tf32_off", false, false, FP32_TOL);
}

#[test]
fn mnist_fp16_allowed_matches_the_cpu() {
    mnist_against_cpu("mnist_fp16", true, true, FP16_TOL);
}

#[test]
fn two_engines_from_one_gpu_plan_agree_bit_for_bit() {
    let Some(dev) = gpu() else { return };
    let plan = gpu_plan(dev, false, false);
    let a = Arc::new(Engine::deserialize(&plan).unwrap());
    let b = Arc::new(Engine::deserialize(&plan).unwrap());
    assert_eq!(b.serialize(), &plan[..]);
    let (mut ca, mut cb) = (ExecutionContext::new(a).unwrap(), ExecutionContext::new(b).unwrap());
    for d in 0..10 {
        let (x, y) = (classify_gpu(&mut ca, d), classify_gpu(&mut cb, d));
        assert_eq!(x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), "digit {d}");
        // Running again on the same context gives the same bits too.
        let again = classify_gpu(&mut ca, d);
        assert_eq!(
            x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            again.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "digit {d} rerun"
        );
    }
    common::report("GPU-CHECK mnist_two_engines_bit_identical max_rel_err=0");
}

#[test]
fn two_contexts_of_one_engine_run_concurrently() {
    let Some(dev) = gpu() else { return };
    let engine = Arc::new(Engine::deserialize(&gpu_plan(dev, false, false)).unwrap());
    let expected = cpu_logits().clone();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = [[0usize, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
        .into_iter()
        .map(|digits| {
            let (engine, barrier, expected) = (engine.clone(), barrier.clone(), expected.clone());
            std::thread::spawn(move || {
                cuda::device().unwrap().bind().unwrap();
                let mut ctx = ExecutionContext::new(engine).unwrap();
                barrier.wait();
                let mut worst = 0f32;
                for round in 0..20 {
                    for &d in &digits {
                        let logits = classify_gpu(&mut ctx, d);
                        let err = common::max_rel_err(&logits, &expected[d]);
                        assert!(err <= FP32_TOL, "round {round} digit {d}: {err:e}");
                        assert_eq!(common::argmax(&logits), d, "round {round}");
                        worst = worst.max(err);
                    }
                }
                worst
            })
        })
        .collect();
    let worst = handles.into_iter().map(|h| h.join().expect("a context thread failed")).fold(0f32, f32::max);
    common::report(&format!("GPU-CHECK mnist_two_threads max_rel_err={worst:.2e}"));
}

#[test]
fn host_memory_given_to_a_gpu_engine_is_refused_not_run() {
    let Some(dev) = gpu() else { return };
    let engine = Arc::new(Engine::deserialize(&gpu_plan(dev, false, false)).unwrap());
    let mut ctx = ExecutionContext::new(engine).unwrap();
    let host = common::read_digit(3);
    let err = ctx.set_tensor_address(common::MNIST_INPUT, host.as_ptr() as u64).unwrap_err();
    assert!(err.message.contains("not GPU memory"), "{}", err.message);
    // The context is unharmed: a correct run still works afterwards.
    let logits = classify_gpu(&mut ctx, 3);
    assert_eq!(common::argmax(&logits), 3);
    common::report("GPU-CHECK host_pointer_refused max_rel_err=0");
}
