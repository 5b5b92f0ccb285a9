//! The weights ONNX Resize gives each output coordinate of one axis, as an [m, n] matrix
//! computed in f64: row i holds the weight of every input index for output index i. Used
//! where IResizeLayer cannot be exact (antialiasing, given-scale coordinate maps,
//! half_pixel_symmetric, tf_crop_and_resize); a resize is separable, so applying one such
//! matrix per axis gives the whole result.

use crate::error::{Error, Result};

/// How a fractional source coordinate picks its nearest input index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rounding {
    HalfDown,
    HalfUp,
    Floor,
    Ceil,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kernel {
    Nearest(Rounding),
    Linear,
    /// Keys cubic convolution with coefficient a.
    Cubic(f64),
}

/// ONNX's coordinate_transformation_mode; the crop carries this axis's roi start and end.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CoordinateMap {
    HalfPixel,
    HalfPixelSymmetric,
    PytorchHalfPixel,
    AlignCorners,
    Asymmetric,
    TfCropAndResize { start: f64, end: f64 },
}

/// One axis's resize: input size n, output size m, the scale ONNX maps coordinates with
/// (the given scale, else m / n or the kept aspect-ratio scale) and the fractional output
/// length it implies (scale * n for given scales, m for given sizes).
#[derive(Clone, Copy, Debug)]
pub struct AxisResize {
    pub n: usize,
    pub m: usize,
    pub scale: f64,
    pub length: f64,
    pub kernel: Kernel,
    pub map: CoordinateMap,
    pub antialias: bool,
    pub exclude_outside: bool,
}

/// The [m, n] row-major weights; `outside[i]` marks an output of tf_crop_and_resize whose
/// source lies outside the input (its row is zero and it takes the extrapolation value).
pub struct AxisMatrix {
    pub weights: Vec<f64>,
    pub outside: Vec<bool>,
}

/// The largest matrix (m * n elements) built for one axis.
pub const MAX_ELEMENTS: usize = 1 << 24;

impl AxisResize {
    /// The source coordinate of output index i.
    fn source(&self, i: usize) -> f64 {
        let (n, m, s, x) = (self.n as f64, self.m as f64, self.scale, i as f64);
        let length = self.length;
        match self.map {
            CoordinateMap::HalfPixel => (x + 0.5) / s - 0.5,
            CoordinateMap::HalfPixelSymmetric => {
                // Centres the kept part of the fractional output on the input's centre.
                let offset = n / 2.0 * (1.0 - m / length);
                offset + (x + 0.5) / s - 0.5
            }
            CoordinateMap::PytorchHalfPixel if self.m > 1 => (x + 0.5) / s - 0.5,
            CoordinateMap::PytorchHalfPixel => 0.0,
            CoordinateMap::AlignCorners if length == 1.0 => 0.0,
            CoordinateMap::AlignCorners => x * (n - 1.0) / (length - 1.0),
            CoordinateMap::Asymmetric => x / s,
            CoordinateMap::TfCropAndResize { start, end } if length == 1.0 => (start + end) / 2.0 * (n - 1.0),
            CoordinateMap::TfCropAndResize { start, end } => {
                // The roi holds floats; the start offset and the span are taken in that
                // precision, as ONNX's reference does (it decides ties and which outputs
                // fall just outside).
                let span = (end as f32 - start as f32) as f64;
                let first = (start as f32 * (self.n - 1) as f32) as f64;
                x * span * (n - 1.0) / (length - 1.0) + first
            }
        }
    }

    /// Tap weights at offsets `first..` from `base`, where the source is base + ratio,
    /// ratio in (0, 1].
    fn taps(&self, ratio: f64) -> (i64, Vec<f64>) {
        match self.kernel {
            Kernel::Nearest(rounding) => {
                let up = match rounding {
                    Rounding::HalfDown => ratio > 0.5,
                    Rounding::HalfUp => ratio >= 0.5,
                    Rounding::Floor => ratio == 1.0,
                    Rounding::Ceil => true,
                };
                (0, if up { vec![0.0, 1.0] } else { vec![1.0, 0.0] })
            }
            Kernel::Linear if self.antialias => {
                // The triangle widened by 1 / scale when downsampling, renormalized.
                let s = self.scale.min(1.0);
                let first = (-1.0 / s).floor() as i64 + 1;
                let w = (first..2 - first).map(|k| (1.0 - ((k as f64 - ratio) * s).abs()).clamp(0.0, 1.0)).collect();
                (first, normalized(w))
            }
            Kernel::Linear => (0, vec![1.0 - ratio, ratio]),
            Kernel::Cubic(a) => {
                let s = if self.antialias { self.scale.min(1.0) } else { 1.0 };
                let first = if self.antialias { (-2.0 / s).floor() as i64 + 1 } else { -1 };
                let w: Vec<f64> = (first..2 - first).map(|k| cubic((k as f64 - ratio) * s, a)).collect();
                (first, if self.antialias { normalized(w) } else { w })
            }
        }
    }

