//! QuantizeLinear and DequantizeLinear on IQuantizeLayer / IDequantizeLayer (INT8 with a
//! zero point of 0, as TensorRT 8.6 supports them).

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::generated::{Dequantize, Quantize};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("DequantizeLinear", |i, n| qdq(i, n, false)), ("QuantizeLinear", |i, n| qdq(i, n, true))];

fn qdq(imp: &mut Importer, node: &NodeProto, quantize: bool) -> Result<Vec<Value>> {
    let zero_point = match optional_input(node, 2) {
        Some(z) => Some(imp.value(z)?),
        None => None,
    };
    match &zero_point {
        None if quantize => return Err(Error::unsupported("QuantizeLinear to uint8 (no zero point given; TensorRT quantizes to int8)")),
        Some(Value::Const(c)) if c.dtype() != DataType::Int8 => {
            return Err(Error::unsupported(format!("a zero point of type {} (TensorRT quantizes to int8)", c.dtype())));
        }
        Some(Value::Const(c)) if c.weights.values.iter().any(|&b| b != 0) => {
            return Err(Error::unsupported("a non-zero zero point (TensorRT's quantization is symmetric)"));
        }
        Some(Value::Tensor(_)) => return Err(Error::unsupported("a zero point known only at run time")),
        _ => {}
    }
    let x = imp.tensor(input(node, 0)?)?;
    if !quantize && imp.net.tensors[x].dtype != DataType::Int8 {
        return Err(Error::unsupported(format!("dequantizing {} (TensorRT dequantizes int8)", imp.net.tensors[x].dtype)));
    }
    let scale = imp.tensor(input(node, 1)?)?;
    let rank = imp.dims(x).len();
    let per_tensor = imp.dims(scale).iter().product::<i64>() == 1;
    let axis = if per_tensor { 0 } else { axis_index(Attrs(node).int("axis", 1), rank)? as i32 };
    let scale = if per_tensor { reshape_tensor(imp, scale, vec![])? } else { scale };
    let y = if quantize {
        let mut q = Quantize::new();
        q.axis = axis;
        layer(imp, q, &[x, scale])?
    } else {
        let mut d = Dequantize::new();
        d.axis = axis;
        layer(imp, d, &[x, scale])?
    };
    out(y)
}
