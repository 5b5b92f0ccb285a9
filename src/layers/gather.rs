//! Gathering (IGatherLayer) in TensorRT's three modes:
//! - kDEFAULT (ONNX Gather): the axis `axis` of the data is replaced by the indices' dims;
//!   with nbElementWiseDims 1 the leading axis of data and indices is shared (broadcast).
//! - kELEMENT (ONNX GatherElements): output[J] = data[J with J[axis] = indices[J]].
//! - kND (ONNX GatherND): the last axis of the indices holds tuples addressing slices of the
//!   data after its first nbElementWiseDims (batch) axes.
//!
//! Indices are kINT32; a negative index counts from the end of its axis (once); an index
//! still outside its axis reads zero. Moves bytes, so every data type is one code path.

use super::generated::Gather;
use super::{any_impls, check_type, copy_element, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, MAX_SHAPE_VALUES};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::{strides, volume, DataType};

/// nvinfer1::GatherMode values.
pub const DEFAULT: i32 = 0;
pub const ELEMENT: i32 = 1;
pub const ND: i32 = 2;

/// The data types TensorRT 8.6 gathers.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Bool];

/// Index `v` into an axis of `d` elements: negative counts from the end once; None outside.
/// `kernels/gather.cu` and `kernels/scatter.cu` mirror it.
pub fn wrap_index(v: i64, d: i64) -> Option<i64> {
    let v = if v < 0 { v + d } else { v };
    (0..d).contains(&v).then_some(v)
}

/// kDEFAULT seen as output [batch, pre, count, post] reading data [batch, pre, axis, post]:
/// `data_batch` and `indices_batch` are the strides of the shared leading axis (0 where it
/// broadcasts, and unused without one).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DefaultGeometry {
    pub batch: i64,
    pub pre: i64,
    pub axis: i64,
    pub count: i64,
    pub post: i64,
    pub data_batch: i64,
    pub indices_batch: i64,
}

/// kND (and ScatterMode::kND): `count` tuples of `k` indices, each addressing a slice of
/// `inner` elements at (q / per_batch) * batch_stride + sum_t index_t * strides[t], with
/// index_t into an axis of dims[t].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NdGeometry {
    pub count: i64,
    pub inner: i64,
    pub per_batch: i64,
    pub batch_stride: i64,
    pub dims: Vec<i64>,
    pub strides: Vec<i64>,
}

impl NdGeometry {
    /// Data offset of tuple `q` given its indices, or None if one is outside its axis.
    pub fn offset(&self, q: i64, tuple: &[i64]) -> Option<i64> {
        let mut at = (q / self.per_batch.max(1)) * self.batch_stride;
        for ((&v, &d), &s) in tuple.iter().zip(&self.dims).zip(&self.strides) {
            at += wrap_index(v, d)? * s;
        }
        Some(at)
    }
}

/// The kND addressing of `data` by `indices` whose first `batch_dims` axes are shared.
pub fn nd_geometry(data: &[i64], indices: &[i64], batch_dims: usize) -> Result<NdGeometry> {
    let q = indices.len();
    let k = *indices.last().ok_or_else(|| Error::internal("kND indices of rank 0"))? as usize;
    let (e, r) = (batch_dims, data.len());
    if e + k > r {
        return Err(Error::internal("kND index tuples longer than the data's rank"));
    }
    let data_strides = strides(data);
    let count = volume(&indices[..q - 1]).unwrap_or(0) as i64;
    let batches = volume(&indices[..e]).unwrap_or(0) as i64;
    Ok(NdGeometry {
        count,
        inner: volume(&data[e + k..]).unwrap_or(0) as i64,
        per_batch: if batches > 0 { count / batches } else { 0 },
        batch_stride: volume(&data[e..]).unwrap_or(0) as i64,
        dims: data[e..e + k].to_vec(),
        strides: data_strides[e..e + k].to_vec(),
    })
}

impl Gather {
    pub fn on_axis(axis: i32) -> Gather {
        Gather { axis, ..Gather::new() }
    }

    pub fn with_mode(mode: i32) -> Gather {
        Gather { mode, ..Gather::new() }
    }