    /// The weight matrix of this axis.
    pub fn matrix(&self) -> Result<AxisMatrix> {
        let (n, m) = (self.n, self.m);
        let elements = m.checked_mul(n).filter(|&e| e <= MAX_ELEMENTS).ok_or_else(|| {
            Error::unsupported(format!("a resize of an axis from {n} to {m} as a weight matrix (over {MAX_ELEMENTS} elements)"))
        })?;
        if n == 0 || !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(Error::invalid_argument(format!("a resize of an axis of size {n} by scale {}", self.scale)));
        }
        let mut weights = vec![0.0; elements];
        let mut outside = vec![false; m];
        for i in 0..m {
            let x = self.source(i);
            if !x.is_finite() {
                return Err(Error::invalid_argument("a resize whose source coordinate is not finite"));
            }
            if matches!(self.map, CoordinateMap::TfCropAndResize { .. }) && (x < 0.0 || x > (n - 1) as f64) {
                outside[i] = true;
                continue;
            }
            // The left neighbour; a whole source takes ratio 1 from the index below it.
            let floor = x.floor();
            let (base, ratio) = if x == floor { (floor as i64 - 1, 1.0) } else { (floor as i64, x - floor) };
            let (first, mut taps) = self.taps(ratio);
            let index = |k: usize| base + first + k as i64;
            if self.exclude_outside && !matches!(self.kernel, Kernel::Nearest(_)) {
                for (k, w) in taps.iter_mut().enumerate() {
                    if !(0..n as i64).contains(&index(k)) {
                        *w = 0.0;
                    }
                }
                taps = normalized(taps);
            }
            // Indices past an edge read the edge value.
            let row = &mut weights[i * n..(i + 1) * n];
            for (k, w) in taps.into_iter().enumerate() {
                row[index(k).clamp(0, n as i64 - 1) as usize] += w;
            }
        }
        Ok(AxisMatrix { weights, outside })
    }
}

fn cubic(d: f64, a: f64) -> f64 {
    let d = d.abs();
    if d <= 1.0 {
        ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0
    } else if d < 2.0 {
        ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
    } else {
        0.0
    }
}

fn normalized(w: Vec<f64>) -> Vec<f64> {
    let sum: f64 = w.iter().sum();
    if sum == 0.0 {
        return w;
    }
    w.into_iter().map(|v| v / sum).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axis(n: usize, m: usize, kernel: Kernel, map: CoordinateMap) -> AxisResize {
        AxisResize { n, m, scale: m as f64 / n as f64, length: m as f64, kernel, map, antialias: false, exclude_outside: false }
    }

    #[test]
    fn linear_half_pixel_upsample_by_two() {
        let w = axis(2, 4, Kernel::Linear, CoordinateMap::HalfPixel).matrix().unwrap().weights;
        assert_eq!(w, vec![1.0, 0.0, 0.75, 0.25, 0.25, 0.75, 0.0, 1.0]);
    }

    #[test]
    fn rows_sum_to_one_and_crop_marks_outside() {
        let mut a = axis(5, 7, Kernel::Cubic(-0.75), CoordinateMap::HalfPixel);
        a.antialias = true;
        a.exclude_outside = true;
        a.scale = 0.4;
        a.m = 2;
        let w = a.matrix().unwrap().weights;
        for row in w.chunks(5) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        }
        let crop = axis(4, 3, Kernel::Linear, CoordinateMap::TfCropAndResize { start: -0.5, end: 0.5 }).matrix().unwrap();
        assert_eq!(crop.outside, vec![true, false, false]);
    }

    #[test]
    fn huge_matrix_is_refused() {
        assert!(axis(1 << 12, 1 << 12, Kernel::Linear, CoordinateMap::HalfPixel).matrix().is_ok());
        assert!(axis(1 << 20, 1 << 20, Kernel::Linear, CoordinateMap::HalfPixel).matrix().is_err());
    }
}
