//! Parse-time constant folding: a node whose inputs are all known (initializers, constants,
//! shapes of static tensors) has its outputs computed now with the layers' CPU references,
//! so that later nodes can read them as parameters (axes, shapes, pads) the way exporters
//! compute them (`Neg(axis)`, `Sub(Size(Shape(x)), 1)`, ...). The layers stay in the network
//! unused; the builder removes them.

use super::weights::ConstValue;
use crate::host::{HostBuffer, TensorIn, TensorOut};
use crate::ir::{Network, TensorId};
use crate::layers::CpuCx;
use crate::types::{byte_size, DataType};
use crate::weights::Weights;
use std::collections::HashMap;

/// Results larger than this stay layers (folded by the builder if at all).
const FOLD_LIMIT_BYTES: usize = 16 << 20;

/// The value of `t` if it can be computed from constants, evaluating only layers numbered
/// `first_layer` or later (those the current node added).
pub fn fold(net: &Network, t: TensorId, first_layer: usize) -> Option<ConstValue> {
    let mut memo = HashMap::new();
    let (dims, bytes) = value_of(net, t, first_layer, &mut memo)?;
    let weights = Weights::from_bytes(net.tensors[t].dtype, &bytes).ok()?;
    Some(ConstValue { dims, weights })
}

type Folded = (Vec<i64>, Vec<u8>);

fn value_of(net: &Network, t: TensorId, first_layer: usize, memo: &mut HashMap<TensorId, Folded>) -> Option<Folded> {
    if let Some(v) = memo.get(&t) {
        return Some(v.clone());
    }
    let tensor = &net.tensors[t];
    let dims: Vec<i64> = net.known_dims(t);
    if dims.iter().any(|&d| d < 0) {
        return None;
    }
    let (layer_id, _) = tensor.producer?;
    let layer = &net.layers[layer_id];
    if let Some((d, w)) = layer.op.constant() {
        return Some((d.to_vec(), w.values.to_vec()));
    }
    if tensor.dtype == DataType::Int32 {
        if let Some(values) = net.known_values(t) {
            let bytes = values.iter().flat_map(|&v| (v as i32).to_le_bytes()).collect();
            return Some((dims, bytes));
        }
    }
    if layer_id < first_layer || layer.error.is_some() {
        return None;
    }
    let mut inputs = Vec::with_capacity(layer.inputs.len());
    for i in &layer.inputs {
        inputs.push(match i {
            Some(i) => Some((*i, value_of(net, *i, first_layer, memo)?)),
            None => None,
        });
    }
    // Aligned copies, as the CPU backend hands layers their inputs.
    let buffers: Vec<Option<HostBuffer>> = inputs
        .iter()
        .map(|i| i.as_ref().map(|(_, (_, b))| HostBuffer::from_bytes(b)))
        .map(Option::transpose)
        .collect::<Result<_, _>>()
        .ok()?;
    let ins: Vec<Option<TensorIn>> = inputs
        .iter()
        .zip(&buffers)
        .map(|(i, b)| match (i, b) {
            (Some((id, (d, _))), Some(b)) => Some(TensorIn { dtype: net.tensors[*id].dtype, dims: d, bytes: b.bytes() }),
            _ => None,
        })
        .collect();
    let out_dims: Vec<Vec<i64>> = layer.outputs.iter().map(|&o| net.known_dims(o)).collect();
    if out_dims.iter().flatten().any(|&d| d < 0) {
        return None;
    }
    let mut results = Vec::with_capacity(layer.outputs.len());
    for (&o, d) in layer.outputs.iter().zip(&out_dims) {
        let bytes = byte_size(d, net.tensors[o].dtype).filter(|&b| b <= FOLD_LIMIT_BYTES)?;
        results.push(HostBuffer::new(bytes).ok()?);
    }
    {
        let mut outs: Vec<TensorOut> = layer
            .outputs
            .iter()
            .zip(&out_dims)
            .zip(results.iter_mut())
            .map(|((&o, d), r)| TensorOut { dtype: net.tensors[o].dtype, dims: d, bytes: r.bytes_mut() })
            .collect();
        layer.op.run_cpu(&mut CpuCx::default(), &ins, &mut outs).ok()?;
    }
    for ((&o, d), r) in layer.outputs.iter().zip(out_dims).zip(&results) {
        memo.insert(o, (d, r.bytes().to_vec()));
    }
    memo.get(&t).cloned()
}
