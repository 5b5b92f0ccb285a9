//! Normalization (INormalizationLayer), TensorRT 8.6's layer, instance and group norms:
//!   y = (x - mean(x, axes)) / sqrt(var(x, axes) + epsilon) * scale + bias,
//! with the population variance. With one group the axes are the mask's and scale and bias
//! (of the input's rank) broadcast to the input one way: [1, C, 1, 1] for instance norm over
//! the spatial axes, [1, .., D_a, ..] for layer norm over trailing axes a. With G > 1 groups
//! the C channels (axis 1) are split into G groups of C/G, each normalized over its channels
//! and all later axes (the mask must select exactly the axes after the channel axis), and
//! scale and bias are [1, G, 1, ...] (one value per group) or all 1s. The compute precision
//! may be kFLOAT or kHALF; both compute in float here.

use super::axes::{self, Split};
use super::elementwise::broadcast_strides;
use super::generated::Normalization;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, volume, DataType};

/// How one input shape is normalized: the input seen as `view` (its own dims, or
/// [N, G, C/G * rest] for groups), the view's normalized axes, and the element strides of
/// scale and bias over the view (0 where they broadcast).
#[derive(Clone, Debug, PartialEq)]
pub struct NormPlan {
    pub view: Vec<i64>,
    pub reduced: Vec<usize>,
    pub scale_strides: Vec<i64>,
    pub bias_strides: Vec<i64>,
}

impl NormPlan {
    pub fn split(&self) -> Split {
        Split::new(&self.view, &self.reduced)
    }
}

impl Normalization {
    pub fn of(axes: u32, epsilon: f32, nb_groups: i32) -> Normalization {
        Normalization { epsilon, axes: axes as i64, nb_groups, compute_precision: DataType::Float as i32 }
    }

    fn groups(&self) -> Result<i64> {
        if self.nb_groups < 1 {
            return Err(Error::invalid_argument(format!("the number of groups {} must be at least 1", self.nb_groups)));
        }
        Ok(self.nb_groups as i64)
    }

    /// The normalized axes of an input of `rank`, checked against the number of groups.
    fn reduced_axes(&self, rank: usize) -> Result<Vec<usize>> {
        let reduced = axes::from_mask(self.axes, rank, "normalization axes")?;
        if reduced.is_empty() {
            return Err(Error::invalid_argument("the normalization axes mask selects no axis"));
        }
        if self.groups()? > 1 {
            if rank < 3 {
                return Err(Error::invalid_argument(format!("group normalization needs an input [N, C, ...] of rank 3 or more, got {rank}")));
            }
            if reduced != (2..rank).collect::<Vec<_>>() {
                return Err(Error::invalid_argument(format!(
                    "group normalization normalizes every axis after the channel axis: the axes mask must be {:#x}, not {:#x}",
                    ((1u64 << rank) - 1) & !3,
                    self.axes
                )));
            }
        }
        Ok(reduced)
    }

    /// The plan for concrete shapes.
    pub fn plan(&self, x: &[i64], scale: &[i64], bias: &[i64]) -> Result<NormPlan> {
        let reduced = self.reduced_axes(x.len())?;
        let g = self.groups()?;
        if g == 1 {
            let strides = |what: &str, s: &[i64]| {
                if s.len() != x.len() || s.iter().zip(x).any(|(&a, &b)| a != b && a != 1) {
                    return Err(Error::invalid_argument(format!("the normalization {what} {} does not broadcast to the input {}", dims_str(s), dims_str(x))));
                }
                Ok(broadcast_strides(s, x))
            };
            return Ok(NormPlan { view: x.to_vec(), reduced, scale_strides: strides("scale", scale)?, bias_strides: strides("bias", bias)? });
        }
        let c = x[1];
        if c % g != 0 {
            return Err(Error::invalid_argument(format!("{c} channels do not split into {g} groups")));
        }
        let rest = volume(&x[2..]).unwrap_or(0) as i64;
        let strides = |what: &str, s: &[i64]| -> Result<Vec<i64>> {
            group_param_check(what, s, x.len(), g)?;
            Ok(vec![0, (s[1] == g && g > 1) as i64, 0])
        };
        Ok(NormPlan { view: vec![x[0], g, c / g * rest], reduced: vec![2], scale_strides: strides("scale", scale)?, bias_strides: strides("bias", bias)? })
    }
}

