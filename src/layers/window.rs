//! Sliding-window geometry shared by convolution and pooling, and its transpose for
//! deconvolution: output sizes under every `nvinfer1::PaddingMode`, symbolically (inference)
//! and concretely (kernels, at run time).

use crate::error::{Error, Result};
use crate::shape::{BinOp, ExprId, ShapeGraph};
use crate::types::dims_str;

/// nvinfer1::PaddingMode values.
pub const EXPLICIT_ROUND_DOWN: i32 = 0;
pub const EXPLICIT_ROUND_UP: i32 = 1;
pub const SAME_UPPER: i32 = 2;
pub const SAME_LOWER: i32 = 3;
pub const CAFFE_ROUND_DOWN: i32 = 4;
pub const CAFFE_ROUND_UP: i32 = 5;

/// The parameters of one spatial axis.
#[derive(Clone, Copy, Debug)]
pub struct Axis {
    pub kernel: i64,
    pub stride: i64,
    pub dilation: i64,
    pub pre: i64,
    pub post: i64,
}

impl Axis {
    fn span(&self) -> i64 {
        self.dilation * (self.kernel - 1) + 1
    }
}

/// Per-axis parameters from the layer's lists, which must all have `n` entries (or be empty
/// where a default applies: stride and dilation 1, padding 0).
pub fn axes(n: usize, kernel: &[i64], stride: &[i64], dilation: &[i64], pre: &[i64], post: &[i64]) -> Result<Vec<Axis>> {
    let pick = |v: &[i64], name: &str, default: i64, i: usize| -> Result<i64> {
        match v.len() {
            0 => Ok(default),
            len if len == n => Ok(v[i]),
            _ => Err(Error::invalid_argument(format!("{name} {} has {} values; the window has {n} dimensions", dims_str(v), v.len()))),
        }
    };
    if kernel.len() != n {
        return Err(Error::invalid_argument(format!("the window {} has {} dimensions, not {n}", dims_str(kernel), kernel.len())));
    }
    (0..n)
        .map(|i| {
            let a = Axis {
                kernel: kernel[i],
                stride: pick(stride, "stride", 1, i)?,
                dilation: pick(dilation, "dilation", 1, i)?,
                pre: pick(pre, "pre-padding", 0, i)?,
                post: pick(post, "post-padding", 0, i)?,
            };
            if a.kernel <= 0 || a.stride <= 0 || a.dilation <= 0 {
                return Err(Error::invalid_argument(format!(
                    "window {}, stride {} and dilation {} must be positive",
                    dims_str(kernel),
                    dims_str(stride),
                    dims_str(dilation)
                )));
            }
            if a.pre < 0 || a.post < 0 {
                return Err(Error::invalid_argument("padding must not be negative".to_string()));
            }
            // Bounded so that every size computation stays within 64 bits (span < 2^62).
            if [a.kernel, a.stride, a.dilation, a.pre, a.post].iter().any(|&v| v > i32::MAX as i64) {
                return Err(Error::invalid_argument("window parameters must fit in 32 bits".to_string()));
            }
            Ok(a)
        })
        .collect()
}

pub fn check_mode(mode: i32) -> Result<()> {
    if (EXPLICIT_ROUND_DOWN..=CAFFE_ROUND_UP).contains(&mode) {
        Ok(())
    } else {
        Err(Error::invalid_argument(format!("unknown PaddingMode {mode}")))
    }
}

/// Output size and leading padding of one axis for a known input size. Computed in i128:
/// window parameters fit in 32 bits and sizes in 63, so no step can overflow; a result that
/// does not fit a dimension is an error.
pub fn concrete(mode: i32, input: i64, a: &Axis) -> Result<(i64, i64)> {
    let span = a.span() as i128;
    let (i, stride) = (input as i128, a.stride as i128);
    let (out, pre) = match mode {
        SAME_UPPER | SAME_LOWER => {
            let out = (i + stride - 1).div_euclid(stride);
            let total = ((out - 1) * stride + span - i).max(0);
            let pre = if mode == SAME_UPPER { total / 2 } else { total - total / 2 };
            (out, pre)
        }
        _ => {
            let room = i + a.pre as i128 + a.post as i128 - span;
            let up = matches!(mode, EXPLICIT_ROUND_UP | CAFFE_ROUND_UP);
            let mut out = if up { room.div_euclid(stride) + (room.rem_euclid(stride) != 0) as i128 } else { room.div_euclid(stride) } + 1;
            // Caffe drops a last window that would start in the trailing padding.
            if mode == CAFFE_ROUND_UP && out > 1 && (out - 1) * stride >= i + a.pre as i128 {
                out -= 1;
            }
            (out, a.pre as i128)
        }
    };
    if out < 1 {
        return Err(Error::invalid_argument(format!(
            "the window (span {span}) does not fit the input of size {input} with padding {}+{}",
            a.pre, a.post
        )));
    }
    match (i64::try_from(out), i64::try_from(pre)) {
        (Ok(out), Ok(pre)) => Ok((out, pre)),
        _ => Err(Error::invalid_argument(format!("the window's output size for an input of size {input} overflows"))),
    }
}

