//! ONNX initializers and constants as host values.

use super::proto::{data_type, TensorProto};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume};

/// A constant known at parse time.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstValue {
    pub dims: Vec<i64>,
    pub data: ConstData,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstData {
    F32(Vec<f32>),
    /// INT64 and INT32 values (shapes, axes).
    I64(Vec<i64>),
}

impl ConstValue {
    pub fn len(&self) -> usize {
        match &self.data {
            ConstData::F32(v) => v.len(),
            ConstData::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Float values; integer constants are converted (they are small shape values).
    pub fn floats(&self) -> Vec<f32> {
        match &self.data {
            ConstData::F32(v) => v.clone(),
            ConstData::I64(v) => v.iter().map(|&x| x as f32).collect(),
        }
    }

    pub fn ints(&self) -> Result<&[i64]> {
        match &self.data {
            ConstData::I64(v) => Ok(v),
            ConstData::F32(_) => Err(Error::invalid_argument("expected an integer constant, got floats")),
        }
    }
}

fn le_chunks<'a, const N: usize>(raw: &'a [u8], name: &str) -> Result<impl Iterator<Item = [u8; N]> + 'a> {
    if !raw.len().is_multiple_of(N) {
        return Err(Error::invalid_argument(format!("initializer '{name}' has {} raw bytes, not a multiple of {N}", raw.len())));
    }
    Ok(raw.chunks_exact(N).map(|c| c.try_into().expect("exact chunk")))
}

/// Decodes an initializer from raw_data or the typed field, checking its element count.
pub fn from_tensor_proto(t: &TensorProto) -> Result<ConstValue> {
    let name = t.name.as_str();
    if t.data_location == 1 {
        return Err(Error::unsupported(format!("initializer '{name}' uses external data, which is not implemented yet")));
    }
    let raw = !t.raw_data.is_empty();
    let data = match t.data_type {
        data_type::FLOAT if raw => ConstData::F32(le_chunks::<4>(&t.raw_data, name)?.map(f32::from_le_bytes).collect()),
        data_type::FLOAT => ConstData::F32(t.float_data.clone()),
        data_type::FLOAT16 if raw => {
            ConstData::F32(le_chunks::<2>(&t.raw_data, name)?.map(|b| half::f16::from_le_bytes(b).to_f32()).collect())
        }
        data_type::FLOAT16 => ConstData::F32(t.int32_data.iter().map(|&b| half::f16::from_bits(b as u16).to_f32()).collect()),
        data_type::DOUBLE if raw => ConstData::F32(le_chunks::<8>(&t.raw_data, name)?.map(|b| f64::from_le_bytes(b) as f32).collect()),
        data_type::DOUBLE => ConstData::F32(t.double_data.iter().map(|&d| d as f32).collect()),
        data_type::INT64 if raw => ConstData::I64(le_chunks::<8>(&t.raw_data, name)?.map(i64::from_le_bytes).collect()),
        data_type::INT64 => ConstData::I64(t.int64_data.clone()),
        data_type::INT32 if raw => ConstData::I64(le_chunks::<4>(&t.raw_data, name)?.map(|b| i32::from_le_bytes(b) as i64).collect()),
        data_type::INT32 => ConstData::I64(t.int32_data.iter().map(|&v| v as i64).collect()),
        other => return Err(Error::unsupported(format!("initializer '{name}' has ONNX data type {other}, which is not implemented"))),
    };
    let value = ConstValue { dims: t.dims.clone(), data };
    let want =
        volume(&t.dims).ok_or_else(|| Error::invalid_argument(format!("initializer '{name}' has invalid dims {}", dims_str(&t.dims))))?;
    if value.len() != want {
        return Err(Error::invalid_argument(format!(
            "initializer '{name}' of shape {} should hold {want} values but holds {}",
            dims_str(&t.dims),
            value.len()
        )));
    }
    Ok(value)
}
