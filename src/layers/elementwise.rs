//! Binary elementwise operations with broadcasting (IElementWiseLayer): arithmetic on
//! kFLOAT, kHALF and kINT32; logical operations on kBOOL; comparisons giving kBOOL.

use super::generated::ElementWise;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::{dims_str, strides, DataType};

/// nvinfer1::ElementWiseOperation values.
pub const SUM: i32 = 0;
pub const PROD: i32 = 1;
pub const MAX: i32 = 2;
pub const MIN: i32 = 3;
pub const SUB: i32 = 4;
pub const DIV: i32 = 5;
pub const POW: i32 = 6;
pub const FLOOR_DIV: i32 = 7;
pub const AND: i32 = 8;
pub const OR: i32 = 9;
pub const XOR: i32 = 10;
pub const EQUAL: i32 = 11;
pub const GREATER: i32 = 12;
pub const LESS: i32 = 13;

fn is_logical(op: i32) -> bool {
    (AND..=XOR).contains(&op)
}

fn is_comparison(op: i32) -> bool {
    (EQUAL..=LESS).contains(&op)
}

impl ElementWise {
    pub fn of(operation: i32) -> ElementWise {
        ElementWise { operation }
    }

    /// The output type for these input types, or why they are not accepted.
    pub fn output_type(&self, a: DataType, b: DataType) -> Result<DataType> {
        let op = self.operation;
        if !(SUM..=LESS).contains(&op) {
            return Err(Error::invalid_argument(format!("unknown ElementWiseOperation {op}")));
        }
        if is_logical(op) {
            check_type("a logical operation's input", a, &[DataType::Bool])?;
            check_type("a logical operation's input", b, &[DataType::Bool])?;
            return Ok(DataType::Bool);
        }
        let numeric = [DataType::Float, DataType::Half, DataType::Int32];
        check_type("elementwise input 0", a, &numeric)?;
        check_type("elementwise input 1", b, &numeric)?;
        if a.is_float() != b.is_float() {
            return Err(Error::invalid_argument(format!("elementwise inputs of types {a} and {b} cannot be combined; add a cast")));
        }
        let t = if a == b { a } else { DataType::Float };
        Ok(if is_comparison(op) { DataType::Bool } else { t })
    }
}

/// The reference formula on floats; `kernels/elementwise.cu` mirrors it.
pub fn apply_f32(op: i32, p: f32, q: f32) -> f32 {
    match op {
        SUM => p + q,
        PROD => p * q,
        MAX => p.max(q),
        MIN => p.min(q),
        SUB => p - q,
        DIV => p / q,
        POW => p.powf(q),
        FLOOR_DIV => (p / q).floor(),
        EQUAL => (p == q) as i32 as f32,
        GREATER => (p > q) as i32 as f32,
        LESS => (p < q) as i32 as f32,
        _ => p,
    }
}

