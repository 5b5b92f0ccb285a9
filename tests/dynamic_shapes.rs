//! Dynamic shapes as TensorRT 8.6 has them, on every backend this machine has: optimization
//! profiles (one and several, contexts on their own profiles on their own threads), shapes
//! outside a profile refused with the context still usable, shape tensors (IShapeLayer into
//! elementwise into IShuffleLayer's reshape input; a shape-tensor input read from host
//! memory), data-dependent shapes (INonZeroLayer with an IOutputAllocator), and kHALF I/O.

mod common;

use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile, FLAG_FP16, FLAG_TF32};
use nvinfer::host::{decode_f32, encode_f32};
use nvinfer::ir::{Network, TensorId};
use nvinfer::layers::elementwise::{FLOOR_DIV, PROD, SUM};
use nvinfer::layers::generated::*;
use nvinfer::layers::Layer;
use nvinfer::runtime::allocator::NvtOutputAllocator;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{DataType, ProfileSelector};
use nvinfer::weights::Weights;
use std::sync::{Arc, Mutex};

fn add(net: &mut Network, layer: impl Layer, inputs: &[TensorId]) -> TensorId {
    let l = net.add_layer(Box::new(layer), inputs).unwrap_or_else(|e| panic!("{}", e.message));
    net.layers[l].outputs[0]
}

fn output(net: &mut Network, t: TensorId, name: &str) {
    net.set_tensor_name(t, name).unwrap();
    net.mark_output(t).unwrap();
}

fn profile(name: &str, min: &[i64], opt: &[i64], max: &[i64]) -> OptimizationProfile {
    let mut p = OptimizationProfile::new();
    p.set_dimensions(name, ProfileSelector::Min, min).unwrap();
    p.set_dimensions(name, ProfileSelector::Opt, opt).unwrap();
    p.set_dimensions(name, ProfileSelector::Max, max).unwrap();
    p
}

fn engine(net: &Network, config: &BuilderConfig, target: &Target) -> Arc<Engine> {
    let plan = build_for(net, config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("build: {}", e.message));
    Arc::new(Engine::deserialize(&plan).unwrap_or_else(|e| panic!("load: {}", e.message)))
}

fn on_device(t: &Target) -> bool {
    matches!(t, Target::Cuda(..))
}

/// Runs `ctx` with float inputs (name, dims, values) and returns the float output `out`.
fn run(ctx: &mut ExecutionContext, target: &Target, inputs: &[(&str, &[i64], &[f32])], out: &str) -> nvinfer::Result<Vec<f32>> {
    let mut keep = vec![];
    for (name, dims, values) in inputs {
        ctx.set_input_shape(name, dims)?;
        let b = IoBuffer::with(bytemuck::cast_slice(values), on_device(target));
        ctx.set_tensor_address(name, b.address())?;
        keep.push(b);
    }
    let dims = ctx.tensor_shape(out)?;
    let n = dims.iter().product::<i64>() as usize;
    let y = IoBuffer::new(n * 4, on_device(target));
    ctx.set_tensor_address(out, y.address())?;
    ctx.execute()?;
    Ok(bytemuck::cast_slice::<u8, f32>(&y.read(n * 4)).to_vec())
}

/// y = relu(x · W + b) with x [-1, 8]: every row is computed on its own.
fn row_network() -> Network {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 8]).unwrap();
    let w = add(&mut net, Constant::of(vec![8, 4], Weights::from_f32(&common::random(32, 1))), &[]);
    let b = add(&mut net, Constant::of(vec![1, 4], Weights::from_f32(&common::random(4, 2))), &[]);
    let m = add(&mut net, MatrixMultiply::of(0, 0), &[x, w]);
    let s = add(&mut net, ElementWise::of(SUM), &[m, b]);
    let y = add(&mut net, Activation::of(0, 0.0, 0.0), &[s]);
    output(&mut net, y, "y");
    net
}

