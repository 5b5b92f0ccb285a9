//! Matrix multiply (IMatrixMultiplyLayer): batched, row-major, optional transposes.
//! Two CUDA tactics, cuBLASLt and our tiled kernel; the builder keeps the faster.

use super::{launch, unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::blas::{GemmShape, LtGemm, WORKSPACE_BYTES};
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, LayerType};

/// nvinfer1::MatrixOperation values.
pub const NONE: i32 = 0;
pub const TRANSPOSE: i32 = 1;

#[derive(Clone, PartialEq, prost::Message)]
pub struct MatrixMultiply {
    #[prost(int32, tag = "1")]
    pub op0: i32,
    #[prost(int32, tag = "2")]
    pub op1: i32,
}

impl MatrixMultiply {
    pub fn new(op0: i32, op1: i32) -> MatrixMultiply {
        MatrixMultiply { op0, op1 }
    }

    /// The product's geometry for fully known input shapes.
    pub fn gemm_shape(&self, a: &[i64], b: &[i64]) -> Result<GemmShape> {
        let (ta, tb) = (self.op0 == TRANSPOSE, self.op1 == TRANSPOSE);
        let r = a.len();
        let (m, ka) = if ta { (a[r - 1], a[r - 2]) } else { (a[r - 2], a[r - 1]) };
        let (kb, n) = if tb { (b[r - 1], b[r - 2]) } else { (b[r - 2], b[r - 1]) };
        if ka != kb {
            return Err(Error::invalid_argument(format!(
                "matrix multiply of {} by {}: inner sizes {ka} and {kb} differ",
                dims_str(a),
                dims_str(b)
            )));
        }
        let batch_a: i64 = a[..r - 2].iter().product();
        let batch_b: i64 = b[..r - 2].iter().product();
        let batch = batch_a.max(batch_b);
        let stride = |count: i64, size: i64| if count == 1 { 0 } else { size };
        Ok(GemmShape {
            m: m as u64,
            n: n as u64,
            k: ka as u64,
            trans_a: ta,
            trans_b: tb,
            batch: batch as i32,
            a_stride: stride(batch_a, m * ka),
            b_stride: stride(batch_b, ka * n),
            c_stride: m * n,
        })
    }
}

impl Op for MatrixMultiply {
    fn kind(&self) -> &'static str {
        "MatrixMultiply"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::MatrixMultiply
    }
    fn input_count(&self) -> (usize, usize) {
        (2, 2)
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        let (a, b) = (inputs[0], inputs[1]);
        for op in [self.op0, self.op1] {
            if op != NONE && op != TRANSPOSE {
                return Err(Error::unsupported(format!("matrix operation {op} (kVECTOR) is not implemented")));
            }
        }
        if a.len() < 2 || a.len() != b.len() {
            return Err(Error::invalid_argument(format!(
                "matrix multiply needs inputs of the same rank >= 2, got {} and {}",
                dims_str(a),
                dims_str(b)
            )));
        }
        let r = a.len();
        let mut out = Vec::with_capacity(r);
        for i in 0..r - 2 {
            out.push(match (a[i], b[i]) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => return Err(Error::invalid_argument(format!("batch dimensions of {} and {} differ", dims_str(a), dims_str(b)))),
            });
        }
        // Only whole-batch broadcast (one side has batch 1) is supported by the kernels.
        let (pa, pb): (i64, i64) = (a[..r - 2].iter().product(), b[..r - 2].iter().product());
        if pa > 0 && pb > 0 && pa != pb && pa != 1 && pb != 1 {
            return Err(Error::unsupported("partial batch broadcasting in matrix multiply is not implemented"));
        }
        let m = if self.op0 == TRANSPOSE { a[r - 1] } else { a[r - 2] };
        let ka = if self.op0 == TRANSPOSE { a[r - 2] } else { a[r - 1] };
        let kb = if self.op1 == TRANSPOSE { b[r - 1] } else { b[r - 2] };
        let n = if self.op1 == TRANSPOSE { b[r - 2] } else { b[r - 1] };
        if ka >= 0 && kb >= 0 && ka != kb {
            return Err(Error::invalid_argument(format!(
                "matrix multiply of {} by {}: inner sizes {ka} and {kb} differ",
                dims_str(a),
                dims_str(b)
            )));
        }
        out.push(m);
        out.push(n);
        Ok(vec![out])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "op0" => self.op0 = value.int(key)? as i32,
            "op1" => self.op1 = value.int(key)? as i32,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        Some(match key {
            "op0" => Param::Ints(vec![self.op0 as i64]),
            "op1" => Param::Ints(vec![self.op1 as i64]),
            _ => return None,
        })
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let s = self.gemm_shape(inputs[0].dims, inputs[1].dims)?;
        gemm_cpu(&s, inputs[0].data, inputs[1].data, &mut outputs[0]);
        Ok(())
    }
    fn cuda_tactics(&self) -> Vec<&'static str> {
        vec!["cublaslt", "tiled"]
    }
    fn cuda_kernel_files(&self, tactic: &str) -> Vec<&'static str> {
        if tactic == "tiled" {
            vec!["matmul"]
        } else {
            vec![]
        }
    }
    fn prepare_cuda(&self, tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let shape = self.gemm_shape(&prep.shapes.inputs[0], &prep.shapes.inputs[1])?;
        prepare_gemm(tactic, shape, prep)
    }
}

