//! The ai.onnx.ml operators that are plain tensor arithmetic: Binarizer and
//! ArrayFeatureExtractor.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::elementwise::GREATER;
use crate::layers::generated::Gather;
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const DOMAIN: &str = "ai.onnx.ml";
pub const OPS: &[(&str, ImportFn)] = &[("ArrayFeatureExtractor", array_feature_extractor), ("Binarizer", binarizer)];

/// 1 where x > threshold, else 0, in x's type.
fn binarizer(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let dtype = imp.net.tensors[x].dtype;
    let threshold = scalar_like(imp, x, Attrs(node).float("threshold", 0.0) as f64)?;
    let above = layer(imp, crate::layers::generated::ElementWise::of(GREATER), &[x, threshold])?;
    out(cast(imp, above, dtype)?)
}

/// The elements of the last axis at the given indices (flattened): [.., k]; a 1-D input gives
/// one row [1, k].
fn array_feature_extractor(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let idx = imp.tensor(input(node, 1)?)?;
    let idx = cast(imp, idx, DataType::Int32)?;
    let idx = reshape_tensor(imp, idx, vec![-1])?;
    let rank = imp.dims(x).len();
    if rank == 0 {
        return Err(Error::invalid_argument("ArrayFeatureExtractor of a scalar"));
    }
    let x = if rank == 1 { reshape_tensor(imp, x, vec![1, -1])? } else { x };
    let axis = imp.dims(x).len() as i32 - 1;
    out(layer(imp, Gather::on_axis(axis), &[x, idx])?)
}