#[test]
fn a_dynamic_batch_runs_within_its_profile() {
    let net = row_network();
    assert_eq!(net.known_dims(net.outputs[0]), vec![-1, 4]);
    let mut config = BuilderConfig::default();
    config.set_flag(FLAG_TF32, false);
    config.add_profile(&profile("x", &[1, 8], &[4, 8], &[16, 8])).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        assert_eq!(e.profile_range(0, 0).unwrap().max, vec![16, 8]);
        let mut ctx = ExecutionContext::new(e.clone()).unwrap();
        let xs = common::random(16 * 8, 3);
        // Each row alone at batch 1: the reference for every batch.
        let rows: Vec<Vec<f32>> = (0..16).map(|r| run(&mut ctx, &target, &[("x", &[1, 8], &xs[r * 8..r * 8 + 8])], "y").unwrap()).collect();
        for batch in [1usize, 5, 16] {
            let y = run(&mut ctx, &target, &[("x", &[batch as i64, 8], &xs[..batch * 8])], "y").unwrap();
            assert_eq!(ctx.tensor_shape("y").unwrap(), vec![batch as i64, 4]);
            let expected: Vec<f32> = rows[..batch].concat();
            let err = common::max_rel_err(&y, &expected);
            assert!(err <= 1e-6, "{} batch {batch}: max relative error {err} against per-row runs", backend_name(&target));
        }
        // Batch 17 is outside the profile: refused, and the context still works.
        let e17 = ctx.set_input_shape("x", &[17, 8]).unwrap_err();
        assert!(e17.message.contains("outside optimization profile") && e17.message.contains("[17,8]"), "{}", e17.message);
        assert_eq!(ctx.tensor_shape("x").unwrap(), vec![16, 8], "the refused shape left the context as it was");
        let y = run(&mut ctx, &target, &[("x", &[2, 8], &xs[..16])], "y").unwrap();
        assert!(common::max_rel_err(&y, &rows[..2].concat()) <= 1e-6);
        common::report(&format!("DYNAMIC backend={} batches 1,5,16 match per-row runs; batch 17 refused", backend_name(&target)));
    }
}

#[test]
fn two_profiles_serve_two_contexts_on_two_threads() {
    let net = row_network();
    let mut config = BuilderConfig::default();
    config.set_flag(FLAG_TF32, false);
    config.add_profile(&profile("x", &[1, 8], &[2, 8], &[4, 8])).unwrap();
    config.add_profile(&profile("x", &[8, 8], &[16, 8], &[32, 8])).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        assert_eq!(e.nb_profiles(), 2);
        let xs = common::random(32 * 8, 4);
        let mut reference = ExecutionContext::new(e.clone()).unwrap();
        let rows: Vec<Vec<f32>> =
            (0..32).map(|r| run(&mut reference, &target, &[("x", &[1, 8], &xs[r * 8..r * 8 + 8])], "y").unwrap()).collect();
        let rows = Arc::new(rows);
        let results = Arc::new(Mutex::new(vec![]));
        std::thread::scope(|s| {
            for (profile, batch) in [(0, 3usize), (1, 20usize)] {
                let (e, xs, rows, results, target) = (e.clone(), &xs, rows.clone(), results.clone(), target.clone());
                s.spawn(move || {
                    let mut ctx = ExecutionContext::new(e).unwrap();
                    ctx.set_optimization_profile(profile).unwrap();
                    // A shape of the other profile is refused.
                    let other = if profile == 0 { 20 } else { 3 };
                    assert!(ctx.set_input_shape("x", &[other, 8]).is_err());
                    for _ in 0..20 {
                        let y = run(&mut ctx, &target, &[("x", &[batch as i64, 8], &xs[..batch * 8])], "y").unwrap();
                        let err = common::max_rel_err(&y, &rows[..batch].concat());
                        results.lock().unwrap().push((profile, err));
                    }
                });
            }
        });
        let results = results.lock().unwrap();
        assert_eq!(results.len(), 40);
        assert!(results.iter().all(|&(_, e)| e <= 1e-6), "{results:?}");
        common::report(&format!("PROFILES backend={} two profiles, two contexts on two threads, 40 runs match", backend_name(&target)));
    }
}

