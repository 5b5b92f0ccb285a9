//! Einstein summation (IEinsumLayer) of one or two operands, as TensorRT 8.6 defines it: the
//! equation names each operand's axes with lower-case letters ("ij,jk->ik"); a label shared
//! by both operands multiplies them along it; a label missing from the output is summed
//! over. Without "->" the output is the labels appearing once, in alphabetical order.
//! Spaces between elements are allowed; labels of one name must have equal sizes. Refused
//! as TensorRT refuses them: ellipses, a label repeated within one operand (diagonals), a
//! label repeated in the output or missing from the operands, more than two operands.
//! kFLOAT and kHALF, accumulated in float (f64 in the CPU reference).

use super::generated::Einsum;
use super::{any_impls, check_type, float_type, host_input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, strides};

/// A parsed equation: each operand's labels and the output's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    pub terms: Vec<Vec<u8>>,
    pub output: Vec<u8>,
}

fn bad(equation: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid_argument(format!("einsum equation '{equation}': {why}"))
}

impl Equation {
    pub fn parse(equation: &str) -> Result<Equation> {
        let text: String = equation.chars().filter(|&c| c != ' ').collect();
        let (lhs, rhs) = match text.split_once("->") {
            Some((l, r)) => (l, Some(r)),
            None => (text.as_str(), None),
        };
        let check = |part: &str| -> Result<()> {
            if part.contains('.') {
                return Err(bad(equation, "ellipses (...) are not supported"));
            }
            if let Some(c) = part.chars().find(|c| !c.is_ascii_lowercase() && *c != ',') {
                return Err(bad(equation, format!("'{c}' is not a label (labels are the letters a to z)")));
            }
            Ok(())
        };
        check(lhs)?;
        let terms: Vec<Vec<u8>> = lhs.split(',').map(|t| t.as_bytes().to_vec()).collect();
        for t in &terms {
            if let Some(&c) = t.iter().find(|&&c| t.iter().filter(|&&d| d == c).count() > 1) {
                return Err(bad(equation, format!("label '{}' appears twice in one operand (diagonals are not supported)", c as char)));
            }
        }
        let output = match rhs {
            Some(r) => {
                check(r)?;
                if r.contains(',') {
                    return Err(bad(equation, "the output has one term"));
                }
                let out = r.as_bytes().to_vec();
                for &c in &out {
                    if out.iter().filter(|&&d| d == c).count() > 1 {
                        return Err(bad(equation, format!("label '{}' appears twice in the output", c as char)));
                    }
                    if !terms.iter().any(|t| t.contains(&c)) {
                        return Err(bad(equation, format!("output label '{}' names no operand axis", c as char)));
                    }
                }
                out
            }
            None => {
                let mut once: Vec<u8> = (b'a'..=b'z').filter(|c| terms.iter().map(|t| t.iter().filter(|&d| d == c).count()).sum::<usize>() == 1).collect();
                once.sort_unstable();
                once
            }
        };
        Ok(Equation { terms, output })
    }

