//! The Network Definition API (IR) and the builder passes, checked through built plans:
//! errors with messages, cycle detection, topological order, constant folding, conv+bias
//! fusion (outputs unchanged), dead layer removal, and the memory planner.

mod common;

use nvinfer::engine::analysis::Step;
use nvinfer::engine::{EngineDesc, Storage};
use nvinfer::host::{HostBuffer, TensorIn, TensorOut};
use nvinfer::ir::{Network, TensorId};
use nvinfer::layers::elementwise::SUM;
use nvinfer::layers::generated::{Activation, Constant, Convolution, Deconvolution, ElementWise, Resize, Shuffle};
use nvinfer::layers::{CpuCx, Layer, Param};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{byte_size, DataType};
use nvinfer::weights::Weights;
use std::sync::Arc;

fn relu() -> Box<dyn Layer> {
    Box::new(Activation::of(0, 0.0, 0.0))
}

fn act(kind: i32) -> Box<dyn Layer> {
    Box::new(Activation::of(kind, 0.0, 0.0))
}

fn constant(dims: Vec<i64>, values: &[f32]) -> Box<dyn Layer> {
    Box::new(Constant::of(dims, Weights::from_f32(values)))
}

fn out(net: &Network, layer: usize) -> TensorId {
    net.layers[layer].outputs[0]
}

fn engine_of(net: &Network) -> Engine {
    let plan = common::cpu_plan(net).unwrap_or_else(|e| panic!("build: {}", e.message));
    Engine::deserialize(&plan).unwrap_or_else(|e| panic!("deserialize: {}", e.message))
}

fn build_err(net: &Network) -> String {
    match common::cpu_plan(net) {
        Ok(_) => panic!("the build should fail"),
        Err(e) => e.message,
    }
}

/// Runs every layer of a static-shaped network in topological order with the layers' CPU
/// references, with no builder pass involved. Returns each tensor's values as f32.
fn reference_run(net: &mut Network, inputs: &[(TensorId, &[f32])]) -> Vec<Vec<f32>> {
    net.infer_shapes().unwrap();
    let dims: Vec<Vec<i64>> = (0..net.tensors.len()).map(|t| net.known_dims(t)).collect();
    let mut bufs: Vec<HostBuffer> =
        (0..net.tensors.len()).map(|t| HostBuffer::new(byte_size(&dims[t], net.tensors[t].dtype).unwrap()).unwrap()).collect();
    for (t, v) in inputs {
        bufs[*t].bytes_mut().copy_from_slice(bytemuck::cast_slice(v));
    }
    for id in net.topological_order().unwrap() {
        let l = &net.layers[id];
        let mut outs: Vec<HostBuffer> = l.outputs.iter().map(|&o| std::mem::replace(&mut bufs[o], HostBuffer::new(0).unwrap())).collect();
        {
            let ins: Vec<Option<TensorIn>> = l
                .inputs
                .iter()
                .map(|i| i.map(|i| TensorIn { dtype: net.tensors[i].dtype, dims: &dims[i], bytes: bufs[i].bytes() }))
                .collect();
            let mut o: Vec<TensorOut> = l
                .outputs
                .iter()
                .zip(outs.iter_mut())
                .map(|(&t, b)| TensorOut { dtype: net.tensors[t].dtype, dims: &dims[t], bytes: b.bytes_mut() })
                .collect();
            l.op.run_cpu(&mut CpuCx::default(), &ins, &mut o).unwrap();
        }
        for (&o, b) in l.outputs.iter().zip(outs) {
            bufs[o] = b;
        }
    }
    bufs.iter().zip(&net.tensors).map(|(b, t)| nvinfer::host::decode_f32(t.dtype, b.bytes())).collect()
}

fn kinds(desc: &EngineDesc) -> Vec<&'static str> {
    desc.layers.iter().map(|l| l.op.kind().name()).collect()
}

// ---------------------------------------------------------------- Network API

