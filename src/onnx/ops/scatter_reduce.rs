//! ScatterElements and ScatterND with a reduction (add, mul, max, min), which TensorRT's
//! scatter does not have. Repeated indices must all contribute, so instead of scattering,
//! every update is compared with every target position: a one-hot mask of the indices picks,
//! per position, the updates that land there (the others become the reduction's identity),
//! a reduce over the updates combines them, and one elementwise op folds the result into
//! the data. Positions no update reaches get the identity, which leaves their data as is.
//! The mask holds (updates x positions along the scattered axis) elements, so it is bounded.

use super::slicing::{arith, input_dim, padded, to_tensor, Dim};
use super::util::*;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Cast, ElementWise, OneHot, Reduce, Select, Shuffle};
use crate::layers::{elementwise, reduce, slice};
use crate::onnx::importer::Importer;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;
use crate::weights::Weights;

/// Elements of the largest update-by-position mask made for one scatter.
const MASK_LIMIT: i64 = 1 << 26;

/// A scatter reduction: how updates combine, and how the result folds into the data.
#[derive(Clone, Copy)]
pub struct Reduction {
    reduce: i32,
    combine: i32,
}

impl Reduction {
    /// ONNX's reduction attribute ("none" is no reduction: None).
    pub fn parse(name: &str) -> Result<Option<Reduction>> {
        let (reduce, combine) = match name {
            "none" => return Ok(None),
            "add" => (reduce::SUM, elementwise::SUM),
            "mul" => (reduce::PROD, elementwise::PROD),
            "max" => (reduce::MAX, elementwise::MAX),
            "min" => (reduce::MIN, elementwise::MIN),
            other => return Err(Error::invalid_argument(format!("unknown scatter reduction '{other}'"))),
        };
        Ok(Some(Reduction { reduce, combine }))
    }

    /// The value that changes nothing when combined: 0, 1, or the type's lowest (highest).
    fn identity(&self, dtype: DataType) -> Result<f64> {
        let float = matches!(dtype, DataType::Float | DataType::Half);
        Ok(match (self.reduce, float) {
            (reduce::SUM, _) => 0.0,
            (reduce::PROD, _) => 1.0,
            (reduce::MAX, true) => f64::NEG_INFINITY,
            (reduce::MIN, true) => f64::INFINITY,
            (reduce::MAX, false) if dtype == DataType::Int32 => i32::MIN as f64,
            (reduce::MIN, false) if dtype == DataType::Int32 => i32::MAX as f64,
            _ => return Err(Error::unsupported(format!("a scatter max/min reduction of {dtype}"))),
        })
    }
}

/// Refuses a mask whose known size is past the limit.
fn check_mask_size(imp: &Importer, updates: TensorId, positions: Dim) -> Result<()> {
    let mut n: i64 = 1;
    for d in imp.dims(updates) {
        if d < 0 {
            return Ok(());
        }
        n = n.saturating_mul(d);
    }
    if let Dim::Num(p) = positions {
        n = n.saturating_mul(p);
        if n > MASK_LIMIT {
            return Err(Error::unsupported(format!("a scatter reduction comparing {n} update-position pairs (at most {MASK_LIMIT})")));
        }
    }
    Ok(())
}

/// A 0-D INT32 shape tensor holding `d`.
fn scalar_dim(imp: &mut Importer, d: Dim) -> Result<TensorId> {
    match d {
        Dim::Num(v) => {
            let c = ConstValue::from_i64("depth", vec![], &[v])?;
            imp.constant_tensor(&c)
        }
        Dim::Tensor(t) => reshape_tensor(imp, t, vec![]),
    }
}

/// A kBOOL mask [.., depth] (at `axis`) that is true where the position equals the index
/// (negative indices count from the end).
fn index_mask(imp: &mut Importer, indices: TensorId, depth: Dim, axis: i32) -> Result<TensorId> {
    let values = ConstValue { dims: vec![2], weights: Weights::from_bytes(DataType::Int8, &[0, 1])? };
    let values = imp.constant_tensor(&values)?;
    let depth = scalar_dim(imp, depth)?;
    let mask = layer(imp, OneHot::on_axis(axis), &[indices, values, depth])?;
    layer(imp, Cast::to(DataType::Bool), &[mask])
}

