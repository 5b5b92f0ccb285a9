//! Matrix products through cuBLASLt. Our tensors are row-major; cuBLASLt is column-major,
//! so C = op(A)·op(B) is computed as Cᵀ = op(B)ᵀ·op(A)ᵀ, which needs no data movement. A
//! bias per output column is the BIAS epilogue (a bias per row of Cᵀ).

use super::device::device;
use crate::error::{Error, Result};
use crate::types::DataType;
use cudarc::cublaslt::{result as lt, sys};
use once_cell::sync::OnceCell;
use std::ffi::c_void;

/// Workspace given to cuBLASLt per execution context.
pub const WORKSPACE_BYTES: usize = 4 << 20;

struct Handle(sys::cublasLtHandle_t);
unsafe impl Send for Handle {}
unsafe impl Sync for Handle {}

static HANDLE: OnceCell<std::result::Result<Handle, Error>> = OnceCell::new();

/// cuBLASLt handles are safe to share between threads; one serves the whole process.
fn handle() -> Result<sys::cublasLtHandle_t> {
    let h = HANDLE.get_or_init(|| {
        if !unsafe { sys::is_culib_present() } {
            return Err(Error::unsupported("cuBLASLt (libcublasLt.so) was not found"));
        }
        device()?.bind()?;
        lt::create_handle().map(Handle).map_err(|e| Error::internal(format!("cublasLtCreate: {e:?}")))
    });
    h.as_ref().map(|h| h.0).map_err(|e| e.clone())
}

fn lt_err(what: &str) -> impl Fn(lt::CublasError) -> Error + '_ {
    move |e| Error::execution(format!("cuBLASLt {what}: {e:?}"))
}

/// One strided-batched product in row-major terms.
#[derive(Clone, Copy, Debug)]
pub struct GemmShape {
    pub m: u64,
    pub n: u64,
    pub k: u64,
    pub trans_a: bool,
    pub trans_b: bool,
    pub batch: i32,
    pub a_stride: i64,
    pub b_stride: i64,
    pub c_stride: i64,
}

/// A prepared cuBLASLt product: descriptors and the chosen algorithm.
pub struct LtGemm {
    handle: sys::cublasLtHandle_t,
    desc: sys::cublasLtMatmulDesc_t,
    layout_a: sys::cublasLtMatrixLayout_t, // describes B, the first column-major operand
    layout_b: sys::cublasLtMatrixLayout_t, // describes A
    layout_c: sys::cublasLtMatrixLayout_t,
    algo: sys::cublasLtMatmulAlgo_t,
}
unsafe impl Send for LtGemm {}
unsafe impl Sync for LtGemm {}

fn cuda_type(t: DataType) -> Result<sys::cudaDataType> {
    match t {
        DataType::Float => Ok(sys::cudaDataType::CUDA_R_32F),
        DataType::Half => Ok(sys::cudaDataType::CUDA_R_16F),
        other => Err(Error::unsupported(format!("cuBLASLt products of {other} are not implemented"))),
    }
}

