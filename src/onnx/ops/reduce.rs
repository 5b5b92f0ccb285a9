//! Reductions (ReduceSum and its siblings) and ArgMax / ArgMin.

use super::runtime_axes;
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{ElementWise, Identity, Reduce, Slice, TopK, Unary};
use crate::layers::{elementwise, reduce, top_k, unary};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

/// What is applied before and after the reduction.
#[derive(Clone, Copy)]
enum Around {
    Plain,
    Abs,
    Square,
    SquareThenSqrt,
    ThenLog,
    ExpThenLog,
}

pub const OPS: &[(&str, ImportFn)] = &[
    ("ArgMax", |i, n| arg(i, n, top_k::MAX)),
    ("ArgMin", |i, n| arg(i, n, top_k::MIN)),
    ("ReduceL1", |i, n| reduction(i, n, reduce::SUM, Around::Abs)),
    ("ReduceL2", |i, n| reduction(i, n, reduce::SUM, Around::SquareThenSqrt)),
    ("ReduceLogSum", |i, n| reduction(i, n, reduce::SUM, Around::ThenLog)),
    ("ReduceLogSumExp", |i, n| reduction(i, n, reduce::SUM, Around::ExpThenLog)),
    ("ReduceMax", |i, n| reduction(i, n, reduce::MAX, Around::Plain)),
    ("ReduceMean", |i, n| reduction(i, n, reduce::AVG, Around::Plain)),
    ("ReduceMin", |i, n| reduction(i, n, reduce::MIN, Around::Plain)),
    ("ReduceProd", |i, n| reduction(i, n, reduce::PROD, Around::Plain)),
    ("ReduceSum", |i, n| reduction(i, n, reduce::SUM, Around::Plain)),
    ("ReduceSumSquare", |i, n| reduction(i, n, reduce::SUM, Around::Square)),
];

fn un(imp: &mut Importer, op: i32, x: TensorId) -> Result<TensorId> {
    layer(imp, Unary::of(op), &[x])
}

/// The reduce layer takes FLOAT, HALF and INT32: BOOL (ReduceMax / ReduceMin: any / all)
/// and 8-bit integers are reduced in INT32, where their maxima and minima are exact and
/// sums and products wrap congruently, then cast back.
fn reduction(imp: &mut Importer, node: &NodeProto, op: i32, around: Around) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dtype = imp.net.tensors[x].dtype;
    let widen = match dtype {
        DataType::Bool => op == reduce::MAX || op == reduce::MIN,
        _ => super::small_int::is_small_int(dtype) && op != reduce::AVG && matches!(around, Around::Plain | Around::Abs | Around::Square),
    };
    if !widen {
        return out(reduction_of(imp, node, x, op, around)?);
    }
    let wide = cast(imp, x, DataType::Int32)?;
    let y = reduction_of(imp, node, wide, op, around)?;
    out(cast(imp, y, dtype)?)
}

fn reduction_of(imp: &mut Importer, node: &NodeProto, x: TensorId, op: i32, around: Around) -> Result<TensorId> {
    let a = Attrs(node);
    let rank = imp.dims(x).len();
    let keep = a.int("keepdims", 1) != 0;
    // Axes moved from the attribute to input 1 (ReduceSum at opset 13, the others at 18).
    let axes = match (a.ints("axes"), optional_input(node, 1)) {
        (Some(v), _) => v,
        (None, None) => vec![],
        (None, Some(name)) => match imp.known_ints(name)? {
            Some(v) => v,
            None => {
                let axes = imp.tensor(name)?;
                return runtime_axes::reduction(imp, x, axes, op, keep, |imp, x, when| around_op(imp, x, around, when));
            }
        },
    };
    let axes = if axes.is_empty() {
        if a.int("noop_with_empty_axes", 0) != 0 {
            return layer(imp, Identity::new(), &[x]);
        }
        (0..rank).collect()
    } else {
        axis_indices(&axes, rank)?
    };
    if rank == 0 {
        return layer(imp, Identity::new(), &[x]);
    }
    let pre = around_op(imp, x, around, When::Before)?;
    let y = layer(imp, Reduce::of(op, axes_mask(&axes), keep), &[pre])?;
    around_op(imp, y, around, When::After)
}

#[derive(Clone, Copy, PartialEq)]
pub enum When {
    Before,
    After,
}

/// The elementwise step before or after the reduction of the L1/L2/log reductions.
fn around_op(imp: &mut Importer, x: TensorId, around: Around, when: When) -> Result<TensorId> {
    Ok(match (when, around) {
        (When::Before, Around::Abs) => un(imp, unary::ABS, x)?,
        (When::Before, Around::Square | Around::SquareThenSqrt) => layer(imp, ElementWise::of(elementwise::PROD), &[x, x])?,
        (When::Before, Around::ExpThenLog) => un(imp, unary::EXP, x)?,
        (When::After, Around::SquareThenSqrt) => un(imp, unary::SQRT, x)?,
        (When::After, Around::ThenLog | Around::ExpThenLog) => un(imp, unary::LOG, x)?,
        _ => x,
    })
}

/// The index of the largest (smallest) element along an axis: TopK with k = 1.
fn arg(imp: &mut Importer, node: &NodeProto, op: i32) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let axis = axis_index(a.int("axis", 0), rank)?;
    let last = a.int("select_last_index", 0) != 0;
    let d = imp.dims(x)[axis];
    if last && d < 0 {
        return Err(Error::unsupported("select_last_index=1 over an axis of unknown size"));
    }
    // The last of equal values is the first one seen from the end: search the reversed
    // axis, then count the index from the end.
    let searched = if last {
        let mut s = Slice::of(vec![0; rank], imp.dims(x), vec![1; rank]);
        s.start[axis] = d - 1;
        s.stride[axis] = -1;
        if s.size.iter().any(|&v| v < 0) {
            return Err(Error::unsupported("select_last_index=1 of a tensor with unknown dims"));
        }
        layer(imp, s, &[x])?
    } else {
        x
    };
    let outs = imp.add_multi(Box::new(TopK::of(op, 1, 1 << axis)), &[searched])?;
    let mut indices = outs[1];
    if last {
        let top = scalar_like(imp, indices, (d - 1) as f64)?;
        indices = layer(imp, ElementWise::of(elementwise::SUB), &[top, indices])?;
    }
    if a.int("keepdims", 1) != 0 {
        return out(indices);
    }
    out(squeeze(imp, indices, &[axis])?)
}
