//! Convolution (IConvolutionLayer): 1-D, 2-D and 3-D, grouped, strided, padded (every
//! padding mode) and dilated, on N,C,spatial... inputs.

use super::generated::Convolution;
use super::window::{self, Axis};
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::ShapeGraph;
use crate::types::{dims_str, volume};
use crate::weights::Weights;

/// A convolution's concrete geometry for one input shape; spatial axes padded to three
/// (size 1, kernel 1) so one kernel handles every rank.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ConvGeometry {
    pub n: i64,
    pub c: i64,
    pub k: i64,
    pub groups: i64,
    pub input: [i64; 3],
    pub output: [i64; 3],
    pub kernel: [i64; 3],
    pub stride: [i64; 3],
    pub pad: [i64; 3],
    pub dilation: [i64; 3],
}

impl Convolution {
    /// TensorRT's defaults beyond the arguments of addConvolutionNd.
    pub fn of(num_output_maps: i64, kernel_size: Vec<i64>, kernel: Weights, bias: Option<Weights>) -> Convolution {
        let mut c = Convolution::new();
        c.num_output_maps = num_output_maps;
        c.kernel_size = kernel_size;
        c.kernel_weights = Some(kernel);
        c.bias_weights = bias;
        c.fill_defaults(&[]);
        c
    }

    fn axes(&self) -> Result<Vec<Axis>> {
        window::axes(self.kernel_size.len(), &self.kernel_size, &self.stride, &self.dilation, &self.pre_padding, &self.post_padding)
    }

    pub fn kernel(&self) -> Option<&Weights> {
        self.kernel_weights.as_ref().filter(|w| !w.is_empty())
    }

    pub fn bias(&self) -> Option<&Weights> {
        self.bias_weights.as_ref().filter(|w| !w.is_empty())
    }

    /// The geometry for a known input shape.
    pub fn geometry(&self, input: &[i64]) -> Result<ConvGeometry> {
        let axes = self.axes()?;
        let s = axes.len();
        if input.len() != s + 2 {
            return Err(Error::invalid_argument(format!("a {s}-D convolution needs a rank-{} input, got {}", s + 2, dims_str(input))));
        }
        let mut g = ConvGeometry { n: input[0], c: input[1], k: self.num_output_maps, groups: self.groups, ..Default::default() };
        let pad = 3 - s;
        for i in 0..3 {
            g.input[i] = 1;
            g.output[i] = 1;
            g.kernel[i] = 1;
            g.stride[i] = 1;
            g.dilation[i] = 1;
        }
        for (i, a) in axes.iter().enumerate() {
            let (out, pre) = window::concrete(self.padding_mode, input[2 + i], a)?;
            let j = pad + i;
            g.input[j] = input[2 + i];
            g.output[j] = out;
            g.kernel[j] = a.kernel;
            g.stride[j] = a.stride;
            g.pad[j] = pre;
            g.dilation[j] = a.dilation;
        }
        Ok(g)
    }
}