#[test]
fn add_input_checks_names_and_dims() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 3]).unwrap();
    assert!(net.tensors[x].is_input);
    let e = net.add_input("x", DataType::Float, &[2]).unwrap_err();
    assert!(e.message.contains("already has an input named 'x'"), "{}", e.message);
    assert!(net.add_input("", DataType::Float, &[2]).unwrap_err().message.contains("name"));
    assert!(net.add_input("neg", DataType::Float, &[2, -2]).is_err());
    assert!(net.add_input("deep", DataType::Float, &[1; 9]).unwrap_err().message.contains('8'));
    assert_eq!(net.inputs, vec![x], "failed calls add nothing");
    assert_eq!(net.tensors.len(), 1);
}

#[test]
fn add_layer_checks_input_count_and_parameters() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[2, 3]).unwrap();
    let e = net.add_layer(Box::new(ElementWise::of(SUM)), &[x]).unwrap_err();
    assert!(e.message.contains("ElementWise") && e.message.contains("got 1"), "{}", e.message);
    assert!(net.add_layer(constant(vec![1], &[1.0]), &[x]).is_err());
    assert!(net.add_layer(relu(), &[]).is_err());
    assert!(net.add_layer(relu(), &[x, x]).is_err());
    assert!(net.add_layer(relu(), &[42]).unwrap_err().message.contains("42"));
    // Bad parameters are reported when the layer is added, and the layer is not kept.
    let e = net.add_layer(Box::new(Shuffle::reshape_to(vec![4, 4])), &[x]).unwrap_err();
    assert!(e.message.contains("reshape"), "{}", e.message);
    assert!(net.layers.is_empty());
    assert_eq!(net.tensors.len(), 1, "a refused layer leaves no tensor behind");
    // A good one works and infers its output shape.
    let l = net.add_layer(Box::new(Shuffle::reshape_to(vec![3, 2])), &[x]).unwrap();
    assert_eq!(net.known_dims(out(&net, l)), vec![3, 2]);
    assert!(!net.tensors[out(&net, l)].is_input);
    assert_eq!(net.tensors[out(&net, l)].producer, Some((l, 0)));
}

/// A layer added as the C API adds one: parameters set after, then finished.
fn add_then_configure(net: &mut Network, op: Box<dyn Layer>, inputs: &[TensorId]) -> nvinfer::Result<usize> {
    let id = net.add_layer_deferred(op, inputs)?;
    net.finish_last_layer()?;
    Ok(id)
}

