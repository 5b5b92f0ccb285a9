//! Quantize and dequantize (IQuantizeLayer, IDequantizeLayer), TensorRT 8.6's explicit
//! quantization, symmetric only:
//!   quantize:   y = clamp(round_half_even(x / scale) + zero_point, -128, 127)  (kINT8)
//!   dequantize: y = (x - zero_point) * scale                                 (kFLOAT)
//! The scale (kFLOAT) is a scalar or a 1-D tensor of one value (per tensor), or a 1-D tensor
//! of one value per index of the quantization axis (per channel, setAxis). The optional zero
//! point (input 2) has the scale's shape and only zeros. Scale and zero point must be
//! build-time constants, the scales positive. Quantize takes kFLOAT or kHALF; dequantize
//! takes kINT8. The builder's INT8 mode stays refused: these layers carry kINT8 tensors
//! themselves.

use super::generated::{Dequantize, Quantize};
use super::{any_impls, check_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::ExprId;
use crate::types::{dims_str, volume, DataType};
use crate::weights::Weights;

/// How scales apply to one input shape: per channel, element i uses scale
/// `(i / inner) % channels`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleIndex {
    pub per_channel: bool,
    pub channels: i64,
    pub inner: i64,
}

impl ScaleIndex {
    /// For input dims, the quantization axis and the number of scales.
    pub fn new(dims: &[i64], axis: i32, scales: usize) -> Result<ScaleIndex> {
        if scales == 1 {
            return Ok(ScaleIndex { per_channel: false, channels: 1, inner: 1 });
        }
        let a = check_axis(axis, dims.len(), scales)?;
        if dims[a] != scales as i64 {
            return Err(Error::invalid_argument(format!("{scales} scales for quantization axis {a} of {}", dims_str(dims))));
        }
        Ok(ScaleIndex { per_channel: true, channels: dims[a], inner: volume(&dims[a + 1..]).unwrap_or(0) as i64 })
    }

    pub fn index(&self, i: usize) -> usize {
        if self.per_channel {
            (i / self.inner.max(1) as usize) % self.channels.max(1) as usize
        } else {
            0
        }
    }
}

fn check_axis(axis: i32, rank: usize, scales: usize) -> Result<usize> {
    if axis < 0 || axis as usize >= rank {
        return Err(Error::invalid_argument(format!(
            "per-channel quantization ({scales} scales) needs a quantization axis of the rank-{rank} input (setAxis), not {axis}"
        )));
    }
    Ok(axis as usize)
}

/// Round half to even, then clamp to the kINT8 range (zero points are 0).
pub fn quantize_value(x: f32, scale: f32) -> f32 {
    (x / scale).round_ties_even().clamp(-128.0, 127.0)
}

/// Type and shape checks shared by both layers; returns the input.
fn check<'a>(cx: &mut InferCx, inputs: &'a [Option<InferIn<'a>>], axis: i32, input_types: &[DataType], what: &str) -> Result<&'a InferIn<'a>> {
    let x = input(inputs, 0)?;
    let scale = input(inputs, 1)?;
    check_type(&format!("the {what} input"), x.dtype, input_types)?;
    check_type(&format!("the {what} scale"), scale.dtype, &[DataType::Float])?;
    if scale.dims.len() > 1 {
        return Err(Error::invalid_argument(format!("the {what} scale must be a scalar or a 1-D tensor, not of rank {}", scale.dims.len())));
    }
    if let Some(Some(zp)) = inputs.get(2) {
        check_type(&format!("the {what} zero point"), zp.dtype, &[DataType::Int8, DataType::Float, DataType::Int32])?;
        if zp.dims.len() != scale.dims.len() {
            return Err(Error::invalid_argument(format!("the {what} zero point must have the scale's shape")));
        }
        if let (Some(&a), Some(&b)) = (zp.dims.first(), scale.dims.first()) {
            cx.g.assert_eq(a, b, || format!("the {what} zero point's size (it must be the scale's)"))?;
        }
    }
    // Per channel unless the scale is known to hold one value.
    let count: Option<ExprId> = scale.dims.first().copied();
    if let Some(c) = count {
        if cx.g.as_const(c) != Some(1) {
            let a = check_axis(axis, x.dims.len(), cx.g.as_const(c).map(|v| v as usize).unwrap_or(0))?;
            cx.g.assert_eq(c, x.dims[a], || format!("the number of {what} scales (it must be the quantization axis' size)"))?;
        }
    }
    Ok(x)
}

