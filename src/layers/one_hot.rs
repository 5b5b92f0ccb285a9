//! One-hot encoding (IOneHotLayer): indices [A0..An] become [A0..A(axis-1), depth,
//! A(axis)..An], holding values[1] (on) where the new coordinate equals the index and
//! values[0] (off) elsewhere. Indices are kINT32, negative ones count from depth's end once,
//! and an index outside [-depth, depth) leaves its row all off. Depth is a 0-D kINT32 shape
//! tensor; values a two-element [off, on] tensor of the output's type.

use super::generated::OneHot;
use super::{any_impls, check_type, copy_element, host_input, input, shape_input_values, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{volume, DataType};

/// The value types TensorRT 8.6 encodes.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8];

impl OneHot {
    pub fn on_axis(axis: i32) -> OneHot {
        OneHot { axis }
    }

    /// The axis of the new dimension for indices of `rank` dims (negative counts from the
    /// output's end).
    pub fn axis_for(&self, rank: usize) -> Result<usize> {
        let r = rank as i64;
        let a = self.axis as i64;
        if !(-r - 1..=r).contains(&a) {
            return Err(Error::invalid_argument(format!("one-hot axis {a} is outside [{}, {r}] for indices of rank {r}", -r - 1)));
        }
        Ok(if a < 0 { (a + r + 1) as usize } else { a as usize })
    }
}

impl Layer for OneHot {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (indices, values, depth) = (input(inputs, 0)?, input(inputs, 1)?, input(inputs, 2)?);
        check_type("the one-hot indices", indices.dtype, &[DataType::Int32])?;
        check_type("the one-hot values", values.dtype, TYPES)?;
        if values.dims.len() != 1 {
            return Err(Error::invalid_argument("the one-hot values must be a 1-D tensor [off, on]"));
        }
        let two = cx.g.constant(2);
        cx.g.assert_eq(values.dims[0], two, || "the one-hot values must hold two elements [off, on]".to_string())?;
        let depth = shape_input_values("the one-hot depth (input 2)", depth, true)?;
        if depth.len() != 1 {
            return Err(Error::invalid_argument("the one-hot depth must be one value"));
        }
        let depth = cx.g.at_least(depth[0], 0, || "the one-hot depth".to_string())?;
        let axis = self.axis_for(indices.dims.len())?;
        let mut dims = indices.dims.to_vec();
        dims.insert(axis, depth);
        Ok(vec![InferOut::new(values.dtype, dims)])
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (indices, values) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let y = &mut outputs[0];
        let axis = self.axis_for(indices.dims.len())?;
        let depth = y.dims[axis];
        let post = volume(&indices.dims[axis..]).unwrap_or(0);
        let size = y.dtype.size_bytes();
        let idx = indices.i64();
        for i in 0..y.len() {
            let (pre, rest) = (i / (depth as usize * post), i % (depth as usize * post));
            let (d, p) = ((rest / post) as i64, rest % post);
            let v = idx[pre * post + p];
            let v = if v < 0 { v + depth } else { v };
            copy_element(values.bytes, (v == d) as usize, y.bytes, i, size);
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IOneHotLayer"))
    }
    any_impls!();
}
