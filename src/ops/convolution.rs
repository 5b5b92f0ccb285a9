//! 2-D convolution (IConvolutionLayer), NCHW.

use super::{launch, set_window_param, unknown_param, window_out, window_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::{CudaLayer, DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, LayerType};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Convolution {
    #[prost(int64, tag = "1")]
    pub num_output_maps: i64,
    #[prost(int64, repeated, tag = "2")]
    pub kernel_size: Vec<i64>,
    #[prost(int64, repeated, tag = "3")]
    pub stride: Vec<i64>,
    #[prost(int64, repeated, tag = "4")]
    pub pre_padding: Vec<i64>,
    #[prost(int64, repeated, tag = "5")]
    pub post_padding: Vec<i64>,
    #[prost(int64, repeated, tag = "6")]
    pub dilation: Vec<i64>,
    #[prost(int64, tag = "7")]
    pub groups: i64,
    #[prost(float, repeated, tag = "8")]
    pub kernel_weights: Vec<f32>,
    #[prost(float, repeated, tag = "9")]
    pub bias_weights: Vec<f32>,
}

/// Resolved geometry; mirrors `ConvDesc` in kernels/convolution.cu.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct ConvDesc {
    n: i32,
    c: i32,
    h: i32,
    w: i32,
    k: i32,
    r: i32,
    s: i32,
    oh: i32,
    ow: i32,
    sh: i32,
    sw: i32,
    ph: i32,
    pw: i32,
    dh: i32,
    dw: i32,
    groups: i32,
}

impl Convolution {
    /// A convolution with TensorRT's defaults: stride 1, no padding, dilation 1, one group.
    pub fn new(num_output_maps: i64, kernel_size: [i64; 2], kernel_weights: Vec<f32>, bias_weights: Vec<f32>) -> Convolution {
        Convolution {
            num_output_maps,
            kernel_size: kernel_size.to_vec(),
            stride: vec![1, 1],
            pre_padding: vec![0, 0],
            post_padding: vec![0, 0],
            dilation: vec![1, 1],
            groups: 1,
            kernel_weights,
            bias_weights,
        }
    }

    fn pick(v: &[i64], i: usize, default: i64) -> i64 {
        v.get(i).copied().unwrap_or(default)
    }

    fn desc(&self, input: &[i64], output: &[i64]) -> ConvDesc {
        let g = |v: &[i64], i, d| Self::pick(v, i, d) as i32;
        ConvDesc {
            n: input[0] as i32,
            c: input[1] as i32,
            h: input[2] as i32,
            w: input[3] as i32,
            k: self.num_output_maps as i32,
            r: g(&self.kernel_size, 0, 1),
            s: g(&self.kernel_size, 1, 1),
            oh: output[2] as i32,
            ow: output[3] as i32,
            sh: g(&self.stride, 0, 1),
            sw: g(&self.stride, 1, 1),
            ph: g(&self.pre_padding, 0, 0),
            pw: g(&self.pre_padding, 1, 0),
            dh: g(&self.dilation, 0, 1),
            dw: g(&self.dilation, 1, 1),
            groups: self.groups.max(1) as i32,
        }
    }
}