/// Reference product used by every layer that multiplies matrices.
pub fn gemm_cpu(s: &GemmShape, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (m, n, k) = (s.m as usize, s.n as usize, s.k as usize);
    for batch in 0..s.batch.max(1) as usize {
        let a = &a[batch * s.a_stride as usize..];
        let b = &b[batch * s.b_stride as usize..];
        let c = &mut c[batch * s.c_stride as usize..];
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0f32;
                for p in 0..k {
                    let x = if s.trans_a { a[p * m + i] } else { a[i * k + p] };
                    let y = if s.trans_b { b[j * k + p] } else { b[p * n + j] };
                    acc = x.mul_add(y, acc);
                }
                c[i * n + j] = acc;
            }
        }
    }
}

/// A CUDA product for `tactic` ("cublaslt" or "tiled").
pub fn prepare_gemm(tactic: &str, shape: GemmShape, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
    match tactic {
        "cublaslt" => Ok(Box::new(LtGemmLayer { gemm: LtGemm::new(shape, prep.allow_tf32)? })),
        "tiled" => {
            // The grid's y and z extents are limited to 65535 blocks.
            if shape.m.div_ceil(16) > 65535 || shape.batch > 65535 {
                return Err(Error::unsupported("the product is too large for the tiled kernel's grid"));
            }
            Ok(Box::new(TiledGemm { kernel: prep.kernels.function("matmul", "matmul_f32")?, shape }))
        }
        other => Err(Error::internal(format!("unknown matrix multiply tactic '{other}'"))),
    }
}

struct LtGemmLayer {
    gemm: LtGemm,
}

impl CudaLayer for LtGemmLayer {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], scratch: &Scratch) -> Result<()> {
        self.gemm.enqueue(inputs[0], inputs[1], outputs[0], scratch.workspace, scratch.workspace_bytes, stream)
    }
    fn workspace_bytes(&self) -> usize {
        WORKSPACE_BYTES
    }
}

struct TiledGemm {
    kernel: Kernel,
    shape: GemmShape,
}

impl CudaLayer for TiledGemm {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        const TILE: u32 = 16;
        let s = &self.shape;
        let (m, n, k) = (s.m as i32, s.n as i32, s.k as i32);
        let (ta, tb) = (s.trans_a as i32, s.trans_b as i32);
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&m),
            launch::arg(&n),
            launch::arg(&k),
            launch::arg(&ta),
            launch::arg(&tb),
            launch::arg(&s.a_stride),
            launch::arg(&s.b_stride),
            launch::arg(&s.c_stride),
        ];
        let grid = ((s.n as u32).div_ceil(TILE), (s.m as u32).div_ceil(TILE), s.batch.max(1) as u32);
        self.kernel.launch_3d(grid, (TILE, TILE, 1), stream, &mut args)
    }
}