impl Layer for Convolution {
    fn fill_defaults(&mut self, _inputs: &[Option<InferIn>]) {
        let n = self.kernel_size.len();
        for (v, d) in [(&mut self.stride, 1), (&mut self.dilation, 1), (&mut self.pre_padding, 0), (&mut self.post_padding, 0)] {
            if v.is_empty() {
                *v = vec![d; n];
            }
        }
    }

    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        check_type("the convolution's input", x.dtype, FLOATS)?;
        window::check_mode(self.padding_mode)?;
        let axes = self.axes()?;
        let s = axes.len();
        if !(1..=3).contains(&s) {
            return Err(Error::unsupported(format!("{s}-D convolutions are not supported (1-D to 3-D are)")));
        }
        if x.dims.len() != s + 2 {
            return Err(Error::invalid_argument(format!(
                "a {s}-D convolution needs a rank-{} input (N, C and {s} spatial dimensions), got rank {}",
                s + 2,
                x.dims.len()
            )));
        }
        let (groups, k) = (self.groups, self.num_output_maps);
        if groups <= 0 || k <= 0 || k % groups != 0 {
            return Err(Error::invalid_argument(format!("{k} output maps cannot be split into {groups} groups")));
        }
        let c =
            cx.g.as_const(x.dims[1])
                .ok_or_else(|| Error::invalid_argument("the convolution's input channel count must be known at build time"))?;
        if c % groups != 0 {
            return Err(Error::invalid_argument(format!("{c} input channels cannot be split into {groups} groups")));
        }
        // Kernel [K, C / groups, kernel...] and bias [K], as weights or as build-time
        // constant inputs 1 and 2.
        let mut kernel_dims = vec![k, c / groups];
        kernel_dims.extend_from_slice(&self.kernel_size);
        check_window_weights(cx, inputs, ("kernel", kernel_dims, self.kernel()), ("bias", vec![k], self.bias()))?;
        let mut dims = vec![x.dims[0], cx.g.constant(k)];
        for (i, a) in axes.iter().enumerate() {
            dims.push(window::symbolic(cx.g, self.padding_mode, x.dims[2 + i], a, &|| format!("convolution axis {}", 2 + i))?);
        }
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }

    fn completed_by_setters(&self, g: &ShapeGraph, inputs: &[Option<InferIn>]) -> bool {
        self.groups == 1 && sized_for_groups(g, inputs, self.num_output_maps, &self.kernel_size, self.kernel(), self.bias())
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let g = self.geometry(x.dims)?;
        let xv = x.f32();
        let w = self.kernel().ok_or_else(|| Error::internal("no kernel"))?.to_f32()?;
        let bias = self.bias().map(|b| b.to_f32()).transpose()?;
        outputs[0].with_f32(|y| convolve(&g, &xv, &w, bias.as_deref(), y));
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Spatial dims and channels are counted from the end.
        Ok(())
    }
    fn constant_inputs(&self) -> &'static [usize] {
        &[1, 2]
    }
    fn absorb_constant_input(&mut self, index: usize, weights: &Weights) -> bool {
        let slot = match index {
            1 => &mut self.kernel_weights,
            2 => &mut self.bias_weights,
            _ => return false,
        };
        *slot = Some(weights.clone());
        true
    }
    any_impls!();
}

/// Whether a convolution's or a deconvolution's kernel weights, of the wrong count for one
/// group, have the count for some group count above 1 that divides the input channels and
/// the output maps: K * C / groups * kernel volume either way ([K, C / groups, kernel...] or
/// [C, K / groups, kernel...]). Programs add a depthwise or grouped layer with its weights and
/// call setNbGroups after.
/// Everything else must be right already: no kernel or bias input, a bias of `maps` values
/// or none.
pub(super) fn sized_for_groups(
    g: &ShapeGraph,
    inputs: &[Option<InferIn>],
    maps: i64,
    kernel_size: &[i64],
    weights: Option<&Weights>,
    bias: Option<&Weights>,
) -> bool {
    if inputs.iter().skip(1).any(|i| i.is_some()) || bias.is_some_and(|b| b.count().ok() != usize::try_from(maps).ok()) {
        return false;
    }
    let (Some(Some(x)), Some(w)) = (inputs.first(), weights) else { return false };
    // The channel axis precedes the spatial ones.
    let Some(c) = x.dims.len().checked_sub(kernel_size.len() + 1).and_then(|i| g.as_const(x.dims[i])) else { return false };
    let (Ok(count), Some(area)) = (w.count(), volume(kernel_size)) else { return false };
    let (Ok(c), Ok(maps), Ok(count), Ok(area)) = (u128::try_from(c), u128::try_from(maps), u128::try_from(count), u128::try_from(area)) else {
        return false;
    };
    let Some(all) = c.checked_mul(maps).and_then(|v| v.checked_mul(area)) else { return false };
    if count == 0 || all % count != 0 {
        return false;
    }
    let groups = all / count;
    groups > 1 && c % groups == 0 && maps % groups == 0
}

