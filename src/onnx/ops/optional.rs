//! OptionalHasElement and OptionalGetElement where no optional type is involved: a tensor is
//! always present, a missing input never is. Optional and sequence values themselves cannot
//! be network tensors.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::onnx::importer::{Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;
use crate::weights::Weights;

pub const OPS: &[(&str, ImportFn)] = &[("OptionalGetElement", get_element), ("OptionalHasElement", has_element)];

fn has_element(_imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let present = optional_input(node, 0).is_some();
    Ok(vec![Value::Const(ConstValue { dims: vec![], weights: Weights::from_bytes(DataType::Bool, &[present as u8])? })])
}

fn get_element(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let name = optional_input(node, 0).ok_or_else(|| Error::invalid_argument("OptionalGetElement of an empty optional"))?;
    Ok(vec![imp.value(name)?])
}