    pub fn mode_name(&self) -> &'static str {
        match self.mode {
            DEFAULT => "kDEFAULT",
            ELEMENT => "kELEMENT",
            ND => "kND",
            _ => "an unknown GatherMode",
        }
    }

    fn axis_in(&self, lo: usize, rank: usize) -> Result<usize> {
        usize::try_from(self.axis).ok().filter(|a| (lo..rank).contains(a)).ok_or_else(|| {
            Error::invalid_argument(format!("gather axis {} is outside [{lo}, {rank}) ({}, data of rank {rank})", self.axis, self.mode_name()))
        })
    }

    /// The kDEFAULT geometry for actual shapes.
    pub fn default_geometry(&self, data: &[i64], indices: &[i64]) -> Result<DefaultGeometry> {
        let e = self.nb_elementwise_dims as usize;
        let axis = self.axis_in(e, data.len())?;
        let vol = |d: &[i64]| volume(d).unwrap_or(0) as i64;
        let mut g = DefaultGeometry {
            batch: 1,
            pre: vol(&data[e..axis]),
            axis: data[axis],
            count: vol(&indices[e..]),
            post: vol(&data[axis + 1..]),
            ..Default::default()
        };
        if e == 1 {
            g.batch = data[0].max(indices[0]);
            g.data_batch = if data[0] == 1 { 0 } else { g.pre * g.axis * g.post };
            g.indices_batch = if indices[0] == 1 { 0 } else { g.count };
        }
        Ok(g)
    }

    fn infer_default(&self, g: &mut ShapeGraph, data: &InferIn, indices: &InferIn) -> Result<InferOut> {
        let e = self.nb_elementwise_dims;
        if !(0..=1).contains(&e) {
            return Err(Error::invalid_argument(format!("kDEFAULT gathers need nbElementWiseDims 0 or 1, not {e}")));
        }
        let e = e as usize;
        let r = data.dims.len();
        let axis = self.axis_in(e, r)?;
        if indices.dims.len() < e {
            return Err(Error::invalid_argument("with nbElementWiseDims 1 the indices need a leading axis"));
        }
        let mut dims = vec![];
        if e == 1 {
            dims.push(g.broadcast(data.dims[0], indices.dims[0], || "the gather's elementwise axis of data and indices".to_string())?);
        }
        dims.extend_from_slice(&data.dims[e..axis]);
        dims.extend_from_slice(&indices.dims[e..]);
        dims.extend_from_slice(&data.dims[axis + 1..]);
        let mut out = InferOut::new(data.dtype, dims);
        // Picking from a shape tensor by shape values (Shape -> Gather, as ONNX graphs do).
        if let (DataType::Int32, 1, 0, Some(values), Some(picks)) = (data.dtype, r, e, data.values, indices.values) {
            if indices.dims.len() <= 1 && picks.len() <= MAX_SHAPE_VALUES {
                out.values = Some(picks.iter().map(|&i| pick(g, values, i)).collect::<Result<_>>()?);
            }
        }
        Ok(out)
    }

    fn infer_element(&self, data: &InferIn, indices: &InferIn) -> Result<InferOut> {
        if self.nb_elementwise_dims != 0 {
            return Err(Error::invalid_argument("kELEMENT gathers need nbElementWiseDims 0"));
        }
        let r = data.dims.len();
        self.axis_in(0, r)?;
        if indices.dims.len() != r {
            return Err(Error::invalid_argument(format!("kELEMENT gathers need indices of the data's rank {r}, not {}", indices.dims.len())));
        }
        Ok(InferOut::new(data.dtype, indices.dims.to_vec()))
    }

    fn infer_nd(&self, g: &mut ShapeGraph, data: &InferIn, indices: &InferIn) -> Result<InferOut> {
        let (r, q) = (data.dims.len(), indices.dims.len());
        let e = usize::try_from(self.nb_elementwise_dims)
            .ok()
            .filter(|&e| e < r && e < q)
            .ok_or_else(|| Error::invalid_argument(format!("kND gathers need 0 <= nbElementWiseDims < rank of data and indices, not {}", self.nb_elementwise_dims)))?;
        let last = *indices.dims.last().ok_or_else(|| Error::invalid_argument("kND gathers need indices of rank 1 or more"))?;
        let k = g.as_const(last).ok_or_else(|| Error::invalid_argument("kND gathers need the indices' last dimension known when the network is built"))?;
        if k < 1 || e as i64 + k > r as i64 {
            return Err(Error::invalid_argument(format!(
                "kND index tuples of length {k} do not fit data of rank {r} after {e} elementwise dims"
            )));
        }
        let mut dims = vec![];
        for i in 0..q - 1 {
            dims.push(if i < e {
                g.assert_eq(indices.dims[i], data.dims[i], || format!("kND gather: elementwise dimension {i} of indices and data"))?
            } else {
                indices.dims[i]
            });
        }
        dims.extend_from_slice(&data.dims[e + k as usize..]);
        Ok(InferOut::new(data.dtype, dims))
    }
}

