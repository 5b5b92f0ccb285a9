//! Pointwise unary operations (IUnaryLayer). Float operations on kFLOAT and kHALF; kABS,
//! kNEG and kSIGN also on kINT32 (wrapping as int32 arithmetic does); kNOT on kBOOL; kISINF
//! gives kBOOL. kINT8 inputs (quantized floats) need INT8 mode, which is not implemented.

use super::generated::Unary;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::DataType;

/// nvinfer1::UnaryOperation values.
pub const EXP: i32 = 0;
pub const LOG: i32 = 1;
pub const SQRT: i32 = 2;
pub const RECIP: i32 = 3;
pub const ABS: i32 = 4;
pub const NEG: i32 = 5;
pub const SIN: i32 = 6;
pub const COS: i32 = 7;
pub const TAN: i32 = 8;
pub const SINH: i32 = 9;
pub const COSH: i32 = 10;
pub const ASIN: i32 = 11;
pub const ACOS: i32 = 12;
pub const ATAN: i32 = 13;
pub const ASINH: i32 = 14;
pub const ACOSH: i32 = 15;
pub const ATANH: i32 = 16;
pub const CEIL: i32 = 17;
pub const FLOOR: i32 = 18;
pub const ERF: i32 = 19;
pub const NOT: i32 = 20;
pub const SIGN: i32 = 21;
pub const ROUND: i32 = 22;
pub const ISINF: i32 = 23;

impl Unary {
    pub fn of(operation: i32) -> Unary {
        Unary { operation }
    }

    /// The input types TensorRT 8.6 accepts for the operation (kINT8 left out: see above).
    pub fn input_types(&self) -> Result<&'static [DataType]> {
        use DataType::*;
        Ok(match self.operation {
            NOT => &[Bool],
            ABS | NEG | SIGN => &[Float, Half, Int32],
            EXP..=ISINF => &[Float, Half],
            op => return Err(Error::invalid_argument(format!("unknown UnaryOperation {op}"))),
        })
    }

    /// The output type for an input of type `t`.
    pub fn output_type(&self, t: DataType) -> DataType {
        if self.operation == ISINF {
            DataType::Bool
        } else {
            t
        }
    }
}

/// The reference formula on floats, computed in f64; `kernels/unary.cu` mirrors it.
pub fn apply_f64(op: i32, v: f64) -> f64 {
    match op {
        EXP => v.exp(),
        LOG => v.ln(),
        SQRT => v.sqrt(),
        RECIP => 1.0 / v,
        ABS => v.abs(),
        NEG => -v,
        SIN => v.sin(),
        COS => v.cos(),
        TAN => v.tan(),
        SINH => v.sinh(),
        COSH => v.cosh(),
        ASIN => v.asin(),
        ACOS => v.acos(),
        ATAN => v.atan(),
        ASINH => v.asinh(),
        ACOSH => v.acosh(),
        ATANH => v.atanh(),
        CEIL => v.ceil(),
        FLOOR => v.floor(),
        ERF => erf(v),
        // NaN keeps its sign of NaN; zero stays zero.
        SIGN if v.is_nan() => v,
        SIGN if v == 0.0 => 0.0,
        SIGN => v.signum(),
        // Halfway cases go to the even neighbour (2.5 -> 2, -3.5 -> -4).
        ROUND => v.round_ties_even(),
        ISINF => v.is_infinite() as i32 as f64,
        _ => v,
    }
}

/// The reference formula on integers (kINT32 wraps: |INT32_MIN| is INT32_MIN).
pub fn apply_i64(op: i32, v: i64) -> i64 {
    match op {
        ABS => (v as i32).wrapping_abs() as i64,
        NEG => (v as i32).wrapping_neg() as i64,
        SIGN => v.signum(),
        NOT => (v == 0) as i64,
        _ => v,
    }
}

/// The Gauss error function to double precision: its Maclaurin series below |x| = 4
/// (alternating terms stay below 1e6, so the sum keeps ~1e-10 absolute accuracy), and ±1
/// beyond, where 1 - erf(x) < 1.6e-8 is below the resolution of the float types.
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x.abs() >= 4.0 {
        return x.signum();
    }
    // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
    let (x2, mut term, mut sum) = (x * x, x, x);
    for n in 1..200 {
        term *= -x2 / n as f64;
        let add = term / (2 * n + 1) as f64;
        sum += add;
        if add.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum * std::f64::consts::FRAC_2_SQRT_PI
}

impl Layer for Unary {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        let allowed = self.input_types()?;
        if x.dtype == DataType::Int8 && allowed.contains(&DataType::Float) {
            return Err(Error::unsupported("a unary operation on kINT8 (a quantized float) needs INT8 mode, which is not implemented yet"));
        }
        check_type(&format!("the input of UnaryOperation {}", self.operation), x.dtype, allowed)?;
        let t = if x.dtype.is_float() { float_type(inputs) } else { x.dtype };
        Ok(vec![InferOut::new(self.output_type(t), x.dims.to_vec())])
    }

    fn float_flexible(&self) -> bool {
        self.operation != NOT
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let out = &mut outputs[0];
        if x.dtype.is_float() {
            let v = x.f32();
            let y: Vec<f32> = v.iter().map(|&a| apply_f64(self.operation, a as f64) as f32).collect();
            out.store_f32(&y);
        } else {
            let y: Vec<i64> = x.i64().iter().map(|&a| apply_i64(self.operation, a)).collect();
            out.store_i64(&y);
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        // Pointwise: no axis parameters.
        Ok(())
    }
    any_impls!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        // erf(0.5) = 0.5204998778130465, erf(1) = 0.8427007929497149, erf(2) = 0.9953222650189527.
        for (x, e) in [(0.5, 0.5204998778130465), (1.0, 0.8427007929497149), (2.0, 0.9953222650189527), (-1.0, -0.8427007929497149)] {
            assert!((erf(x) - e).abs() < 1e-12, "erf({x}) = {}", erf(x));
        }
        assert_eq!(erf(5.0), 1.0);
    }

    #[test]
    fn integer_edges_wrap() {
        assert_eq!(apply_i64(ABS, i32::MIN as i64), i32::MIN as i64);
        assert_eq!(apply_i64(NEG, i32::MIN as i64), i32::MIN as i64);
        assert_eq!(apply_i64(SIGN, -7), -1);
    }
}