#[test]
fn parameters_set_after_the_add_may_complete_a_layer() {
    // Programs add a depthwise convolution with its [K, C / groups, 3, 3] kernel and call
    // setNbGroups after (a deconvolution likewise, with [C, K / groups, 3, 3]); a resize
    // gets its scales after addResize. None of these is refused when added.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 4, 5, 5]).unwrap();
    let w: Vec<f32> = (0..36).map(|i| i as f32 / 36.0).collect();
    let depthwise = || Box::new(Convolution::of(4, vec![3, 3], Weights::from_f32(&w), None));
    // Final parameters (add_layer, as importers add layers) are checked at once.
    assert!(net.add_layer(depthwise(), &[x]).unwrap_err().message.contains("36 values"));
    assert!(net.layers.is_empty());
    let conv = add_then_configure(&mut net, depthwise(), &[x]).unwrap();
    let e = net.infer_shapes().unwrap_err();
    assert!(e.message.contains("36 values") && e.message.contains("[4,4,3,3]"), "invalid until setNbGroups: {}", e.message);
    assert!(build_err(&net).contains("36 values"));
    net.layer_mut(conv).unwrap().op.set_param("groups", Param::Ints(vec![4])).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(out(&net, conv)), vec![1, 4, 3, 3]);
    let deconv = add_then_configure(&mut net, Box::new(Deconvolution::of(4, vec![3, 3], Weights::from_f32(&w), None)), &[x]).unwrap();
    assert!(net.infer_shapes().is_err());
    net.layer_mut(deconv).unwrap().op.set_param("groups", Param::Ints(vec![4])).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(out(&net, deconv)), vec![1, 4, 7, 7]);
    let resize = add_then_configure(&mut net, Box::new(Resize::new()), &[x]).unwrap();
    let e = net.infer_shapes().unwrap_err();
    assert!(e.message.contains("scales"), "{}", e.message);
    net.layer_mut(resize).unwrap().op.set_param("scales", Param::Weights(Weights::from_f32(&[1.0, 1.0, 2.0, 2.0]))).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(out(&net, resize)), vec![1, 4, 10, 10]);
    // The depthwise convolution computes one 3x3 window per channel.
    net.mark_output(out(&net, conv)).unwrap();
    let xs: Vec<f32> = (0..100).map(|i| (i % 7) as f32 - 3.0).collect();
    let vals = reference_run(&mut net, &[(x, &xs)]);
    let y = &vals[out(&net, conv)];
    for c in 0..4 {
        let want: f32 = (0..9).map(|k| w[c * 9 + k] * xs[c * 25 + (k / 3) * 5 + k % 3]).sum();
        assert!((y[c * 9] - want).abs() < 1e-5, "channel {c}: {} vs {want}", y[c * 9]);
    }
    // A count that no group count fits, or other bad parameters, are still refused at once.
    let layers = net.layers.len();
    let conv_with = |maps: i64, count: usize, bias: Option<&[f32]>| {
        Box::new(Convolution::of(maps, vec![3, 3], Weights::from_f32(&w[..count]), bias.map(Weights::from_f32)))
    };
    assert!(add_then_configure(&mut net, conv_with(4, 35, None), &[x]).is_err());
    assert!(add_then_configure(&mut net, conv_with(3, 27, None), &[x]).is_err(), "no group count divides 4 channels and 3 maps");
    assert!(add_then_configure(&mut net, conv_with(4, 36, Some(&[0.0; 3])), &[x]).is_err(), "3 biases");
    assert_eq!(net.layers.len(), layers, "refused layers leave nothing behind");
}

#[test]
fn mark_and_unmark_outputs() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let l = net.add_layer(relu(), &[x]).unwrap();
    let y = out(&net, l);
    net.mark_output(y).unwrap();
    net.mark_output(y).unwrap();
    assert_eq!(net.outputs, vec![y], "marking twice keeps one output");
    assert!(net.tensors[y].is_output);
    assert!(net.mark_output(99).is_err());
    net.unmark_output(y).unwrap();
    assert!(net.outputs.is_empty() && !net.tensors[y].is_output);
    let e = build_err(&net);
    assert!(e.contains("no outputs"), "{e}");
}

#[test]
fn a_cycle_made_with_set_layer_input_is_detected() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let a = net.add_layer(relu(), &[x]).unwrap();
    let b = net.add_layer(act(1), &[out(&net, a)]).unwrap();
    net.mark_output(out(&net, b)).unwrap();
    assert!(net.set_layer_input(a, 1, x).is_err(), "relu has one input");
    assert!(net.set_layer_input(a, 0, 77).is_err(), "no tensor 77");
    assert!(net.set_layer_input(9, 0, x).is_err(), "no layer 9");
    // a reads b's output, b reads a's: a cycle.
    net.set_layer_input(a, 0, out(&net, b)).unwrap();
    let e = net.topological_order().unwrap_err();
    assert!(e.message.contains("cycle"), "{}", e.message);
    assert!(nvinfer::ir::validate::validate(&net).is_err());
    assert!(net.infer_shapes().is_err());
    let e = build_err(&net);
    assert!(e.contains("cycle"), "{e}");
    // Undo it: the network builds again.
    net.set_layer_input(a, 0, x).unwrap();
    engine_of(&net);
}

