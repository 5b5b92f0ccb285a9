//! Shuffle (IShuffleLayer): first transpose, reshape (static dims, or a shape tensor as
//! input 1; 0 copies an input dimension when zero is a placeholder, -1 is inferred), second
//! transpose. Moves bytes, so every type is supported.

use super::generated::Shuffle;
use super::{any_impls, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId};
use crate::types::{dims_str, strides, volume, DataType, MAX_DIMS};

impl Shuffle {
    pub fn reshape_to(dims: Vec<i64>) -> Shuffle {
        let mut s = Shuffle::new();
        s.reshape = dims;
        s.has_reshape = true;
        s
    }

    pub fn transpose(perm: Vec<i64>) -> Shuffle {
        let mut s = Shuffle::new();
        s.first_transpose = perm;
        s
    }
}

/// Checks that `perm` permutes `rank` axes (empty: identity).
pub fn check_permutation(perm: &[i64], rank: usize) -> Result<()> {
    if perm.is_empty() {
        return Ok(());
    }
    let mut seen = [false; MAX_DIMS];
    if perm.len() != rank || perm.iter().any(|&p| p < 0 || p as usize >= rank || std::mem::replace(&mut seen[p as usize], true)) {
        return Err(Error::invalid_argument(format!("{} is not a permutation of {rank} axes", dims_str(perm))));
    }
    Ok(())
}

fn permute<T: Copy>(dims: &[T], perm: &[i64]) -> Vec<T> {
    if perm.is_empty() {
        dims.to_vec()
    } else {
        perm.iter().map(|&p| dims[p as usize]).collect()
    }
}

pub fn is_identity(perm: &[i64]) -> bool {
    perm.iter().enumerate().all(|(i, &p)| p == i as i64)
}

/// Copies `src` (shape `dims`) to `dst` with its axes permuted by `perm`, for elements of
/// `size` bytes.
pub fn permute_bytes(src: &[u8], dims: &[i64], perm: &[i64], size: usize, dst: &mut [u8]) {
    let s = strides(dims);
    let out_dims = permute(dims, perm);
    let in_strides: Vec<i64> = perm.iter().map(|&p| s[p as usize]).collect();
    let n = volume(dims).unwrap_or(0);
    for i in 0..n {
        let (mut rem, mut from) = (i as i64, 0i64);
        for k in (0..out_dims.len()).rev() {
            from += (rem % out_dims[k]) * in_strides[k];
            rem /= out_dims[k];
        }
        let (f, t) = (from as usize * size, i * size);
        dst[t..t + size].copy_from_slice(&src[f..f + size]);
    }
}

impl Shuffle {
    /// The reshape's dims from the output's (the second transpose undone).
    pub fn reshaped_dims(&self, output: &[i64]) -> Vec<i64> {
        if self.second_transpose.is_empty() {
            return output.to_vec();
        }
        let mut r = vec![0; output.len()];
        for (k, &p) in self.second_transpose.iter().enumerate() {
            r[p as usize] = output[k];
        }
        r
    }
}

impl Shuffle {
    /// Reshape entry `i` known only at run time: at least -1 (inferred), and 0 copies the
    /// input's dimension when zero is a placeholder (there must be one to copy).
    fn runtime_entry(&self, cx: &mut InferCx, i: usize, v: ExprId, t1: &[ExprId]) -> Result<ExprId> {
        let v = cx.g.at_least(v, -1, || format!("reshape dimension {i}"))?;
        if !self.zero_is_placeholder {
            return Ok(v);
        }
        let zero = cx.g.constant(0);
        let is_zero = cx.g.op(BinOp::Equal, v, zero)?;
        match t1.get(i) {
            Some(&copied) => Ok(cx.g.select(is_zero, copied, v)),
            None => {
                let not_zero = cx.g.op(BinOp::Equal, is_zero, zero)?;
                let rank = t1.len();
                cx.g.is_true_later(not_zero, cx.layer as i64, || {
                    format!("reshape dimension {i} is 0 (copy the input's), but the input has rank {rank}")
                })?;
                Ok(v)
            }
        }
    }
}

/// Resolves the -1 among reshape dims `out` when entries `runtime` are known only at run
/// time (each may be -1; `infer_at` is a -1 known now): at most one -1 in all, which becomes
/// the input's element count `total` divided by the product of the others.
fn infer_at_run_time(cx: &mut InferCx, out: &mut [ExprId], runtime: &[usize], infer_at: Option<usize>, total: ExprId) -> Result<()> {
    let (one, minus_one) = (cx.g.constant(1), cx.g.constant(-1));
    let mut count = cx.g.constant(infer_at.is_some() as i64);
    let mut others = cx.g.constant(1);
    let mut inferred_here = Vec::with_capacity(runtime.len());
    for (j, &d) in out.iter().enumerate() {
        if Some(j) == infer_at {
            continue;
        }
        if runtime.contains(&j) {
            let is_inferred = cx.g.op(BinOp::Equal, d, minus_one)?;
            count = cx.g.add(count, is_inferred)?;
            let factor = cx.g.select(is_inferred, one, d);
            others = cx.g.mul(others, factor)?;
            inferred_here.push((j, is_inferred));
        } else {
            others = cx.g.mul(others, d)?;
        }
    }
    let two = cx.g.constant(2);
    let at_most_one = cx.g.op(BinOp::Less, count, two)?;
    cx.g.is_true_later(at_most_one, cx.layer as i64, || "the reshape has more than one -1 dimension".to_string())?;
    // A 0 among the others with no -1 to infer must not divide by zero: the element count
    // check below reports a wrong shape.
    let divisor = cx.g.op(BinOp::Max, others, one)?;
    let inferred = cx.g.floor_div(total, divisor)?;
    if let Some(i) = infer_at {
        out[i] = inferred;
    }
    for (j, is_inferred) in inferred_here {
        out[j] = cx.g.select(is_inferred, inferred, out[j]);
    }
    Ok(())
}

