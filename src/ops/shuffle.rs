//! Shuffle (IShuffleLayer): first transpose, reshape, second transpose.

use super::{launch, unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::memory::copy_async;
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, strides, volume, LayerType, MAX_DIMS};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Shuffle {
    /// Empty means identity.
    #[prost(int64, repeated, tag = "1")]
    pub first_transpose: Vec<i64>,
    #[prost(bool, tag = "2")]
    pub has_reshape: bool,
    #[prost(int64, repeated, tag = "3")]
    pub reshape: Vec<i64>,
    #[prost(int64, repeated, tag = "4")]
    pub second_transpose: Vec<i64>,
    /// TensorRT's default is true: a 0 in the reshape copies the input's dimension.
    #[prost(bool, tag = "5")]
    pub zero_is_placeholder: bool,
}

impl Shuffle {
    pub fn reshape(dims: Vec<i64>) -> Shuffle {
        Shuffle { has_reshape: true, reshape: dims, zero_is_placeholder: true, ..Default::default() }
    }

    /// The three stages' shapes: after the first transpose, after the reshape, output.
    fn stages(&self, input: &[i64]) -> Result<(Vec<i64>, Vec<i64>, Vec<i64>)> {
        let t1 = permute_dims(input, &self.first_transpose)?;
        let r = if self.has_reshape { self.resolve_reshape(&t1)? } else { t1.clone() };
        let out = permute_dims(&r, &self.second_transpose)?;
        Ok((t1, r, out))
    }

    fn resolve_reshape(&self, input: &[i64]) -> Result<Vec<i64>> {
        let mut out = Vec::with_capacity(self.reshape.len());
        let mut infer_at = None;
        for (i, &d) in self.reshape.iter().enumerate() {
            match d {
                0 if self.zero_is_placeholder => {
                    let v = *input.get(i).ok_or_else(|| {
                        Error::invalid_argument(format!(
                            "reshape {} copies dimension {i} that input {} lacks",
                            dims_str(&self.reshape),
                            dims_str(input)
                        ))
                    })?;
                    out.push(v)
                }
                -1 if infer_at.is_none() => {
                    infer_at = Some(i);
                    out.push(-1)
                }
                d if d < 0 => return Err(Error::invalid_argument(format!("reshape {} has an invalid dimension", dims_str(&self.reshape)))),
                d => out.push(d),
            }
        }
        let total = volume(input);
        if let (Some(i), Some(total)) = (infer_at, total) {
            let known: i64 = out.iter().filter(|&&d| d >= 0).product();
            if known == 0 || total as i64 % known != 0 {
                return Err(Error::invalid_argument(format!("cannot reshape {} to {}", dims_str(input), dims_str(&self.reshape))));
            }
            out[i] = total as i64 / known;
        }
        if let (Some(a), Some(b)) = (total, volume(&out)) {
            if a != b {
                return Err(Error::invalid_argument(format!(
                    "cannot reshape {} ({a} elements) to {} ({b} elements)",
                    dims_str(input),
                    dims_str(&out)
                )));
            }
        }
        Ok(out)
    }
}

fn is_identity(perm: &[i64]) -> bool {
    perm.iter().enumerate().all(|(i, &p)| p == i as i64)
}

fn permute_dims(dims: &[i64], perm: &[i64]) -> Result<Vec<i64>> {
    if perm.is_empty() {
        return Ok(dims.to_vec());
    }
    let mut seen = vec![false; dims.len()];
    if perm.len() != dims.len() || perm.iter().any(|&p| p < 0 || p as usize >= dims.len() || std::mem::replace(&mut seen[p as usize], true))
    {
        return Err(Error::invalid_argument(format!(
            "{} is not a permutation of the {} axes of {}",
            dims_str(perm),
            dims.len(),
            dims_str(dims)
        )));
    }
    Ok(perm.iter().map(|&p| dims[p as usize]).collect())
}

/// Permutation geometry; mirrors `Permute` in kernels/shuffle.cu.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct PermuteDesc {
    out_dims: [i64; MAX_DIMS],
    in_strides: [i64; MAX_DIMS],
    rank: i32,
}

