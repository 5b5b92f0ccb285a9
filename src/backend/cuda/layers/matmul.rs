//! IMatrixMultiplyLayer and IFullyConnectedLayer on the GPU: cuBLASLt (the BIAS epilogue for
//! fully connected layers) and our tiled kernel, timed against each other by the builder.

use super::{launch, spec, typed_kernel, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::blas::{GemmShape, LtGemm, WORKSPACE_BYTES};
use crate::backend::cuda::descriptors::GemmDesc;
use crate::backend::cuda::{DeviceBuffer, DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::generated::{FullyConnected, MatrixMultiply};
use crate::layers::matmul::{GemmGeometry, StridedRuns};
use crate::layers::{Kind, Layer};
use crate::types::DataType;
use std::sync::Arc;

/// Which layer kind an implementation serves; fully connected layers multiply by their
/// uploaded kernel weights (B) and add their bias.
#[derive(Clone, Copy, PartialEq)]
enum Serves {
    MatrixMultiply,
    FullyConnected,
}

pub struct CublasLt(Serves);
pub struct Tiled(Serves);
pub static CUBLASLT: CublasLt = CublasLt(Serves::MatrixMultiply);
pub static FC_CUBLASLT: CublasLt = CublasLt(Serves::FullyConnected);
pub static TILED: Tiled = Tiled(Serves::MatrixMultiply);
pub static FC_TILED: Tiled = Tiled(Serves::FullyConnected);

fn kind_of(s: Serves) -> Kind {
    match s {
        Serves::MatrixMultiply => Kind::MatrixMultiply,
        Serves::FullyConnected => Kind::FullyConnected,
    }
}

fn float_types(t: &LayerTypes) -> bool {
    let d = t.input(0);
    d.is_float() && t.inputs.iter().flatten().all(|&x| x == d) && t.outputs[0] == d
}

/// What a prepared product needs: the layer's geometry rule and, for fully connected
/// layers, the weights and bias on the device.
struct Operands {
    dtype: DataType,
    op: Op,
    weights: Option<Arc<DeviceBuffer>>,
    bias: Option<Arc<DeviceBuffer>>,
}

#[derive(Clone)]
enum Op {
    MatMul(MatrixMultiply),
    Fc(FullyConnected),
}

impl Operands {
    fn new(op: &dyn Layer, serves: Serves, dtype: DataType, bias_type: DataType) -> Result<Operands> {
        Ok(match serves {
            Serves::MatrixMultiply => Operands { dtype, op: Op::MatMul(spec::<MatrixMultiply>(op)?.clone()), weights: None, bias: None },
            Serves::FullyConnected => {
                let fc: &FullyConnected = spec(op)?;
                let w = fc.kernel().ok_or_else(|| Error::internal("fully connected layer without weights"))?;
                let bias = match fc.bias() {
                    Some(b) => Some(Arc::new(DeviceBuffer::from_bytes(&b.convert(bias_type)?.values)?)),
                    None => None,
                };
                Operands {
                    dtype,
                    op: Op::Fc(fc.clone()),
                    weights: Some(Arc::new(DeviceBuffer::from_bytes(&w.convert(dtype)?.values)?)),
                    bias,
                }
            }
        })
    }

    fn geometry(&self, s: &Shapes) -> Result<GemmGeometry> {
        match &self.op {
            Op::MatMul(m) => m.geometry(s.input(0)?, s.input(1)?),
            Op::Fc(f) => f.gemm(s.input(0)?),
        }
    }

    /// The B operand: the second input, or the uploaded weights.
    fn b(&self, inputs: &[DevicePtr]) -> DevicePtr {
        self.weights.as_ref().map(|w| w.ptr).unwrap_or_else(|| inputs.get(1).copied().unwrap_or(0))
    }

    fn bias_ptr(&self) -> DevicePtr {
        self.bias.as_ref().map(|b| b.ptr).unwrap_or(0)
    }
}

impl Implementation for CublasLt {
    fn kind(&self) -> Kind {
        kind_of(self.0)
    }
    fn name(&self) -> &'static str {
        "cublaslt"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        float_types(t)
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let dtype = t.input(0);
        Ok(Box::new(LtReady { ops: Arc::new(Operands::new(op, self.0, dtype, dtype)?), allow_tf32: cx.allow_tf32 }))
    }
}

struct LtReady {
    ops: Arc<Operands>,
    allow_tf32: bool,
}

impl Prepared for LtReady {
    fn workspace_bytes(&self, _max: &Shapes) -> usize {
        WORKSPACE_BYTES
    }
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = self.ops.geometry(s)?;
        let size = self.ops.dtype.size_bytes() as i64;
        let runs = g.strided_runs();
        let empty = g.m == 0 || g.n == 0 || g.batch() == 0;
        let gemm = if empty || g.k == 0 {
            None
        } else {
            let shape = GemmShape {
                m: g.m as u64,
                n: g.n as u64,
                k: g.k as u64,
                trans_a: g.trans_a,
                trans_b: g.trans_b,
                batch: i32::try_from(runs.inner).map_err(|_| Error::unsupported("too many matrices in one product"))?,
                a_stride: runs.a_stride,
                b_stride: runs.b_stride,
                c_stride: g.m * g.n,
            };
            let bias = self.ops.bias.is_some().then(|| self.ops.bias_ptr());
            Some(LtGemm::new(shape, self.ops.dtype, self.allow_tf32, bias)?)
        };
        Ok(Box::new(LtRun {
            gemm,
            runs: StridedRuns { outer: runs.outer.iter().map(|&(a, b)| (a * size, b * size)).collect(), ..runs },
            c_run_bytes: g.m * g.n * runs.inner * size,
            output_bytes: (g.m * g.n * g.batch().max(1) * size) as usize,
            ops: self.ops.clone(),
        }))
    }
}