#[test]
fn topological_order_puts_producers_first() {
    // Layer 0 is rewired to read layer 1's output, so layer 1 must run first.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let l0 = net.add_layer(relu(), &[x]).unwrap();
    let l1 = net.add_layer(act(1), &[x]).unwrap();
    net.set_layer_input(l0, 0, out(&net, l1)).unwrap();
    net.mark_output(out(&net, l0)).unwrap();
    assert_eq!(net.topological_order().unwrap(), vec![l1, l0]);
    let engine = engine_of(&net);
    let types: Vec<Option<Param>> = engine.desc.layers.iter().map(|l| l.op.param("activation_type")).collect();
    assert_eq!(types, vec![Some(Param::Ints(vec![1])), Some(Param::Ints(vec![0]))], "sigmoid, then relu");
    // relu(sigmoid(x)) = sigmoid(x) > 0 everywhere.
    let xs = common::random(4, 1);
    let mut y = vec![0f32; 4];
    let mut ctx = ExecutionContext::new(Arc::new(engine)).unwrap();
    common::run_cpu_context(&mut ctx, &[("x", &xs)], &mut [(net.tensors[out(&net, l0)].name.as_str(), &mut y)]);
    let expected: Vec<f32> = xs.iter().map(|v| 1.0 / (1.0 + (-v).exp())).collect();
    common::assert_close(&y, &expected, 1e-6, "relu(sigmoid(x))");
    // A longer chain added in reverse dependency order.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let ids: Vec<usize> = (0..5).map(|_| net.add_layer(relu(), &[x]).unwrap()).collect();
    for w in ids.windows(2) {
        // layer w[0] reads the output of layer w[1]: the order must be 4,3,2,1,0.
        let src = out(&net, w[1]);
        net.set_layer_input(w[0], 0, src).unwrap();
    }
    assert_eq!(net.topological_order().unwrap(), vec![4, 3, 2, 1, 0]);
}

// ---------------------------------------------------------------- builder passes

#[test]
fn constant_folding_turns_constant_then_shuffle_into_one_constant() {
    // y = x + transpose(C): C[3,2] → Shuffle[1,0] → [2,3] is computed at build time.
    let c = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // [[1,2],[3,4],[5,6]]; transposed [[1,3,5],[2,4,6]]
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[2, 3]).unwrap();
    let lc = net.add_layer(constant(vec![3, 2], &c), &[]).unwrap();
    let lt = net.add_layer(Box::new(Shuffle::transpose(vec![1, 0])), &[out(&net, lc)]).unwrap();
    let ls = net.add_layer(Box::new(ElementWise::of(SUM)), &[x, out(&net, lt)]).unwrap();
    net.set_tensor_name(out(&net, ls), "y").unwrap();
    net.mark_output(out(&net, ls)).unwrap();
    assert_eq!(net.layers.len(), 3);

    let engine = engine_of(&net);
    assert_eq!(kinds(&engine.desc), vec!["Constant", "ElementWise"], "the shuffle was folded and the original constant removed");
    let (_, folded) = engine.desc.layers[0].op.constant().unwrap();
    assert_eq!(folded.to_f32().unwrap(), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    assert_eq!(engine.desc.tensors[engine.desc.layers[0].outputs[0]].dims, vec![2, 3]);
    assert_eq!(engine.desc.tensors.len(), 3, "x, the folded constant, y");

    let xs = common::random(6, 2);
    let mut y = vec![0f32; 6];
    let mut ctx = ExecutionContext::new(Arc::new(engine)).unwrap();
    common::run_cpu_context(&mut ctx, &[("x", &xs)], &mut [("y", &mut y)]);
    let expected: Vec<f32> = xs.iter().zip([1.0, 3.0, 5.0, 2.0, 4.0, 6.0]).map(|(a, b)| a + b).collect();
    common::assert_close(&y, &expected, 0.0, "x + Cᵀ");
}

