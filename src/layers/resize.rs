//! Resize (IResizeLayer): nearest, linear and cubic resampling. The output shape comes from
//! a shape-tensor input 1, else from the scales (floor(input * scale)), else from the output
//! dimensions. Each output coordinate maps to a source coordinate per axis, x_in = x_out * a
//! + b, by the coordinate transformation (ALIGN_CORNERS, ASYMMETRIC, HALF_PIXEL; a single
//! output pixel reads the first input pixel with the UPPER selector), computed as one f32
//! fused multiply-add so the CPU reference and the CUDA kernel pick the same source pixels.
//! Nearest works on any type and axis; linear on the innermost three axes, cubic (Keys
//! kernel, coefficient A, optionally excluding taps outside the input) on the innermost two.

use super::generated::Resize;
use super::{any_impls, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::{dims_str, DataType, MAX_DIMS};

/// nvinfer1::InterpolationMode.
pub const NEAREST: i32 = 0;
pub const LINEAR: i32 = 1;
pub const CUBIC: i32 = 2;
/// nvinfer1::ResizeCoordinateTransformation.
pub const ALIGN_CORNERS: i32 = 0;
pub const ASYMMETRIC: i32 = 1;
pub const HALF_PIXEL: i32 = 2;
/// nvinfer1::ResizeSelector.
pub const UPPER: i32 = 1;
/// nvinfer1::ResizeRoundMode.
pub const HALF_UP: i32 = 0;
pub const HALF_DOWN: i32 = 1;
pub const FLOOR: i32 = 2;
pub const CEIL: i32 = 3;

/// How many innermost axes each mode may resize.
fn max_resized_axes(mode: i32) -> usize {
    match mode {
        LINEAR => 3,
        CUBIC => 2,
        _ => MAX_DIMS,
    }
}

impl Resize {
    pub fn scales(&self) -> Result<Vec<f32>> {
        match &self.scales {
            Some(w) if !w.is_empty() => w.to_f32(),
            _ => Ok(vec![]),
        }
    }

    fn check_modes(&self) -> Result<()> {
        let ok = (NEAREST..=CUBIC).contains(&self.resize_mode)
            && (ALIGN_CORNERS..=HALF_PIXEL).contains(&self.coordinate_transformation)
            && (0..=UPPER).contains(&self.selector)
            && (HALF_UP..=CEIL).contains(&self.nearest_rounding);
        if !ok {
            return Err(Error::invalid_argument(format!(
                "unknown resize mode {}, coordinate transformation {}, selector {} or nearest rounding {}",
                self.resize_mode, self.coordinate_transformation, self.selector, self.nearest_rounding
            )));
        }
        if !self.cubic_coeff.is_finite() {
            return Err(Error::invalid_argument("the cubic coefficient must be finite"));
        }
        Ok(())
    }

    /// The source coordinate map x_in = x_out * a + b of one axis.
    pub fn coordinate_map(&self, input: i64, output: i64) -> (f32, f32) {
        let (li, lo) = (input as f64, output as f64);
        if output == 1 && (self.selector == UPPER || self.coordinate_transformation == ALIGN_CORNERS) {
            return (0.0, 0.0);
        }
        match self.coordinate_transformation {
            ALIGN_CORNERS => (((li - 1.0) / (lo - 1.0)) as f32, 0.0),
            HALF_PIXEL => ((li / lo) as f32, (0.5 * li / lo - 0.5) as f32),
            _ => ((li / lo) as f32, 0.0),
        }
    }

    /// Checks that the axes that change size are ones the mode can resize.
    pub fn check_resized_axes(&self, input: &[i64], output: &[i64]) -> Result<()> {
        let limit = max_resized_axes(self.resize_mode);
        let first_allowed = input.len().saturating_sub(limit);
        if let Some(axis) = (0..first_allowed).find(|&i| input[i] != output[i]) {
            return Err(Error::unsupported(format!(
                "{} resize changes axis {axis} ({} to {}); it can only resize the innermost {limit} axes",
                if self.resize_mode == LINEAR { "linear" } else { "cubic" },
                input[axis],
                output[axis]
            )));
        }
        Ok(())
    }
}

/// Keys cubic convolution weight of a tap at distance `d`, coefficient `a`.
fn cubic_weight(d: f32, a: f32) -> f32 {
    let d = d.abs();
    if d <= 1.0 {
        ((a + 2.0) * d - (a + 3.0)) * d * d + 1.0
    } else if d < 2.0 {
        ((a * d - 5.0 * a) * d + 8.0 * a) * d - 4.0 * a
    } else {
        0.0
    }
}

/// The (input index, weight) taps of one output coordinate on one axis.
pub fn taps(r: &Resize, x_out: i64, input: i64, a: f32, b: f32) -> Vec<(i64, f32)> {
    let x = (x_out as f32).mul_add(a, b);
    let clamp = |i: i64| i.clamp(0, input - 1);
    match r.resize_mode {
        LINEAR => {
            let x = x.max(0.0);
            let lo = x.floor();
            let frac = x - lo;
            vec![(clamp(lo as i64), 1.0 - frac), (clamp(lo as i64 + 1), frac)]
        }
        CUBIC => {
            let lo = x.floor();
            let frac = x - lo;
            let mut t: Vec<(i64, f32)> =
                (-1..=2).map(|k| (lo as i64 + k, cubic_weight(frac - k as f32, r.cubic_coeff))).collect();
            if r.exclude_outside {
                t.retain(|&(i, _)| (0..input).contains(&i));
                let sum: f32 = t.iter().map(|&(_, w)| w).sum();
                t.iter_mut().for_each(|(_, w)| *w /= sum);
            }
            t.into_iter().map(|(i, w)| (clamp(i), w)).collect()
        }
        _ => {
            let i = match r.nearest_rounding {
                HALF_UP => (x + 0.5).floor(),
                HALF_DOWN => (x - 0.5).ceil(),
                CEIL => x.ceil(),
                _ => x.floor(),
            };
            vec![(clamp(i as i64), 1.0)]
        }
    }
}

impl Layer for Resize {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        self.check_modes()?;
        if self.resize_mode != NEAREST {
            super::check_type("the input of a linear or cubic resize", x.dtype, FLOATS)?;
        }
        let rank = x.dims.len();
        if rank == 0 {
            return Err(Error::invalid_argument("a resize needs an input of rank 1 or more"));
        }
        let dims: Vec<ExprId> = if let Some(shape) = inputs.get(1).and_then(|i| i.as_ref()) {
            if shape.dtype != DataType::Int32 || shape.dims.len() != 1 {
                return Err(Error::invalid_argument("the output shape input (input 1) must be a 1-D kINT32 shape tensor"));
            }
            let values = shape
                .values
                .ok_or_else(|| Error::invalid_argument("the output shape input (input 1) must be a shape tensor, computable from shapes"))?;
            if values.len() != rank {
                return Err(Error::invalid_argument(format!("the output shape has {} values for an input of rank {rank}", values.len())));
            }
            values.to_vec()
        } else if !self.scales()?.is_empty() {
            let scales = self.scales()?;
            if scales.len() != rank || scales.iter().any(|&s| !(s.is_finite() && s > 0.0)) {
                return Err(Error::invalid_argument(format!("{} scales for an input of rank {rank}; each must be positive", scales.len())));
            }
            scales.iter().zip(x.dims).map(|(&s, &d)| scaled_dim(cx, d, s)).collect::<Result<_>>()?
        } else if self.output_dims.len() == rank {
            if self.output_dims.iter().any(|&d| d < 0) {
                return Err(Error::invalid_argument(format!("output dimensions {} must not be negative", dims_str(&self.output_dims))));
            }
            cx.g.constants(&self.output_dims)
        } else {
            return Err(Error::invalid_argument(format!(
                "set the output dimensions (rank {rank}, got {}), the scales, or the output shape input",
                dims_str(&self.output_dims)
            )));
        };
        let dims: Vec<ExprId> =
            dims.into_iter().map(|d| cx.g.at_least(d, 0, || "a resize output dimension is negative".to_string())).collect::<Result<_>>()?;
        let (i, o) = (cx.g.known(x.dims), cx.g.known(&dims));
        if !i.contains(&-1) && !o.contains(&-1) {
            self.check_resized_axes(&i, &o)?;
        }
        Ok(vec![InferOut::new(x.dtype, dims)])
    }

    fn completed_by_setters(&self, _g: &ShapeGraph, inputs: &[Option<InferIn>]) -> bool {
        // addResize, then setScales, setOutputDimensions or setInput(1, shape).
        let shape_input = inputs.get(1).is_some_and(|i| i.is_some());
        !shape_input && self.output_dims.is_empty() && self.scales().is_ok_and(|s| s.is_empty())
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let y = &mut outputs[0];
        let (din, dout) = (x.dims.to_vec(), y.dims.to_vec());
        self.check_resized_axes(&din, &dout)?;
        if din.contains(&0) || dout.contains(&0) {
            return Ok(());
        }
        // Per axis and output coordinate: its taps.
        let table: Vec<Vec<Vec<(i64, f32)>>> = (0..din.len())
            .map(|ax| {
                let (a, b) = self.coordinate_map(din[ax], dout[ax]);
                // An axis the map leaves alone reads its own coordinate (no zero-weight taps,
                // which would turn an infinite input into NaN).
                let identity = din[ax] == dout[ax] && a == 1.0 && b == 0.0;
                (0..dout[ax]).map(|o| if identity { vec![(o, 1.0)] } else { taps(self, o, din[ax], a, b) }).collect()
            })
            .collect();
        let in_strides = strides(&din);
        let total: i64 = dout.iter().product();
        let mut coord = vec![0i64; dout.len()];
        if self.resize_mode == NEAREST {
            let size = x.dtype.size_bytes();
            for o in 0..total as usize {
                let src: i64 = coord.iter().enumerate().map(|(ax, &c)| table[ax][c as usize][0].0 * in_strides[ax]).sum();
                y.bytes[o * size..(o + 1) * size].copy_from_slice(&x.bytes[src as usize * size..(src as usize + 1) * size]);
                advance(&mut coord, &dout);
            }
            return Ok(());
        }
        let xv = x.f32();
        y.with_f32(|yv| {
            for v in yv.iter_mut().take(total as usize) {
                let per_axis: Vec<&[(i64, f32)]> = coord.iter().enumerate().map(|(ax, &c)| table[ax][c as usize].as_slice()).collect();
                *v = weighted_sum(&per_axis, &in_strides, &xv);
                advance(&mut coord, &dout);
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        if !self.output_dims.is_empty() {
            return Err(Error::unsupported(
                "a resize to fixed output dimensions in an implicit-batch network (the batch is not known when it is built): use scales",
            ));
        }
        let mut scales = self.scales()?;
        if !scales.is_empty() {
            scales.insert(0, 1.0);
            self.scales = Some(crate::weights::Weights::from_f32(&scales));
        }
        Ok(())
    }
    any_impls!();
}

/// floor(d * s) for a scale s: exact for a known d, and for an unknown one when s or 1/s is
/// an integer.
fn scaled_dim(cx: &mut InferCx, d: ExprId, s: f32) -> Result<ExprId> {
    if let Some(v) = cx.g.as_const(d) {
        let out = (v as f64 * s as f64).floor();
        if out > i64::MAX as f64 / 2.0 {
            return Err(Error::invalid_argument(format!("resizing {v} by {s} overflows")));
        }
        return Ok(cx.g.constant(out as i64));
    }
    if s.fract() == 0.0 {
        let k = cx.g.constant(s as i64);
        return cx.g.op(BinOp::Prod, d, k);
    }
    let inv = 1.0 / s as f64;
    if inv.fract() == 0.0 {
        let k = cx.g.constant(inv as i64);
        return cx.g.op(BinOp::FloorDiv, d, k);
    }
    Err(Error::unsupported(format!("a resize scale of {s} on a dimension only known at run time (integer scales and 1/integer are supported)")))
}

fn strides(dims: &[i64]) -> Vec<i64> {
    let mut s = vec![1i64; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * dims[i + 1];
    }
    s
}

/// The next coordinate in row-major order.
fn advance(coord: &mut [i64], dims: &[i64]) {
    for ax in (0..dims.len()).rev() {
        coord[ax] += 1;
        if coord[ax] < dims[ax] {
            return;
        }
        coord[ax] = 0;
    }
}

/// Σ over every combination of one tap per axis of ∏ weights × x[source].
fn weighted_sum(per_axis: &[&[(i64, f32)]], in_strides: &[i64], x: &[f32]) -> f32 {
    fn go(ax: usize, per_axis: &[&[(i64, f32)]], in_strides: &[i64], x: &[f32], offset: i64, weight: f32) -> f32 {
        if ax == per_axis.len() {
            return weight * x[offset as usize];
        }
        per_axis[ax].iter().map(|&(i, w)| go(ax + 1, per_axis, in_strides, x, offset + i * in_strides[ax], weight * w)).sum()
    }
    go(0, per_axis, in_strides, x, 0, 1.0)
}
