//! Graph passes over the IR. Each takes the network and leaves it valid; the builder runs
//! `ir::validate` after every one.

use crate::error::{Error, Result};
use crate::ir::{Network, TensorId};
use crate::log::Reporter;
use crate::ops::{constant::Constant, elementwise, HostIn};
use crate::types::{volume, DataType};

pub type Pass = fn(&mut Network, &Reporter) -> Result<()>;

/// The graph passes, in order.
pub const GRAPH_PASSES: &[(&str, Pass)] = &[
    ("shape inference", shape_inference),
    ("type check", type_check),
    ("constant folding", fold_constants),
    ("convolution bias fusion", fuse_convolution_bias),
    ("dead layer removal", remove_dead_layers),
];

fn shape_inference(net: &mut Network, _: &Reporter) -> Result<()> {
    if net.outputs.is_empty() {
        return Err(Error::invalid_argument("the network has no outputs: mark at least one with markOutput"));
    }
    net.infer_shapes()
}

/// Both backends compute in FP32 today; other I/O types are refused here, not at run time.
fn type_check(net: &mut Network, _: &Reporter) -> Result<()> {
    for t in &net.tensors {
        if t.dtype != DataType::Float {
            return Err(Error::unsupported(format!(
                "tensor '{}' has type {:?}; only kFLOAT tensors are implemented",
                t.name.as_str(),
                t.dtype
            )));
        }
    }
    Ok(())
}

fn constant_of(net: &Network, t: TensorId) -> Option<&[f32]> {
    let (layer, _) = net.tensors[t].producer?;
    net.layers[layer].op.constant_value()
}

/// Evaluates layers whose inputs are all constants on the CPU and replaces them by constants.
fn fold_constants(net: &mut Network, reporter: &Reporter) -> Result<()> {
    for id in net.topological_order()? {
        let l = &net.layers[id];
        if l.op.constant_value().is_some() || l.inputs.is_empty() || l.outputs.len() != 1 {
            continue;
        }
        let Some(values) = l.inputs.iter().map(|&t| constant_of(net, t)).collect::<Option<Vec<_>>>() else { continue };
        let inputs: Vec<HostIn> = l.inputs.iter().zip(&values).map(|(&t, v)| HostIn { data: v, dims: &net.tensors[t].dims }).collect();
        let out_dims = net.tensors[l.outputs[0]].dims.clone();
        let mut out = vec![vec![0f32; volume(&out_dims).unwrap_or(0)]];
        l.op.run_cpu(&inputs, &mut out)?;
        reporter.verbose(&format!("constant folding: layer '{}' became a constant", l.name.as_str()));
        let out_vals = out.pop().unwrap_or_default();
        let l = &mut net.layers[id];
        l.op = Box::new(Constant::new(out_dims, out_vals));
        l.inputs.clear();
    }
    Ok(())
}

