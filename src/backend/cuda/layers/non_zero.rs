//! INonZeroLayer on the GPU: one kernel writes the coordinates and the count; the count is
//! copied to the host (the one synchronization a data-dependent shape needs).

use super::{geom, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::device::synchronize_raw;
use crate::backend::cuda::{DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, DataType};
use std::sync::atomic::{AtomicI64, Ordering};

pub struct Scan;
pub static NON_ZERO: Scan = Scan;

/// Threads of the one block (NZ_THREADS in kernels/non_zero.cu).
const THREADS: u32 = 1024;

impl Implementation for Scan {
    fn kind(&self) -> Kind {
        Kind::NonZero
    }
    fn name(&self) -> &'static str {
        "scan"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.outputs[0] == DataType::Int32 && t.input(0) != DataType::Fp8
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["non_zero"]
    }
    fn prepare(&self, _op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let suffix = if t.input(0) == DataType::Bool { "u8" } else { t.input(0).kernel_suffix() };
        Ok(Box::new(Ready { kernel: cx.kernels.function("non_zero", &format!("non_zero_{suffix}"))? }))
    }
}

struct Ready {
    kernel: Kernel,
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let x = s.input(0)?;
        Ok(Box::new(Run { kernel: self.kernel, n: volume(x).unwrap_or(0) as i64, geom: geom(x, &strides(x)), count: DeviceBuffer::alloc(8)?, last: AtomicI64::new(-1) }))
    }
}

struct Run {
    kernel: Kernel,
    n: i64,
    geom: TensorGeom,
    /// Where the kernel writes the count.
    count: DeviceBuffer,
    last: AtomicI64,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let mut args = [
            super::launch::arg(&inputs[0]),
            super::launch::arg(&outputs[0]),
            super::launch::arg(&self.count.ptr),
            super::launch::arg(&self.n),
            super::launch::arg(&self.geom),
        ];
        self.kernel.launch(1, THREADS, stream, &mut args)?;
        synchronize_raw(stream)?;
        let mut bytes = [0u8; 8];
        self.count.download(&mut bytes)?;
        let n = i64::from_le_bytes(bytes);
        if !(0..=self.n).contains(&n) {
            return Err(Error::internal(format!("the non-zero kernel counted {n} of {} elements", self.n)));
        }
        self.last.store(n, Ordering::Relaxed);
        Ok(())
    }

    fn count(&self, output: usize) -> Option<i64> {
        let n = self.last.load(Ordering::Relaxed);
        (output == 0 && n >= 0).then_some(n)
    }
}
