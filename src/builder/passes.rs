//! Graph passes over the network IR. Each leaves the network valid; the builder runs
//! `ir::validate` after every one.

use crate::error::{Error, Result};
use crate::host::{HostBuffer, TensorIn, TensorOut};
use crate::ir::{Network, TensorId};
use crate::layers::generated::{Constant, Convolution, ElementWise};
use crate::layers::{elementwise, CpuCx, Kind};
use crate::log::Reporter;
use crate::types::byte_size;
use crate::weights::Weights;

pub type Pass = fn(&mut Network, &Reporter) -> Result<()>;

/// The graph passes, in order.
pub const GRAPH_PASSES: &[(&str, Pass)] = &[
    ("constant folding", fold_constants),
    ("build-time constant inputs", check_constant_inputs),
    ("constant inputs become parameters", absorb_constant_inputs),
    ("convolution bias fusion", fuse_convolution_bias),
    ("dead layer removal", remove_dead_layers),
];

/// Results of folding larger than this stay computed at run time.
const FOLD_LIMIT_BYTES: usize = 64 << 20;

/// The dims and values of a tensor produced by a constant layer.
fn constant_of(net: &Network, t: TensorId) -> Option<(&[i64], &Weights)> {
    let (layer, _) = net.tensors[t].producer?;
    net.layers[layer].op.constant()
}

/// Hands build-time constant inputs to the layers that take them as parameters (a
/// convolution's kernel and bias tensors become its weights), so backends see one form.
fn absorb_constant_inputs(net: &mut Network, reporter: &Reporter) -> Result<()> {
    let mut absorbed = vec![];
    for id in 0..net.layers.len() {
        for &slot in net.layers[id].op.constant_inputs() {
            let Some(Some(t)) = net.layers[id].inputs.get(slot).copied() else { continue };
            let Some((_, weights)) = constant_of(net, t) else { continue };
            let weights = weights.clone();
            if net.layers[id].op.absorb_constant_input(slot, &weights) {
                absorbed.push((id, slot));
            }
        }
    }
    for &(id, slot) in &absorbed {
        net.clear_layer_input(id, slot)?;
        reporter.verbose(&format!("layer '{}': constant input {slot} became a parameter", net.layers[id].name.as_str()));
    }
    if !absorbed.is_empty() {
        net.rebuild()?;
    }
    Ok(())
}

/// Evaluates layers whose inputs are all constants on the CPU and makes them constants.
fn fold_constants(net: &mut Network, reporter: &Reporter) -> Result<()> {
    let mut changed = false;
    for id in net.topological_order()? {
        let l = &net.layers[id];
        if l.op.constant().is_some() || l.inputs.is_empty() || l.outputs.len() != 1 {
            continue;
        }
        let Some(values) = l.inputs.iter().map(|t| t.and_then(|t| constant_of(net, t).map(|c| (t, c)))).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let out = l.outputs[0];
        let Some(dims) = net.shapes.known(&net.tensors[out].dims).into_iter().map(|d| (d >= 0).then_some(d)).collect::<Option<Vec<i64>>>()
        else {
            continue;
        };
        let dtype = net.tensors[out].dtype;
        let Some(bytes) = byte_size(&dims, dtype).filter(|&b| b <= FOLD_LIMIT_BYTES) else { continue };
        // Aligned copies of the inputs, as the CPU backend gives layers.
        let buffers = values.iter().map(|(_, (_, w))| HostBuffer::from_bytes(&w.values)).collect::<Result<Vec<_>>>()?;
        let inputs: Vec<Option<TensorIn>> = values
            .iter()
            .zip(&buffers)
            .map(|((t, (d, _)), b)| Some(TensorIn { dtype: net.tensors[*t].dtype, dims: d, bytes: b.bytes() }))
            .collect();
        let mut result = HostBuffer::new(bytes)?;
        let mut outputs = [TensorOut { dtype, dims: &dims, bytes: result.bytes_mut() }];
        if let Err(e) = l.op.run_cpu(&mut CpuCx::default(), &inputs, &mut outputs) {
            reporter.verbose(&format!("constant folding: layer '{}' left as it is: {e}", l.name.as_str()));
            continue;
        }
        reporter.verbose(&format!("constant folding: layer '{}' became a constant", l.name.as_str()));
        let weights = Weights::from_bytes(dtype, result.bytes())?;
        let l = &mut net.layers[id];
        l.op = Box::new(Constant::of(dims, weights));
        l.inputs.clear();
        l.output_types = vec![None];
        changed = true;
    }
    if changed {
        net.rebuild()?;
    }
    Ok(())
}

/// Refuses a layer whose inputs that must be build-time constants (Layer::constant_inputs)
/// are not produced by constant layers, and lets the layer check their values.
fn check_constant_inputs(net: &mut Network, _reporter: &Reporter) -> Result<()> {
    for l in &net.layers {
        let wanted = l.op.constant_inputs();
        if wanted.is_empty() {
            continue;
        }
        let mut values = Vec::with_capacity(wanted.len());
        for &i in wanted {
            match l.inputs.get(i).copied().flatten() {
                None => values.push(None),
                Some(t) => values.push(Some(constant_of(net, t).ok_or_else(|| {
                    Error::invalid_argument(format!(
                        "layer '{}': input {i} ('{}') must be a build-time constant (computable from constant layers)",
                        l.name.as_str(),
                        net.tensors[t].name.as_str()
                    ))
                })?)),
            }
        }
        l.op.check_constants(&values).map_err(|e| e.context(format!("layer '{}'", l.name.as_str())))?;
    }
    Ok(())
}

