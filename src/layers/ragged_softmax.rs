//! Ragged softmax (IRaggedSoftMaxLayer): the input holds sequences along its last axis
//! ([.., Z, S]) and the kINT32 bounds ([.., Z, 1]) their lengths; each row's first `bound`
//! values get a softmax and the rest are 0. Bounds beyond S count as S, below 1 as 0.

use super::generated::RaggedSoftMax;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{volume, DataType};

/// Rows and their length of an input shape.
pub fn rows(dims: &[i64]) -> (usize, usize) {
    let cols = dims.last().map(|&d| d.max(0) as usize).unwrap_or(0);
    (volume(&dims[..dims.len().saturating_sub(1)]).unwrap_or(0), cols)
}

impl Layer for RaggedSoftMax {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (x, bounds) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("the ragged softmax input", x.dtype, FLOATS)?;
        check_type("the ragged softmax bounds", bounds.dtype, &[DataType::Int32])?;
        let rank = x.dims.len();
        if rank < 2 {
            return Err(Error::invalid_argument(format!("the ragged softmax input needs at least 2 dimensions ([Z, S]), got {rank}")));
        }
        if bounds.dims.len() != rank {
            return Err(Error::invalid_argument(format!("the ragged softmax bounds must have the input's rank {rank}, not {}", bounds.dims.len())));
        }
        for (i, (&d, &b)) in x.dims.iter().zip(bounds.dims).enumerate().take(rank - 1) {
            cx.g.assert_eq(b, d, || format!("ragged softmax bounds dimension {i} (it must be the input's)"))?;
        }
        let one = cx.g.constant(1);
        cx.g.assert_eq(bounds.dims[rank - 1], one, || "the last dimension of the ragged softmax bounds (it must be 1)".to_string())?;
        Ok(vec![InferOut::new(float_type(inputs), x.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (x, bounds) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let (n, cols) = rows(x.dims);
        let (xv, bv) = (x.f32(), bounds.i64());
        outputs[0].with_f32(|y| {
            for r in 0..n {
                let len = bv.get(r).copied().unwrap_or(0).clamp(0, cols as i64) as usize;
                let row = &xv[r * cols..(r + 1) * cols];
                let m = row[..len].iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
                let s: f64 = row[..len].iter().map(|&v| (v as f64 - m).exp()).sum();
                for (c, o) in y[r * cols..(r + 1) * cols].iter_mut().enumerate() {
                    *o = if c < len { ((row[c] as f64 - m).exp() / s) as f32 } else { 0.0 };
                }
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // Rows are along the last axis.
        Ok(())
    }
    any_impls!();
}
