//! IConvolutionLayer on the GPU: a direct kernel for 1-D to 3-D convolutions in FP32 and
//! FP16 (float accumulation), bias fused. The same implementation, with another kernel,
//! runs IDeconvolutionLayer (`deconvolution.rs`): both are a weighted window described by a
//! `ConvGeometry`.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::ConvDesc;
use crate::backend::cuda::{DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::convolution::ConvGeometry;
use crate::layers::generated::Convolution;
use crate::layers::{Kind, Layer};
use crate::types::volume;
use crate::weights::Weights;
use std::sync::Arc;

/// What the direct implementation needs from a convolution-like spec.
pub trait WindowSpec: Layer + Clone {
    const KIND: Kind;
    /// Kernel file and function stem (the function is `<stem>_f32` / `<stem>_f16`).
    const KERNEL: (&'static str, &'static str);
    fn weights(&self) -> Option<&Weights>;
    fn bias_values(&self) -> Option<&Weights>;
    fn geometry_for(&self, input: &[i64]) -> Result<ConvGeometry>;
}

impl WindowSpec for Convolution {
    const KIND: Kind = Kind::Convolution;
    const KERNEL: (&'static str, &'static str) = ("convolution", "conv");
    fn weights(&self) -> Option<&Weights> {
        self.kernel()
    }
    fn bias_values(&self) -> Option<&Weights> {
        self.bias()
    }
    fn geometry_for(&self, input: &[i64]) -> Result<ConvGeometry> {
        self.geometry(input)
    }
}

/// One thread per output element, weights and bias uploaded once per engine.
pub struct Direct<S>(std::marker::PhantomData<S>);

impl<S> Direct<S> {
    pub const fn new() -> Direct<S> {
        Direct(std::marker::PhantomData)
    }
}

pub static DIRECT: Direct<Convolution> = Direct::new();

impl<S: WindowSpec> Implementation for Direct<S> {
    fn kind(&self) -> Kind {
        S::KIND
    }
    fn name(&self) -> &'static str {
        "direct"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        std::slice::from_ref(&S::KERNEL.0)
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let c: &S = spec(op)?;
        let dtype = t.input(0);
        let kernel = c.weights().ok_or_else(|| Error::internal(format!("{} without weights", S::KIND.name())))?;
        let weights = DeviceBuffer::from_bytes(&kernel.convert(dtype)?.values)?;
        let bias = match c.bias_values() {
            Some(b) => Some(DeviceBuffer::from_f32(&b.to_f32()?)?),
            None => None,
        };
        Ok(Box::new(Ready {
            kernel: typed_kernel(cx.kernels, S::KERNEL.0, S::KERNEL.1, dtype)?,
            op: c.clone(),
            weights: Arc::new(weights),
            bias: Arc::new(bias),
        }))
    }
}

struct Ready<S> {
    kernel: Kernel,
    op: S,
    weights: Arc<DeviceBuffer>,
    bias: Arc<Option<DeviceBuffer>>,
}

fn i32s(v: [i64; 3]) -> [i32; 3] {
    v.map(|x| x as i32)
}

impl<S: WindowSpec> Prepared for Ready<S> {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = self.op.geometry_for(s.input(0)?)?;
        if [g.n, g.c, g.k].iter().chain(&g.input).chain(&g.output).any(|&v| v > i32::MAX as i64) {
            return Err(Error::unsupported(format!("the {} is too large for the direct kernel", S::KIND.name())));
        }
        let desc = ConvDesc {
            n: g.n as i32,
            c: g.c as i32,
            k: g.k as i32,
            groups: g.groups as i32,
            in_size: i32s(g.input),
            out_size: i32s(g.output),
            kernel: i32s(g.kernel),
            stride: i32s(g.stride),
            pad: i32s(g.pad),
            dilation: i32s(g.dilation),
        };
        Ok(Box::new(Run {
            kernel: self.kernel,
            n: volume(&s.outputs[0]).unwrap_or(0),
            desc,
            weights: self.weights.ptr,
            bias: self.bias.as_ref().as_ref().map(|b| b.ptr).unwrap_or(0),
            _keep: (self.weights.clone(), self.bias.clone()),
        }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: ConvDesc,
    weights: DevicePtr,
    bias: DevicePtr,
    /// The engine's weights stay alive while a context holds this binding.
    _keep: (Arc<DeviceBuffer>, Arc<Option<DeviceBuffer>>),
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&self.weights),
            launch::arg(&self.bias),
            launch::arg(&outputs[0]),
            launch::arg(&self.desc),
        ];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