/// Per position, the updates the mask picks combined (the identity where there are none):
/// `updates` broadcast against `mask`, reduced over axis `over` (dropped).
fn reduce_picked(imp: &mut Importer, mask: TensorId, updates: TensorId, over: usize, r: Reduction) -> Result<TensorId> {
    let dtype = imp.net.tensors[updates].dtype;
    let rank = imp.dims(mask).len();
    let identity = scalar(imp, dtype, r.identity(dtype)?, rank)?;
    let picked = layer(imp, Select::new(), &[mask, updates, identity])?;
    layer(imp, Reduce::of(r.reduce, 1 << over, false), &[picked])
}

/// ScatterElements with a reduction on `axis`: indices and updates have the data's rank
/// and, off the axis, at most its sizes.
pub fn scatter_elements(
    imp: &mut Importer,
    data: TensorId,
    indices: TensorId,
    updates: TensorId,
    axis: usize,
    r: Reduction,
) -> Result<TensorId> {
    let rank = imp.dims(data).len();
    if imp.dims(indices).len() != rank || imp.dims(updates).len() != rank {
        return Err(Error::invalid_argument("ScatterElements' indices and updates must have the data's rank"));
    }
    let depth = input_dim(imp, data, axis)?;
    check_mask_size(imp, updates, depth)?;
    // mask [I.., D_axis]: update i lands on position j along the axis.
    let mask = index_mask(imp, indices, depth, -1)?;
    let updates = unsqueeze(imp, updates, &[rank])?;
    // [I without the axis.., D_axis], then the positions moved to the axis.
    let combined = reduce_picked(imp, mask, updates, axis, r)?;
    let mut perm: Vec<i64> = (0..rank as i64 - 1).collect();
    perm.insert(axis, rank as i64 - 1);
    let combined = layer(imp, Shuffle::transpose(perm), &[combined])?;
    // Off the axis the updates may cover only the first part of the data: the rest is
    // the identity too.
    let mut pre = vec![Dim::Num(0); rank];
    let mut post = vec![Dim::Num(0); rank];
    let mut grows = false;
    for k in (0..rank).filter(|&k| k != axis) {
        let (want, have) = (input_dim(imp, data, k)?, input_dim(imp, combined, k)?);
        post[k] = arith(imp, elementwise::SUB, want, have)?;
        pre[k] = Dim::Num(0);
        grows |= !matches!(post[k], Dim::Num(0));
    }
    let dtype = imp.net.tensors[data].dtype;
    let combined = if grows { padded(imp, combined, &pre, &post, slice::FILL, Some(r.identity(dtype)?))? } else { combined };
    layer(imp, ElementWise::of(r.combine), &[data, combined])
}

