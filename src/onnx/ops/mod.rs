//! One importer per ONNX operator, grouped by kind. Each reads its node's inputs and
//! attributes, adds layers through the importer, and returns the values of the node's
//! outputs (in order; an optional output it does not produce is left out at the end).

mod activation;
mod affine_grid;
mod bitwise;
mod control;
mod conv_composite;
mod crop_pad;
mod cumsum;
mod det;
mod detection;
mod dft;
mod einsum;
mod elementwise;
mod fourier;
mod index;
mod integer_product;
mod loss;
mod matrix;
mod mel_weight_matrix;
mod ml;
mod nn;
mod normalization;
mod optional;
mod qlinear;
mod quant_arith;
mod quantize;
mod recurrent;
mod recurrent_loop;
mod reduce;
mod resize;
mod runtime_axes;
mod scatter_reduce;
mod shape;
mod slicing;
mod small_int;
mod stft;
mod tfidf;
mod training;
mod unary;
mod unpool;
pub mod util;
mod window_functions;
mod windows;

use super::importer::{Importer, Value};
use super::proto::NodeProto;
use crate::error::Result;

pub type ImportFn = fn(&mut Importer, &NodeProto) -> Result<Vec<Value>>;

const GROUPS: &[&[(&str, ImportFn)]] = &[
    activation::OPS,
    affine_grid::OPS,
    bitwise::OPS,
    control::OPS,
    crop_pad::OPS,
    cumsum::OPS,
    det::OPS,
    detection::OPS,
    dft::OPS,
    einsum::OPS,
    elementwise::OPS,
    index::OPS,
    loss::OPS,
    matrix::OPS,
    mel_weight_matrix::OPS,
    nn::OPS,
    normalization::OPS,
    optional::OPS,
    qlinear::OPS,
    quantize::OPS,
    recurrent::OPS,
    reduce::OPS,
    resize::OPS,
    shape::OPS,
    stft::OPS,
    tfidf::OPS,
    unary::OPS,
    unpool::OPS,
    window_functions::OPS,
];

/// Operators of other domains, by domain.
const DOMAINS: &[(&str, &[(&str, ImportFn)])] = &[(ml::DOMAIN, ml::OPS), (training::DOMAIN, training::OPS)];

pub fn importer_for(op: &str) -> Option<ImportFn> {
    GROUPS.iter().flat_map(|g| g.iter()).find(|(name, _)| *name == op).map(|(_, f)| *f)
}

/// The importer of `op` in `domain` ("" or "ai.onnx" for the default one).
pub fn importer_in(domain: &str, op: &str) -> Option<ImportFn> {
    if domain.is_empty() || domain == "ai.onnx" {
        return importer_for(op);
    }
    let (_, ops) = DOMAINS.iter().find(|(d, _)| *d == domain)?;
    ops.iter().find(|(name, _)| *name == op).map(|(_, f)| *f)
}

/// Whether operators of `domain` can be imported at all.
pub fn knows_domain(domain: &str) -> bool {
    domain.is_empty() || domain == "ai.onnx" || DOMAINS.iter().any(|(d, _)| *d == domain)
}

/// Every operator with an importer, sorted.
pub fn operators() -> Vec<&'static str> {
    let mut ops: Vec<&'static str> = GROUPS.iter().flat_map(|g| g.iter()).map(|(name, _)| *name).collect();
    ops.sort_unstable();
    ops
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operator_has_one_importer() {
        let ops = super::operators();
        let mut unique = ops.clone();
        unique.dedup();
        assert_eq!(ops.len(), unique.len(), "an operator is listed twice");
    }
}
