//! Reversing sequences of different lengths (IReverseSequenceLayer): for each index b on the
//! batch axis, the first sequenceLens[b] elements along the sequence axis are reversed and
//! the rest copied. Lengths outside [0, dim] are clamped to it.

use super::generated::ReverseSequence;
use super::{any_impls, assert_eq_later, check_type, copy_element, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{strides, DataType};

/// The types TensorRT 8.6 reverses.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Bool];

/// Where element i's sequence coordinate s reads from, for a sequence of `len` (clamped to
/// [0, dim]): reversed inside it, unchanged past it. `kernels/reverse_sequence.cu` mirrors it.
pub fn source(s: i64, len: i64, dim: i64) -> i64 {
    let len = len.clamp(0, dim);
    if s < len {
        len - 1 - s
    } else {
        s
    }
}

impl ReverseSequence {
    pub fn with_axes(batch_axis: i32, sequence_axis: i32) -> ReverseSequence {
        ReverseSequence { batch_axis, sequence_axis, axes_given: true }
    }

    /// (batch axis, sequence axis) for an input of `rank` dims.
    pub fn axes(&self, rank: usize) -> Result<(usize, usize)> {
        let check = |a: i32, what: &str| {
            usize::try_from(a)
                .ok()
                .filter(|&a| a < rank)
                .ok_or_else(|| Error::invalid_argument(format!("reverse-sequence {what} axis {a} is out of range for rank {rank}")))
        };
        let (b, s) = (check(self.batch_axis, "batch")?, check(self.sequence_axis, "sequence")?);
        if b == s {
            return Err(Error::invalid_argument(format!("reverse-sequence batch and sequence axes are both {b}")));
        }
        Ok((b, s))
    }
}

impl Layer for ReverseSequence {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (x, lens) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("the reverse-sequence input", x.dtype, TYPES)?;
        check_type("the sequence lengths", lens.dtype, &[DataType::Int32])?;
        if x.dims.len() < 2 {
            return Err(Error::invalid_argument("a reverse-sequence input needs rank 2 or more"));
        }
        let (b, _) = self.axes(x.dims.len())?;
        if lens.dims.len() != 1 {
            return Err(Error::invalid_argument("the sequence lengths must be a 1-D tensor"));
        }
        let what = || "there must be one sequence length per index of the batch axis".to_string();
        if self.axes_given {
            cx.g.assert_eq(lens.dims[0], x.dims[b], what)?;
        } else {
            // The default axes: setBatchAxis usually follows addReverseSequence.
            assert_eq_later(cx.g, lens.dims[0], x.dims[b], what)?;
        }
        Ok(vec![InferOut::new(x.dtype, x.dims.to_vec())])
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (x, lens) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let (b, s) = self.axes(x.dims.len())?;
        let st = strides(x.dims);
        let lens = lens.i64();
        let y = &mut outputs[0];
        let size = x.dtype.size_bytes();
        for i in 0..y.len() as i64 {
            let (bi, si) = ((i / st[b]) % x.dims[b], (i / st[s]) % x.dims[s]);
            let from = i + (source(si, lens[bi as usize], x.dims[s]) - si) * st[s];
            copy_element(x.bytes, from as usize, y.bytes, i as usize, size);
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IReverseSequenceLayer"))
    }
    any_impls!();
}
