//! ISliceLayer and IPaddingLayer on the GPU: one kernel maps every output element to its
//! input coordinate (or the fill value); padding is a kFILL slice with zeros.

use super::{launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::SliceDesc;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::{Padding, Slice};
use crate::layers::slice::{mode_name, Window, FILL, STRICT_BOUNDS};
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, MAX_DIMS};

/// The kernel's descriptor for slicing `input` into `output` through `w`.
fn descriptor(input: &[i64], output: &[i64], w: &Window) -> Result<SliceDesc> {
    let rank = output.len();
    if rank > MAX_DIMS || input.len() != rank || w.start.len() != rank || w.stride.len() != rank {
        return Err(Error::internal("a slice's shapes, start and stride disagree"));
    }
    let n = volume(output).unwrap_or(0);
    if n > 0 && !matches!(w.mode, STRICT_BOUNDS | FILL) && input.contains(&0) {
        return Err(Error::execution(format!("{} slice of an empty axis", mode_name(w.mode))));
    }
    let mut d = SliceDesc { rank: rank as i32, mode: w.mode, ..Default::default() };
    d.out_dims[..rank].copy_from_slice(output);
    d.in_dims[..rank].copy_from_slice(input);
    d.in_strides[..rank].copy_from_slice(&strides(input));
    d.start[..rank].copy_from_slice(&w.start);
    d.stride[..rank].copy_from_slice(&w.stride);
    Ok(d)
}

pub struct Strided;
pub static SLICE: Strided = Strided;

impl Implementation for Strided {
    fn kind(&self) -> Kind {
        Kind::Slice
    }
    fn name(&self) -> &'static str {
        "strided"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let out = t.outputs[0];
        sized(out) && t.input(0) == out && t.inputs.get(4).copied().flatten().is_none_or(|f| f == out)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["slice"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let s: &Slice = spec(op)?;
        Ok(Box::new(SliceReady { kernel: sized_kernel(cx.kernels, "slice", "slice", t.outputs[0])?, op: s.clone() }))
    }
}

struct SliceReady {
    kernel: Kernel,
    op: Slice,
}

impl Prepared for SliceReady {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        // Start and stride from shape inputs 1 and 3 when present (size is the output's dims).
        let w = self.op.window(s.values(1)?, s.values(3)?);
        let desc = descriptor(s.input(0)?, &s.outputs[0], &w)?;
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&s.outputs[0]).unwrap_or(0), desc }))
    }
}

pub struct ZeroBorder;
pub static PADDING: ZeroBorder = ZeroBorder;

impl Implementation for ZeroBorder {
    fn kind(&self) -> Kind {
        Kind::Padding
    }
    fn name(&self) -> &'static str {
        "zero-border"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        sized(t.outputs[0]) && t.input(0) == t.outputs[0]
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["slice"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let p: &Padding = spec(op)?;
        Ok(Box::new(PaddingReady { kernel: sized_kernel(cx.kernels, "slice", "slice", t.outputs[0])?, op: p.clone() }))
    }
}

struct PaddingReady {
    kernel: Kernel,
    op: Padding,
}

impl Prepared for PaddingReady {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let x = s.input(0)?;
        let desc = descriptor(x, &s.outputs[0], &self.op.window(x.len()))?;
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&s.outputs[0]).unwrap_or(0), desc }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    desc: SliceDesc,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        // The fill value (slice input 4) if there is one; the kernel writes zeros without.
        let fill: DevicePtr = inputs.get(4).copied().unwrap_or(0);
        let n = self.n as i64;
        let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&fill), launch::arg(&n), launch::arg(&self.desc)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}