#[test]
fn a_shape_tensor_drives_a_reshape() {
    // x [-1, 6] → Shape → ·[2,1] → floordiv [1,2] → reshape input of a shuffle: y [2B, 3].
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 6]).unwrap();
    let shape = add(&mut net, Shape::new(), &[x]);
    let two_one = add(&mut net, Constant::of(vec![2], Weights::from_i32(&[2, 1])), &[]);
    let one_two = add(&mut net, Constant::of(vec![2], Weights::from_i32(&[1, 2])), &[]);
    let doubled = add(&mut net, ElementWise::of(PROD), &[shape, two_one]);
    let target_shape = add(&mut net, ElementWise::of(FLOOR_DIV), &[doubled, one_two]);
    let l = net.add_layer(Box::new(Shuffle::new()), &[x]).unwrap();
    net.set_layer_input(l, 1, target_shape).unwrap();
    let y = net.layers[l].outputs[0];
    output(&mut net, y, "y");
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(y), vec![-1, 3]);
    assert!(net.shape_tensors()[target_shape], "the reshape input is a shape tensor");
    let mut config = BuilderConfig::default();
    config.add_profile(&profile("x", &[1, 6], &[2, 6], &[8, 6])).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        let mut ctx = ExecutionContext::new(e).unwrap();
        for batch in [1i64, 3, 8] {
            let xs = common::random(batch as usize * 6, batch as u64);
            let y = run(&mut ctx, &target, &[("x", &[batch, 6], &xs)], "y").unwrap();
            assert_eq!(ctx.tensor_shape("y").unwrap(), vec![2 * batch, 3]);
            assert_eq!(y, xs, "a reshape keeps the data");
        }
        common::report(&format!(
            "SHAPE-TENSOR backend={} Shape -> ElementWise -> Shuffle reshape input at batches 1,3,8",
            backend_name(&target)
        ));
    }
}

#[test]
fn a_shape_tensor_input_is_read_from_host_memory() {
    // data [12] reshaped by the values of shape input "dims" (INT32 [2], kHOST).
    let mut net = Network::new();
    let data = net.add_input("data", DataType::Float, &[12]).unwrap();
    let dims = net.add_input("dims", DataType::Int32, &[2]).unwrap();
    let l = net.add_layer(Box::new(Shuffle::new()), &[data]).unwrap();
    net.set_layer_input(l, 1, dims).unwrap();
    let y = net.layers[l].outputs[0];
    output(&mut net, y, "y");
    let mut config = BuilderConfig::default();
    // No profile: a shape input needs one.
    let e = build_for(&net, &config, &common::quiet(), Target::Cpu).unwrap_err();
    assert!(e.message.contains("'dims'"), "{}", e.message);
    let mut p = OptimizationProfile::new();
    p.set_shape_values("dims", ProfileSelector::Min, &[1, 1]).unwrap();
    p.set_shape_values("dims", ProfileSelector::Opt, &[3, 4]).unwrap();
    p.set_shape_values("dims", ProfileSelector::Max, &[12, 12]).unwrap();
    config.add_profile(&p).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        let k = e.io_index("dims").unwrap();
        assert_eq!(e.location(k), nvinfer::types::TensorLocation::Host, "shape tensors live in host memory");
        assert_eq!(e.location(e.io_index("data").unwrap()), nvinfer::types::TensorLocation::Device);
        let mut ctx = ExecutionContext::new(e).unwrap();
        let xs = common::random(12, 9);
        let data_buf = IoBuffer::with(bytemuck::cast_slice(&xs), on_device(&target));
        ctx.set_tensor_address("data", data_buf.address()).unwrap();
        for shape in [[3i32, 4], [6, 2], [12, 1]] {
            let host = shape.to_vec();
            ctx.set_tensor_address("dims", host.as_ptr() as u64).unwrap();
            assert_eq!(ctx.tensor_shape("y").unwrap(), vec![shape[0] as i64, shape[1] as i64]);
            let out = IoBuffer::new(48, on_device(&target));
            ctx.set_tensor_address("y", out.address()).unwrap();
            ctx.execute().unwrap();
            assert_eq!(bytemuck::cast_slice::<u8, f32>(&out.read(48)), xs.as_slice());
        }
        // Values outside the profile, or that do not keep the element count, are refused.
        let bad = [13i32, 1];
        ctx.set_tensor_address("dims", bad.as_ptr() as u64).unwrap();
        assert!(ctx.execute().unwrap_err().message.contains("outside optimization profile"));
        let bad = [5i32, 2];
        ctx.set_tensor_address("dims", bad.as_ptr() as u64).unwrap();
        let m = ctx.execute().unwrap_err().message;
        assert!(m.contains("number of elements"), "{m}");
        common::report(&format!("SHAPE-INPUT backend={} reshape by host shape values", backend_name(&target)));
    }
}