/// Folds `Convolution → ElementWise(kSUM) with a per-channel constant` into the bias.
fn fuse_convolution_bias(net: &mut Network, reporter: &Reporter) -> Result<()> {
    let mut dead = vec![false; net.layers.len()];
    for add in 0..net.layers.len() {
        let Some(e) = net.layers[add].op.as_any().downcast_ref::<ElementWise>() else { continue };
        if e.operation != elementwise::SUM || net.layers[add].inputs.len() != 2 {
            continue;
        }
        let (Some(a), Some(b)) = (net.layers[add].inputs[0], net.layers[add].inputs[1]) else { continue };
        let (conv_out, bias_t) = match (constant_of(net, a).is_some(), constant_of(net, b).is_some()) {
            (false, true) => (a, b),
            (true, false) => (b, a),
            _ => continue,
        };
        let Some((conv, _)) = net.tensors[conv_out].producer else { continue };
        if net.layers[conv].kind() != Kind::Convolution
            || net.consumers(conv_out).len() != 1
            || net.tensors[conv_out].is_output
            || dead[conv]
        {
            continue;
        }
        let out_dims = net.shapes.known(&net.tensors[conv_out].dims);
        let k = out_dims[1];
        let Some((bias_dims, bias_w)) = constant_of(net, bias_t) else { continue };
        // The constant must add one value per channel: [1,K,1,...].
        if bias_dims.len() != out_dims.len() || bias_dims[1] != k || bias_dims.iter().enumerate().any(|(i, &d)| i != 1 && d != 1) {
            continue;
        }
        if net.tensors[net.layers[add].outputs[0]].dtype != net.tensors[conv_out].dtype || net.layers[add].output_types[0].is_some() {
            continue;
        }
        let add_bias = bias_w.to_f32()?;
        let c = net.layers[conv].op.as_any_mut().downcast_mut::<Convolution>().ok_or_else(|| Error::internal("not a convolution"))?;
        let old = match c.bias() {
            Some(w) => w.to_f32()?,
            None => vec![0.0; k as usize],
        };
        let fused: Vec<f32> = old.iter().zip(&add_bias).map(|(x, y)| x + y).collect();
        c.bias_weights = Some(Weights::from_f32(&fused));
        // The convolution now writes the sum's tensor; the sum layer is cut out.
        let sum_out = net.layers[add].outputs[0];
        net.layers[conv].outputs[0] = sum_out;
        net.tensors[sum_out].producer = Some((conv, 0));
        net.layers[add].outputs[0] = conv_out;
        net.tensors[conv_out].producer = Some((add, 0));
        net.layers[add].inputs = vec![Some(sum_out), Some(bias_t)];
        reporter.verbose(&format!(
            "fusion: '{}' folded into the bias of '{}'",
            net.layers[add].name.as_str(),
            net.layers[conv].name.as_str()
        ));
        dead[add] = true;
    }
    if dead.iter().any(|&d| d) {
        // The cut-out sums read their former producer's output: drop them before anything
        // re-infers that cycle.
        let keep: Vec<bool> = dead.iter().map(|d| !d).collect();
        for (id, l) in net.layers.iter_mut().enumerate() {
            if dead[id] {
                l.inputs.clear();
            }
        }
        net.retain_layers(&keep)?;
    }
    Ok(())
}

/// Removes layers that no network output depends on. Assertions stay (they check shapes),
/// and so does what a live loop or conditional needs although nothing reads it as data:
/// its trip limits and condition, and a recurrence's next value (a back edge, read after the
/// layers that follow it).
fn remove_dead_layers(net: &mut Network, reporter: &Reporter) -> Result<()> {
    let mut live_l = vec![false; net.layers.len()];
    let mut live_constructs = std::collections::HashSet::new();
    let mut stack: Vec<usize> = net.outputs.iter().filter_map(|&t| net.tensors[t].producer.map(|(p, _)| p)).collect();
    stack.extend((0..net.layers.len()).filter(|&id| net.layers[id].op.has_side_effects()));
    loop {
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut live_l[id], true) {
                continue;
            }
            let l = &net.layers[id];
            if let Some(b) = l.op.control() {
                live_constructs.insert(b.construct);
            }
            stack.extend(l.present_inputs().filter_map(|t| net.tensors[t].producer.map(|(p, _)| p)));
        }
        // A live construct's layers without outputs (trip limits, its condition) keep it
        // running; they may in turn make more layers live.
        for (id, l) in net.layers.iter().enumerate() {
            let needed = l.outputs.is_empty() && l.op.control().is_some_and(|b| live_constructs.contains(&b.construct));
            if needed && !live_l[id] {
                stack.push(id);
            }
        }
        if stack.is_empty() {
            break;
        }
    }
    let removed = live_l.iter().filter(|&&x| !x).count();
    if removed > 0 {
        reporter.verbose(&format!("dead layer removal: {removed} layer(s) removed"));
        net.retain_layers(&live_l)?;
    }
    Ok(())
}
