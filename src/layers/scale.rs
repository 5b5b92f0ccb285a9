//! Scale (IScaleLayer): output = (input * scale + shift) ^ power, with one coefficient for the
//! whole tensor (kUNIFORM), one per channel (kCHANNEL) or one per element of the dims from the
//! channel axis on (kELEMENTWISE). Empty weights mean the identity coefficient: shift 0,
//! scale 1, power 1. The input has at least 4 dimensions, as TensorRT requires with explicit
//! batch (3 per sample with an implicit batch). addScale leaves the channel axis at TensorRT's
//! default, the C of [N, C, H, W] or of an implicit-batch [C, H, W]: axis 1 either way once
//! the batch axis is explicit, so only an axis that was set moves with it.

use super::generated::Scale;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{volume, DataType};
use crate::weights::Weights;

/// nvinfer1::ScaleMode values.
pub const UNIFORM: i32 = 0;
pub const CHANNEL: i32 = 1;
pub const ELEMENTWISE: i32 = 2;

/// How coefficients are addressed for one input shape: element i uses coefficient
/// `(i / inner) % channels` (kCHANNEL), `i % (channels * inner)` (kELEMENTWISE) or 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Coefficients {
    pub mode: i32,
    pub channels: i64,
    pub inner: i64,
}

impl Coefficients {
    pub fn index(&self, i: usize) -> usize {
        let (c, inner) = (self.channels.max(1) as usize, self.inner.max(1) as usize);
        match self.mode {
            CHANNEL => (i / inner) % c,
            ELEMENTWISE => i % (c * inner),
            _ => 0,
        }
    }
}

impl Scale {
    pub fn of(mode: i32, shift: Option<Weights>, scale: Option<Weights>, power: Option<Weights>, channel_axis: i32) -> Scale {
        Scale { mode, shift, scale, power, channel_axis, channel_axis_set: true }
    }

    /// The (name, weights) of the coefficient sets that are given (non-empty).
    pub fn given(&self) -> impl Iterator<Item = (&'static str, &Weights)> {
        [("shift", &self.shift), ("scale", &self.scale), ("power", &self.power)]
            .into_iter()
            .filter_map(|(n, w)| w.as_ref().filter(|w| !w.is_empty()).map(|w| (n, w)))
    }

    /// The coefficient addressing for an input of these dims.
    pub fn coefficients(&self, dims: &[i64]) -> Coefficients {
        let axis = (self.channel_axis.max(0) as usize).min(dims.len());
        let channels = dims.get(axis).copied().unwrap_or(1);
        let inner = dims.get(axis + 1..).map(|d| volume(d).unwrap_or(0) as i64).unwrap_or(1);
        Coefficients { mode: self.mode, channels, inner }
    }

    /// A coefficient set as f32 (empty: the identity value, one coefficient).
    pub fn values(w: &Option<Weights>, identity: f32) -> Result<Vec<f32>> {
        match w {
            Some(w) if !w.is_empty() => w.to_f32(),
            _ => Ok(vec![identity]),
        }
    }
}

impl Layer for Scale {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        if x.dtype == DataType::Int8 {
            return Err(Error::unsupported("a scale layer on kINT8 needs INT8 mode, which is not implemented yet"));
        }
        check_type("the scale layer's input", x.dtype, FLOATS)?;
        let rank = x.dims.len();
        if rank < 4 {
            return Err(Error::invalid_argument(format!("the scale layer's input needs at least 4 dimensions, got {rank}")));
        }
        let axis = self.channel_axis;
        let count = match self.mode {
            UNIFORM => cx.g.constant(1),
            CHANNEL | ELEMENTWISE => {
                if axis < 0 || axis as usize >= rank {
                    return Err(Error::invalid_argument(format!("channel axis {axis} is not an axis of the rank-{rank} input")));
                }
                let a = axis as usize;
                if self.mode == CHANNEL {
                    x.dims[a]
                } else {
                    cx.g.volume(&x.dims[a..])?
                }
            }
            m => return Err(Error::invalid_argument(format!("unknown ScaleMode {m}"))),
        };
        for (name, w) in self.given() {
            check_type(&format!("the scale layer's {name} weights"), w.data_type()?, FLOATS)?;
            let n = cx.g.constant(w.count()? as i64);
            cx.g.assert_eq(n, count, || format!("the number of {name} coefficients and the scale mode's coefficient count"))?;
        }
        Ok(vec![InferOut::new(float_type(inputs), x.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let c = self.coefficients(x.dims);
        let (shift, scale, power) = (Scale::values(&self.shift, 0.0)?, Scale::values(&self.scale, 1.0)?, Scale::values(&self.power, 1.0)?);
        let has_power = self.power.as_ref().is_some_and(|w| !w.is_empty());
        let pick = |v: &[f32], i: usize| if v.len() == 1 { v[0] } else { v[c.index(i)] };
        let xv = x.f32();
        outputs[0].with_f32(|y| {
            for (i, (o, &v)) in y.iter_mut().zip(xv.iter()).enumerate() {
                let a = v * pick(&scale, i) + pick(&shift, i);
                *o = if has_power { a.powf(pick(&power, i)) } else { a };
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        if self.channel_axis_set {
            self.channel_axis += 1;
        }
        Ok(())
    }
    any_impls!();
}
