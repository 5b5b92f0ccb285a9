//! Top-k along one axis (ITopKLayer): the k largest (kMAX) or smallest (kMIN) values of each
//! slice along the axis, in order, and their kINT32 indices along it. Ties go to the lower
//! index first; NaN counts as larger than every number (first for kMAX, last for kMIN).
//! k is from 1 to 3840 (TensorRT 8.6's limit) and at most the axis' length. Floats
//! (kFLOAT, kHALF) and kINT32.

use super::axes;
use super::generated::TopK;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{volume, DataType};
use std::cmp::Ordering;

/// nvinfer1::TopKOperation values.
pub const MAX: i32 = 0;
pub const MIN: i32 = 1;

/// TensorRT 8.6's largest k.
pub const MAX_K: i32 = 3840;

/// An input seen as [outer, n, inner] around the top-k axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopKGeometry {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl TopK {
    pub fn of(operation: i32, k: i32, reduce_axes: u32) -> TopK {
        TopK { operation, k, reduce_axes: reduce_axes as i64 }
    }

    /// The axis of an input of `rank`: the mask must select exactly one.
    pub fn axis(&self, rank: usize) -> Result<usize> {
        match axes::from_mask(self.reduce_axes, rank, "top-k reduce axes")?.as_slice() {
            [a] => Ok(*a),
            _ => Err(Error::invalid_argument(format!("top-k reduce axes {:#x} must select exactly one axis", self.reduce_axes))),
        }
    }

    pub fn geometry(&self, dims: &[i64]) -> Result<TopKGeometry> {
        let a = self.axis(dims.len())?;
        Ok(TopKGeometry { outer: volume(&dims[..a]).unwrap_or(0), n: dims[a].max(0) as usize, inner: volume(&dims[a + 1..]).unwrap_or(0) })
    }
}

/// Whether (a, i) comes before (b, j) in the output order: the larger (kMAX) or smaller
/// (kMIN) value first, NaN above every number, the lower index among equals.
pub fn before(largest: bool, a: f64, i: usize, b: f64, j: usize) -> bool {
    let key = |v: f64| if v.is_nan() { f64::INFINITY } else { v };
    let nan_order = a.is_nan().cmp(&b.is_nan());
    let ord = match nan_order {
        Ordering::Equal => key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal),
        other => other,
    };
    match ord {
        Ordering::Equal => i < j,
        Ordering::Greater => largest,
        Ordering::Less => !largest,
    }
}

impl Layer for TopK {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        if !(MAX..=MIN).contains(&self.operation) {
            return Err(Error::invalid_argument(format!("unknown TopKOperation {}", self.operation)));
        }
        if !(1..=MAX_K).contains(&self.k) {
            return Err(Error::invalid_argument(format!("top-k k = {} must be from 1 to {MAX_K}", self.k)));
        }
        check_type("the top-k input", x.dtype, &[DataType::Float, DataType::Half, DataType::Int32])?;
        let a = self.axis(x.dims.len())?;
        let k = self.k as i64;
        cx.g.at_least(x.dims[a], k, || format!("top-k axis {a} (it must have at least k = {k} elements)"))?;
        let mut dims = x.dims.to_vec();
        dims[a] = cx.g.constant(k);
        let dtype = if x.dtype.is_float() { float_type(inputs) } else { x.dtype };
        Ok(vec![InferOut::new(dtype, dims.clone()), InferOut::new(DataType::Int32, dims)])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let g = self.geometry(x.dims)?;
        let k = self.k as usize;
        if k > g.n {
            return Err(Error::invalid_argument(format!("top-k k = {k} exceeds the axis length {}", g.n)));
        }
        let xv: Vec<f64> = if x.dtype.is_float() { x.f32().iter().map(|&v| v as f64).collect() } else { x.i64().iter().map(|&v| v as f64).collect() };
        let largest = self.operation == MAX;
        let mut values = vec![0f64; g.outer * k * g.inner];
        let mut indices = vec![0i64; values.len()];
        let mut order: Vec<usize> = Vec::with_capacity(g.n);
        for o in 0..g.outer {
            for i in 0..g.inner {
                let at = |j: usize| (o * g.n + j) * g.inner + i;
                order.clear();
                order.extend(0..g.n);
                order.sort_by(|&p, &q| {
                    if p == q {
                        Ordering::Equal
                    } else if before(largest, xv[at(p)], p, xv[at(q)], q) {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                });
                for (r, &j) in order.iter().take(k).enumerate() {
                    let dst = (o * k + r) * g.inner + i;
                    values[dst] = xv[at(j)];
                    indices[dst] = j as i64;
                }
            }
        }
        let (vout, iout) = outputs.split_at_mut(1);
        if vout[0].dtype.is_float() {
            vout[0].store_f32(&values.iter().map(|&v| v as f32).collect::<Vec<_>>());
        } else {
            vout[0].store_i64(&values.iter().map(|&v| v as i64).collect::<Vec<_>>());
        }
        iout[0].store_i64(&indices);
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        self.reduce_axes = axes::mask_with_batch(self.reduce_axes, "top-k reduce axes")?;
        Ok(())
    }
    any_impls!();
}
