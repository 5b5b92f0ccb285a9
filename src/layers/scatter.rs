//! Scattering (IScatterLayer): the output is a copy of the data with the updates written
//! where the indices say.
//! - kELEMENT (ONNX ScatterElements): updates[J] goes to output[J with J[axis] = indices[J]].
//! - kND (ONNX ScatterND): the last axis of the indices holds tuples addressing slices of
//!   the data; updates are indices.dims[:-1] + data.dims[k:].
//!
//! Indices are kINT32; a negative index counts from the end of its axis once, and an update
//! whose index stays outside is dropped. Where indices repeat, which update lands is not
//! specified (as in TensorRT).

use super::gather::{nd_geometry, wrap_index};
use super::generated::Scatter;
use super::{any_impls, check_type, copy_element, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{strides, DataType};

/// nvinfer1::ScatterMode values.
pub const ELEMENT: i32 = 0;
pub const ND: i32 = 1;

/// The data types TensorRT 8.6 scatters.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8];

impl Scatter {
    pub fn with_mode(mode: i32) -> Scatter {
        Scatter { mode, ..Scatter::new() }
    }
}

impl Layer for Scatter {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (data, indices, updates) = (input(inputs, 0)?, input(inputs, 1)?, input(inputs, 2)?);
        check_type("the scatter data", data.dtype, TYPES)?;
        check_type("the scatter indices", indices.dtype, &[DataType::Int32])?;
        check_type("the scatter updates", updates.dtype, TYPES)?;
        if updates.dtype != data.dtype && !(updates.dtype.is_float() && data.dtype.is_float()) {
            return Err(Error::invalid_argument(format!("scatter updates are {} but the data is {}", updates.dtype, data.dtype)));
        }
        let r = data.dims.len();
        if r == 0 {
            return Err(Error::invalid_argument("a scatter needs data of rank 1 or more"));
        }
        match self.mode {
            ELEMENT => {
                if usize::try_from(self.axis).ok().filter(|&a| a < r).is_none() {
                    return Err(Error::invalid_argument(format!("scatter axis {} is out of range for data of rank {r}", self.axis)));
                }
                if indices.dims.len() != r || updates.dims.len() != r {
                    return Err(Error::invalid_argument(format!(
                        "kELEMENT scatters need data, indices and updates of one rank: {r}, {}, {}",
                        indices.dims.len(),
                        updates.dims.len()
                    )));
                }
                for k in 0..r {
                    cx.g.assert_eq(updates.dims[k], indices.dims[k], || format!("scatter updates and indices dimension {k}"))?;
                }
            }
            ND => {
                let q = indices.dims.len();
                let last = *indices.dims.last().ok_or_else(|| Error::invalid_argument("kND scatters need indices of rank 1 or more"))?;
                let k = cx.g.as_const(last).ok_or_else(|| Error::invalid_argument("kND scatters need the indices' last dimension known when the network is built"))?;
                if k < 1 || k > r as i64 {
                    return Err(Error::invalid_argument(format!("kND index tuples of length {k} do not fit data of rank {r}")));
                }
                let k = k as usize;
                let expected: Vec<_> = indices.dims[..q - 1].iter().chain(&data.dims[k..]).copied().collect();
                if updates.dims.len() != expected.len() {
                    return Err(Error::invalid_argument(format!(
                        "kND scatter updates need rank {} (indices' {} - 1 + data's {r} - {k}), not {}",
                        expected.len(),
                        q,
                        updates.dims.len()
                    )));
                }
                for (j, (&u, &e)) in updates.dims.iter().zip(&expected).enumerate() {
                    cx.g.assert_eq(u, e, || format!("kND scatter updates dimension {j}"))?;
                }
            }
            m => return Err(Error::invalid_argument(format!("unknown ScatterMode {m}"))),
        }
        let dtype = if data.dtype.is_float() { float_type(inputs) } else { data.dtype };
        Ok(vec![InferOut::new(dtype, data.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (data, indices, updates) = (host_input(inputs, 0)?, host_input(inputs, 1)?, host_input(inputs, 2)?);
        let y = &mut outputs[0];
        let n = y.bytes.len().min(data.bytes.len());
        y.bytes[..n].copy_from_slice(&data.bytes[..n]);
        let size = data.dtype.size_bytes();
        let idx = indices.i64();
        if self.mode == ELEMENT {
            let axis = self.axis as usize;
            let data_strides = strides(data.dims);
            let rank = updates.dims.len();
            for (i, &v) in idx.iter().enumerate() {
                let mut rem = i as i64;
                let mut to = Some(0i64);
                for k in (0..rank).rev() {
                    let c = rem % updates.dims[k];
                    rem /= updates.dims[k];
                    let c = if k == axis { wrap_index(v, data.dims[k]) } else { (c < data.dims[k]).then_some(c) };
                    to = to.zip(c).map(|(t, c)| t + c * data_strides[k]);
                }
                if let Some(t) = to {
                    copy_element(updates.bytes, i, y.bytes, t as usize, size);
                }
            }
        } else {
            let g = nd_geometry(data.dims, indices.dims, 0)?;
            let k = g.dims.len();
            for q in 0..g.count {
                let Some(at) = g.offset(q, &idx[(q as usize) * k..(q as usize + 1) * k]) else { continue };
                for s in 0..g.inner {
                    copy_element(updates.bytes, (q * g.inner + s) as usize, y.bytes, (at + s) as usize, size);
                }
            }
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IScatterLayer"))
    }
    any_impls!();
}