/// A group normalization's scale or bias: [1, G, 1, ...] or all 1s, of the input's rank.
fn group_param_check(what: &str, s: &[i64], rank: usize, g: i64) -> Result<()> {
    let ok = s.len() == rank && s.iter().enumerate().all(|(i, &d)| d == 1 || (i == 1 && d == g));
    if !ok {
        return Err(Error::invalid_argument(format!("the group normalization {what} {} must be [1, {g}, 1, ...] (one value per group) or all 1s", dims_str(s))));
    }
    Ok(())
}

impl Layer for Normalization {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (x, scale, bias) = (input(inputs, 0)?, input(inputs, 1)?, input(inputs, 2)?);
        for (what, t) in [("input", x.dtype), ("scale", scale.dtype), ("bias", bias.dtype)] {
            check_type(&format!("the normalization {what}"), t, FLOATS)?;
        }
        let precision = DataType::parse(self.compute_precision, "the normalization compute precision")?;
        check_type("the normalization compute precision", precision, FLOATS)?;
        let rank = x.dims.len();
        self.reduced_axes(rank)?;
        let g = self.groups()?;
        for (what, p) in [("scale", scale), ("bias", bias)] {
            if p.dims.len() != rank {
                return Err(Error::invalid_argument(format!("the normalization {what} must have the input's rank {rank}, not {}", p.dims.len())));
            }
            if g == 1 {
                for (i, (&d, &s)) in x.dims.iter().zip(p.dims).enumerate() {
                    let why = || format!("normalization {what} dimension {i} (it must be 1 or the input's)");
                    let b = cx.g.broadcast(d, s, why)?;
                    cx.g.assert_eq(b, d, why)?;
                }
            } else {
                let known = cx.g.known(p.dims);
                if known.contains(&-1) {
                    return Err(Error::invalid_argument(format!("the group normalization {what} needs known dimensions")));
                }
                group_param_check(what, &known, rank, g)?;
            }
        }
        if g > 1 {
            // The channels split evenly into the groups.
            let gc = cx.g.constant(g);
            let per_group = cx.g.floor_div(x.dims[1], gc)?;
            let back = cx.g.mul(per_group, gc)?;
            cx.g.assert_eq(back, x.dims[1], || format!("the channel count (axis 1) must be a multiple of the {g} groups"))?;
        }
        Ok(vec![InferOut::new(float_type(inputs), x.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (x, scale, bias) = (host_input(inputs, 0)?, host_input(inputs, 1)?, host_input(inputs, 2)?);
        let plan = self.plan(x.dims, scale.dims, bias.dims)?;
        let split = plan.split();
        let (xv, sv, bv) = (x.f32(), scale.f32(), bias.f32());
        let n = split.reduced_count();
        let eps = self.epsilon as f64;
        outputs[0].with_f32(|y| {
            for i in 0..split.kept_count() {
                let base = split.kept_offset(i);
                let at = |j: usize| base + split.reduced_offset(j);
                let mean = (0..n).map(|j| xv[at(j)] as f64).sum::<f64>() / n as f64;
                let var = (0..n).map(|j| (xv[at(j)] as f64 - mean).powi(2)).sum::<f64>() / n as f64;
                let inv = 1.0 / (var + eps).sqrt();
                for j in 0..n {
                    let e = at(j);
                    let s = sv[axes::offset(e, &plan.view, &plan.scale_strides)] as f64;
                    let b = bv[axes::offset(e, &plan.view, &plan.bias_strides)] as f64;
                    y[e] = ((xv[e] as f64 - mean) * inv * s + b) as f32;
                }
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("INormalizationLayer"))
    }
    any_impls!();
}