struct LtRun {
    gemm: Option<LtGemm>,
    /// Outer offsets in bytes.
    runs: StridedRuns,
    c_run_bytes: i64,
    output_bytes: usize,
    /// The engine's weights and bias stay alive while a context holds this binding.
    ops: Arc<Operands>,
}

impl Bound for LtRun {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        let Some(gemm) = &self.gemm else {
            // An empty inner dimension: the product is zero.
            return crate::backend::cuda::memory::memset_async(outputs[0], self.output_bytes, stream);
        };
        let b = self.ops.b(inputs);
        for (i, &(oa, ob)) in self.runs.outer.iter().enumerate() {
            let c = outputs[0] + (i as i64 * self.c_run_bytes) as u64;
            gemm.enqueue(inputs[0] + oa as u64, b + ob as u64, c, scratch.workspace, scratch.workspace_bytes, stream)?;
        }
        Ok(())
    }
}

impl Implementation for Tiled {
    fn kind(&self) -> Kind {
        kind_of(self.0)
    }
    fn name(&self) -> &'static str {
        "tiled"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        float_types(t)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["matmul"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let dtype = t.input(0);
        Ok(Box::new(TiledReady {
            kernel: typed_kernel(cx.kernels, "matmul", "matmul", dtype)?,
            ops: Arc::new(Operands::new(op, self.0, dtype, DataType::Float)?),
        }))
    }
}

struct TiledReady {
    kernel: Kernel,
    ops: Arc<Operands>,
}

const TILE: u32 = 16;

impl Prepared for TiledReady {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let g = self.ops.geometry(s)?;
        if g.batch_dims.len() > 6 {
            return Err(Error::unsupported("more than 6 batch dimensions in a matrix product"));
        }
        let grid_y = (g.m as u64).div_ceil(TILE as u64);
        let grid_x = (g.n as u64).div_ceil(TILE as u64);
        if grid_y > 65535 || g.batch() > 65535 || grid_x > u32::MAX as u64 || g.k > i32::MAX as i64 {
            return Err(Error::unsupported("the product is too large for the tiled kernel's grid"));
        }
        let mut d = GemmDesc {
            m: g.m as i32,
            n: g.n as i32,
            k: g.k as i32,
            trans_a: g.trans_a as i32,
            trans_b: g.trans_b as i32,
            batch_rank: g.batch_dims.len() as i32,
            ..Default::default()
        };
        d.batch_dims[..g.batch_dims.len()].copy_from_slice(&g.batch_dims);
        d.a_strides[..g.batch_dims.len()].copy_from_slice(&g.a_strides);
        d.b_strides[..g.batch_dims.len()].copy_from_slice(&g.b_strides);
        Ok(Box::new(TiledRun {
            kernel: self.kernel,
            desc: d,
            grid: (grid_x as u32, grid_y as u32, g.batch().max(1) as u32),
            empty: g.m == 0 || g.n == 0 || g.batch() == 0,
            ops: self.ops.clone(),
        }))
    }
}

struct TiledRun {
    kernel: Kernel,
    desc: GemmDesc,
    grid: (u32, u32, u32),
    empty: bool,
    ops: Arc<Operands>,
}

impl Bound for TiledRun {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        if self.empty {
            return Ok(());
        }
        let (b, bias) = (self.ops.b(inputs), self.ops.bias_ptr());
        let mut args = [launch::arg(&inputs[0]), launch::arg(&b), launch::arg(&bias), launch::arg(&outputs[0]), launch::arg(&self.desc)];
        self.kernel.launch_3d(self.grid, (TILE, TILE, 1), stream, &mut args)
    }
}