#[test]
fn a_network_of_constants_folds_to_one_layer_and_runs() {
    // No inputs at all: relu(reshape(C)) is a constant output.
    let mut net = Network::new();
    let lc = net.add_layer(constant(vec![4], &[-1.0, 2.0, -3.0, 4.0]), &[]).unwrap();
    let lr = net.add_layer(Box::new(Shuffle::reshape_to(vec![2, 2])), &[out(&net, lc)]).unwrap();
    let la = net.add_layer(relu(), &[out(&net, lr)]).unwrap();
    net.set_tensor_name(out(&net, la), "y").unwrap();
    net.mark_output(out(&net, la)).unwrap();
    let engine = engine_of(&net);
    assert_eq!(kinds(&engine.desc), vec!["Constant"]);
    assert_eq!(engine.nb_io(), 1);
    let mut ctx = ExecutionContext::new(Arc::new(engine)).unwrap();
    let mut y = vec![0f32; 4];
    common::run_cpu_context(&mut ctx, &[], &mut [("y", &mut y)]);
    assert_eq!(y, vec![0.0, 2.0, 0.0, 4.0]);
}

#[test]
fn conv_bias_fusion_keeps_mnist_outputs() {
    let mut net = common::mnist_network();
    let convs = net.layers.iter().filter(|l| l.op.kind().name() == "Convolution").count();
    assert!(convs >= 2, "MNIST has two convolutions");
    // In the parsed network each convolution feeds an Add of a per-channel constant.
    let conv_then_add = |net_layers: &[(&'static str, Vec<Option<usize>>, Vec<usize>)]| {
        net_layers
            .iter()
            .filter(|(k, ins, _)| {
                *k == "ElementWise"
                    && ins.iter().flatten().any(|&t| net_layers.iter().any(|(k2, _, outs)| *k2 == "Convolution" && outs.contains(&t)))
            })
            .count()
    };
    let parsed: Vec<_> = net.layers.iter().map(|l| (l.op.kind().name(), l.inputs.clone(), l.outputs.clone())).collect();
    assert_eq!(conv_then_add(&parsed), convs, "the ONNX model adds each bias separately");

    let engine = Arc::new(engine_of(&net));
    let built: Vec<_> = engine.desc.layers.iter().map(|l| (l.op.kind().name(), l.inputs.clone(), l.outputs.clone())).collect();
    assert_eq!(conv_then_add(&built), 0, "every bias add was fused: {:?}", kinds(&engine.desc));
    assert!(engine.desc.layers.len() < net.layers.len(), "{} layers built from {}", engine.desc.layers.len(), net.layers.len());
    let fused_biases = engine
        .desc
        .layers
        .iter()
        .filter(|l| l.op.kind().name() == "Convolution")
        .filter(|l| matches!(l.op.param("bias_weights"), Some(Param::Weights(w)) if !w.is_empty()))
        .count();
    assert_eq!(fused_biases, convs);

    // Outputs equal an unfused run of the parsed network through the ops' CPU references.
    // Tolerance: max relative error 1e-5 (the bias is added first instead of last).
    let input = net.inputs[0];
    let output = net.outputs[0];
    let mut ctx = ExecutionContext::new(engine).unwrap();
    for d in 0..10 {
        let x = common::read_digit(d);
        let reference = reference_run(&mut net, &[(input, &x)]);
        let mut y = vec![0f32; 10];
        common::run_cpu_context(&mut ctx, &[(common::MNIST_INPUT, &x)], &mut [(common::MNIST_OUTPUT, &mut y)]);
        let err = common::max_rel_err(&y, &reference[output]);
        assert!(err <= 1e-5, "digit {d}: max relative error {err}\nfused   {y:?}\nunfused {:?}", reference[output]);
        assert_eq!(common::argmax(&y), d);
    }
}

#[test]
fn fusion_is_skipped_when_the_convolution_output_is_also_used_elsewhere() {
    // conv → (add bias) → y1 and conv → relu → y2: the add must stay a separate layer.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 2, 3, 3]).unwrap();
    let conv = Convolution::of(2, vec![1, 1], Weights::from_f32(&common::random(4, 3)), None);
    let lc = net.add_layer(Box::new(conv), &[x]).unwrap();
    let lb = net.add_layer(constant(vec![1, 2, 1, 1], &[0.5, -0.5]), &[]).unwrap();
    let la = net.add_layer(Box::new(ElementWise::of(SUM)), &[out(&net, lc), out(&net, lb)]).unwrap();
    let lr = net.add_layer(relu(), &[out(&net, lc)]).unwrap();
    net.set_tensor_name(out(&net, la), "y1").unwrap();
    net.set_tensor_name(out(&net, lr), "y2").unwrap();
    net.mark_output(out(&net, la)).unwrap();
    net.mark_output(out(&net, lr)).unwrap();
    let engine = engine_of(&net);
    assert!(kinds(&engine.desc).contains(&"ElementWise"), "{:?}", kinds(&engine.desc));
    let xs = common::random(18, 4);
    let reference = reference_run(&mut net, &[(x, &xs)]);
    let (mut y1, mut y2) = (vec![0f32; 18], vec![0f32; 18]);
    let mut ctx = ExecutionContext::new(Arc::new(engine)).unwrap();
    common::run_cpu_context(&mut ctx, &[("x", &xs)], &mut [("y1", &mut y1), ("y2", &mut y2)]);
    assert_eq!(y1, reference[out(&net, la)]);
    assert_eq!(y2, reference[out(&net, lr)]);
}

#[test]
fn dead_layers_are_removed() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[8]).unwrap();
    let a = net.add_layer(relu(), &[x]).unwrap();
    let b = net.add_layer(act(1), &[x]).unwrap(); // unused
    let c = net.add_layer(act(2), &[x]).unwrap(); // unused chain c → d
    net.add_layer(relu(), &[out(&net, c)]).unwrap();
    let _ = b;
    net.set_tensor_name(out(&net, a), "y").unwrap();
    net.mark_output(out(&net, a)).unwrap();
    let engine = engine_of(&net);
    assert_eq!(engine.desc.layers.len(), 1, "{:?}", kinds(&engine.desc));
    assert_eq!(engine.desc.layers[0].op.param("activation_type"), Some(Param::Ints(vec![0])));
    let names: Vec<&str> = engine.desc.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["x", "y"]);
    // Tensor indices were renumbered consistently.
    assert_eq!(engine.desc.layers[0].inputs, vec![Some(0)]);
    assert_eq!(engine.desc.layers[0].outputs, vec![1]);
    assert_eq!(engine.desc.io, vec![0, 1]);
    // An unused network input stays (it is part of the engine's interface).
    let mut net2 = net.clone();
    net2.add_input("unused", DataType::Float, &[3]).unwrap();
    let e2 = engine_of(&net2);
    assert_eq!(e2.nb_io(), 3);
    assert_eq!(e2.desc.layers.len(), 1);
}

