//! Reduction over the axes of a mask (IReduceLayer): sum, product, maximum, minimum and
//! average, keeping the reduced axes as 1s or dropping them. Floats (kFLOAT, kHALF) and
//! kINT32 (wrapping sum and product, an average truncated toward zero). A mask without axes
//! copies the input. Reducing nothing (a zero-size axis) gives the operation's identity: 0,
//! 1, -inf (INT32_MIN), +inf (INT32_MAX), and NaN (0 for kINT32) for the average. On 1-D
//! kINT32 shape tensors the values are tracked, so shape arithmetic can use the result.

use super::axes::{self, Split};
use super::generated::Reduce;
use super::{any_impls, check_type, float_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::DataType;

/// nvinfer1::ReduceOperation values.
pub const SUM: i32 = 0;
pub const PROD: i32 = 1;
pub const MAX: i32 = 2;
pub const MIN: i32 = 3;
pub const AVG: i32 = 4;

impl Reduce {
    pub fn of(operation: i32, reduce_axes: u32, keep_dimensions: bool) -> Reduce {
        Reduce { operation, reduce_axes: reduce_axes as i64, keep_dimensions }
    }

    /// The reduced axes of an input of `rank`.
    pub fn axes(&self, rank: usize) -> Result<Vec<usize>> {
        axes::from_mask(self.reduce_axes, rank, "reduce axes")
    }

    /// The input split into kept and reduced axes.
    pub fn split(&self, dims: &[i64]) -> Result<Split> {
        Ok(Split::new(dims, &self.axes(dims.len())?))
    }
}

/// Reduces f64 values with `op`.
pub fn reduce_f64(op: i32, values: impl Iterator<Item = f64>) -> f64 {
    let (mut acc, mut n) = (match op {
        PROD => 1.0,
        MAX => f64::NEG_INFINITY,
        MIN => f64::INFINITY,
        _ => 0.0,
    }, 0usize);
    for v in values {
        n += 1;
        acc = match op {
            PROD => acc * v,
            MAX => acc.max(v),
            MIN => acc.min(v),
            _ => acc + v,
        };
    }
    if op == AVG {
        acc / n as f64
    } else {
        acc
    }
}

/// Reduces int32 values with `op` (wrapping, as int32 arithmetic on the GPU).
pub fn reduce_i32(op: i32, values: impl Iterator<Item = i32>) -> i32 {
    let (mut acc, mut n) = (match op {
        PROD => 1i32,
        MAX => i32::MIN,
        MIN => i32::MAX,
        _ => 0,
    }, 0i64);
    for v in values {
        n += 1;
        acc = match op {
            PROD => acc.wrapping_mul(v),
            MAX => acc.max(v),
            MIN => acc.min(v),
            _ => acc.wrapping_add(v),
        };
    }
    if op == AVG {
        if n == 0 {
            0
        } else {
            (acc as i64 / n) as i32
        }
    } else {
        acc
    }
}

/// The result on shape-tensor values, when the shape graph can express it.
fn shape_value(g: &mut ShapeGraph, op: i32, values: &[ExprId]) -> Result<Option<ExprId>> {
    let bin = match op {
        SUM | AVG => BinOp::Sum,
        PROD => BinOp::Prod,
        MAX => BinOp::Max,
        MIN => BinOp::Min,
        _ => return Ok(None),
    };
    let Some((&first, rest)) = values.split_first() else { return Ok(None) };
    let mut acc = first;
    for &v in rest {
        acc = g.op(bin, acc, v)?;
    }
    if op == AVG {
        // Shape values are not negative: floor division truncates.
        let n = g.constant(values.len() as i64);
        acc = g.floor_div(acc, n)?;
    }
    Ok(Some(acc))
}

impl Layer for Reduce {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let x = input(inputs, 0)?;
        if !(SUM..=AVG).contains(&self.operation) {
            return Err(Error::invalid_argument(format!("unknown ReduceOperation {}", self.operation)));
        }
        check_type("the reduce input", x.dtype, &[DataType::Float, DataType::Half, DataType::Int32])?;
        let reduced = self.axes(x.dims.len())?;
        let one = cx.g.constant(1);
        let mut dims = vec![];
        for (a, &d) in x.dims.iter().enumerate() {
            if !reduced.contains(&a) {
                dims.push(d);
            } else if self.keep_dimensions {
                dims.push(one);
            }
        }
        let dtype = if x.dtype.is_float() { float_type(inputs) } else { x.dtype };
        let mut out = InferOut::new(dtype, dims);
        if let (DataType::Int32, Some(values), [0]) = (x.dtype, x.values, reduced.as_slice()) {
            if x.dims.len() == 1 {
                out.values = shape_value(cx.g, self.operation, values)?.map(|v| vec![v]);
            }
        }
        Ok(vec![out])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let x = host_input(inputs, 0)?;
        let s = self.split(x.dims)?;
        let (kept, red) = (s.kept_count(), s.reduced_count());
        let out = &mut outputs[0];
        if x.dtype.is_float() {
            let xv = x.f32();
            let y: Vec<f32> = (0..kept)
                .map(|i| {
                    let base = s.kept_offset(i);
                    reduce_f64(self.operation, (0..red).map(|j| xv[base + s.reduced_offset(j)] as f64)) as f32
                })
                .collect();
            out.store_f32(&y);
        } else {
            let xv = x.i64();
            let y: Vec<i64> = (0..kept)
                .map(|i| {
                    let base = s.kept_offset(i);
                    reduce_i32(self.operation, (0..red).map(|j| xv[base + s.reduced_offset(j)] as i32)) as i64
                })
                .collect();
            out.store_i64(&y);
        }
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        self.reduce_axes = axes::mask_with_batch(self.reduce_axes, "reduce axes")?;
        Ok(())
    }
    any_impls!();
}
