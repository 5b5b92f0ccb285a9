//! Grid sample (IGridSampleLayer): samples an N,C,H,W input at the normalized (x, y) points of
//! an N,Ho,Wo,2 grid (-1 and 1 are the edges: the outer pixel edges, or with align corners
//! the outer pixel centres), with nearest (ties to even), bilinear or bicubic (A = -0.75)
//! interpolation; points outside read zeros (kFILL), the border (kCLAMP) or the input
//! reflected at its edges (kREFLECT). A non-finite grid point reads zero.

use super::generated::GridSample;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};

/// nvinfer1::SampleMode values a grid sample accepts.
pub const CLAMP: i32 = 2;
pub const FILL: i32 = 3;
pub const REFLECT: i32 = 4;
/// nvinfer1::InterpolationMode.
pub const NEAREST: i32 = 0;
pub const LINEAR: i32 = 1;
pub const CUBIC: i32 = 2;
const CUBIC_A: f32 = -0.75;

pub fn sample_mode_supported(mode: i32) -> bool {
    matches!(mode, CLAMP | FILL | REFLECT)
}

/// `v` reflected into [lo2 / 2, hi2 / 2] (bounds given doubled, so half-pixel edges are
/// integers).
fn reflect(v: f32, lo2: f32, hi2: f32) -> f32 {
    if lo2 == hi2 {
        return 0.0;
    }
    let min = lo2 / 2.0;
    let span = (hi2 - lo2) / 2.0;
    let d = (v - min).abs();
    let extra = d % span;
    let flips = (d / span).floor() as i64;
    if flips % 2 == 0 {
        extra + min
    } else {
        span - extra + min
    }
}

/// The pixel coordinate of normalized `v` on an axis of `size` pixels.
fn unnormalize(v: f32, size: i64, align: bool) -> f32 {
    let s = size as f32;
    if align {
        (v + 1.0) / 2.0 * (s - 1.0)
    } else {
        ((v + 1.0) * s - 1.0) / 2.0
    }
}

/// A pixel coordinate brought inside the input by the padding mode (none for kFILL).
fn pad_coordinate(c: f32, size: i64, padding: i32, align: bool) -> f32 {
    let max = (size - 1) as f32;
    match padding {
        CLAMP => c.clamp(0.0, max),
        REFLECT => {
            let r = if align { reflect(c, 0.0, 2.0 * max) } else { reflect(c, -1.0, 2.0 * size as f32 - 1.0) };
            r.clamp(0.0, max)
        }
        _ => c,
    }
}

fn cubic_near(x: f32) -> f32 {
    ((CUBIC_A + 2.0) * x - (CUBIC_A + 3.0)) * x * x + 1.0
}

fn cubic_far(x: f32) -> f32 {
    ((CUBIC_A * x - 5.0 * CUBIC_A) * x + 8.0 * CUBIC_A) * x - 4.0 * CUBIC_A
}

/// Sampling of one channel plane (`h` x `w`) at the normalized point (gx, gy).
pub fn sample(plane: &[f32], h: i64, w: i64, gx: f32, gy: f32, mode: i32, padding: i32, align: bool) -> f32 {
    if !gx.is_finite() || !gy.is_finite() || h <= 0 || w <= 0 {
        return 0.0;
    }
    let at = |y: i64, x: i64| if (0..h).contains(&y) && (0..w).contains(&x) { plane[(y * w + x) as usize] } else { 0.0 };
    match mode {
        CUBIC => {
            let (x, y) = (unnormalize(gx, w, align), unnormalize(gy, h, align));
            let (x0, y0) = (x.floor(), y.floor());
            let (tx, ty) = (x - x0, y - y0);
            let wx = [cubic_far(tx + 1.0), cubic_near(tx), cubic_near(1.0 - tx), cubic_far(2.0 - tx)];
            let wy = [cubic_far(ty + 1.0), cubic_near(ty), cubic_near(1.0 - ty), cubic_far(2.0 - ty)];
            // Each tap's integer coordinate goes through the padding mode on its own.
            let tap = |c: f32, size: i64| pad_coordinate(c, size, padding, align) as i64;
            let mut acc = 0.0;
            for (j, wyj) in wy.iter().enumerate() {
                let yy = tap(y0 - 1.0 + j as f32, h);
                for (i, wxi) in wx.iter().enumerate() {
                    acc += wyj * wxi * at(yy, tap(x0 - 1.0 + i as f32, w));
                }
            }
            acc
        }
        LINEAR => {
            let x = pad_coordinate(unnormalize(gx, w, align), w, padding, align);
            let y = pad_coordinate(unnormalize(gy, h, align), h, padding, align);
            let (x0, y0) = (x.floor(), y.floor());
            let (tx, ty) = (x - x0, y - y0);
            let (xi, yi) = (x0 as i64, y0 as i64);
            at(yi, xi) * (1.0 - tx) * (1.0 - ty)
                + at(yi, xi + 1) * tx * (1.0 - ty)
                + at(yi + 1, xi) * (1.0 - tx) * ty
                + at(yi + 1, xi + 1) * tx * ty
        }
        _ => {
            let x = pad_coordinate(unnormalize(gx, w, align), w, padding, align);
            let y = pad_coordinate(unnormalize(gy, h, align), h, padding, align);
            at(y.round_ties_even() as i64, x.round_ties_even() as i64)
        }
    }
}

impl Layer for GridSample {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (x, grid) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("the grid sample's input", x.dtype, FLOATS)?;
        check_type("the grid", grid.dtype, FLOATS)?;
        if !(NEAREST..=CUBIC).contains(&self.interpolation_mode) || !sample_mode_supported(self.sample_mode) {
            return Err(Error::invalid_argument(format!(
                "grid sample: interpolation mode {} or sample mode {} is not supported (kFILL, kCLAMP and kREFLECT are)",
                self.interpolation_mode, self.sample_mode
            )));
        }
        if x.dims.len() != 4 || grid.dims.len() != 4 {
            return Err(Error::invalid_argument("a grid sample takes an N,C,H,W input and an N,Ho,Wo,2 grid"));
        }
        let two = cx.g.constant(2);
        cx.g.assert_eq(grid.dims[3], two, || "the grid's last dimension must be 2 (x, y)".to_string())?;
        let n = cx.g.assert_eq(x.dims[0], grid.dims[0], || "the input and the grid must have the same batch".to_string())?;
        Ok(vec![InferOut::new(float_type(inputs), vec![n, x.dims[1], grid.dims[1], grid.dims[2]])])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (x, grid) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let [n, c, h, w] = [x.dims[0], x.dims[1], x.dims[2], x.dims[3]];
        let (ho, wo) = (grid.dims[1], grid.dims[2]);
        let (xv, gv) = (x.f32(), grid.f32());
        outputs[0].with_f32(|y| {
            let mut o = 0;
            for b in 0..n {
                for ch in 0..c {
                    let plane = &xv[((b * c + ch) * h * w) as usize..];
                    for p in 0..ho * wo {
                        let g = ((b * ho * wo + p) * 2) as usize;
                        y[o] = sample(plane, h, w, gv[g], gv[g + 1], self.interpolation_mode, self.sample_mode, self.align_corners);
                        o += 1;
                    }
                }
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IGridSampleLayer"))
    }
    any_impls!();
}
