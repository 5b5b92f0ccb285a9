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
mod nn;
mod normalization;
mod optional;
mod qlinear;
mod quant_arith;
mod quantize;
mod recurrent;
mod reduce;
mod resize;
mod runtime_axes;
mod scatter_reduce;
mod shape;
mod slicing;
mod small_int;
mod stft;
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
    unary::OPS,
    unpool::OPS,
    window_functions::OPS,
];

pub fn importer_for(op: &str) -> Option<ImportFn> {
    GROUPS.iter().flat_map(|g| g.iter()).find(|(name, _)| *name == op).map(|(_, f)| *f)
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