fn permute_desc(dims: &[i64], perm: &[i64]) -> PermuteDesc {
    let s = strides(dims);
    let mut d = PermuteDesc { rank: dims.len() as i32, ..Default::default() };
    for (k, &p) in perm.iter().enumerate() {
        d.out_dims[k] = dims[p as usize];
        d.in_strides[k] = s[p as usize];
    }
    d
}

fn permute_cpu(data: &[f32], dims: &[i64], perm: &[i64], out: &mut [f32]) {
    let d = permute_desc(dims, perm);
    for (i, y) in out.iter_mut().enumerate() {
        let (mut rem, mut src) = (i as i64, 0i64);
        for k in (0..dims.len()).rev() {
            src += (rem % d.out_dims[k]) * d.in_strides[k];
            rem /= d.out_dims[k];
        }
        *y = data[src as usize];
    }
}

impl Op for Shuffle {
    fn kind(&self) -> &'static str {
        "Shuffle"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::Shuffle
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        Ok(vec![self.stages(inputs[0])?.2])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "first_transpose" => self.first_transpose = value.ints(key)?.to_vec(),
            "reshape" => {
                self.reshape = value.ints(key)?.to_vec();
                self.has_reshape = true;
            }
            "second_transpose" => self.second_transpose = value.ints(key)?.to_vec(),
            "zero_is_placeholder" => self.zero_is_placeholder = value.int(key)? != 0,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        Some(match key {
            "first_transpose" => Param::Ints(self.first_transpose.clone()),
            "reshape" if self.has_reshape => Param::Ints(self.reshape.clone()),
            "has_reshape" => Param::Ints(vec![self.has_reshape as i64]),
            "second_transpose" => Param::Ints(self.second_transpose.clone()),
            "zero_is_placeholder" => Param::Ints(vec![self.zero_is_placeholder as i64]),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let (_, r, _) = self.stages(inputs[0].dims)?;
        let mut stage = inputs[0].data.to_vec();
        if !self.first_transpose.is_empty() {
            permute_cpu(inputs[0].data, inputs[0].dims, &self.first_transpose, &mut stage);
        }
        if self.second_transpose.is_empty() {
            outputs[0].copy_from_slice(&stage);
        } else {
            permute_cpu(&stage, &r, &self.second_transpose, &mut outputs[0]);
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["shuffle"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let input = &prep.shapes.inputs[0];
        let (_, r, _) = self.stages(input)?;
        let first = (!is_identity(&self.first_transpose)).then(|| permute_desc(input, &self.first_transpose));
        let second = (!is_identity(&self.second_transpose)).then(|| permute_desc(&r, &self.second_transpose));
        Ok(Box::new(ShuffleCuda {
            kernel: prep.kernels.function("shuffle", "transpose_f32")?,
            n: volume(input).unwrap_or(0),
            first,
            second,
        }))
    }
}

struct ShuffleCuda {
    kernel: Kernel,
    n: usize,
    first: Option<PermuteDesc>,
    second: Option<PermuteDesc>,
}

impl ShuffleCuda {
    fn transpose(&self, src: DevicePtr, dst: DevicePtr, desc: &PermuteDesc, stream: RawStream) -> Result<()> {
        let n = self.n as i64;
        let mut args = [launch::arg(&src), launch::arg(&dst), launch::arg(&n), launch::arg(desc)];
        self.kernel.launch(launch::grid(self.n), launch::BLOCK, stream, &mut args)
    }
}

impl CudaLayer for ShuffleCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        let (x, y) = (inputs[0], outputs[0]);
        match (&self.first, &self.second) {
            (None, None) => copy_async(y, x, self.n * 4, stream),
            (Some(d), None) | (None, Some(d)) => self.transpose(x, y, d, stream),
            (Some(d1), Some(d2)) => {
                self.transpose(x, scratch.workspace, d1, stream)?;
                self.transpose(scratch.workspace, y, d2, stream)
            }
        }
    }
    fn workspace_bytes(&self) -> usize {
        if self.first.is_some() && self.second.is_some() {
            self.n * 4
        } else {
            0
        }
    }
}