/// `values[i]` for a symbolic index: a chain of selects (negative counts from the end, an
/// index outside reads 0), folded to the value itself when `i` is known.
fn pick(g: &mut ShapeGraph, values: &[ExprId], i: ExprId) -> Result<ExprId> {
    let n = values.len() as i64;
    if let Some(v) = g.as_const(i) {
        return Ok(match wrap_index(v, n) {
            Some(v) => values[v as usize],
            None => g.constant(0),
        });
    }
    let zero = g.constant(0);
    let negative = g.op(BinOp::Less, i, zero)?;
    let len = g.constant(n);
    let shifted = g.add(i, len)?;
    let index = g.select(negative, shifted, i);
    let mut acc = zero;
    for (k, &v) in values.iter().enumerate() {
        let kc = g.constant(k as i64);
        let hit = g.op(BinOp::Equal, index, kc)?;
        acc = g.select(hit, v, acc);
    }
    Ok(acc)
}

impl Layer for Gather {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (data, indices) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("the gathered data", data.dtype, TYPES)?;
        check_type("the gather indices", indices.dtype, &[DataType::Int32])?;
        if data.dims.is_empty() {
            return Err(Error::invalid_argument("a gather needs data of rank 1 or more"));
        }
        let out = match self.mode {
            DEFAULT => self.infer_default(cx.g, data, indices)?,
            ELEMENT => self.infer_element(data, indices)?,
            ND => self.infer_nd(cx.g, data, indices)?,
            m => return Err(Error::invalid_argument(format!("unknown GatherMode {m}"))),
        };
        Ok(vec![out])
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (data, indices) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let idx = indices.i64();
        let y = &mut outputs[0];
        let size = data.dtype.size_bytes();
        y.bytes.fill(0);
        match self.mode {
            DEFAULT => {
                let g = self.default_geometry(data.dims, indices.dims)?;
                for b in 0..g.batch {
                    for p in 0..g.pre {
                        for j in 0..g.count {
                            let Some(a) = wrap_index(idx[(b * g.indices_batch + j) as usize], g.axis) else { continue };
                            for s in 0..g.post {
                                let from = b * g.data_batch + (p * g.axis + a) * g.post + s;
                                let to = ((b * g.pre + p) * g.count + j) * g.post + s;
                                copy_element(data.bytes, from as usize, y.bytes, to as usize, size);
                            }
                        }
                    }
                }
            }
            ELEMENT => {
                let axis = self.axis as usize;
                let data_strides = strides(data.dims);
                let rank = indices.dims.len();
                for (i, &v) in idx.iter().enumerate() {
                    let mut rem = i as i64;
                    let mut from = Some(0i64);
                    for k in (0..rank).rev() {
                        let c = rem % indices.dims[k];
                        rem /= indices.dims[k];
                        let c = if k == axis { wrap_index(v, data.dims[k]) } else { (c < data.dims[k]).then_some(c) };
                        from = from.zip(c).map(|(f, c)| f + c * data_strides[k]);
                    }
                    if let Some(f) = from {
                        copy_element(data.bytes, f as usize, y.bytes, i, size);
                    }
                }
            }
            _ => {
                let g = nd_geometry(data.dims, indices.dims, self.nb_elementwise_dims as usize)?;
                let k = g.dims.len();
                for q in 0..g.count {
                    let Some(at) = g.offset(q, &idx[(q as usize) * k..(q as usize + 1) * k]) else { continue };
                    for s in 0..g.inner {
                        copy_element(data.bytes, (at + s) as usize, y.bytes, (q * g.inner + s) as usize, size);
                    }
                }
            }
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // Each sample gathers from its own data by its own indices: the batch is the one
        // elementwise axis TensorRT allows in kDEFAULT.
        if self.mode != DEFAULT {
            return Err(super::explicit_batch_only("IGatherLayer in kELEMENT or kND mode"));
        }
        if self.nb_elementwise_dims != 0 {
            return Err(Error::unsupported("an implicit-batch gather with nbElementWiseDims 1"));
        }
        self.axis += 1;
        self.nb_elementwise_dims = 1;
        Ok(())
    }
    any_impls!();
}
