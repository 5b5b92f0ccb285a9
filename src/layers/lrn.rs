//! Cross-channel local response normalization (ILRNLayer). The channel axis is the third
//! from the end (C of [..., C, H, W]); for a window of w channels centred on channel c,
//!   y = x / (k + alpha / w * sum of x^2 over channels max(0, c - (w-1)/2) ..= min(C-1, c + (w-1)/2)) ^ beta,
//! which reproduces TensorRT's documented example (window 3, alpha 1, beta 1, k 0.1 on
//! channels 0..4 gives 0.56603765 for channel 1). Parameters are checked against TensorRT's
//! ranges: an odd window of 1 to 15, |alpha| <= 1e20, beta in [0.01, 1e5], k in [1e-5, 1e10].

use super::generated::LRN;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::volume;

/// An input seen as [outer, channels, inner] around its channel axis (rank - 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LrnGeometry {
    pub outer: usize,
    pub channels: usize,
    pub inner: usize,
}

impl LRN {
    pub fn of(window: i32, alpha: f32, beta: f32, k: f32) -> LRN {
        LRN { window, alpha, beta, k }
    }

    fn check(&self) -> Result<()> {
        let w = self.window;
        if !(1..=15).contains(&w) || w % 2 == 0 {
            return Err(Error::invalid_argument(format!("LRN window {w} must be odd, from 1 to 15")));
        }
        let in_range = |v: f32, lo: f32, hi: f32| v >= lo && v <= hi;
        if !in_range(self.alpha, -1e20, 1e20) {
            return Err(Error::invalid_argument(format!("LRN alpha {} must be within [-1e20, 1e20]", self.alpha)));
        }
        if !in_range(self.beta, 0.01, 1e5) {
            return Err(Error::invalid_argument(format!("LRN beta {} must be within [0.01, 1e5]", self.beta)));
        }
        if !in_range(self.k, 1e-5, 1e10) {
            return Err(Error::invalid_argument(format!("LRN k {} must be within [1e-5, 1e10]", self.k)));
        }
        Ok(())
    }

    pub fn geometry(dims: &[i64]) -> Result<LrnGeometry> {
        if dims.len() < 3 {
            return Err(Error::invalid_argument(format!("an LRN input needs at least 3 dimensions, got {}", dims.len())));
        }
        let c = dims.len() - 3;
        Ok(LrnGeometry {
            outer: volume(&dims[..c]).unwrap_or(0),
            channels: dims[c].max(0) as usize,
            inner: volume(&dims[c + 1..]).unwrap_or(0),
        })
    }
}

impl Layer for LRN {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        self.check()?;
        let x = input(inputs, 0)?;
        check_type("the LRN input", x.dtype, FLOATS)?;
        if x.dims.len() < 3 {
            return Err(Error::invalid_argument(format!("an LRN input needs at least 3 dimensions (channels are the third from the end), got {}", x.dims.len())));
        }
        Ok(vec![InferOut::new(float_type(inputs), x.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let g = LRN::geometry(x.dims)?;
        let half = (self.window as usize - 1) / 2;
        let (alpha, beta, k) = (self.alpha as f64, self.beta as f64, self.k as f64);
        let xv = x.f32();
        outputs[0].with_f32(|y| {
            for o in 0..g.outer {
                for c in 0..g.channels {
                    let (lo, hi) = (c.saturating_sub(half), (c + half).min(g.channels - 1));
                    for i in 0..g.inner {
                        let at = |ch: usize| (o * g.channels + ch) * g.inner + i;
                        let sum: f64 = (lo..=hi).map(|ch| (xv[at(ch)] as f64).powi(2)).sum();
                        let norm = (k + alpha / self.window as f64 * sum).powf(beta);
                        y[at(c)] = (xv[at(c)] as f64 / norm) as f32;
                    }
                }
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // The channel axis counts from the end.
        Ok(())
    }
    any_impls!();
}