impl LtGemm {
    /// `allow_tf32` lets FP32 use TF32 tensor cores (BuilderFlag::kTF32); FP16 accumulates in
    /// FP32. `bias` (of `dtype`, one value per column of C) is added by the epilogue.
    pub fn new(s: GemmShape, dtype: DataType, allow_tf32: bool, bias: Option<u64>) -> Result<LtGemm> {
        let handle = handle()?;
        let compute = if dtype == DataType::Float && allow_tf32 {
            sys::cublasComputeType_t::CUBLAS_COMPUTE_32F_FAST_TF32
        } else {
            sys::cublasComputeType_t::CUBLAS_COMPUTE_32F
        };
        let data = cuda_type(dtype)?;
        let desc = lt::create_matmul_desc(compute, sys::cudaDataType::CUDA_R_32F).map_err(lt_err("matmul desc"))?;
        let mut gemm = LtGemm {
            handle,
            desc,
            layout_a: std::ptr::null_mut(),
            layout_b: std::ptr::null_mut(),
            layout_c: std::ptr::null_mut(),
            algo: unsafe { std::mem::zeroed() },
        };
        let op = |t: bool| if t { 1i32 } else { 0i32 }; // CUBLAS_OP_T / CUBLAS_OP_N
        unsafe {
            set_desc(desc, sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSA, &op(s.trans_b))?;
            set_desc(desc, sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_TRANSB, &op(s.trans_a))?;
            if let Some(ptr) = bias {
                let epilogue = sys::cublasLtEpilogue_t::CUBLASLT_EPILOGUE_BIAS as i32;
                set_desc(desc, sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue)?;
                lt::set_matmul_desc_attribute(
                    desc,
                    sys::cublasLtMatmulDescAttributes_t::CUBLASLT_MATMUL_DESC_BIAS_POINTER,
                    &ptr as *const u64 as *const c_void,
                    8,
                )
                .map_err(lt_err("bias pointer"))?;
            }
        }
        let (ar, ac) = if s.trans_b { (s.k, s.n) } else { (s.n, s.k) };
        let (br, bc) = if s.trans_a { (s.m, s.k) } else { (s.k, s.m) };
        gemm.layout_a = layout(data, ar, ac, s.batch, s.b_stride)?;
        gemm.layout_b = layout(data, br, bc, s.batch, s.a_stride)?;
        gemm.layout_c = layout(data, s.n, s.m, s.batch, s.c_stride)?;
        let pref = lt::create_matmul_pref().map_err(lt_err("preference"))?;
        let ws = WORKSPACE_BYTES;
        let heuristic = unsafe {
            let r = lt::set_matmul_pref_attribute(
                pref,
                sys::cublasLtMatmulPreferenceAttributes_t::CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                &ws as *const usize as *const c_void,
                std::mem::size_of::<usize>(),
            )
            .and_then(|_| lt::get_matmul_algo_heuristic(handle, desc, gemm.layout_a, gemm.layout_b, gemm.layout_c, gemm.layout_c, pref));
            let _ = lt::destroy_matmul_pref(pref);
            r
        };
        gemm.algo = heuristic.map_err(lt_err("algorithm heuristic"))?.algo;
        Ok(gemm)
    }

    /// C = op(A)·op(B) (+ bias) on `stream`; no allocation or synchronization.
    pub fn enqueue(&self, a: u64, b: u64, c: u64, workspace: u64, workspace_bytes: usize, stream: super::RawStream) -> Result<()> {
        let (alpha, beta) = (1.0f32, 0.0f32);
        unsafe {
            lt::matmul(
                self.handle,
                self.desc,
                &alpha as *const f32 as *const c_void,
                &beta as *const f32 as *const c_void,
                b as *const c_void,
                self.layout_a,
                a as *const c_void,
                self.layout_b,
                c as *const c_void,
                self.layout_c,
                c as *mut c_void,
                self.layout_c,
                &self.algo,
                workspace as *mut c_void,
                workspace_bytes,
                stream as sys::cudaStream_t,
            )
        }
        .map_err(lt_err("matmul"))
    }
}

impl Drop for LtGemm {
    fn drop(&mut self) {
        unsafe {
            for l in [self.layout_a, self.layout_b, self.layout_c] {
                if !l.is_null() {
                    let _ = lt::destroy_matrix_layout(l);
                }
            }
            let _ = lt::destroy_matmul_desc(self.desc);
        }
    }
}

unsafe fn set_desc(desc: sys::cublasLtMatmulDesc_t, attr: sys::cublasLtMatmulDescAttributes_t, v: &i32) -> Result<()> {
    lt::set_matmul_desc_attribute(desc, attr, v as *const i32 as *const c_void, 4).map_err(lt_err("matmul desc attribute"))
}

fn layout(data: sys::cudaDataType, rows: u64, cols: u64, batch: i32, stride: i64) -> Result<sys::cublasLtMatrixLayout_t> {
    let l = lt::create_matrix_layout(data, rows, cols, rows as i64).map_err(lt_err("layout"))?;
    if batch > 1 {
        unsafe {
            lt::set_matrix_layout_attribute(
                l,
                sys::cublasLtMatrixLayoutAttribute_t::CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT,
                &batch as *const i32 as *const c_void,
                4,
            )
            .map_err(lt_err("batch count"))?;
            lt::set_matrix_layout_attribute(
                l,
                sys::cublasLtMatrixLayoutAttribute_t::CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET,
                &stride as *const i64 as *const c_void,
                8,
            )
            .map_err(lt_err("batch stride"))?;
        }
    }
    Ok(l)
}
