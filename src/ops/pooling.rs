//! 2-D max and average pooling (IPoolingLayer), NCHW.

use super::{launch, set_window_param, unknown_param, window_out, window_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, LayerType};

/// nvinfer1::PoolingType values.
pub const MAX: i32 = 0;
pub const AVERAGE: i32 = 1;

#[derive(Clone, PartialEq, prost::Message)]
pub struct Pooling {
    #[prost(int32, tag = "1")]
    pub pooling_type: i32,
    #[prost(int64, repeated, tag = "2")]
    pub window: Vec<i64>,
    #[prost(int64, repeated, tag = "3")]
    pub stride: Vec<i64>,
    #[prost(int64, repeated, tag = "4")]
    pub pre_padding: Vec<i64>,
    #[prost(int64, repeated, tag = "5")]
    pub post_padding: Vec<i64>,
    /// TensorRT's default is true: padding does not count in averages.
    #[prost(bool, tag = "6")]
    pub average_count_excludes_padding: bool,
}

/// Resolved geometry; mirrors `PoolDesc` in kernels/pooling.cu.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
struct PoolDesc {
    n: i32,
    c: i32,
    h: i32,
    w: i32,
    oh: i32,
    ow: i32,
    kh: i32,
    kw: i32,
    sh: i32,
    sw: i32,
    ph: i32,
    pw: i32,
    pool_type: i32,
    exclude_padding: i32,
}

impl Pooling {
    /// TensorRT's defaults: stride equal to the window, no padding.
    pub fn new(pooling_type: i32, window: [i64; 2]) -> Pooling {
        Pooling {
            pooling_type,
            window: window.to_vec(),
            stride: window.to_vec(),
            pre_padding: vec![0, 0],
            post_padding: vec![0, 0],
            average_count_excludes_padding: true,
        }
    }

    fn desc(&self, input: &[i64], output: &[i64]) -> PoolDesc {
        let g = |v: &[i64], i: usize, d: i64| v.get(i).copied().unwrap_or(d) as i32;
        PoolDesc {
            n: input[0] as i32,
            c: input[1] as i32,
            h: input[2] as i32,
            w: input[3] as i32,
            oh: output[2] as i32,
            ow: output[3] as i32,
            kh: g(&self.window, 0, 1),
            kw: g(&self.window, 1, 1),
            sh: g(&self.stride, 0, 1),
            sw: g(&self.stride, 1, 1),
            ph: g(&self.pre_padding, 0, 0),
            pw: g(&self.pre_padding, 1, 0),
            pool_type: self.pooling_type,
            exclude_padding: self.average_count_excludes_padding as i32,
        }
    }
}

impl Op for Pooling {
    fn kind(&self) -> &'static str {
        "Pooling"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::Pooling
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        let x = inputs[0];
        if x.len() != 4 || self.window.len() != 2 {
            return Err(Error::unsupported(format!(
                "only 2-D pooling of NCHW (rank 4) inputs is implemented; input is {}, window {}",
                dims_str(x),
                dims_str(&self.window)
            )));
        }
        if self.pooling_type != MAX && self.pooling_type != AVERAGE {
            return Err(Error::unsupported(format!("pooling type {} is not implemented", self.pooling_type)));
        }
        let mut out = vec![x[0], x[1], 0, 0];
        for i in 0..2 {
            let g = |v: &[i64], d: i64| v.get(i).copied().unwrap_or(d);
            out[2 + i] = window_out(x[2 + i], self.window[i], g(&self.stride, 1), g(&self.pre_padding, 0), g(&self.post_padding, 0), 1)?;
        }
        Ok(vec![out])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        if set_window_param(key, &value, &mut self.stride, &mut self.pre_padding, &mut self.post_padding)? {
            return Ok(());
        }
        match key {
            "type" => self.pooling_type = value.int(key)? as i32,
            "window" => self.window = value.ints(key)?.to_vec(),
            "average_count_excludes_padding" => self.average_count_excludes_padding = value.int(key)? != 0,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        if let Some(p) = window_param(key, &self.stride, &self.pre_padding, &self.post_padding) {
            return Some(p);
        }
        Some(match key {
            "type" => Param::Ints(vec![self.pooling_type as i64]),
            "window" => Param::Ints(self.window.clone()),
            "average_count_excludes_padding" => Param::Ints(vec![self.average_count_excludes_padding as i64]),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let out_dims = &self.infer(&[inputs[0].dims])?[0];
        let d = self.desc(inputs[0].dims, out_dims);
        let (h, w, oh, ow) = (d.h as i64, d.w as i64, d.oh as usize, d.ow as usize);
        for plane in 0..(d.n * d.c) as usize {
            let xin = &inputs[0].data[plane * (h * w) as usize..];
            for oy in 0..oh {
                for ox in 0..ow {
                    let (mut best, mut sum, mut valid) = (f32::MIN, 0.0f32, 0);
                    for ky in 0..d.kh as i64 {
                        let iy = oy as i64 * d.sh as i64 - d.ph as i64 + ky;
                        if iy < 0 || iy >= h {
                            continue;
                        }
                        for kx in 0..d.kw as i64 {
                            let ix = ox as i64 * d.sw as i64 - d.pw as i64 + kx;
                            if ix < 0 || ix >= w {
                                continue;
                            }
                            let v = xin[(iy * w + ix) as usize];
                            best = best.max(v);
                            sum += v;
                            valid += 1;
                        }
                    }
                    let count = if d.exclude_padding != 0 { valid.max(1) } else { d.kh * d.kw };
                    outputs[0][(plane * oh + oy) * ow + ox] = if d.pool_type == MAX { best } else { sum / count as f32 };
                }
            }
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["pooling"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        Ok(Box::new(PoolCuda {
            kernel: prep.kernels.function("pooling", "pool2d_f32")?,
            n: volume(&prep.shapes.outputs[0]).unwrap_or(0),
            desc: self.desc(&prep.shapes.inputs[0], &prep.shapes.outputs[0]),
        }))
    }
}

struct PoolCuda {
    kernel: Kernel,
    n: usize,
    desc: PoolDesc,
}

impl CudaLayer for PoolCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        self.kernel.launch(launch::grid(self.n), launch::BLOCK, stream, &mut args)
    }
}
