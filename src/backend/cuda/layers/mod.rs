//! CUDA implementations of layer kinds. Each implementation says which layers (parameters
//! and tensor types) it supports, prepares itself once per engine (weights uploaded, kernels
//! found), binds to the actual shapes once per shape change in a context (descriptors
//! computed, library handles set up), and enqueues without allocating, synchronizing or
//! compiling, so a run can be captured in a CUDA graph. A plugin is one more implementation.

include!("registry.rs");

use super::{DevicePtr, Kernel, Kernels, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::{Kind, Layer};
use std::ffi::c_void;

/// The actual shapes of a layer's tensors for one binding.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shapes {
    pub inputs: Vec<Option<Vec<i64>>>,
    pub outputs: Vec<Vec<i64>>,
    /// The values of inputs that are shape tensors (a slice's start and stride), by input;
    /// None for the others. Kernels never read shape inputs: bind takes their values here.
    pub values: Vec<Option<Vec<i64>>>,
}

impl Shapes {
    pub fn input(&self, i: usize) -> Result<&[i64]> {
        self.inputs.get(i).and_then(|x| x.as_deref()).ok_or_else(|| Error::internal(format!("input {i} has no shape")))
    }

    /// The values of shape input `i`, if it is present.
    pub fn values(&self, i: usize) -> Result<Option<&[i64]>> {
        match self.inputs.get(i) {
            Some(Some(_)) => self
                .values
                .get(i)
                .and_then(|v| v.as_deref())
                .map(Some)
                .ok_or_else(|| Error::internal(format!("shape input {i} has no values"))),
            _ => Ok(None),
        }
    }
}

/// What preparation may use.
pub struct PrepareCx<'a> {
    pub kernels: &'a Kernels,
    /// BuilderFlag::kTF32: FP32 products may use TF32 tensor cores.
    pub allow_tf32: bool,
}

pub trait Implementation: Sync {
    fn kind(&self) -> Kind;
    /// The tactic name stored in plans; unique within its kind.
    fn name(&self) -> &'static str;
    fn supports(&self, op: &dyn Layer, types: &LayerTypes) -> bool;
    /// Kernel files (in `kernels/`) it needs compiled into the engine.
    fn kernel_files(&self) -> &'static [&'static str] {
        &[]
    }
    fn prepare(&self, op: &dyn Layer, types: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>>;
}

/// An implementation prepared for one layer of one engine; shared by its contexts.
pub trait Prepared: Send + Sync {
    /// Device scratch memory a context needs for the largest shapes.
    fn workspace_bytes(&self, _max: &Shapes) -> usize {
        0
    }
    fn bind(&self, shapes: &Shapes) -> Result<Box<dyn Bound>>;
}

/// A prepared layer bound to actual shapes in one context.
pub trait Bound: Send + Sync {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()>;

    /// For a layer whose output size depends on its data (INonZeroLayer): the count of
    /// output `output` from the last enqueue, which must have waited to learn it.
    fn count(&self, _output: usize) -> Option<i64> {
        None
    }
}

pub fn find(kind: Kind, name: &str) -> Option<&'static dyn Implementation> {
    IMPLEMENTATIONS.iter().copied().find(|i| i.kind() == kind && i.name() == name)
}

/// The implementations of `kind` that support a layer with these types.
pub fn candidates<'a>(op: &'a dyn Layer, types: &'a LayerTypes) -> impl Iterator<Item = &'static dyn Implementation> + 'a {
    IMPLEMENTATIONS.iter().copied().filter(move |i| i.kind() == op.kind() && i.supports(op, types))
}

/// Every kernel file any implementation uses (compiled by the kernel tests).
pub fn all_kernel_files() -> Vec<&'static str> {
    let mut v: Vec<&str> = IMPLEMENTATIONS.iter().flat_map(|i| i.kernel_files().iter().copied()).collect();
    // The loop executor's data movement belongs to no implementation.
    v.push(super::engine::CONTROL_FLOW_KERNELS);
    v.sort_unstable();
    v.dedup();
    v
}

/// The spec of a layer as its concrete type.
pub(crate) fn spec<T: 'static>(op: &dyn Layer) -> Result<&T> {
    op.as_any().downcast_ref::<T>().ok_or_else(|| Error::internal("an implementation was given a layer of another kind"))
}

/// Launch helpers every implementation shares.
pub(crate) mod launch {
    use super::*;

    pub const BLOCK: u32 = 256;

    /// Blocks for `n` threads in a grid-stride loop (capped; the loop covers the rest).
    pub fn grid(n: usize) -> u32 {
        n.div_ceil(BLOCK as usize).clamp(1, 65535 * 16) as u32
    }

    /// A kernel argument pointer.
    pub fn arg<T>(v: &T) -> *mut c_void {
        v as *const T as *mut c_void
    }

    /// A 1-D launch over `n` elements.
    pub fn linear(kernel: &Kernel, n: usize, stream: RawStream, args: &mut [*mut c_void]) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        kernel.launch(grid(n), BLOCK, stream, args)
    }
}

/// The kernel `{base}_{suffix of dtype}` in `file`.
pub(crate) fn typed_kernel(kernels: &Kernels, file: &str, base: &str, dtype: crate::types::DataType) -> Result<Kernel> {
    kernels.function(file, &format!("{base}_{}", dtype.kernel_suffix()))
}

/// The kernel `{base}_b{size}` in `file` that moves elements of `dtype`'s size (1, 2 or 4
/// bytes): data movement does not depend on what the bytes mean.
pub(crate) fn sized_kernel(kernels: &Kernels, file: &str, base: &str, dtype: crate::types::DataType) -> Result<Kernel> {
    match dtype.size_bytes() {
        size @ (1 | 2 | 4) => kernels.function(file, &format!("{base}_b{size}")),
        size => Err(Error::unsupported(format!("{base}: no kernel for elements of {size} bytes"))),
    }
}

/// Whether `sized_kernel` has kernels for `dtype`.
pub(crate) fn sized(dtype: crate::types::DataType) -> bool {
    matches!(dtype.size_bytes(), 1 | 2 | 4) && dtype != crate::types::DataType::Fp8
}

/// Geometry of a row-major tensor for the kernels (dims and strides, padded to 8).
pub(crate) fn geom(dims: &[i64], strides: &[i64]) -> super::descriptors::TensorGeom {
    let mut g = super::descriptors::TensorGeom { rank: dims.len() as i32, ..Default::default() };
    g.dims[..dims.len()].copy_from_slice(dims);
    g.strides[..strides.len()].copy_from_slice(strides);
    g
}