impl Layer for Shuffle {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_permutation(&self.first_transpose, x.dims.len())?;
        let t1 = permute(x.dims, &self.first_transpose);
        let spec: Option<Vec<ExprId>> = match inputs.get(1).and_then(|i| i.as_ref()) {
            Some(shape) => {
                if shape.dtype != DataType::Int32 || shape.dims.len() != 1 {
                    return Err(Error::invalid_argument("the reshape input (input 1) must be a 1-D kINT32 shape tensor"));
                }
                Some(
                    shape
                        .values
                        .ok_or_else(|| {
                            Error::invalid_argument(
                                "the reshape input (input 1) must be a shape tensor, computable from shapes on the host",
                            )
                        })?
                        .to_vec(),
                )
            }
            None if self.has_reshape => Some(cx.g.constants(&self.reshape)),
            None => None,
        };
        let r = match spec {
            None => t1.clone(),
            Some(spec) => {
                if spec.len() > MAX_DIMS {
                    return Err(Error::invalid_argument(format!(
                        "a reshape to {} dimensions exceeds the maximum of {MAX_DIMS}",
                        spec.len()
                    )));
                }
                let mut out = Vec::with_capacity(spec.len());
                let mut infer_at = None;
                // Entries known only at run time, where 0 and -1 are still placeholders.
                let mut runtime = Vec::new();
                for (i, &v) in spec.iter().enumerate() {
                    match cx.g.as_const(v) {
                        Some(0) if self.zero_is_placeholder => out.push(*t1.get(i).ok_or_else(|| {
                            Error::invalid_argument(format!(
                                "reshape dimension {i} is 0 (copy the input's), but the input has rank {}",
                                t1.len()
                            ))
                        })?),
                        Some(-1) if infer_at.is_none() => {
                            infer_at = Some(i);
                            out.push(v)
                        }
                        Some(d) if d < 0 => return Err(Error::invalid_argument(format!("reshape dimension {i} is {d}"))),
                        Some(_) => out.push(v),
                        None => {
                            runtime.push(i);
                            out.push(self.runtime_entry(cx, i, v, &t1)?);
                        }
                    }
                }
                let total = cx.g.volume(&t1)?;
                if !runtime.is_empty() {
                    infer_at_run_time(cx, &mut out, &runtime, infer_at, total)?;
                } else if let Some(i) = infer_at {
                    let mut others = cx.g.constant(1);
                    for (j, &d) in out.iter().enumerate() {
                        if j != i {
                            others = cx.g.mul(others, d)?;
                        }
                    }
                    out[i] = cx.g.op(BinOp::FloorDiv, total, others).map_err(|e| e.context("the reshape cannot infer its -1 dimension"))?;
                }
                let produced = cx.g.volume(&out)?;
                cx.g.assert_eq(produced, total, || "the reshape changes the number of elements".to_string())?;
                out
            }
        };
        check_permutation(&self.second_transpose, r.len())?;
        let dims = permute(&r, &self.second_transpose);
        let mut out = InferOut::new(x.dtype, dims);
        // A shape tensor reshaped between rank 0 and 1 keeps its values in order.
        if let Some(values) = x.values {
            if r.len() <= 1 && x.dims.len() <= 1 {
                out.values = Some(values.to_vec());
            }
        }
        Ok(vec![out])
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let size = x.dtype.size_bytes();
        let y = &mut outputs[0];
        let r = self.reshaped_dims(y.dims);
        let first = !is_identity(&self.first_transpose);
        let second = !is_identity(&self.second_transpose);
        let n = x.bytes.len().min(y.bytes.len());
        match (first, second) {
            (false, false) => y.bytes[..n].copy_from_slice(&x.bytes[..n]),
            (true, false) => permute_bytes(x.bytes, x.dims, &self.first_transpose, size, y.bytes),
            (false, true) => permute_bytes(x.bytes, &r, &self.second_transpose, size, y.bytes),
            (true, true) => {
                let mut mid = vec![0u8; x.bytes.len()];
                permute_bytes(x.bytes, x.dims, &self.first_transpose, size, &mut mid);
                permute_bytes(&mid, &r, &self.second_transpose, size, y.bytes);
            }
        }
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        self.first_transpose = super::permutation_with_batch(&self.first_transpose);
        self.second_transpose = super::permutation_with_batch(&self.second_transpose);
        if self.has_reshape {
            if !self.zero_is_placeholder && self.reshape.contains(&0) {
                return Err(Error::unsupported("a reshape to a literal 0 dimension in an implicit-batch network"));
            }
            // A leading 0 copies the batch.
            self.reshape.insert(0, 0);
            self.zero_is_placeholder = true;
        }
        Ok(())
    }
    any_impls!();
}
