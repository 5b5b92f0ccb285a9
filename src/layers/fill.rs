//! Generated tensors (IFillLayer):
//! - kLINSPACE: element c = alpha + sum_k c_k * beta[k] (beta one delta per dimension; a
//!   static beta b is TensorRT's 1-D tensor [b], broadcast here to every dimension);
//! - kRANDOM_UNIFORM: uniform in [alpha, beta);
//! - kRANDOM_NORMAL: normal with mean alpha and standard deviation beta.
//!
//! The shape is the `dims` parameter or a 1-D shape tensor as input 0; alpha and beta are
//! parameters or tensors as inputs 1 and 2 (both or neither, of one type, which is the
//! output's type: kFLOAT, kHALF or, for kLINSPACE, kINT32). Without them the output is
//! kFLOAT. Random values come from a counter-based generator (a hash of the element index
//! with a fixed seed), so every backend and every run produces the same values.

use super::generated::Fill;
use super::{any_impls, check_type, float_type, host_input, shape_input_values, CpuCx, InferCx, InferIn, InferOut, Layer, MAX_SHAPE_VALUES};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::ExprId;
use crate::types::{dims_str, volume, DataType, MAX_DIMS};

/// nvinfer1::FillOperation values.
pub const LINSPACE: i32 = 0;
pub const RANDOM_UNIFORM: i32 = 1;
pub const RANDOM_NORMAL: i32 = 2;

/// The random generator's seed; `kernels/fill.cu` has the same.
pub const SEED: u64 = 0x5EED_0008_0006_0001;

