//! Det of the last two axes [.., n, n] as the sum over permutations of signed products of
//! gathered columns (Leibniz), for n up to 4 (24 products): exact in structure, with no pivot
//! choice that would depend on the data.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{PROD, SUB, SUM};
use crate::layers::generated::Gather;
use crate::onnx::importer::{Importer, Value};
use crate::onnx::proto::NodeProto;

pub const OPS: &[(&str, ImportFn)] = &[("Det", det)];

const MAX_N: i64 = 4;

/// Every permutation of 0..n with its sign (+1 even, -1 odd).
fn permutations(n: usize) -> Vec<(Vec<usize>, i32)> {
    if n == 0 {
        return vec![(vec![], 1)];
    }
    let mut out = Vec::new();
    for (p, sign) in permutations(n - 1) {
        // Insert n-1 at each position; moving it left past k elements flips the sign k times.
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            let moves = (p.len() - pos) as i32;
            out.push((q, if moves % 2 == 0 { sign } else { -sign }));
        }
    }
    out
}

fn det(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(x);
    let rank = dims.len();
    if rank < 2 {
        return Err(Error::invalid_argument("Det needs a tensor of rank 2 or more"));
    }
    let n = dims[rank - 1];
    if n != dims[rank - 2] || !(1..=MAX_N).contains(&n) {
        return Err(Error::unsupported(format!("Det of {n}x{} matrices (square, known and at most {MAX_N}x{MAX_N})", dims[rank - 2])));
    }
    // entry[i][j] = x[.., i, j], each of shape [..].
    let mut entry: Vec<Vec<TensorId>> = Vec::with_capacity(n as usize);
    for i in 0..n {
        let idx = ints_tensor(imp, &[i])?;
        let row = layer(imp, Gather::on_axis(rank as i32 - 2), &[x, idx])?;
        let mut cols = Vec::with_capacity(n as usize);
        for j in 0..n {
            let jdx = ints_tensor(imp, &[j])?;
            let e = layer(imp, Gather::on_axis(rank as i32 - 1), &[row, jdx])?;
            cols.push(e);
        }
        entry.push(cols);
    }
    let mut total: Option<TensorId> = None;
    for (perm, sign) in permutations(n as usize) {
        let mut product = entry[0][perm[0]];
        for (i, &j) in perm.iter().enumerate().skip(1) {
            product = binary_op(imp, PROD, product, entry[i][j])?;
        }
        total = Some(match (total, sign) {
            (None, 1) => product,
            (None, _) => {
                let zero = scalar_like(imp, product, 0.0)?;
                binary_op(imp, SUB, zero, product)?
            }
            (Some(t), 1) => binary_op(imp, SUM, t, product)?,
            (Some(t), _) => binary_op(imp, SUB, t, product)?,
        });
    }
    let total = total.ok_or_else(|| Error::internal("no permutations"))?;
    // [.., 1, 1] -> [..]
    let keep: Vec<i64> = dims[..rank - 2].to_vec();
    let keep = keep.iter().map(|&d| if d < 0 { 0 } else { d }).collect();
    out(reshape_tensor(imp, total, keep)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn permutations_have_their_signs() {
        let p = super::permutations(3);
        assert_eq!(p.len(), 6);
        for (perm, sign) in p {
            let inversions = (0..3).flat_map(|a| (a + 1..3).map(move |b| (a, b))).filter(|&(a, b)| perm[a] > perm[b]).count();
            assert_eq!(sign, if inversions % 2 == 0 { 1 } else { -1 }, "{perm:?}");
        }
    }
}