/// Folds `Convolution → ElementWise(kSUM) with a per-channel constant` into the bias.
fn fuse_convolution_bias(net: &mut Network, reporter: &Reporter) -> Result<()> {
    for add in 0..net.layers.len() {
        let l = &net.layers[add];
        if l.op.kind() != "ElementWise" || l.op.param("operation") != Some(crate::ops::Param::Ints(vec![elementwise::SUM as i64])) {
            continue;
        }
        let (a, b) = (l.inputs[0], l.inputs[1]);
        let (conv_out, bias_t) = match (constant_of(net, a), constant_of(net, b)) {
            (None, Some(_)) => (a, b),
            (Some(_), None) => (b, a),
            _ => continue,
        };
        let Some((conv, _)) = net.tensors[conv_out].producer else { continue };
        if net.layers[conv].op.kind() != "Convolution" || consumers(net, conv_out) != 1 || net.tensors[conv_out].is_output {
            continue;
        }
        let k = net.tensors[conv_out].dims[1];
        let bias_dims = &net.tensors[bias_t].dims;
        // The constant must add one value per channel: [1,K,1,1].
        if bias_dims.len() != 4 || bias_dims[1] != k || bias_dims.iter().enumerate().any(|(i, &d)| i != 1 && d != 1) {
            continue;
        }
        let add_bias = constant_of(net, bias_t).unwrap_or_default().to_vec();
        let old = match net.layers[conv].op.param("bias_weights") {
            Some(crate::ops::Param::Weights(w)) if !w.is_empty() => w,
            _ => vec![0.0; k as usize],
        };
        let fused: Vec<f32> = old.iter().zip(&add_bias).map(|(x, y)| x + y).collect();
        net.layers[conv].op.set_param("bias_weights", crate::ops::Param::Weights(fused))?;
        // The convolution now writes the sum's tensor; the sum layer is left without consumers.
        let sum_out = net.layers[add].outputs[0];
        net.layers[conv].outputs[0] = sum_out;
        net.tensors[sum_out].producer = Some((conv, 0));
        net.layers[add].outputs[0] = conv_out;
        net.tensors[conv_out].producer = Some((add, 0));
        net.layers[add].inputs = vec![sum_out, bias_t];
        reporter.verbose(&format!(
            "fusion: '{}' folded into the bias of '{}'",
            net.layers[add].name.as_str(),
            net.layers[conv].name.as_str()
        ));
        mark_dead(net, add);
    }
    Ok(())
}

fn consumers(net: &Network, t: TensorId) -> usize {
    net.layers.iter().map(|l| l.inputs.iter().filter(|&&i| i == t).count()).sum()
}

/// Cuts a layer out of the graph; `remove_dead_layers` deletes it.
fn mark_dead(net: &mut Network, layer: usize) {
    net.layers[layer].inputs.clear();
    let c = Constant::new(vec![0], vec![]);
    net.layers[layer].op = Box::new(c);
    let out = net.layers[layer].outputs[0];
    net.tensors[out].dims = vec![0];
}

/// Removes layers that no network output depends on, and renumbers tensors.
fn remove_dead_layers(net: &mut Network, reporter: &Reporter) -> Result<()> {
    let mut live_t = vec![false; net.tensors.len()];
    for &t in net.outputs.iter().chain(&net.inputs) {
        live_t[t] = true;
    }
    let mut live_l = vec![false; net.layers.len()];
    for id in net.topological_order()?.into_iter().rev() {
        let l = &net.layers[id];
        if l.outputs.iter().any(|&o| live_t[o]) {
            live_l[id] = true;
            for &t in l.inputs.iter().chain(&l.outputs) {
                live_t[t] = true;
            }
        }
    }
    let removed = live_l.iter().filter(|&&x| !x).count();
    if removed == 0 {
        return Ok(());
    }
    reporter.verbose(&format!("dead layer removal: {removed} layer(s) removed"));
    let (tensor_map, layer_map) = (renumber(&live_t), renumber(&live_l));
    let old = std::mem::take(net);
    let remap = |t: &usize| tensor_map[*t].expect("live layers use live tensors");
    for (id, t) in old.tensors.into_iter().enumerate() {
        if tensor_map[id].is_some() {
            let mut t = t;
            t.producer = t.producer.map(|(l, i)| (layer_map[l].expect("a live tensor has a live producer"), i));
            net.tensors.push(t);
        }
    }
    for (id, mut l) in old.layers.into_iter().enumerate() {
        if live_l[id] {
            l.inputs = l.inputs.iter().map(remap).collect();
            l.outputs = l.outputs.iter().map(remap).collect();
            net.layers.push(l);
        }
    }
    net.inputs = old.inputs.iter().map(remap).collect();
    net.outputs = old.outputs.iter().map(remap).collect();
    Ok(())
}

/// New indices for the kept entries of `keep`, in order; None for removed ones.
fn renumber(keep: &[bool]) -> Vec<Option<usize>> {
    let mut next = 0;
    keep.iter()
        .map(|&k| {
            k.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}