#[test]
fn reshape_placeholders_in_a_shape_input_resolve_at_run_time() {
    // data [2, 3, 4] reshaped by shape input "dims" (INT32 [3]) whose 0 copies the input's
    // dimension and whose -1 is inferred, known only when the context runs.
    let mut net = Network::new();
    let data = net.add_input("data", DataType::Float, &[2, 3, 4]).unwrap();
    let dims = net.add_input("dims", DataType::Int32, &[3]).unwrap();
    let l = net.add_layer(Box::new(Shuffle::new()), &[data]).unwrap();
    net.set_layer_input(l, 1, dims).unwrap();
    let y = net.layers[l].outputs[0];
    output(&mut net, y, "y");
    let mut config = BuilderConfig::default();
    let mut p = OptimizationProfile::new();
    p.set_shape_values("dims", ProfileSelector::Min, &[-1, -1, -1]).unwrap();
    p.set_shape_values("dims", ProfileSelector::Opt, &[0, -1, 2]).unwrap();
    p.set_shape_values("dims", ProfileSelector::Max, &[24, 24, 24]).unwrap();
    config.add_profile(&p).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        let mut ctx = ExecutionContext::new(e).unwrap();
        let xs = common::random(24, 3);
        let data_buf = IoBuffer::with(bytemuck::cast_slice(&xs), on_device(&target));
        ctx.set_tensor_address("data", data_buf.address()).unwrap();
        for (shape, want) in [([0i32, -1, 2], [2i64, 6, 2]), ([-1, 0, 4], [2, 3, 4]), ([0, 0, 0], [2, 3, 4]), ([6, 4, 1], [6, 4, 1])] {
            ctx.set_tensor_address("dims", shape.as_ptr() as u64).unwrap();
            assert_eq!(ctx.tensor_shape("y").unwrap(), want.to_vec(), "dims {shape:?}");
            let out = IoBuffer::new(96, on_device(&target));
            ctx.set_tensor_address("y", out.address()).unwrap();
            ctx.execute().unwrap();
            assert_eq!(bytemuck::cast_slice::<u8, f32>(&out.read(96)), xs.as_slice());
        }
        let two_inferred = [-1i32, -1, 4];
        ctx.set_tensor_address("dims", two_inferred.as_ptr() as u64).unwrap();
        let m = ctx.execute().unwrap_err().message;
        assert!(m.contains("more than one -1"), "{m}");
        let wrong_count = [0i32, -1, 5];
        ctx.set_tensor_address("dims", wrong_count.as_ptr() as u64).unwrap();
        let m = ctx.execute().unwrap_err().message;
        assert!(m.contains("number of elements"), "{m}");
        common::report(&format!("SHAPE-INPUT backend={} reshape placeholders resolved at run time", backend_name(&target)));
    }
}

/// An IOutputAllocator that allocates host or device memory as asked and records shapes.
#[derive(Default)]
struct Allocations {
    device: bool,
    buffers: Vec<IoBuffer>,
    shapes: Vec<Vec<i64>>,
}

unsafe extern "C" fn reallocate(
    user: *mut std::ffi::c_void,
    _name: *const std::ffi::c_char,
    _current: *mut std::ffi::c_void,
    size: u64,
    _align: u64,
) -> *mut std::ffi::c_void {
    let a = &mut *(user as *mut Allocations);
    let b = IoBuffer::new(size as usize, a.device);
    let p = b.address();
    a.buffers.push(b);
    p as *mut std::ffi::c_void
}

unsafe extern "C" fn notify_shape(user: *mut std::ffi::c_void, _name: *const std::ffi::c_char, dims: *const i64, nb: i32) {
    let a = &mut *(user as *mut Allocations);
    a.shapes.push(std::slice::from_raw_parts(dims, nb as usize).to_vec());
}

