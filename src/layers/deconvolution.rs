//! Deconvolution (IDeconvolutionLayer), the transposed convolution: 1-D, 2-D and 3-D,
//! grouped, strided, padded (every padding mode) and dilated, on N,C,spatial... inputs.
//! Kernel weights are [C, K / groups, kernel...] (input channels first, as TensorRT and ONNX
//! ConvTranspose lay them out); each input element spreads over a kernel-sized window of the
//! output, `stride` apart.

use super::convolution::ConvGeometry;
use super::generated::Deconvolution;
use super::window::{self, Axis};
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::ShapeGraph;
use crate::types::dims_str;
use crate::weights::Weights;

impl Deconvolution {
    /// TensorRT's defaults beyond the arguments of addDeconvolutionNd.
    pub fn of(num_output_maps: i64, kernel_size: Vec<i64>, kernel: Weights, bias: Option<Weights>) -> Deconvolution {
        let mut d = Deconvolution::new();
        d.num_output_maps = num_output_maps;
        d.kernel_size = kernel_size;
        d.kernel_weights = Some(kernel);
        d.bias_weights = bias;
        d.fill_defaults(&[]);
        d
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

    /// The geometry for a known input shape (`pad` is the leading padding cut from the
    /// full transposed output).
    pub fn geometry(&self, input: &[i64]) -> Result<ConvGeometry> {
        let axes = self.axes()?;
        let s = axes.len();
        if input.len() != s + 2 {
            return Err(Error::invalid_argument(format!("a {s}-D deconvolution needs a rank-{} input, got {}", s + 2, dims_str(input))));
        }
        let mut g = ConvGeometry {
            n: input[0],
            c: input[1],
            k: self.num_output_maps,
            groups: self.groups,
            input: [1; 3],
            output: [1; 3],
            kernel: [1; 3],
            stride: [1; 3],
            pad: [0; 3],
            dilation: [1; 3],
        };
        for (i, a) in axes.iter().enumerate() {
            let (out, pre) = window::transposed_concrete(self.padding_mode, input[2 + i], a)?;
            let j = 3 - s + i;
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

impl Layer for Deconvolution {
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
        check_type("the deconvolution's input", x.dtype, FLOATS)?;
        window::check_mode(self.padding_mode)?;
        let axes = self.axes()?;
        let s = axes.len();
        if !(1..=3).contains(&s) {
            return Err(Error::unsupported(format!("{s}-D deconvolutions are not supported (1-D to 3-D are)")));
        }
        if x.dims.len() != s + 2 {
            return Err(Error::invalid_argument(format!(
                "a {s}-D deconvolution needs a rank-{} input (N, C and {s} spatial dimensions), got rank {}",
                s + 2,
                x.dims.len()
            )));
        }
        let (groups, k) = (self.groups, self.num_output_maps);
        if groups <= 0 || k <= 0 || k % groups != 0 {
            return Err(Error::invalid_argument(format!("{k} output maps cannot be split into {groups} groups")));
        }
        let c = cx.g.as_const(x.dims[1]).ok_or_else(|| Error::invalid_argument("the deconvolution's input channel count must be known at build time"))?;
        if c % groups != 0 {
            return Err(Error::invalid_argument(format!("{c} input channels cannot be split into {groups} groups")));
        }
        // Kernel [C, K / groups, kernel...] and bias [K], as weights or as build-time
        // constant inputs 1 and 2.
        let mut kernel_dims = vec![c, k / groups];
        kernel_dims.extend_from_slice(&self.kernel_size);
        super::convolution::check_window_weights(cx, inputs, ("kernel", kernel_dims, self.kernel()), ("bias", vec![k], self.bias()))?;
        let mut dims = vec![x.dims[0], cx.g.constant(k)];
        for (i, a) in axes.iter().enumerate() {
            dims.push(window::transposed_symbolic(cx.g, self.padding_mode, x.dims[2 + i], a, &|| format!("deconvolution axis {}", 2 + i))?);
        }
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }

    fn completed_by_setters(&self, g: &ShapeGraph, inputs: &[Option<InferIn>]) -> bool {
        self.groups == 1 && super::convolution::sized_for_groups(g, inputs, self.num_output_maps, &self.kernel_size, self.kernel(), self.bias())
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
        outputs[0].with_f32(|y| deconvolve(&g, &xv, &w, bias.as_deref(), y));
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

/// The input position a kernel tap reads for an output position on one axis: the output
/// `o` receives input `i` through tap `t` when `i * stride - pad + t * dilation == o`.
fn source(o: i64, t: i64, stride: i64, pad: i64, dilation: i64, size: i64) -> Option<i64> {
    let at = o + pad - t * dilation;
    (at >= 0 && at % stride == 0 && at / stride < size).then_some(at / stride)
}

/// Direct transposed convolution on f32, gathering per output element (the reference the
/// GPU kernel is checked against).
pub fn deconvolve(g: &ConvGeometry, x: &[f32], w: &[f32], bias: Option<&[f32]>, y: &mut [f32]) {
    let u = |v: i64| v as usize;
    let (cpg, kpg) = (g.c / g.groups, g.k / g.groups);
    let [id, ih, iw] = g.input;
    let [od, oh, ow] = g.output;
    let [kd, kh, kw] = g.kernel;
    let mut o = 0;
    for b in 0..g.n {
        for oc in 0..g.k {
            let (grp, m) = (oc / kpg, oc % kpg);
            for z in 0..od {
                for yy in 0..oh {
                    for xx in 0..ow {
                        let mut acc = bias.map(|b| b[u(oc)]).unwrap_or(0.0);
                        for ic in grp * cpg..(grp + 1) * cpg {
                            let xin = &x[u((b * g.c + ic) * id * ih * iw)..];
                            let wk = &w[u((ic * kpg + m) * kd * kh * kw)..];
                            for tz in 0..kd {
                                let Some(iz) = source(z, tz, g.stride[0], g.pad[0], g.dilation[0], id) else { continue };
                                for ty in 0..kh {
                                    let Some(iy) = source(yy, ty, g.stride[1], g.pad[1], g.dilation[1], ih) else { continue };
                                    for tx in 0..kw {
                                        let Some(ix) = source(xx, tx, g.stride[2], g.pad[2], g.dilation[2], iw) else { continue };
                                        acc = xin[u((iz * ih + iy) * iw + ix)].mul_add(wk[u((tz * kh + ty) * kw + tx)], acc);
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