/// 64 random bits for element `i`: the splitmix64 finalizer of SEED + i * the golden
/// ratio. `kernels/fill.cu` mirrors it.
pub fn random_bits(i: u64) -> u64 {
    let mut z = SEED.wrapping_add(i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A float in [0, 1) from the top 24 of 64 random bits.
pub fn unit(bits: u64) -> f32 {
    (bits >> 40) as f32 * (1.0 / 16_777_216.0)
}

/// Element `i` of a random fill (in f32, as the kernel computes it).
pub fn random_value(op: i32, i: u64, alpha: f32, beta: f32) -> f32 {
    if op == RANDOM_UNIFORM {
        return alpha + (beta - alpha) * unit(random_bits(i));
    }
    // Box-Muller on two uniforms; 1 - u is in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - unit(random_bits(2 * i));
    let u2 = unit(random_bits(2 * i + 1));
    alpha + beta * (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

impl Fill {
    pub fn of(dims: Vec<i64>, operation: i32) -> Fill {
        Fill { dims, operation, ..Fill::new() }
    }

    pub fn operation_name(&self) -> &'static str {
        match self.operation {
            LINSPACE => "kLINSPACE",
            RANDOM_UNIFORM => "kRANDOM_UNIFORM",
            RANDOM_NORMAL => "kRANDOM_NORMAL",
            _ => "an unknown FillOperation",
        }
    }
}

/// Input `i` if present.
fn optional<'a, 'b>(inputs: &'b [Option<InferIn<'a>>], i: usize) -> Option<&'b InferIn<'a>> {
    inputs.get(i).and_then(|x| x.as_ref())
}

impl Layer for Fill {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let op = self.operation;
        if !(LINSPACE..=RANDOM_NORMAL).contains(&op) {
            return Err(Error::invalid_argument(format!("unknown FillOperation {op}")));
        }
        let dims: Vec<ExprId> = match optional(inputs, 0) {
            Some(shape) => {
                let values = shape_input_values("the fill's shape (input 0)", shape, false)?;
                let mut dims = Vec::with_capacity(values.len());
                for (k, &v) in values.iter().enumerate() {
                    dims.push(cx.g.at_least(v, 0, || format!("fill dimension {k}"))?);
                }
                dims
            }
            None => {
                if self.dims.iter().any(|&d| d < 0) {
                    return Err(Error::invalid_argument(format!("fill dimensions {} must not be negative", dims_str(&self.dims))));
                }
                cx.g.constants(&self.dims)
            }
        };
        if dims.len() > MAX_DIMS {
            return Err(Error::invalid_argument(format!("a fill of {} dimensions exceeds the maximum of {MAX_DIMS}", dims.len())));
        }
        let (alpha, beta) = (optional(inputs, 1), optional(inputs, 2));
        let dtype = match (alpha, beta) {
            (None, None) => DataType::Float,
            (Some(a), Some(b)) => {
                let allowed: &[DataType] = if op == LINSPACE { &[DataType::Float, DataType::Half, DataType::Int32] } else { super::FLOATS };
                check_type(&format!("{} alpha (input 1)", self.operation_name()), a.dtype, allowed)?;
                check_type(&format!("{} beta (input 2)", self.operation_name()), b.dtype, allowed)?;
                if a.dtype != b.dtype && !(a.dtype.is_float() && b.dtype.is_float()) {
                    return Err(Error::invalid_argument(format!("the fill's alpha and beta have types {} and {}", a.dtype, b.dtype)));
                }
                let n = cx.g.volume(a.dims)?;
                let one = cx.g.constant(1);
                cx.g.assert_eq(n, one, || "the fill's alpha (input 1) must be one value".to_string())?;
                if op == LINSPACE {
                    if b.dims.len() != 1 {
                        return Err(Error::invalid_argument("the kLINSPACE beta (input 2) must be a 1-D tensor, one delta per dimension"));
                    }
                    let rank = cx.g.constant(dims.len() as i64);
                    cx.g.assert_eq(b.dims[0], rank, || "the kLINSPACE beta (input 2) must hold one delta per output dimension".to_string())?;
                } else {
                    let n = cx.g.volume(b.dims)?;
                    cx.g.assert_eq(n, one, || "the fill's beta (input 2) must be one value".to_string())?;
                }
                if a.dtype.is_float() {
                    float_type(inputs)
                } else {
                    a.dtype
                }
            }
            _ => return Err(Error::invalid_argument("the fill's alpha (input 1) and beta (input 2) must both be set, or neither")),
        };
        let mut out = InferOut::new(dtype, dims.clone());
        // An integer range of known length, from shape values (ONNX Range on shapes).
        if let (DataType::Int32, Some(Some(a)), Some(Some(b))) = (dtype, alpha.map(|a| a.values), beta.map(|b| b.values)) {
            let known: Option<Vec<i64>> = dims.iter().map(|&d| cx.g.as_const(d)).collect();
            if let Some(known) = known.filter(|k| k.len() <= 1 && volume(k).is_some_and(|n| n <= MAX_SHAPE_VALUES)) {
                let count = volume(&known).unwrap_or(0) as i64;
                let mut values = Vec::with_capacity(count as usize);
                for i in 0..count {
                    let c = cx.g.constant(i);
                    let step = match b.first() {
                        Some(&d) => cx.g.mul(c, d)?,
                        None => cx.g.constant(0),
                    };
                    values.push(cx.g.add(a[0], step)?);
                }
                out.values = Some(values);
            }
        }
        Ok(vec![out])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let y = &mut outputs[0];
        let n = y.len();
        let (alpha, beta) = (inputs.get(1).and_then(|t| t.as_ref()), inputs.get(2).and_then(|t| t.as_ref()));
        if self.operation != LINSPACE {
            let a = alpha.map(|t| t.f32()[0]).unwrap_or(self.alpha as f32);
            let b = beta.map(|t| t.f32()[0]).unwrap_or(self.beta as f32);
            let values: Vec<f32> = (0..n as u64).map(|i| random_value(self.operation, i, a, b)).collect();
            y.store_f32(&values);
            return Ok(());
        }
        if y.dtype == DataType::Int32 {
            let a = host_input(inputs, 1)?.i64()[0];
            let b = host_input(inputs, 2)?.i64();
            let at = |i| coordinates(i, y.dims).iter().zip(&b).fold(a, |acc, (&c, &d)| acc.wrapping_add(c.wrapping_mul(d)));
            let values: Vec<i64> = (0..n).map(at).collect();
            y.store_i64(&values);
            return Ok(());
        }
        let a = alpha.map(|t| t.f32()[0] as f64).unwrap_or(self.alpha);
        let b: Vec<f64> = match beta {
            Some(t) => t.f32().iter().map(|&v| v as f64).collect(),
            None => vec![self.beta; y.dims.len()],
        };
        let at = |i| coordinates(i, y.dims).iter().zip(&b).fold(a, |acc, (&c, &d)| acc + c as f64 * d);
        let values: Vec<f32> = (0..n).map(|i| at(i) as f32).collect();
        y.store_f32(&values);
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IFillLayer"))
    }
    any_impls!();
}

/// The coordinates of element `i` of `dims`.
fn coordinates(i: usize, dims: &[i64]) -> Vec<i64> {
    let mut c = vec![0; dims.len()];
    let mut rem = i as i64;
    for k in (0..dims.len()).rev() {
        c[k] = rem % dims[k];
        rem /= dims[k];
    }
    c
}
