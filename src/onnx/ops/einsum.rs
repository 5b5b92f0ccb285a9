//! Einsum on IEinsumLayer, whose equations name every axis with a lowercase letter: ONNX's
//! ellipsis ("...", the axes a term does not name, broadcast from the right) is spelled out
//! here with letters the equation does not use.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::Einsum;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("Einsum", einsum)];

fn einsum(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let eq = Attrs(node).string("equation").ok_or_else(|| Error::invalid_argument("equation is required"))?;
    let inputs = node.input.iter().filter(|s| !s.is_empty()).map(|n| imp.tensor(n)).collect::<Result<Vec<_>>>()?;
    if inputs.iter().any(|&t| imp.net.tensors[t].dtype == DataType::Int32) {
        return Err(Error::unsupported("Einsum over integers (TensorRT's einsum takes float types)"));
    }
    let ranks: Vec<usize> = inputs.iter().map(|&t| imp.dims(t).len()).collect();
    let eq = without_ellipsis(&eq.replace(' ', ""), &ranks)?;
    out(layer(imp, Einsum::of(&eq), &inputs)?)
}

/// `eq` with every "..." replaced by letters of its own: term k's ellipsis covers the axes its
/// letters leave of rank k, aligned to the right across terms; the output (explicit, or in
/// implicit mode the ellipsis axes then the letters used once, alphabetically) gets all of them.
pub fn without_ellipsis(eq: &str, ranks: &[usize]) -> Result<String> {
    if !eq.contains("...") {
        return Ok(eq.to_string());
    }
    let (lhs, rhs) = match eq.split_once("->") {
        Some((l, r)) => (l, Some(r)),
        None => (eq, None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() != ranks.len() {
        return Err(Error::invalid_argument(format!("einsum equation '{eq}' has {} terms for {} inputs", terms.len(), ranks.len())));
    }
    let letters = |t: &str| t.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let mut widths = Vec::with_capacity(terms.len());
    for (t, &r) in terms.iter().zip(ranks) {
        let named = letters(t);
        widths.push(match t.matches("...").count() {
            0 => 0,
            1 => r
                .checked_sub(named)
                .ok_or_else(|| Error::invalid_argument(format!("einsum term '{t}' names more axes than its input's {r}")))?,
            _ => return Err(Error::invalid_argument(format!("einsum term '{t}' has more than one ellipsis"))),
        });
    }
    let width = widths.iter().copied().max().unwrap_or(0);
    let free: Vec<char> = ('a'..='z').filter(|c| !eq.contains(*c)).collect();
    if free.len() < width {
        return Err(Error::unsupported(format!("einsum equation '{eq}': too few unused letters for {width} ellipsis axes")));
    }
    let spelled = &free[..width];
    let fill = |w: usize| -> String { spelled[width - w..].iter().collect() };
    let new_terms: Vec<String> = terms.iter().zip(&widths).map(|(t, &w)| t.replace("...", &fill(w))).collect();
    let output = match rhs {
        Some(r) => r.replace("...", &fill(width)),
        None => {
            let mut once: Vec<char> = lhs.chars().filter(|c| c.is_ascii_alphabetic()).filter(|&c| lhs.matches(c).count() == 1).collect();
            once.sort_unstable();
            fill(width) + &once.into_iter().collect::<String>()
        }
    };
    Ok(format!("{}->{}", new_terms.join(","), output))
}

#[cfg(test)]
mod tests {
    use super::without_ellipsis;

    #[test]
    fn ellipses_become_unused_letters_aligned_right() {
        assert_eq!(without_ellipsis("...ii->...i", &[4]).unwrap(), "abii->abi");
        assert_eq!(without_ellipsis("...ij,...jk->...ik", &[4, 3]).unwrap(), "abij,bjk->abik");
        // Implicit output: the ellipsis axes, then the letters used once, in order.
        assert_eq!(without_ellipsis("...j,kj", &[3, 2]).unwrap(), "abj,kj->abk");
        assert_eq!(without_ellipsis("ij,jk->ik", &[2, 2]).unwrap(), "ij,jk->ik");
        assert!(without_ellipsis("...ijk", &[2]).is_err());
    }
}
