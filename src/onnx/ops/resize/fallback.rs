//! When a Resize goes through per-axis weight matrices (by_matrix) instead of IResizeLayer:
//! where the layer cannot be exact. The layer maps coordinates with input / output size and
//! has no antialiasing, half_pixel_symmetric or tf_crop_and_resize; ONNX maps with the given
//! (or kept aspect-ratio) scale. The matrices need every resized axis's sizes at parse time.

use super::axis_weights::{AxisResize, CoordinateMap, Kernel, Rounding};
use super::by_matrix::resize_by_matrices;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::Resize;
use crate::layers::resize::*;
use crate::onnx::importer::Importer;

pub struct MatrixFallback {
    kernel: Kernel,
    mode: String,
    antialias: bool,
    exclude_outside: bool,
    extrapolation: f64,
    /// tf_crop_and_resize's (start, end) per resized axis.
    roi: Option<Vec<(f64, f64)>>,
}

impl MatrixFallback {
    /// From the layer's settings (mode, rounding, cubic coefficient) and ONNX's
    /// coordinate_transformation_mode name.
    pub fn new(r: &Resize, mode: &str, antialias: bool, extrapolation: f32, roi: Option<Vec<(f64, f64)>>) -> Result<Self> {
        let kernel = match r.resize_mode {
            NEAREST => Kernel::Nearest(match r.nearest_rounding {
                HALF_UP => Rounding::HalfUp,
                FLOOR => Rounding::Floor,
                CEIL => Rounding::Ceil,
                _ => Rounding::HalfDown,
            }),
            LINEAR => Kernel::Linear,
            _ => Kernel::Cubic(r.cubic_coeff as f64),
        };
        // Antialiasing changes linear and cubic only.
        let antialias = antialias && !matches!(kernel, Kernel::Nearest(_));
        Ok(MatrixFallback {
            kernel,
            mode: mode.to_string(),
            antialias,
            exclude_outside: r.exclude_outside,
            extrapolation: extrapolation as f64,
            roi,
        })
    }

    /// Why the layer can never take this resize (None: it can, where sizes agree).
    pub fn forced_reason(&self) -> Option<String> {
        match self.mode.as_str() {
            "half_pixel_symmetric" | "tf_crop_and_resize" => Some(format!("coordinate_transformation_mode '{}'", self.mode)),
            _ if self.antialias => Some("antialiased resize".into()),
            _ => None,
        }
    }

    fn map_only_here(&self) -> bool {
        matches!(self.mode.as_str(), "half_pixel_symmetric" | "tf_crop_and_resize")
    }

    /// The resize by given scales (one per axis of `axes`), where the layer is not exact:
    /// output size floor(scale * n), coordinates mapped with the scale.
    pub fn by_scales(&self, imp: &mut Importer, x: TensorId, axes: &[usize], scales: &[f32]) -> Result<Option<TensorId>> {
        let dims = imp.dims(x);
        let mut plan = Vec::with_capacity(axes.len());
        for (&axis, &s) in axes.iter().zip(scales) {
            let n = dims[axis];
            if n < 0 {
                return self.unknown_sizes();
            }
            let scale = s as f64;
            if !(scale.is_finite() && scale > 0.0) {
                return Err(Error::invalid_argument(format!("a resize scale of {s}")));
            }
            let m = (scale * n as f64).floor();
            // The fractional output length the coordinate maps use, as ONNX's reference
            // computes it (in the precision of the float scale).
            let length = (s * n as f32) as f64;
            if m > i32::MAX as f64 {
                return Err(Error::invalid_argument(format!("a resize of an axis of size {n} by {s}")));
            }
            plan.push((axis, n, m as i64, scale, length));
        }
        // The layer maps with n / m: exact only where m is scale * n exactly.
        let layer_exact = plan.iter().all(|&(_, n, m, scale, _)| m as f64 == scale * n as f64);
        self.resize_if_needed(imp, x, &plan, layer_exact)
    }

    /// The resize to known output dims `out` (every axis of x); `kept` is the one scale
    /// of a keep_aspect_ratio_policy other than stretch.
    pub fn by_sizes(&self, imp: &mut Importer, x: TensorId, axes: &[usize], out: &[i64], kept: Option<f64>) -> Result<Option<TensorId>> {
        let dims = imp.dims(x);
        let mut plan = Vec::with_capacity(axes.len());
        for &axis in axes {
            let (n, m) = (dims[axis], out[axis]);
            if n <= 0 {
                return if n < 0 { self.unknown_sizes() } else { Ok(None) };
            }
            let (scale, length) = match kept {
                Some(s) => (s, s * n as f64),
                None => (m as f64 / n as f64, m as f64),
            };
            plan.push((axis, n, m, scale, length));
        }
        // The layer maps with n / m per axis; ONNX with the one kept scale: the same only
        // where every axis has the same ratio m / n (exact integer test).
        let layer_exact = plan.windows(2).all(|p| p[0].2 as i128 * p[1].1 as i128 == p[1].2 as i128 * p[0].1 as i128);
        self.resize_if_needed(imp, x, &plan, layer_exact)
    }

    fn unknown_sizes(&self) -> Result<Option<TensorId>> {
        match self.forced_reason() {
            Some(why) => Err(Error::unsupported(format!("{why} of an axis whose size is known only at run time"))),
            None => Ok(None),
        }
    }

    /// `plan`: (axis, n, m, scale, fractional output length) per resized axis.
    fn resize_if_needed(
        &self,
        imp: &mut Importer,
        x: TensorId,
        plan: &[(usize, i64, i64, f64, f64)],
        layer_exact: bool,
    ) -> Result<Option<TensorId>> {
        let downsamples = plan.iter().any(|p| p.3 < 1.0);
        if layer_exact && !self.map_only_here() && !(self.antialias && downsamples) {
            return Ok(None);
        }
        let mut axes = Vec::with_capacity(plan.len());
        for (k, &(axis, n, m, scale, length)) in plan.iter().enumerate() {
            if m <= 0 {
                return Err(Error::unsupported(format!("a resize of axis {axis} to size {m} by weight matrix")));
            }
            let map = match self.mode.as_str() {
                "half_pixel" => CoordinateMap::HalfPixel,
                "half_pixel_symmetric" => CoordinateMap::HalfPixelSymmetric,
                "pytorch_half_pixel" => CoordinateMap::PytorchHalfPixel,
                "align_corners" => CoordinateMap::AlignCorners,
                "asymmetric" => CoordinateMap::Asymmetric,
                "tf_crop_and_resize" => {
                    let roi = self.roi.as_ref().ok_or_else(|| Error::invalid_argument("tf_crop_and_resize without a roi"))?;
                    let (start, end) = roi[k];
                    CoordinateMap::TfCropAndResize { start, end }
                }
                other => return Err(Error::unsupported(format!("coordinate_transformation_mode '{other}'"))),
            };
            let resize = AxisResize {
                n: n as usize,
                m: m as usize,
                scale,
                length,
                kernel: self.kernel,
                map,
                antialias: self.antialias,
                exclude_outside: self.exclude_outside,
            };
            axes.push((axis, resize));
        }
        resize_by_matrices(imp, x, &axes, self.extrapolation).map(Some)
    }
}