#[test]
fn non_zero_delivers_its_output_through_the_output_allocator() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 4]).unwrap();
    let nz = add(&mut net, NonZero::new(), &[x]);
    output(&mut net, nz, "coords");
    let mut config = BuilderConfig::default();
    config.add_profile(&profile("x", &[1, 4], &[2, 4], &[3, 4])).unwrap();
    for target in targets() {
        let e = engine(&net, &config, &target);
        let mut ctx = ExecutionContext::new(e).unwrap();
        assert_eq!(ctx.max_output_size("coords").unwrap(), 2 * 12 * 4, "[rank, count] with count at most 3·4");
        let mut alloc = Box::new(Allocations { device: on_device(&target), ..Default::default() });
        let handle = NvtOutputAllocator {
            user: &mut *alloc as *mut Allocations as *mut _,
            reallocate: Some(reallocate),
            notify_shape: Some(notify_shape),
        };
        ctx.set_output_allocator("coords", Some(handle)).unwrap();
        let xs = [0.0f32, 2.0, 0.0, 0.0, -1.0, 0.0, 0.0, 3.0];
        let xb = IoBuffer::with(bytemuck::cast_slice(&xs), on_device(&target));
        ctx.set_input_shape("x", &[2, 4]).unwrap();
        ctx.set_tensor_address("x", xb.address()).unwrap();
        assert_eq!(ctx.tensor_shape("coords").unwrap(), vec![2, -1], "the count is unknown before the run");
        ctx.execute().unwrap();
        assert_eq!(alloc.shapes, vec![vec![2, 3]]);
        assert_eq!(ctx.tensor_shape("coords").unwrap(), vec![2, 3]);
        let got: Vec<i32> = bytemuck::cast_slice(&alloc.buffers[0].read(24)).to_vec();
        assert_eq!(got, vec![0, 1, 1, 1, 0, 3], "(0,1), (1,0), (1,3)");
        common::report(&format!("NONZERO backend={} data-dependent output through IOutputAllocator", backend_name(&target)));
    }
}

#[test]
fn an_engine_with_half_inputs_and_outputs_runs() {
    // conv (FP32 weights) + relu with kHALF I/O: the builder converts at the edges (or runs
    // FP16 kernels when it may and they win).
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Half, &[1, 2, 5, 5]).unwrap();
    let w = common::random(3 * 2 * 9, 5);
    let c = add(&mut net, Convolution::of(3, vec![3, 3], Weights::from_f32(&w), None), &[x]);
    let y = add(&mut net, Activation::of(0, 0.0, 0.0), &[c]);
    output(&mut net, y, "y");
    assert_eq!(net.tensors[y].dtype, DataType::Half);
    let xs: Vec<f32> = common::random(50, 6);
    let mut xh = vec![0u8; 100];
    encode_f32(DataType::Half, &xs, &mut xh);
    let x32 = decode_f32(DataType::Half, &xh);
    // Reference: the same convolution in f64 on the half-rounded input.
    let mut reference = vec![0f32; 27];
    let conv = Convolution::of(3, vec![3, 3], Weights::from_f32(&w), None);
    nvinfer::layers::convolution::convolve(&conv.geometry(&[1, 2, 5, 5]).unwrap(), &x32, &w, None, &mut reference);
    reference.iter_mut().for_each(|v| *v = v.max(0.0));
    for fp16 in [false, true] {
        let mut config = BuilderConfig::default();
        config.set_flag(FLAG_FP16, fp16);
        for target in targets() {
            let e = engine(&net, &config, &target);
            assert_eq!(e.io_tensor(0).unwrap().dtype, DataType::Half);
            assert_eq!(e.io_tensor(1).unwrap().dtype, DataType::Half);
            let mut ctx = ExecutionContext::new(e).unwrap();
            let xb = IoBuffer::with(&xh, on_device(&target));
            let yb = IoBuffer::new(54, on_device(&target));
            ctx.set_tensor_address("x", xb.address()).unwrap();
            ctx.set_tensor_address("y", yb.address()).unwrap();
            ctx.execute().unwrap();
            let got = decode_f32(DataType::Half, &yb.read(54));
            let err = common::max_rel_err(&got, &reference);
            assert!(err <= 1e-2, "{} kFP16={fp16}: error {err}", backend_name(&target));
            common::report(&format!("HALF-IO backend={} kFP16={fp16} max_rel_err={err:.2e}", backend_name(&target)));
        }
    }
}
