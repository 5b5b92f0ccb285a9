//! ONNX initializers and constants as typed host values. Types map as onnx-tensorrt maps
//! them: FLOAT, FLOAT16, INT32, INT8, UINT8 and BOOL keep their type; DOUBLE becomes FLOAT
//! and INT64 becomes INT32 (values out of range are an error naming the tensor).

use super::proto::{data_type, TensorProto};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, DataType};
use crate::weights::Weights;
use bytes::Bytes;

/// A constant known at parse time.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstValue {
    pub dims: Vec<i64>,
    pub weights: Weights,
}

impl ConstValue {
    pub fn len(&self) -> usize {
        self.weights.count().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dtype(&self) -> DataType {
        self.weights.data_type().unwrap_or(DataType::Float)
    }

    pub fn f32(dims: Vec<i64>, values: &[f32]) -> ConstValue {
        ConstValue { dims, weights: Weights::from_f32(values) }
    }

    pub fn i32(dims: Vec<i64>, values: &[i32]) -> ConstValue {
        ConstValue { dims, weights: Weights::from_i32(values) }
    }

    /// One value of `dtype` (dims []).
    pub fn scalar(dtype: DataType, v: f64) -> Result<ConstValue> {
        let weights = match dtype {
            DataType::Float => Weights::from_f32(&[v as f32]),
            DataType::Half => Weights::from_f16(&[half::f16::from_f64(v)]),
            DataType::Int32 => Weights::from_i32(&[v as i32]),
            DataType::Int8 => Weights::from_bytes(dtype, &[(v as i8) as u8])?,
            DataType::Uint8 => Weights::from_bytes(dtype, &[v as u8])?,
            DataType::Bool => Weights::from_bytes(dtype, &[(v != 0.0) as u8])?,
            other => return Err(Error::unsupported(format!("a constant of type {other:?}"))),
        };
        Ok(ConstValue { dims: vec![], weights })
    }

    /// Integer constants (shapes, axes) from ONNX's INT64: narrowed to INT32.
    pub fn from_i64(name: &str, dims: Vec<i64>, values: &[i64]) -> Result<ConstValue> {
        // Exporters write "to the end" as values near the INT64 limits (slice ends): those
        // saturate; other values outside the INT32 range are an error.
        const SENTINEL: i64 = 1 << 62;
        let narrowed = values
            .iter()
            .map(|&v| match v {
                v if v >= SENTINEL => Ok(i32::MAX),
                v if v <= -SENTINEL => Ok(i32::MIN),
                v => i32::try_from(v),
            })
            .collect::<std::result::Result<Vec<i32>, _>>()
            .map_err(|_| Error::invalid_argument(format!("'{name}' holds an INT64 value outside the INT32 range")))?;
        Ok(ConstValue::i32(dims, &narrowed))
    }

    pub fn floats(&self) -> Result<Vec<f32>> {
        self.weights.to_f32()
    }

    /// Integer values (shapes, axes); floats are refused.
    pub fn ints(&self) -> Result<Vec<i64>> {
        if self.dtype().is_float() {
            return Err(Error::invalid_argument("expected an integer constant, got floats"));
        }
        self.weights.to_i64()
    }
}

fn le_chunks<'a, const N: usize>(raw: &'a [u8], name: &str) -> Result<impl Iterator<Item = [u8; N]> + 'a> {
    if !raw.len().is_multiple_of(N) {
        return Err(Error::invalid_argument(format!("initializer '{name}' has {} raw bytes, not a multiple of {N}", raw.len())));
    }
    Ok(raw.chunks_exact(N).map(|c| c.try_into().expect("exact chunk")))
}

/// Decodes an initializer from raw_data (shared, not copied, where the type is kept) or
/// from the typed field, checking its element count.
pub fn from_tensor_proto(t: &TensorProto) -> Result<ConstValue> {
    let name = t.name.as_str();
    if t.data_location == super::external_data::EXTERNAL {
        // The parser reads side files before importing (external_data.rs); a tensor still
        // external here is one whose file could not be read.
        return Err(Error::invalid_argument(format!("tensor '{name}' keeps its data in an external file that was not read")));
    }
    if t.dims.iter().any(|&d| d < 0) {
        return Err(Error::invalid_argument(format!("initializer '{name}' has invalid dims {}", dims_str(&t.dims))));
    }
    let raw = !t.raw_data.is_empty();
    let dims = t.dims.clone();
    let keep = |dtype: DataType| Weights::new(dtype, t.raw_data.clone()).map_err(|e| e.context(format!("initializer '{name}'")));
    let value = match t.data_type {
        data_type::FLOAT if raw => ConstValue { dims, weights: keep(DataType::Float)? },
        data_type::FLOAT => ConstValue::f32(dims, &t.float_data),
        data_type::FLOAT16 if raw => ConstValue { dims, weights: keep(DataType::Half)? },
        data_type::FLOAT16 => {
            let h: Vec<half::f16> = t.int32_data.iter().map(|&b| half::f16::from_bits(b as u16)).collect();
            ConstValue { dims, weights: Weights::from_f16(&h) }
        }
        data_type::DOUBLE if raw => {
            ConstValue::f32(dims, &le_chunks::<8>(&t.raw_data, name)?.map(|b| f64::from_le_bytes(b) as f32).collect::<Vec<_>>())
        }
        data_type::DOUBLE => ConstValue::f32(dims, &t.double_data.iter().map(|&d| d as f32).collect::<Vec<_>>()),
        data_type::INT64 if raw => {
            ConstValue::from_i64(name, dims, &le_chunks::<8>(&t.raw_data, name)?.map(i64::from_le_bytes).collect::<Vec<_>>())?
        }
        data_type::INT64 => ConstValue::from_i64(name, dims, &t.int64_data)?,
        data_type::INT32 if raw => ConstValue { dims, weights: keep(DataType::Int32)? },
        data_type::INT32 => ConstValue::i32(dims, &t.int32_data),
        data_type::INT8 | data_type::UINT8 | data_type::BOOL => {
            let dtype = match t.data_type {
                data_type::INT8 => DataType::Int8,
                data_type::UINT8 => DataType::Uint8,
                _ => DataType::Bool,
            };
            if raw {
                ConstValue { dims, weights: keep(dtype)? }
            } else {
                let bytes: Vec<u8> = t.int32_data.iter().map(|&v| if dtype == DataType::Bool { (v != 0) as u8 } else { v as u8 }).collect();
                ConstValue { dims, weights: Weights::new(dtype, Bytes::from(bytes))? }
            }
        }
        other => return Err(Error::unsupported(format!("initializer '{name}' has ONNX data type {other}, which is not implemented"))),
    };
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
