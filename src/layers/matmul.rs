//! Matrix multiply (IMatrixMultiplyLayer): batched, row-major, with transposes, vectors
//! (kVECTOR) and broadcasting of the batch dimensions.

use super::generated::MatrixMultiply;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, strides};

/// nvinfer1::MatrixOperation values.
pub const NONE: i32 = 0;
pub const TRANSPOSE: i32 = 1;
pub const VECTOR: i32 = 2;

/// A batched product C[b] = op(A[b]) · op(B[b]) for concrete shapes. Batch index b runs
/// over `batch_dims` row-major; an operand's batch strides are 0 where it is broadcast.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GemmGeometry {
    pub m: i64,
    pub n: i64,
    pub k: i64,
    pub trans_a: bool,
    pub trans_b: bool,
    pub batch_dims: Vec<i64>,
    pub a_strides: Vec<i64>,
    pub b_strides: Vec<i64>,
}

impl GemmGeometry {
    /// One unbatched product.
    pub fn plain(m: i64, n: i64, k: i64, trans_a: bool, trans_b: bool) -> GemmGeometry {
        GemmGeometry { m, n, k, trans_a, trans_b, ..Default::default() }
    }

    pub fn batch(&self) -> i64 {
        self.batch_dims.iter().product()
    }

    /// Element offsets of A and B for batch index `b`.
    pub fn offsets(&self, b: i64) -> (i64, i64) {
        let (mut rem, mut oa, mut ob) = (b, 0, 0);
        for i in (0..self.batch_dims.len()).rev() {
            let c = rem % self.batch_dims[i];
            rem /= self.batch_dims[i];
            oa += c * self.a_strides[i];
            ob += c * self.b_strides[i];
        }
        (oa, ob)
    }

    /// The batch as one strided run (the form cuBLASLt takes): each operand either moves by a
    /// fixed stride per batch or stays (0). None for mixed broadcasting.
    pub fn uniform_strides(&self) -> Option<(i64, i64)> {
        let uniform = |s: &[i64], matrix: i64| -> Option<i64> {
            if s.iter().all(|&x| x == 0) {
                return Some(0);
            }
            let dense = strides(&self.batch_dims).iter().map(|x| x * matrix).collect::<Vec<_>>();
            (s == dense.as_slice()).then_some(matrix)
        };
        Some((uniform(&self.a_strides, self.m * self.k)?, uniform(&self.b_strides, self.k * self.n)?))
    }
}

/// The batch split into an outer part looped over by the caller (element offsets of A and
/// B per outer index) and an inner strided run (count and per-operand strides).
#[derive(Clone, Debug, PartialEq)]
pub struct StridedRuns {
    pub outer: Vec<(i64, i64)>,
    pub inner: i64,
    pub a_stride: i64,
    pub b_stride: i64,
}

impl GemmGeometry {
    /// The longest trailing run of batch dimensions each operand walks with one stride (or
    /// not at all); the leading dimensions become separate runs.
    pub fn strided_runs(&self) -> StridedRuns {
        let r = self.batch_dims.len();
        for split in 0..=r {
            let inner = GemmGeometry {
                batch_dims: self.batch_dims[split..].to_vec(),
                a_strides: self.a_strides[split..].to_vec(),
                b_strides: self.b_strides[split..].to_vec(),
                ..self.clone()
            };
            if let Some((a_stride, b_stride)) = inner.uniform_strides() {
                let outer_dims = &self.batch_dims[..split];
                let count: i64 = outer_dims.iter().product();
                let outer = (0..count)
                    .map(|o| {
                        let (mut rem, mut oa, mut ob) = (o, 0, 0);
                        for i in (0..split).rev() {
                            let c = rem % outer_dims[i];
                            rem /= outer_dims[i];
                            oa += c * self.a_strides[i];
                            ob += c * self.b_strides[i];
                        }
                        (oa, ob)
                    })
                    .collect();
                return StridedRuns { outer, inner: inner.batch(), a_stride, b_stride };
            }
        }
        unreachable!("an empty batch is always uniform")
    }
}

impl MatrixMultiply {
    pub fn of(op0: i32, op1: i32) -> MatrixMultiply {
        MatrixMultiply { op0, op1 }
    }

    fn check_ops(&self) -> Result<()> {
        for op in [self.op0, self.op1] {
            if !(NONE..=VECTOR).contains(&op) {
                return Err(Error::invalid_argument(format!("unknown MatrixOperation {op}")));
            }
        }
        Ok(())
    }