// ---------------------------------------------------------------- memory planning

/// Per arena tensor: (first step, last step, offset, bytes, name), from the engine's analysis.
fn live_ranges(engine: &Engine) -> Vec<(usize, usize, u64, u64, String)> {
    let (desc, a) = (&engine.desc, &engine.analysis);
    let n = desc.tensors.len();
    let (mut first, mut last) = (vec![usize::MAX; n], vec![0usize; n]);
    for (step, l) in desc.layers.iter().enumerate() {
        if a.steps[step] != Step::Run {
            continue;
        }
        for &o in &l.outputs {
            first[o] = first[o].min(step);
            last[o] = last[o].max(step);
        }
        for &i in l.inputs.iter().flatten() {
            last[i] = last[i].max(step);
        }
    }
    (0..n)
        .filter_map(|t| match a.tensors[t].storage {
            Storage::Arena(off) => {
                let tt = &desc.tensors[t];
                let bytes = byte_size(&tt.dims, tt.dtype).unwrap() as u64;
                Some((first[t], last[t], off, bytes, tt.name.clone()))
            }
            _ => None,
        })
        .collect()
}

fn assert_no_live_overlap(engine: &Engine) -> u64 {
    let ranges = live_ranges(engine);
    let arena = engine.analysis.arena_bytes;
    for (i, a) in ranges.iter().enumerate() {
        assert!(a.0 != usize::MAX, "intermediate '{}' is never produced", a.4);
        assert!(a.2 + a.3 <= arena, "'{}' ends at {} past the arena of {arena}", a.4, a.2 + a.3);
        for b in &ranges[i + 1..] {
            let alive_together = a.0 <= b.1 && b.0 <= a.1;
            let share_bytes = a.2 < b.2 + b.3 && b.2 < a.2 + a.3;
            assert!(!(alive_together && share_bytes), "'{}' {:?} and '{}' {:?} overlap", a.4, a, b.4, b);
        }
    }
    ranges.iter().map(|r| r.3).sum()
}