    /// The labels summed over: in an operand, not in the output, in order of appearance.
    pub fn summed(&self) -> Vec<u8> {
        let mut out = vec![];
        for &c in self.terms.iter().flatten() {
            if !self.output.contains(&c) && !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// An einsum for concrete shapes: output labels then summed labels, their sizes, and each
/// operand's element stride along them (0 where it lacks the label).
#[derive(Clone, Debug, PartialEq)]
pub struct EinsumPlan {
    pub out_rank: usize,
    pub sizes: Vec<i64>,
    pub strides: Vec<Vec<i64>>,
}

impl EinsumPlan {
    pub fn new(eq: &Equation, dims: &[&[i64]]) -> Result<EinsumPlan> {
        let labels: Vec<u8> = eq.output.iter().copied().chain(eq.summed()).collect();
        let mut sizes = vec![-1i64; labels.len()];
        let mut op_strides = vec![vec![0i64; labels.len()]; dims.len()];
        for (k, (term, d)) in eq.terms.iter().zip(dims).enumerate() {
            let s = strides(d);
            for (axis, c) in term.iter().enumerate() {
                let l = labels.iter().position(|x| x == c).ok_or_else(|| Error::internal("einsum label lost"))?;
                if sizes[l] >= 0 && sizes[l] != d[axis] {
                    return Err(Error::invalid_argument(format!("einsum label '{}' has sizes {} and {}", *c as char, sizes[l], d[axis])));
                }
                sizes[l] = d[axis];
                op_strides[k][l] = s[axis];
            }
        }
        Ok(EinsumPlan { out_rank: eq.output.len(), sizes, strides: op_strides })
    }

    pub fn out_count(&self) -> usize {
        self.sizes[..self.out_rank].iter().map(|&d| d.max(0) as usize).product()
    }

    pub fn sum_count(&self) -> usize {
        self.sizes[self.out_rank..].iter().map(|&d| d.max(0) as usize).product()
    }
}

impl Einsum {
    pub fn of(equation: &str) -> Einsum {
        Einsum { equation: equation.to_string() }
    }
}

impl Layer for Einsum {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let eq = Equation::parse(&self.equation)?;
        let ops: Vec<&InferIn> = inputs.iter().map(|i| i.as_ref().ok_or_else(|| Error::invalid_argument("an einsum operand is missing"))).collect::<Result<_>>()?;
        if ops.len() != eq.terms.len() {
            return Err(bad(&self.equation, format!("{} operand terms for {} inputs", eq.terms.len(), ops.len())));
        }
        for (k, (op, term)) in ops.iter().zip(&eq.terms).enumerate() {
            check_type(&format!("einsum operand {k}"), op.dtype, FLOATS)?;
            if term.len() != op.dims.len() {
                return Err(bad(&self.equation, format!("operand {k} has rank {} but {} labels", op.dims.len(), term.len())));
            }
        }
        // Each label's size, checked equal wherever it appears.
        let mut size = std::collections::HashMap::new();
        for (k, (op, term)) in ops.iter().zip(&eq.terms).enumerate() {
            for (axis, &c) in term.iter().enumerate() {
                let d = op.dims[axis];
                match size.get(&c).copied() {
                    None => {
                        size.insert(c, d);
                    }
                    Some(prev) => {
                        let what = || format!("einsum label '{}' (operand {k} axis {axis}) must have one size", c as char);
                        size.insert(c, cx.g.assert_eq(d, prev, what)?);
                    }
                }
            }
        }
        let dims = eq.output.iter().map(|c| size[c]).collect();
        Ok(vec![InferOut::new(float_type(inputs), dims)])
    }

    fn float_flexible(&self) -> bool {
        true
    }

    fn run_cpu(&self, _cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let eq = Equation::parse(&self.equation)?;
        let ops: Vec<&TensorIn> = (0..inputs.len()).map(|i| host_input(inputs, i)).collect::<Result<_>>()?;
        let dims: Vec<&[i64]> = ops.iter().map(|o| o.dims).collect();
        let plan = EinsumPlan::new(&eq, &dims).map_err(|e| e.context(format!("operands {}", dims.iter().map(|d| dims_str(d)).collect::<Vec<_>>().join(", "))))?;
        let values: Vec<Vec<f32>> = ops.iter().map(|o| o.f32().to_vec()).collect();
        let (out_sizes, sum_sizes) = plan.sizes.split_at(plan.out_rank);
        let n_sum = plan.sum_count();
        // Element offset of each operand for an (output, summed) index pair.
        let offset = |k: usize, o: usize, s: usize| -> usize {
            let st = &plan.strides[k];
            super::axes::offset(o, out_sizes, &st[..plan.out_rank]) + super::axes::offset(s, sum_sizes, &st[plan.out_rank..])
        };
        outputs[0].with_f32(|y| {
            for (o, out) in y.iter_mut().enumerate() {
                let mut acc = 0f64;
                for s in 0..n_sum {
                    acc += (0..values.len()).map(|k| values[k][offset(k, o, s)] as f64).product::<f64>();
                }
                *out = acc as f32;
            }
        });
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("IEinsumLayer"))
    }
    any_impls!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let e = Equation::parse("ij, jk -> ik").unwrap();
        assert_eq!((e.terms.clone(), e.output.clone(), e.summed()), (vec![b"ij".to_vec(), b"jk".to_vec()], b"ik".to_vec(), b"j".to_vec()));
        // Implicit output: labels appearing once, sorted.
        assert_eq!(Equation::parse("ba,ac").unwrap().output, b"bc".to_vec());
        assert_eq!(Equation::parse("ij").unwrap().output, b"ij".to_vec());
        assert_eq!(Equation::parse("ji").unwrap().output, b"ij".to_vec());
        assert_eq!(Equation::parse("").unwrap().terms, vec![Vec::<u8>::new()]);
        for (eq, why) in [("ii->i", "diagonals"), ("...i->i", "ellipses"), ("iJ->i", "not a label"), ("ij->ii", "twice in the output"), ("ij->k", "names no operand")] {
            let e = Equation::parse(eq).unwrap_err();
            assert!(e.message.contains(why), "{eq}: {}", e.message);
        }
    }
}
