//! Concatenation of any number of tensors along one axis (IConcatenationLayer). The inputs
//! have one type (kFLOAT and kHALF mix: the builder gives them one) and agree on every
//! dimension but the axis. Moves bytes, so every type TensorRT allows is one code path.

use super::generated::Concatenation;
use super::{any_impls, assert_eq_later, check_type, copy_element, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, MAX_SHAPE_VALUES};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{volume, DataType};

/// The types TensorRT 8.6 concatenates.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Bool];

impl Concatenation {
    pub fn on_axis(axis: i32) -> Concatenation {
        Concatenation { axis, axis_given: true }
    }

    /// The axis for inputs of `rank` dims, checked.
    pub fn axis_for(&self, rank: usize) -> Result<usize> {
        if rank == 0 {
            return Err(Error::invalid_argument("a concatenation needs inputs of rank 1 or more; 0-D tensors have no axis"));
        }
        usize::try_from(self.axis)
            .ok()
            .filter(|&a| a < rank)
            .ok_or_else(|| Error::invalid_argument(format!("concatenation axis {} is out of range for inputs of rank {rank}", self.axis)))
    }
}

/// The tensor seen as [outer, axis, inner]: (outer, axis * inner) in elements.
pub fn rows(dims: &[i64], axis: usize) -> (usize, usize) {
    (volume(&dims[..axis]).unwrap_or(0), volume(&dims[axis..]).unwrap_or(0))
}

impl Layer for Concatenation {
    fn fill_defaults(&mut self, inputs: &[Option<InferIn>]) {
        // TensorRT's default axis: the number of axes minus three, and 0 below rank 3.
        if self.axis < 0 && !self.axis_given {
            let rank = inputs.first().and_then(|i| i.as_ref()).map(|i| i.dims.len()).unwrap_or(0);
            self.axis = rank.saturating_sub(3) as i32;
        }
    }

    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let first = input(inputs, 0)?;
        let rank = first.dims.len();
        let axis = self.axis_for(rank)?;
        let mut dims = first.dims.to_vec();
        for i in 0..inputs.len() {
            let x = input(inputs, i)?;
            check_type(&format!("concatenation input {i}"), x.dtype, TYPES)?;
            let same_type = x.dtype == first.dtype || (x.dtype.is_float() && first.dtype.is_float());
            if !same_type {
                return Err(Error::invalid_argument(format!("concatenation inputs 0 and {i} have types {} and {}", first.dtype, x.dtype)));
            }
            if x.dims.len() != rank {
                return Err(Error::invalid_argument(format!("concatenation inputs 0 and {i} have ranks {rank} and {}", x.dims.len())));
            }
            if i == 0 {
                continue;
            }
            for (k, d) in dims.iter_mut().enumerate() {
                let what = || format!("concatenation input {i} dimension {k} must match input 0's");
                *d = if k == axis {
                    cx.g.add(*d, x.dims[k])?
                } else if self.axis_given {
                    cx.g.assert_eq(*d, x.dims[k], what)?
                } else {
                    // The default axis: setAxis usually follows addConcatenation.
                    assert_eq_later(cx.g, *d, x.dims[k], what)?
                };
            }
        }
        let dtype = if first.dtype.is_float() { float_type(inputs) } else { first.dtype };
        let mut out = InferOut::new(dtype, dims);
        // Concatenated shape tensors keep their values in order.
        if dtype == DataType::Int32 && rank == 1 {
            let values: Option<Vec<_>> = inputs.iter().map(|x| x.as_ref().and_then(|x| x.values)).collect::<Option<Vec<_>>>().map(|v| v.concat());
            out.values = values.filter(|v| v.len() <= MAX_SHAPE_VALUES);
        }
        Ok(vec![out])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let y = &mut outputs[0];
        let axis = self.axis_for(y.dims.len())?;
        let size = y.dtype.size_bytes();
        let (outer, out_row) = rows(y.dims, axis);
        let mut offset = 0;
        for i in 0..inputs.len() {
            let x = host_input(inputs, i)?;
            if x.dtype != y.dtype {
                return Err(Error::internal(format!("concatenation input {i} is {} but the output is {}", x.dtype, y.dtype)));
            }
            let (_, row) = rows(x.dims, axis);
            for o in 0..outer {
                for e in 0..row {
                    copy_element(x.bytes, o * row + e, y.bytes, o * out_row + offset + e, size);
                }
            }
            offset += row;
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        if self.axis >= 0 {
            self.axis += 1;
        }
        Ok(())
    }
    any_impls!();
}