/// The build-time constants' checks: positive finite scales, zero points all 0.
fn check_constants(values: &[Option<(&[i64], &Weights)>], what: &str) -> Result<()> {
    if let Some(Some((_, scale))) = values.first() {
        if let Some(bad) = scale.to_f32()?.into_iter().find(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(Error::invalid_argument(format!("the {what} scales must be positive and finite; one is {bad}")));
        }
    }
    if let Some(Some((_, zp))) = values.get(1) {
        if zp.to_f32()?.iter().any(|&v| v != 0.0) {
            return Err(Error::unsupported(format!("the {what} zero point has a non-zero value: only symmetric quantization (zero points of 0) is supported")));
        }
    }
    Ok(())
}

/// The scales as f32, refusing what the build-time check refuses (non-positive scales,
/// non-zero zero points), so that constant folding leaves such a layer for that check to
/// report; the zero points are then all 0 and drop out of the formulas.
fn scales(inputs: &[Option<TensorIn>], what: &str) -> Result<Vec<f32>> {
    let scales = host_input(inputs, 1)?.f32().to_vec();
    let zero = inputs.get(2).and_then(|z| z.as_ref()).is_none_or(|z| z.f32().iter().all(|&v| v == 0.0));
    if scales.iter().any(|v| !(v.is_finite() && *v > 0.0)) || !zero {
        return Err(Error::invalid_argument(format!("the {what} scales must be positive and the zero points 0")));
    }
    Ok(scales)
}

impl Quantize {
    pub fn on_axis(axis: i32) -> Quantize {
        Quantize { axis }
    }
}

impl Dequantize {
    pub fn on_axis(axis: i32) -> Dequantize {
        Dequantize { axis }
    }
}

impl Layer for Quantize {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = check(cx, inputs, self.axis, FLOATS, "quantize")?;
        Ok(vec![InferOut::new(DataType::Int8, x.dims.to_vec())])
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let sv = scales(inputs, "quantize")?;
        let idx = ScaleIndex::new(x.dims, self.axis, sv.len())?;
        let y: Vec<f32> = x.f32().iter().enumerate().map(|(i, &v)| quantize_value(v, sv[idx.index(i)])).collect();
        outputs[0].store_f32(&y);
        Ok(())
    }
    fn constant_inputs(&self) -> &'static [usize] {
        &[1, 2]
    }
    fn check_constants(&self, values: &[Option<(&[i64], &Weights)>]) -> Result<()> {
        check_constants(values, "quantize")
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IQuantizeLayer"))
    }
    any_impls!();
}

impl Layer for Dequantize {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = check(cx, inputs, self.axis, &[DataType::Int8], "dequantize")?;
        Ok(vec![InferOut::new(DataType::Float, x.dims.to_vec())])
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let sv = scales(inputs, "dequantize")?;
        let idx = ScaleIndex::new(x.dims, self.axis, sv.len())?;
        let y: Vec<f32> = x.f32().iter().enumerate().map(|(i, &v)| v * sv[idx.index(i)]).collect();
        outputs[0].store_f32(&y);
        Ok(())
    }
    fn constant_inputs(&self) -> &'static [usize] {
        &[1, 2]
    }
    fn check_constants(&self, values: &[Option<(&[i64], &Weights)>]) -> Result<()> {
        check_constants(values, "dequantize")
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IDequantizeLayer"))
    }
    any_impls!();
}