#[test]
fn memory_plan_of_mnist_never_overlaps_live_tensors_and_reuses_memory() {
    let engine = engine_of(&common::mnist_network());
    let total = assert_no_live_overlap(&engine);
    assert!(live_ranges(&engine).len() >= 3, "MNIST has several intermediates");
    let arena = engine.analysis.arena_bytes;
    assert!(arena > 0);
    assert!(arena < total, "arena {arena} should be smaller than the {total} bytes of all intermediates");
    // The loader derives the plan: analysing the description again gives the same layout.
    let again = nvinfer::engine::analysis::analyze(&engine.desc).unwrap();
    assert_eq!(again.arena_bytes, arena);
    for (a, b) in again.tensors.iter().zip(&engine.analysis.tensors) {
        assert_eq!(a.storage, b.storage);
    }
}

#[test]
fn memory_plan_of_a_chain_needs_two_blocks() {
    // x → relu → t1 → relu → t2 → relu → t3 → relu → y, each [1,1024] (4096 bytes):
    // t1 is dead when t3 is written, so two blocks suffice.
    let mut net = Network::new();
    let mut t = net.add_input("x", DataType::Float, &[1, 1024]).unwrap();
    for _ in 0..4 {
        let l = net.add_layer(relu(), &[t]).unwrap();
        t = out(&net, l);
    }
    net.set_tensor_name(t, "y").unwrap();
    net.mark_output(t).unwrap();
    let engine = engine_of(&net);
    assert_no_live_overlap(&engine);
    assert_eq!(engine.analysis.arena_bytes, 2 * 4096);
    // A diamond: x → a, x → b, a + b → y: a and b are alive together.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 1000]).unwrap();
    let a = net.add_layer(relu(), &[x]).unwrap();
    let b = net.add_layer(act(1), &[x]).unwrap();
    let s = net.add_layer(Box::new(ElementWise::of(SUM)), &[out(&net, a), out(&net, b)]).unwrap();
    net.mark_output(out(&net, s)).unwrap();
    let engine = engine_of(&net);
    assert_no_live_overlap(&engine);
    assert_eq!(engine.analysis.arena_bytes, 2 * 4096, "two blocks of 4000 bytes rounded up to 256");
}

// ---------------------------------------------------------------- build errors

#[test]
fn a_network_without_outputs_does_not_build() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    net.add_layer(relu(), &[x]).unwrap();
    let e = build_err(&net);
    assert!(e.contains("no outputs") && e.contains("markOutput"), "{e}");
}

#[test]
fn a_dynamic_input_does_not_build() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[-1, 4]).unwrap();
    let l = net.add_layer(relu(), &[x]).unwrap();
    assert_eq!(net.known_dims(out(&net, l)), vec![-1, 4], "-1 propagates");
    net.mark_output(out(&net, l)).unwrap();
    let e = build_err(&net);
    assert!(e.contains("optimization profile"), "{e}");
    assert!(e.contains("'x'") && e.contains("[-1,4]"), "{e}");
}

