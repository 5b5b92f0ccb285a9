//! Pooling (IPoolingLayer): max, average and max-average blend over 1 to 3 trailing spatial
//! dimensions, every padding mode, average counts with or without padding.

use super::generated::Pooling;
use super::window::{self, Axis};
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, volume};

/// nvinfer1::PoolingType values.
pub const MAX: i32 = 0;
pub const AVERAGE: i32 = 1;
pub const MAX_AVERAGE_BLEND: i32 = 2;

/// Concrete geometry for one input shape; spatial axes padded to three.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PoolGeometry {
    /// Product of the leading (non-spatial) dimensions.
    pub planes: i64,
    pub input: [i64; 3],
    pub output: [i64; 3],
    pub window: [i64; 3],
    pub stride: [i64; 3],
    pub pad: [i64; 3],
    /// Trailing padding (bounds the average's count when padding is counted).
    pub post: [i64; 3],
}

impl Pooling {
    /// TensorRT's defaults beyond addPoolingNd's arguments: stride = window, no padding.
    pub fn of(pooling_type: i32, window: Vec<i64>) -> Pooling {
        let mut p = Pooling::new();
        p.pooling_type = pooling_type;
        p.window = window;
        p.fill_defaults(&[]);
        p
    }

    fn axes(&self) -> Result<Vec<Axis>> {
        window::axes(self.window.len(), &self.window, &self.stride, &[], &self.pre_padding, &self.post_padding)
    }

    pub fn geometry(&self, input: &[i64]) -> Result<PoolGeometry> {
        let axes = self.axes()?;
        let s = axes.len();
        if input.len() <= s {
            return Err(Error::invalid_argument(format!("a {s}-D pooling needs more than {s} input dimensions, got {}", dims_str(input))));
        }
        let lead = input.len() - s;
        let mut g = PoolGeometry { planes: volume(&input[..lead]).unwrap_or(0) as i64, ..Default::default() };
        for i in 0..3 {
            (g.input[i], g.output[i], g.window[i], g.stride[i]) = (1, 1, 1, 1);
        }
        for (i, a) in axes.iter().enumerate() {
            let (out, pre) = window::concrete(self.padding_mode, input[lead + i], a)?;
            let j = 3 - s + i;
            g.input[j] = input[lead + i];
            g.output[j] = out;
            g.window[j] = a.kernel;
            g.stride[j] = a.stride;
            g.pad[j] = pre;
            g.post[j] = match self.padding_mode {
                window::SAME_UPPER | window::SAME_LOWER => ((out - 1) * a.stride + a.kernel - input[lead + i] - pre).max(0),
                _ => a.post,
            };
        }
        Ok(g)
    }
}

impl Layer for Pooling {
    fn fill_defaults(&mut self, _inputs: &[Option<InferIn>]) {
        if self.stride.is_empty() {
            self.stride = self.window.clone();
        }
        let n = self.window.len();
        for v in [&mut self.pre_padding, &mut self.post_padding] {
            if v.is_empty() {
                *v = vec![0; n];
            }
        }
    }

    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_type("the pooling input", x.dtype, FLOATS)?;
        if !(MAX..=MAX_AVERAGE_BLEND).contains(&self.pooling_type) {
            return Err(Error::invalid_argument(format!("unknown PoolingType {}", self.pooling_type)));
        }
        window::check_mode(self.padding_mode)?;
        let axes = self.axes()?;
        let s = axes.len();
        if !(1..=3).contains(&s) {
            return Err(Error::unsupported(format!("{s}-D pooling is not supported (1-D to 3-D is)")));
        }
        if x.dims.len() <= s {
            return Err(Error::invalid_argument(format!("a {s}-D pooling needs an input of rank > {s}, got rank {}", x.dims.len())));
        }
        let lead = x.dims.len() - s;
        let mut dims = x.dims[..lead].to_vec();
        for (i, a) in axes.iter().enumerate() {
            dims.push(window::symbolic(cx.g, self.padding_mode, x.dims[lead + i], a, &|| format!("pooling axis {}", lead + i))?);
        }
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let g = self.geometry(x.dims)?;
        let xv = x.f32();
        let (kind, exclude, blend) = (self.pooling_type, self.average_count_excludes_padding, self.blend_factor);
        outputs[0].with_f32(|y| pool(&g, kind, exclude, blend, &xv, y));
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // The window is over the trailing dims.
        Ok(())
    }
    any_impls!();
}

/// Reference pooling on f32.
pub fn pool(g: &PoolGeometry, kind: i32, exclude_padding: bool, blend: f32, x: &[f32], y: &mut [f32]) {
    let [id, ih, iw] = g.input;
    let [od, oh, ow] = g.output;
    let plane_in = (id * ih * iw) as usize;
    let mut o = 0;
    for p in 0..g.planes as usize {
        let xin = &x[p * plane_in..];
        for z in 0..od {
            for yy in 0..oh {
                for xx in 0..ow {
                    let start = [z * g.stride[0] - g.pad[0], yy * g.stride[1] - g.pad[1], xx * g.stride[2] - g.pad[2]];
                    let (mut best, mut sum, mut valid, mut counted) = (f32::NEG_INFINITY, 0f32, 0i64, 0i64);
                    for dz in 0..g.window[0] {
                        for dy in 0..g.window[1] {
                            for dx in 0..g.window[2] {
                                let c = [start[0] + dz, start[1] + dy, start[2] + dx];
                                // Positions inside the padded extent count when padding counts.
                                if (0..3).all(|i| c[i] >= -g.pad[i] && c[i] < g.input[i] + g.post[i]) {
                                    counted += 1;
                                }
                                if (0..3).any(|i| c[i] < 0 || c[i] >= g.input[i]) {
                                    continue;
                                }
                                let v = xin[((c[0] * ih + c[1]) * iw + c[2]) as usize];
                                best = best.max(v);
                                sum += v;
                                valid += 1;
                            }
                        }
                    }
                    let avg = sum / (if exclude_padding { valid } else { counted }).max(1) as f32;
                    y[o] = match kind {
                        MAX => best,
                        AVERAGE => avg,
                        _ => (1.0 - blend) * best + blend * avg,
                    };
                    o += 1;
                }
            }
        }
    }
}