/// ScatterND with a reduction: each index tuple (the last axis of `indices`, k long) is
/// made one position of the data's first k axes flattened, then it is a scatter along that
/// flattened axis of slices of the remaining axes.
pub fn scatter_nd(imp: &mut Importer, data: TensorId, indices: TensorId, updates: TensorId, r: Reduction) -> Result<TensorId> {
    let rank = imp.dims(data).len();
    let idims = imp.dims(indices);
    let k = match idims.last() {
        Some(&k) if k >= 1 && (k as usize) <= rank => k as usize,
        Some(&k) if k < 0 => {
            return Err(Error::unsupported("ScatterND with a reduction needs the index tuple length (the last axis of indices) known"))
        }
        _ => return Err(Error::invalid_argument(format!("ScatterND index tuples of length {:?} for data of rank {rank}", idims.last()))),
    };
    let q = idims.len() - 1;
    if imp.dims(updates).len() != q + rank - k {
        return Err(Error::invalid_argument("ScatterND's updates must have rank (indices' rank - 1) + (data's rank - tuple length)"));
    }
    // Row-major strides of the first k data axes, and those axes' sizes (for negative
    // indices).
    let sizes: Vec<Dim> = (0..k).map(|j| input_dim(imp, data, j)).collect::<Result<_>>()?;
    let mut strides = vec![Dim::Num(1); k];
    for j in (0..k.saturating_sub(1)).rev() {
        strides[j] = arith(imp, elementwise::PROD, strides[j + 1], sizes[j + 1])?;
    }
    let positions = arith(imp, elementwise::PROD, strides[0], sizes[0])?;
    check_mask_size(imp, updates, positions)?;
    let linear = linear_index(imp, indices, &sizes, &strides)?;
    let linear = reshape_tensor(imp, linear, vec![-1])?;
    // mask [n, P, 1..] against updates [n, 1, D[k..]..].
    let mask = index_mask(imp, linear, positions, 1)?;
    let mut mask_dims = vec![0, 0];
    mask_dims.resize(2 + rank - k, 1);
    let mask = reshape_tensor(imp, mask, mask_dims)?;
    let updates = rows_of(imp, updates, q)?;
    let updates = unsqueeze(imp, updates, &[1])?;
    let combined = reduce_picked(imp, mask, updates, 0, r)?;
    // [P, D[k..]..] back to the data's shape.
    let ddims = imp.dims(data);
    let combined = if ddims.iter().all(|&d| d >= 0) {
        let mut s = Shuffle::reshape_to(ddims);
        s.zero_is_placeholder = false;
        layer(imp, s, &[combined])?
    } else {
        let shape = shape_of(imp, data)?;
        reshape_to_tensor(imp, combined, shape)?
    };
    layer(imp, ElementWise::of(r.combine), &[data, combined])
}

/// sum over j of (index_j, plus size_j when negative) * stride_j, over the last axis.
fn linear_index(imp: &mut Importer, indices: TensorId, sizes: &[Dim], strides: &[Dim]) -> Result<TensorId> {
    let rank = imp.dims(indices).len();
    let row = |imp: &mut Importer, v: &[Dim]| -> Result<TensorId> {
        let parts = v.iter().map(|&d| to_tensor(imp, d)).collect::<Result<Vec<_>>>()?;
        let t = concat_1d(imp, &parts)?;
        with_leading_ones(imp, t, rank - 1)
    };
    let (sizes, strides) = (row(imp, sizes)?, row(imp, strides)?);
    let zero = scalar(imp, DataType::Int32, 0.0, rank)?;
    let negative = layer(imp, ElementWise::of(elementwise::LESS), &[indices, zero])?;
    let negative = layer(imp, Cast::to(DataType::Int32), &[negative])?;
    let shift = layer(imp, ElementWise::of(elementwise::PROD), &[negative, sizes])?;
    let fixed = layer(imp, ElementWise::of(elementwise::SUM), &[indices, shift])?;
    let weighted = layer(imp, ElementWise::of(elementwise::PROD), &[fixed, strides])?;
    layer(imp, Reduce::of(reduce::SUM, 1 << (rank - 1), false), &[weighted])
}

/// `t` with its first `q` axes flattened into one.
fn rows_of(imp: &mut Importer, t: TensorId, q: usize) -> Result<TensorId> {
    let dims = imp.dims(t);
    if dims[q..].iter().all(|&d| d >= 0) {
        let mut target = vec![-1];
        target.extend_from_slice(&dims[q..]);
        let mut s = Shuffle::reshape_to(target);
        s.zero_is_placeholder = false;
        return layer(imp, s, &[t]);
    }
    let shape = shape_of(imp, t)?;
    let rest: Vec<i64> = (q as i64..dims.len() as i64).collect();
    let rest = gather_1d(imp, shape, &rest)?;
    let lead = ints_tensor(imp, &[-1])?;
    let target = concat_1d(imp, &[lead, rest])?;
    reshape_to_tensor(imp, t, target)
}
