//! IShuffleLayer on the GPU: permutations by element size (a copy when there is none).

use super::{geom, launch, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::TensorGeom;
use crate::backend::cuda::memory::copy_async;
use crate::backend::cuda::{DevicePtr, Kernel, Kernels, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::Shuffle;
use crate::layers::shuffle::is_identity;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume};

pub struct Permute;
pub static SHUFFLE: Permute = Permute;

impl Implementation for Permute {
    fn kind(&self) -> Kind {
        Kind::Shuffle
    }
    fn name(&self) -> &'static str {
        "permute"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        matches!(t.input(0).size_bytes(), 1 | 2 | 4) && t.outputs[0] == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["shuffle"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let s: &Shuffle = spec(op)?;
        let size = t.input(0).size_bytes();
        Ok(Box::new(Ready { kernel: kernel(cx.kernels, size)?, op: s.clone(), size }))
    }
}

fn kernel(kernels: &Kernels, size: usize) -> Result<Kernel> {
    kernels.function("shuffle", &format!("transpose_b{size}"))
}

struct Ready {
    kernel: Kernel,
    op: Shuffle,
    size: usize,
}

/// The kernel geometry of permuting `dims` by `perm`.
fn permutation(dims: &[i64], perm: &[i64]) -> (TensorGeom, TensorGeom) {
    let s = strides(dims);
    let out: Vec<i64> = perm.iter().map(|&p| dims[p as usize]).collect();
    let from: Vec<i64> = perm.iter().map(|&p| s[p as usize]).collect();
    (geom(&out, &strides(&out)), geom(&out, &from))
}

impl Prepared for Ready {
    fn workspace_bytes(&self, max: &Shapes) -> usize {
        let both = !is_identity(&self.op.first_transpose) && !is_identity(&self.op.second_transpose);
        if both {
            max.input(0).ok().and_then(volume).unwrap_or(0) * self.size
        } else {
            0
        }
    }
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let x = s.input(0)?;
        let n = volume(x).unwrap_or(0);
        let r = self.op.reshaped_dims(&s.outputs[0]);
        let first = (!is_identity(&self.op.first_transpose)).then(|| permutation(x, &self.op.first_transpose));
        let second = (!is_identity(&self.op.second_transpose)).then(|| permutation(&r, &self.op.second_transpose));
        Ok(Box::new(Run { kernel: self.kernel, n, bytes: n * self.size, first, second }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    bytes: usize,
    first: Option<(TensorGeom, TensorGeom)>,
    second: Option<(TensorGeom, TensorGeom)>,
}

impl Run {
    fn transpose(&self, src: DevicePtr, dst: DevicePtr, g: &(TensorGeom, TensorGeom), stream: RawStream) -> Result<()> {
        let n = self.n as i64;
        let mut args = [launch::arg(&src), launch::arg(&dst), launch::arg(&n), launch::arg(&g.0), launch::arg(&g.1)];
        launch::linear(&self.kernel, self.n, stream, &mut args)
    }
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        let (x, y) = (inputs[0], outputs[0]);
        match (&self.first, &self.second) {
            (None, None) => copy_async(y, x, self.bytes, stream),
            (Some(g), None) | (None, Some(g)) => self.transpose(x, y, g, stream),
            (Some(g1), Some(g2)) => {
                if scratch.workspace_bytes < self.bytes {
                    return Err(Error::internal("the shuffle's workspace is too small"));
                }
                self.transpose(x, scratch.workspace, g1, stream)?;
                self.transpose(scratch.workspace, y, g2, stream)
            }
        }
    }
}