/// The reference formula on integers (kINT32 wraps on the way out, kBOOL is 0/1).
pub fn apply_i64(op: i32, p: i64, q: i64) -> Result<i64> {
    Ok(match op {
        SUM => p.wrapping_add(q),
        PROD => p.wrapping_mul(q),
        MAX => p.max(q),
        MIN => p.min(q),
        SUB => p.wrapping_sub(q),
        DIV | FLOOR_DIV if q == 0 => return Err(Error::new(crate::types::ErrorCode::FailedComputation, "integer division by zero")),
        DIV => p.wrapping_div(q),
        FLOOR_DIV => BinOp::FloorDiv.apply(p, q).unwrap_or(0),
        POW if q < 0 => match p {
            1 => 1,
            -1 => {
                if q % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        },
        POW => p.wrapping_pow(q.min(u32::MAX as i64) as u32),
        AND => (p != 0 && q != 0) as i64,
        OR => (p != 0 || q != 0) as i64,
        XOR => ((p != 0) != (q != 0)) as i64,
        EQUAL => (p == q) as i64,
        GREATER => (p > q) as i64,
        LESS => (p < q) as i64,
        _ => p,
    })
}

/// Strides of `dims` read as `out`: 0 where a size-1 dimension is broadcast.
pub fn broadcast_strides(dims: &[i64], out: &[i64]) -> Vec<i64> {
    strides(dims).iter().zip(dims.iter().zip(out)).map(|(&s, (&d, &o))| if d == 1 && o != 1 { 0 } else { s }).collect()
}

/// Output dims of broadcasting two known shapes of equal rank.
pub fn broadcast_dims(a: &[i64], b: &[i64]) -> Result<Vec<i64>> {
    if a.len() != b.len() {
        return Err(Error::invalid_argument(format!("elementwise inputs {} and {} differ in rank", dims_str(a), dims_str(b))));
    }
    a.iter()
        .zip(b)
        .map(|(&x, &y)| match (x, y) {
            _ if x == y => Ok(x),
            (1, _) => Ok(y),
            (_, 1) => Ok(x),
            _ => Err(Error::invalid_argument(format!("elementwise inputs {} and {} cannot be broadcast", dims_str(a), dims_str(b)))),
        })
        .collect()
}

/// Values of an integer elementwise on shape tensors, when they can be expressed.
fn shape_values(g: &mut ShapeGraph, op: i32, a: &[ExprId], b: &[ExprId]) -> Result<Option<Vec<ExprId>>> {
    // Broadcast lengths: equal, or one of them 1 (against 0 too: the result is empty).
    let n = match (a.len(), b.len()) {
        (x, y) if x == y => x,
        (1, y) => y,
        (x, 1) => x,
        _ => return Ok(None),
    };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (x, y) = (a[if a.len() == 1 { 0 } else { i }], b[if b.len() == 1 { 0 } else { i }]);
        let v = match (g.as_const(x), g.as_const(y)) {
            (Some(p), Some(q)) => match apply_i64(op, p, q) {
                Ok(v) => g.constant(v as i32 as i64),
                Err(_) => return Ok(None),
            },
            _ => match op {
                SUM => g.op(BinOp::Sum, x, y)?,
                PROD => g.op(BinOp::Prod, x, y)?,
                MAX => g.op(BinOp::Max, x, y)?,
                MIN => g.op(BinOp::Min, x, y)?,
                SUB => g.op(BinOp::Sub, x, y)?,
                // Shape values are not negative, so truncating and floor division agree.
                DIV | FLOOR_DIV => g.op(BinOp::FloorDiv, x, y)?,
                // Comparisons and logic give 0/1 (kBOOL shape values, as assertions read).
                EQUAL => g.op(BinOp::Equal, x, y)?,
                LESS => g.op(BinOp::Less, x, y)?,
                GREATER => g.op(BinOp::Less, y, x)?,
                AND => g.op(BinOp::Min, x, y)?,
                OR => g.op(BinOp::Max, x, y)?,
                XOR => {
                    let (hi, lo) = (g.op(BinOp::Max, x, y)?, g.op(BinOp::Min, x, y)?);
                    g.op(BinOp::Sub, hi, lo)?
                }
                _ => return Ok(None),
            },
        };
        out.push(v);
    }
    Ok(Some(out))
}

impl Layer for ElementWise {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (a, b) = (input(inputs, 0)?, input(inputs, 1)?);
        let mut dtype = self.output_type(a.dtype, b.dtype)?;
        if dtype.is_float() {
            dtype = float_type(inputs);
        }
        if a.dims.len() != b.dims.len() {
            return Err(Error::invalid_argument(format!(
                "elementwise inputs must have the same rank: {} and {}",
                dims_str(&cx.g.known(a.dims)),
                dims_str(&cx.g.known(b.dims))
            )));
        }
        let mut dims = Vec::with_capacity(a.dims.len());
        for (i, (&x, &y)) in a.dims.iter().zip(b.dims).enumerate() {
            dims.push(cx.g.broadcast(x, y, || format!("elementwise dimension {i}"))?);
        }
        let mut out = InferOut::new(dtype, dims);
        let shape_like = |t: DataType| t == DataType::Int32 || t == DataType::Bool;
        if shape_like(dtype) && shape_like(a.dtype) && a.dims.len() <= 1 {
            if let (Some(va), Some(vb)) = (a.values, b.values) {
                out.values = shape_values(cx.g, self.operation, va, vb)?;
            }
        }
        Ok(vec![out])
    }

    fn float_flexible(&self) -> bool {
        !is_logical(self.operation)
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (a, b) = (host_input(inputs, 0)?, host_input(inputs, 1)?);
        let out = &mut outputs[0];
        let dims = broadcast_dims(a.dims, b.dims)?;
        let (sa, sb) = (broadcast_strides(a.dims, &dims), broadcast_strides(b.dims, &dims));
        let index = |i: usize| {
            let (mut rem, mut ai, mut bi) = (i as i64, 0i64, 0i64);
            for k in (0..dims.len()).rev() {
                let c = rem % dims[k];
                rem /= dims[k];
                ai += c * sa[k];
                bi += c * sb[k];
            }
            (ai as usize, bi as usize)
        };
        let n = out.len();
        if a.dtype.is_float() {
            let (av, bv) = (a.f32(), b.f32());
            let values: Vec<f32> = (0..n).map(&index).map(|(x, y)| apply_f32(self.operation, av[x], bv[y])).collect();
            out.store_f32(&values);
        } else {
            let (av, bv) = (a.i64(), b.i64());
            let values = (0..n).map(index).map(|(x, y)| apply_i64(self.operation, av[x], bv[y])).collect::<Result<Vec<_>>>()?;
            out.store_i64(&values);
        }
        Ok(())
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Broadcasting aligns dims from the right; constants gain a leading 1.
        Ok(())
    }
    any_impls!();
}