impl Op for Convolution {
    fn kind(&self) -> &'static str {
        "Convolution"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::Convolution
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        let x = inputs[0];
        if x.len() != 4 || self.kernel_size.len() != 2 {
            return Err(Error::unsupported(format!(
                "only 2-D convolutions on NCHW (rank 4) inputs are implemented; input is {}, kernel {}",
                dims_str(x),
                dims_str(&self.kernel_size)
            )));
        }
        let groups = self.groups.max(1);
        let k = self.num_output_maps;
        if k <= 0 || k % groups != 0 {
            return Err(Error::invalid_argument(format!("{k} output maps cannot be split into {groups} groups")));
        }
        if x[1] >= 0 {
            if x[1] % groups != 0 {
                return Err(Error::invalid_argument(format!("{} input channels cannot be split into {groups} groups", x[1])));
            }
            let want = k * (x[1] / groups) * self.kernel_size[0] * self.kernel_size[1];
            if want as usize != self.kernel_weights.len() {
                return Err(Error::invalid_argument(format!(
                    "kernel weights have {} values; {} are needed for {k} maps of {} channels and kernel {}",
                    self.kernel_weights.len(),
                    want,
                    x[1] / groups,
                    dims_str(&self.kernel_size)
                )));
            }
        }
        if !self.bias_weights.is_empty() && self.bias_weights.len() as i64 != k {
            return Err(Error::invalid_argument(format!("bias has {} values for {k} output maps", self.bias_weights.len())));
        }
        let mut out = vec![x[0], k, 0, 0];
        for i in 0..2 {
            out[2 + i] = window_out(
                x[2 + i],
                self.kernel_size[i],
                Self::pick(&self.stride, i, 1),
                Self::pick(&self.pre_padding, i, 0),
                Self::pick(&self.post_padding, i, 0),
                Self::pick(&self.dilation, i, 1),
            )?;
        }
        Ok(vec![out])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        if set_window_param(key, &value, &mut self.stride, &mut self.pre_padding, &mut self.post_padding)? {
            return Ok(());
        }
        match key {
            "num_output_maps" => self.num_output_maps = value.int(key)?,
            "kernel_size" => self.kernel_size = value.ints(key)?.to_vec(),
            "dilation" => self.dilation = value.ints(key)?.to_vec(),
            "groups" => self.groups = value.int(key)?,
            "kernel_weights" => self.kernel_weights = value.weights(key)?,
            "bias_weights" => self.bias_weights = value.weights(key)?,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        if let Some(p) = window_param(key, &self.stride, &self.pre_padding, &self.post_padding) {
            return Some(p);
        }
        Some(match key {
            "num_output_maps" => Param::Ints(vec![self.num_output_maps]),
            "kernel_size" => Param::Ints(self.kernel_size.clone()),
            "dilation" => Param::Ints(self.dilation.clone()),
            "groups" => Param::Ints(vec![self.groups]),
            "kernel_weights" => Param::Weights(self.kernel_weights.clone()),
            "bias_weights" => Param::Weights(self.bias_weights.clone()),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let out_dims = &self.infer(&[inputs[0].dims])?[0];
        let d = self.desc(inputs[0].dims, out_dims);
        let (x, w, y) = (inputs[0].data, &self.kernel_weights, &mut outputs[0]);
        let (cpg, kpg) = ((d.c / d.groups) as usize, (d.k / d.groups) as usize);
        let (h, wd, oh, ow, r, s) = (d.h as usize, d.w as usize, d.oh as usize, d.ow as usize, d.r as usize, d.s as usize);
        for b in 0..d.n as usize {
            for oc in 0..d.k as usize {
                let g = oc / kpg;
                for oy in 0..oh {
                    for ox in 0..ow {
                        let mut acc = self.bias_weights.get(oc).copied().unwrap_or(0.0);
                        for ic in 0..cpg {
                            let xin = ((b * d.c as usize + g * cpg + ic) * h) * wd;
                            let wk = ((oc * cpg + ic) * r) * s;
                            for ky in 0..r {
                                let iy = (oy * d.sh as usize + ky * d.dh as usize) as i64 - d.ph as i64;
                                if iy < 0 || iy >= h as i64 {
                                    continue;
                                }
                                for kx in 0..s {
                                    let ix = (ox * d.sw as usize + kx * d.dw as usize) as i64 - d.pw as i64;
                                    if ix < 0 || ix >= wd as i64 {
                                        continue;
                                    }
                                    acc = x[xin + iy as usize * wd + ix as usize].mul_add(w[wk + ky * s + kx], acc);
                                }
                            }
                        }
                        y[((b * d.k as usize + oc) * oh + oy) * ow + ox] = acc;
                    }
                }
            }
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["convolution"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let desc = self.desc(&prep.shapes.inputs[0], &prep.shapes.outputs[0]);
        Ok(Box::new(ConvCuda {
            kernel: prep.kernels.function("convolution", "conv2d_f32")?,
            weights: DeviceBuffer::upload_f32(&self.kernel_weights)?,
            bias: DeviceBuffer::upload_f32(&self.bias_weights)?,
            n: volume(&prep.shapes.outputs[0]).unwrap_or(0),
            desc,
        }))
    }
}

struct ConvCuda {
    kernel: Kernel,
    weights: DeviceBuffer,
    bias: DeviceBuffer,
    n: usize,
    desc: ConvDesc,
}

impl CudaLayer for ConvCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&self.weights.ptr),
            launch::arg(&self.bias.ptr),
            launch::arg(&outputs[0]),
            launch::arg(&self.desc),
        ];
        self.kernel.launch(launch::grid(self.n), launch::BLOCK, stream, &mut args)
    }
}
