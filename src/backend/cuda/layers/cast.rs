//! ICastLayer (and the builder's precision casts) and IIdentityLayer on the GPU.

use super::{launch, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::memory::copy_async;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::{Kind, Layer};
use crate::types::{volume, DataType};

/// The element type a cast kernel reads or writes a type as (bool as u8).
fn storage(t: DataType) -> &'static str {
    match t {
        DataType::Bool => "u8",
        other => other.kernel_suffix(),
    }
}

pub struct Convert;
pub static CAST: Convert = Convert;

impl Implementation for Convert {
    fn kind(&self) -> Kind {
        Kind::Cast
    }
    fn name(&self) -> &'static str {
        "convert"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0) != DataType::Fp8 && t.outputs[0] != DataType::Fp8
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["cast"]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let (from, to) = (t.input(0), t.outputs[0]);
        let kernel = if from == to { None } else { Some(cx.kernels.function("cast", &format!("cast_{}_{}", storage(from), storage(to)))?) };
        Ok(Box::new(Ready { kernel, to_bool: (to == DataType::Bool) as i32, size: to.size_bytes() }))
    }
}

pub struct Copy;
pub static IDENTITY: Copy = Copy;

impl Implementation for Copy {
    fn kind(&self) -> Kind {
        Kind::Identity
    }
    fn name(&self) -> &'static str {
        "copy"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0) == t.outputs[0]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, _cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        Ok(Box::new(Ready { kernel: None, to_bool: 0, size: t.outputs[0].size_bytes() }))
    }
}

/// A conversion kernel, or a plain copy when the types agree.
struct Ready {
    kernel: Option<Kernel>,
    to_bool: i32,
    size: usize,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let n = volume(s.input(0)?).unwrap_or(0);
        Ok(Box::new(Run { kernel: self.kernel, to_bool: self.to_bool, n, bytes: n * self.size }))
    }
}

struct Run {
    kernel: Option<Kernel>,
    to_bool: i32,
    n: usize,
    bytes: usize,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        match &self.kernel {
            None => copy_async(outputs[0], inputs[0], self.bytes, stream),
            Some(k) => {
                let n = self.n as i64;
                let mut args = [launch::arg(&inputs[0]), launch::arg(&outputs[0]), launch::arg(&n), launch::arg(&self.to_bool)];
                launch::linear(k, self.n, stream, &mut args)
            }
        }
    }
}
