//! Typed weights. Values keep the type they came with (from the API or the file) until the
//! precision pass converts them; the bytes are shared, not copied, between the parser, the
//! network, the plan and a loaded engine.

use crate::error::{Error, Result};
use crate::types::DataType;
use bytes::Bytes;

#[derive(Clone, PartialEq, prost::Message)]
pub struct Weights {
    /// nvinfer1::DataType.
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// Little-endian elements.
    #[prost(bytes = "bytes", tag = "2")]
    pub values: Bytes,
}

impl Weights {
    pub fn new(dtype: DataType, values: Bytes) -> Result<Weights> {
        let w = Weights { dtype: dtype as i32, values };
        w.count()?;
        Ok(w)
    }

    pub fn from_f32(v: &[f32]) -> Weights {
        Weights { dtype: DataType::Float as i32, values: Bytes::copy_from_slice(bytemuck::cast_slice(v)) }
    }

    pub fn from_i32(v: &[i32]) -> Weights {
        Weights { dtype: DataType::Int32 as i32, values: Bytes::copy_from_slice(bytemuck::cast_slice(v)) }
    }

    pub fn from_f16(v: &[half::f16]) -> Weights {
        Weights { dtype: DataType::Half as i32, values: Bytes::copy_from_slice(bytemuck::cast_slice(v)) }
    }

    /// Weights of `dtype` from raw little-endian bytes (copied once).
    pub fn from_bytes(dtype: DataType, bytes: &[u8]) -> Result<Weights> {
        Weights::new(dtype, Bytes::copy_from_slice(bytes))
    }

    pub fn data_type(&self) -> Result<DataType> {
        DataType::parse(self.dtype, "weights")
    }

    /// Element count; an error if the bytes are not a whole number of elements.
    pub fn count(&self) -> Result<usize> {
        let size = self.data_type()?.size_bytes();
        if !self.values.len().is_multiple_of(size) {
            return Err(Error::invalid_argument(format!(
                "weights of type {} have {} bytes, not a multiple of {size}",
                self.data_type()?,
                self.values.len()
            )));
        }
        Ok(self.values.len() / size)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values as f32 (integers converted exactly where they can be).
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        Ok(crate::host::decode_f32(self.data_type()?, &self.values))
    }

    /// The values as i64 (floats truncated toward zero).
    pub fn to_i64(&self) -> Result<Vec<i64>> {
        Ok(crate::host::decode_i64(self.data_type()?, &self.values))
    }

    /// The same values converted to `to` (the precision pass's conversion).
    pub fn convert(&self, to: DataType) -> Result<Weights> {
        let from = self.data_type()?;
        if from == to {
            return Ok(self.clone());
        }
        let n = self.count()?;
        let mut out = vec![0u8; n * to.size_bytes()];
        crate::host::convert(from, &self.values, to, &mut out);
        Ok(Weights { dtype: to as i32, values: Bytes::from(out) })
    }
}