/// Checks a convolution-like layer's kernel and bias, each given as weights or as an input
/// tensor (inputs 1 and 2): float, with `dims` (the weights by count; the kernel is required).
pub(super) fn check_window_weights(
    cx: &mut InferCx,
    inputs: &[Option<InferIn>],
    kernel: (&str, Vec<i64>, Option<&Weights>),
    bias: (&str, Vec<i64>, Option<&Weights>),
) -> Result<()> {
    for (slot, (what, dims, weights)) in [kernel, bias].into_iter().enumerate() {
        let required = slot == 0;
        match (inputs.get(slot + 1).and_then(|i| i.as_ref()), weights) {
            (Some(t), _) => {
                check_type(&format!("the {what} input"), t.dtype, FLOATS)?;
                if cx.g.known(t.dims) != dims {
                    return Err(Error::invalid_argument(format!(
                        "the {what} input has shape {}; {} is needed",
                        dims_str(&cx.g.known(t.dims)),
                        dims_str(&dims)
                    )));
                }
            }
            (None, Some(w)) => {
                check_type(&format!("the {what} weights"), w.data_type()?, FLOATS)?;
                let want = volume(&dims);
                if want != Some(w.count()?) {
                    return Err(Error::invalid_argument(format!(
                        "the {what} weights have {} values; shape {} needs {}",
                        w.count()?,
                        dims_str(&dims),
                        want.map(|w| w.to_string()).unwrap_or("too many".into())
                    )));
                }
            }
            (None, None) if required => return Err(Error::invalid_argument(format!("the layer has no {what} weights"))),
            (None, None) => {}
        }
    }
    Ok(())
}

/// Direct convolution on f32 (the reference the GPU kernels are checked against).
pub fn convolve(g: &ConvGeometry, x: &[f32], w: &[f32], bias: Option<&[f32]>, y: &mut [f32]) {
    let u = |v: i64| v as usize;
    let (cpg, kpg) = (u(g.c / g.groups), u(g.k / g.groups));
    let [id, ih, iw] = g.input.map(u);
    let [od, oh, ow] = g.output.map(u);
    let [kd, kh, kw] = g.kernel.map(u);
    let in_plane = id * ih * iw;
    let mut o = 0;
    for b in 0..u(g.n) {
        for oc in 0..u(g.k) {
            let grp = oc / kpg;
            for z in 0..od {
                for yy in 0..oh {
                    for xx in 0..ow {
                        let mut acc = bias.map(|b| b[oc]).unwrap_or(0.0);
                        for ic in 0..cpg {
                            let xin = &x[(b * u(g.c) + grp * cpg + ic) * in_plane..];
                            let wk = &w[(oc * cpg + ic) * kd * kh * kw..];
                            for dz in 0..kd {
                                let iz = (z as i64) * g.stride[0] - g.pad[0] + (dz as i64) * g.dilation[0];
                                if iz < 0 || iz >= g.input[0] {
                                    continue;
                                }
                                for dy in 0..kh {
                                    let iy = (yy as i64) * g.stride[1] - g.pad[1] + (dy as i64) * g.dilation[1];
                                    if iy < 0 || iy >= g.input[1] {
                                        continue;
                                    }
                                    for dx in 0..kw {
                                        let ix = (xx as i64) * g.stride[2] - g.pad[2] + (dx as i64) * g.dilation[2];
                                        if ix < 0 || ix >= g.input[2] {
                                            continue;
                                        }
                                        let xi = (u(iz) * ih + u(iy)) * iw + u(ix);
                                        acc = xin[xi].mul_add(wk[(dz * kh + dy) * kw + dx], acc);
                                    }
                                }
                            }
                        }
                        y[o] = acc;
                        o += 1;
                    }
                }
            }
        }
    }
}