    /// Ranks of each operand's matrix part (1 for a vector) and the shared batch rank.
    fn split(&self, ra: usize, rb: usize) -> Result<(usize, usize, usize)> {
        let ma = if self.op0 == VECTOR { 1 } else { 2 };
        let mb = if self.op1 == VECTOR { 1 } else { 2 };
        if ra < ma || rb < mb || ra - ma != rb - mb {
            return Err(Error::invalid_argument(format!(
                "matrix multiply operands of rank {ra} and {rb} do not match (each needs rank 2, or 1 as a vector, plus the same batch rank)"
            )));
        }
        Ok((ma, mb, ra - ma))
    }

    /// The geometry for known input shapes.
    pub fn geometry(&self, a: &[i64], b: &[i64]) -> Result<GemmGeometry> {
        self.check_ops()?;
        let (ma, mb, nb) = self.split(a.len(), b.len())?;
        let (ta, tb) = (self.op0 == TRANSPOSE, self.op1 == TRANSPOSE);
        let (m, ka) = match ma {
            1 => (1, a[nb]),
            _ if ta => (a[nb + 1], a[nb]),
            _ => (a[nb], a[nb + 1]),
        };
        let (kb, n) = match mb {
            1 => (b[nb], 1),
            _ if tb => (b[nb + 1], b[nb]),
            _ => (b[nb], b[nb + 1]),
        };
        if ka != kb {
            return Err(Error::invalid_argument(format!(
                "matrix multiply of {} by {}: inner sizes {ka} and {kb} differ",
                dims_str(a),
                dims_str(b)
            )));
        }
        let (sa, sb) = (strides(a), strides(b));
        let mut g = GemmGeometry { m, n, k: ka, trans_a: ta && ma == 2, trans_b: tb && mb == 2, ..Default::default() };
        for i in 0..nb {
            let d = match (a[i], b[i]) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "batch dimensions of {} and {} cannot be broadcast",
                        dims_str(a),
                        dims_str(b)
                    )))
                }
            };
            g.batch_dims.push(d);
            g.a_strides.push(if a[i] == 1 && d != 1 { 0 } else { sa[i] });
            g.b_strides.push(if b[i] == 1 && d != 1 { 0 } else { sb[i] });
        }
        Ok(g)
    }
}

impl Layer for MatrixMultiply {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        self.check_ops()?;
        let (a, b) = (input(inputs, 0)?, input(inputs, 1)?);
        check_type("matrix multiply input 0", a.dtype, FLOATS)?;
        check_type("matrix multiply input 1", b.dtype, FLOATS)?;
        let (ma, mb, nb) = self.split(a.dims.len(), b.dims.len())?;
        let mut dims = Vec::with_capacity(nb + 2);
        for i in 0..nb {
            dims.push(cx.g.broadcast(a.dims[i], b.dims[i], || format!("matrix multiply batch dimension {i}"))?);
        }
        let (ta, tb) = (self.op0 == TRANSPOSE, self.op1 == TRANSPOSE);
        let (m, ka) = match ma {
            1 => (None, a.dims[nb]),
            _ if ta => (Some(a.dims[nb + 1]), a.dims[nb]),
            _ => (Some(a.dims[nb]), a.dims[nb + 1]),
        };
        let (kb, n) = match mb {
            1 => (b.dims[nb], None),
            _ if tb => (b.dims[nb + 1], Some(b.dims[nb])),
            _ => (b.dims[nb], Some(b.dims[nb + 1])),
        };
        cx.g.assert_eq(ka, kb, || "matrix multiply: the inner dimensions of the operands differ".to_string())?;
        dims.extend(m);
        dims.extend(n);
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }
    fn float_flexible(&self) -> bool {
        true
    }
    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (a, b) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let g = self.geometry(a.dims, b.dims)?;
        let (av, bv) = (a.f32(), b.f32());
        outputs[0].with_f32(|c| gemm_f32(&g, &av, &bv, c));
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Matrices are the last two dims; leading dims broadcast.
        Ok(())
    }
    any_impls!();
}

/// Reference product (f32 accumulation with fused multiply-add).
pub fn gemm_f32(g: &GemmGeometry, a: &[f32], b: &[f32], c: &mut [f32]) {
    let (m, n, k) = (g.m as usize, g.n as usize, g.k as usize);
    for batch in 0..g.batch().max(1) {
        let (oa, ob) = g.offsets(batch);
        let (a, b) = (&a[oa as usize..], &b[ob as usize..]);
        let c = &mut c[batch as usize * m * n..];
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0f32;
                for p in 0..k {
                    let x = if g.trans_a { a[p * m + i] } else { a[i * k + p] };
                    let y = if g.trans_b { b[j * k + p] } else { b[p * n + j] };
                    acc = x.mul_add(y, acc);
                }
                c[i * n + j] = acc;
            }
        }
    }
}
