//! Elementwise choice (ISelectLayer): output = condition ? thenInput : elseInput, the three
//! broadcast against each other (same rank; a dimension of 1 stretches). The condition is
//! kBOOL; the two branches have one type (kFLOAT and kHALF mix: the builder gives them one).

use super::elementwise::broadcast_strides;
use super::generated::Select;
use super::{any_impls, check_type, copy_element, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, DataType};

/// The branch types TensorRT 8.6 selects between.
pub const TYPES: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Bool];

/// Output dims of broadcasting known shapes of equal rank.
pub fn broadcast_all(shapes: &[&[i64]]) -> Result<Vec<i64>> {
    let rank = shapes[0].len();
    let mut out = vec![1i64; rank];
    for s in shapes {
        if s.len() != rank {
            return Err(Error::invalid_argument(format!("select inputs of ranks {rank} and {}", s.len())));
        }
        for (o, &d) in out.iter_mut().zip(s.iter()) {
            *o = match (*o, d) {
                (a, b) if a == b => a,
                (1, b) => b,
                (a, 1) => a,
                _ => return Err(Error::invalid_argument(format!("select inputs {} cannot be broadcast", dims_str(s)))),
            };
        }
    }
    Ok(out)
}

impl Layer for Select {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (cond, then, other) = (input(inputs, 0)?, input(inputs, 1)?, input(inputs, 2)?);
        check_type("the select condition", cond.dtype, &[DataType::Bool])?;
        check_type("the select's thenInput", then.dtype, TYPES)?;
        check_type("the select's elseInput", other.dtype, TYPES)?;
        if then.dtype != other.dtype && !(then.dtype.is_float() && other.dtype.is_float()) {
            return Err(Error::invalid_argument(format!("the select's branches have types {} and {}", then.dtype, other.dtype)));
        }
        let rank = cond.dims.len();
        if then.dims.len() != rank || other.dims.len() != rank {
            return Err(Error::invalid_argument(format!(
                "select inputs must have one rank: condition {rank}, then {}, else {}",
                then.dims.len(),
                other.dims.len()
            )));
        }
        let mut dims = Vec::with_capacity(rank);
        for k in 0..rank {
            let d = cx.g.broadcast(cond.dims[k], then.dims[k], || format!("select dimension {k} of condition and thenInput"))?;
            dims.push(cx.g.broadcast(d, other.dims[k], || format!("select dimension {k} of elseInput"))?);
        }
        let dtype = if then.dtype.is_float() { float_type(inputs) } else { then.dtype };
        Ok(vec![InferOut::new(dtype, dims)])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (cond, then, other) = (host_input(inputs, 0)?, host_input(inputs, 1)?, host_input(inputs, 2)?);
        let y = &mut outputs[0];
        let dims = y.dims.to_vec();
        let (sc, st, se) = (broadcast_strides(cond.dims, &dims), broadcast_strides(then.dims, &dims), broadcast_strides(other.dims, &dims));
        let size = y.dtype.size_bytes();
        for i in 0..y.len() {
            let (mut rem, mut c, mut t, mut e) = (i as i64, 0i64, 0i64, 0i64);
            for k in (0..dims.len()).rev() {
                let x = rem % dims[k];
                rem /= dims[k];
                c += x * sc[k];
                t += x * st[k];
                e += x * se[k];
            }
            if cond.bytes[c as usize] != 0 {
                copy_element(then.bytes, t as usize, y.bytes, i, size);
            } else {
                copy_element(other.bytes, e as usize, y.bytes, i, size);
            }
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // Broadcasting aligns the three inputs' dims; constants gain a leading 1.
        Ok(())
    }
    any_impls!();
}