#[test]
fn other_build_errors_have_messages() {
    // A type the layer does not take is refused when the layer is added.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Int32, &[4]).unwrap();
    let e = net.add_layer(relu(), &[x]).unwrap_err();
    assert!(e.message.contains("kINT32") && e.message.contains("kFLOAT"), "{}", e.message);
    // An input that is also an output.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    net.mark_output(x).unwrap();
    assert!(build_err(&net).contains("both"));
    // Two outputs with one name.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let a = net.add_layer(relu(), &[x]).unwrap();
    let b = net.add_layer(act(1), &[x]).unwrap();
    net.set_tensor_name(out(&net, a), "same").unwrap();
    net.set_tensor_name(out(&net, b), "same").unwrap();
    net.mark_output(out(&net, a)).unwrap();
    net.mark_output(out(&net, b)).unwrap();
    assert!(build_err(&net).contains("'same'"));
    // INT8 is not implemented.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[4]).unwrap();
    let l = net.add_layer(relu(), &[x]).unwrap();
    net.mark_output(out(&net, l)).unwrap();
    let mut config = nvinfer::builder::config::BuilderConfig::default();
    config.set_flag(nvinfer::builder::config::FLAG_INT8, true);
    let e = nvinfer::builder::build_for(&net, &config, &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_err();
    assert!(e.message.contains("INT8"), "{}", e.message);
}

#[test]
fn the_builder_does_not_change_the_network_it_is_given() {
    let net = common::mnist_network();
    let before: Vec<(String, Vec<Option<usize>>, Vec<usize>)> =
        net.layers.iter().map(|l| (l.name.as_str().to_string(), l.inputs.clone(), l.outputs.clone())).collect();
    let dims: Vec<Vec<i64>> = (0..net.tensors.len()).map(|t| net.known_dims(t)).collect();
    engine_of(&net);
    let after: Vec<(String, Vec<Option<usize>>, Vec<usize>)> =
        net.layers.iter().map(|l| (l.name.as_str().to_string(), l.inputs.clone(), l.outputs.clone())).collect();
    assert_eq!(before, after);
    assert_eq!(dims, (0..net.tensors.len()).map(|t| net.known_dims(t)).collect::<Vec<_>>());
    // And building twice gives the same plan bytes.
    assert_eq!(common::cpu_plan(&net).unwrap(), common::cpu_plan(&net).unwrap());
}

#[test]
fn changing_input_dims_reinfers_shapes() {
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[1, 4]).unwrap();
    let l = net.add_layer(Box::new(Shuffle::transpose(vec![1, 0])), &[x]).unwrap();
    let y = out(&net, l);
    net.mark_output(y).unwrap();
    assert_eq!(net.known_dims(y), vec![4, 1]);
    assert!(net.set_input_dims(y, &[1, 1]).unwrap_err().message.contains("network inputs"));
    net.set_input_dims(x, &[3, 5]).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(y), vec![5, 3]);
    // The builder re-infers too (it works on a copy).
    net.set_input_dims(x, &[2, 6]).unwrap();
    let engine = engine_of(&net);
    let oy = *engine.desc.io.last().unwrap();
    assert_eq!(engine.desc.tensors[oy].dims, vec![6, 2]);
    // Dims that no longer fit a layer's parameters fail the build with the layer named.
    let mut net = Network::new();
    let x = net.add_input("x", DataType::Float, &[2, 3]).unwrap();
    let l = net.add_layer(Box::new(Shuffle::reshape_to(vec![6])), &[x]).unwrap();
    net.mark_output(out(&net, l)).unwrap();
    net.set_input_dims(x, &[2, 4]).unwrap();
    let e = build_err(&net);
    assert!(e.contains(net.layers[l].name.as_str()) && e.contains("reshape"), "{e}");
}