/// Output size of one axis as an expression of the input size.
pub fn symbolic(g: &mut ShapeGraph, mode: i32, input: ExprId, a: &Axis, what: &dyn Fn() -> String) -> Result<ExprId> {
    if let Some(i) = g.as_const(input) {
        let (out, _) = concrete(mode, i, a).map_err(|e| e.context(what()))?;
        return Ok(g.constant(out));
    }
    let stride = g.constant(a.stride);
    let out = match mode {
        SAME_UPPER | SAME_LOWER => g.op(BinOp::CeilDiv, input, stride)?,
        _ => {
            let extra = g.constant(a.pre + a.post - a.span());
            let room = g.add(input, extra)?;
            let op = if matches!(mode, EXPLICIT_ROUND_UP | CAFFE_ROUND_UP) { BinOp::CeilDiv } else { BinOp::FloorDiv };
            let q = g.op(op, room, stride)?;
            let one = g.constant(1);
            let out = g.add(q, one)?;
            if mode == CAFFE_ROUND_UP {
                // out - ((out-1)*stride >= input + pre)
                let last = g.sub(out, one)?;
                let start = g.mul(last, stride)?;
                let pre = g.constant(a.pre);
                let limit = g.add(input, pre)?;
                let inside = g.op(BinOp::Less, start, limit)?;
                let drop = g.sub(one, inside)?;
                let gt1 = g.op(BinOp::Less, one, out)?;
                let drop = g.mul(drop, gt1)?;
                g.sub(out, drop)?
            } else {
                out
            }
        }
    };
    g.at_least(out, 1, || format!("{}: the window does not fit the input", what()))
}

/// Deconvolution (the transposed window): output size and leading padding of one axis for a
/// known input size. Explicit and Caffe modes: (input - 1) * stride + span - pre - post;
/// SAME modes: input * stride, the padding that takes split as for convolution.
pub fn transposed_concrete(mode: i32, input: i64, a: &Axis) -> Result<(i64, i64)> {
    let (i, stride, span) = (input as i128, a.stride as i128, a.span() as i128);
    let full = (i - 1) * stride + span;
    let (out, pre) = match mode {
        SAME_UPPER | SAME_LOWER => {
            let out = i * stride;
            let total = (full - out).max(0);
            (out, if mode == SAME_UPPER { total / 2 } else { total - total / 2 })
        }
        _ => (full - a.pre as i128 - a.post as i128, a.pre as i128),
    };
    if out < 1 {
        return Err(Error::invalid_argument(format!(
            "the deconvolution's output is empty for an input of size {input} with padding {}+{}",
            a.pre, a.post
        )));
    }
    match (i64::try_from(out), i64::try_from(pre)) {
        (Ok(out), Ok(pre)) => Ok((out, pre)),
        _ => Err(Error::invalid_argument(format!("the deconvolution's output size for an input of size {input} overflows"))),
    }
}

/// `transposed_concrete`'s output size as an expression of the input size.
pub fn transposed_symbolic(g: &mut ShapeGraph, mode: i32, input: ExprId, a: &Axis, what: &dyn Fn() -> String) -> Result<ExprId> {
    if let Some(i) = g.as_const(input) {
        let (out, _) = transposed_concrete(mode, i, a).map_err(|e| e.context(what()))?;
        return Ok(g.constant(out));
    }
    let stride = g.constant(a.stride);
    let out = match mode {
        SAME_UPPER | SAME_LOWER => g.mul(input, stride)?,
        _ => {
            let one = g.constant(1);
            let steps = g.sub(input, one)?;
            let reach = g.mul(steps, stride)?;
            let extra = g.constant(a.span() - a.pre - a.post);
            g.add(reach, extra)?
        }
    };
    g.at_least(out, 1, || format!("{}: the deconvolution's output is empty", what()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ax(kernel: i64, stride: i64, pre: i64, post: i64) -> Axis {
        Axis { kernel, stride, dilation: 1, pre, post }
    }

    #[test]
    fn padding_modes_follow_tensorrt_formulas() {
        assert_eq!(concrete(EXPLICIT_ROUND_DOWN, 7, &ax(3, 2, 0, 0)).unwrap(), (3, 0));
        assert_eq!(concrete(EXPLICIT_ROUND_UP, 8, &ax(3, 2, 0, 0)).unwrap(), (4, 0));
        assert_eq!(concrete(SAME_UPPER, 7, &ax(4, 2, 0, 0)).unwrap(), (4, 1));
        assert_eq!(concrete(SAME_LOWER, 7, &ax(4, 2, 0, 0)).unwrap(), (4, 2));
        assert!(concrete(EXPLICIT_ROUND_DOWN, 2, &ax(3, 1, 0, 0)).is_err());
    }

    #[test]
    fn symbolic_matches_concrete() {
        for mode in 0..=5 {
            for input in 1..12 {
                for a in [ax(3, 2, 1, 1), ax(2, 2, 0, 0), ax(5, 3, 2, 0), ax(1, 1, 0, 0)] {
                    let mut g = ShapeGraph::new();
                    let s = g.symbol(crate::shape::Symbol::InputDim { input: 0, axis: 0 });
                    let out = symbolic(&mut g, mode, s, &a, &|| "t".into()).unwrap();
                    let e = g.evaluate(|_| Some(input));
                    match (concrete(mode, input, &a), e) {
                        (Ok((o, _)), Ok(e)) => assert_eq!(e.get(out), Some(o), "mode {mode} input {input} {a:?}"),
                        (Err(_), Err(_)) => {}
                        (c, e) => panic!("mode {mode} input {input} {a:?}: concrete {c:?}, symbolic {:?}", e.map(|e| e.get(out))),
                    }
                }
            }
        }
    }
}
