//! Host tensors for the CPU reference backend: typed views over byte buffers, and the one
//! place element types are dispatched. Float layers compute in f32 (kHALF is widened on the
//! way in and rounded on the way out, as GPU kernels with FP32 accumulation do); integer
//! layers compute in i64 and wrap to their type; data movement works on bytes.

use crate::types::{volume, DataType};
use half::f16;
use std::borrow::Cow;

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype` (bool as u8, kFP8 as
/// u8); the one dispatch point from a DataType to code generic over the element.
macro_rules! with_element_type {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DataType::Float => {
                type $T = f32;
                $body
            }
            DataType::Half => {
                type $T = half::f16;
                $body
            }
            DataType::Int8 => {
                type $T = i8;
                $body
            }
            DataType::Int32 => {
                type $T = i32;
                $body
            }
            DataType::Bool | DataType::Uint8 | DataType::Fp8 => {
                type $T = u8;
                $body
            }
        }
    };
}

/// Conversions every element type supports.
pub trait Element: bytemuck::Pod {
    fn to_f32(self) -> f32;
    fn from_f32(v: f32) -> Self;
    fn to_i64(self) -> i64;
    fn from_i64(v: i64) -> Self;
}

impl Element for f32 {
    fn to_f32(self) -> f32 {
        self
    }
    fn from_f32(v: f32) -> Self {
        v
    }
    fn to_i64(self) -> i64 {
        self as i64
    }
    fn from_i64(v: i64) -> Self {
        v as f32
    }
}

impl Element for f16 {
    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }
    fn from_f32(v: f32) -> Self {
        f16::from_f32(v)
    }
    fn to_i64(self) -> i64 {
        f16::to_f32(self) as i64
    }
    fn from_i64(v: i64) -> Self {
        f16::from_f32(v as f32)
    }
}

macro_rules! integer_element {
    ($t:ty) => {
        impl Element for $t {
            fn to_f32(self) -> f32 {
                self as f32
            }
            fn from_f32(v: f32) -> Self {
                v as $t
            }
            fn to_i64(self) -> i64 {
                self as i64
            }
            fn from_i64(v: i64) -> Self {
                v as $t
            }
        }
    };
}
integer_element!(i8);
integer_element!(i32);
integer_element!(u8);

/// Reads little-endian elements of `T` from bytes that may be unaligned.
fn read<T: Element>(bytes: &[u8]) -> Cow<'_, [T]> {
    match bytemuck::try_cast_slice::<u8, T>(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.chunks_exact(std::mem::size_of::<T>()).map(bytemuck::pod_read_unaligned).collect()),
    }
}

/// Writes elements; `dst` may be unaligned.
fn write<T: Element>(values: impl Iterator<Item = T>, dst: &mut [u8]) {
    let size = std::mem::size_of::<T>();
    for (chunk, v) in dst.chunks_exact_mut(size).zip(values) {
        chunk.copy_from_slice(bytemuck::bytes_of(&v));
    }
}

/// Bools are stored as 0/1 bytes: any non-zero byte reads as 1.
fn normalize_bool(dtype: DataType, v: i64) -> i64 {
    if dtype == DataType::Bool {
        (v != 0) as i64
    } else {
        v
    }
}

pub fn decode_f32(dtype: DataType, bytes: &[u8]) -> Vec<f32> {
    if dtype == DataType::Bool {
        return bytes.iter().map(|&b| (b != 0) as i32 as f32).collect();
    }
    with_element_type!(dtype, T => read::<T>(bytes).iter().map(|v| v.to_f32()).collect())
}

pub fn decode_i64(dtype: DataType, bytes: &[u8]) -> Vec<i64> {
    with_element_type!(dtype, T => read::<T>(bytes).iter().map(|v| normalize_bool(dtype, v.to_i64())).collect())
}

pub fn encode_f32(dtype: DataType, values: &[f32], dst: &mut [u8]) {
    if dtype == DataType::Bool {
        for (d, v) in dst.iter_mut().zip(values) {
            *d = (*v != 0.0) as u8;
        }
        return;
    }
    with_element_type!(dtype, T => write::<T>(values.iter().map(|&v| T::from_f32(v)), dst))
}

pub fn encode_i64(dtype: DataType, values: &[i64], dst: &mut [u8]) {
    with_element_type!(dtype, T => write::<T>(values.iter().map(|&v| T::from_i64(normalize_bool(dtype, v))), dst))
}

/// Converts elements between types as ICastLayer does: floats to integers truncate toward
/// zero (saturating at the kINT32 range), integers narrow by wrapping, anything to kBOOL is
/// `!= 0`.
pub fn convert(from: DataType, src: &[u8], to: DataType, dst: &mut [u8]) {
    if from.is_float() {
        let v = decode_f32(from, src);
        if to.is_float() {
            encode_f32(to, &v, dst);
        } else {
            // Through i32 (saturating, NaN to 0), then wrapped to narrower types, as the GPU does.
            let ints: Vec<i64> = v.iter().map(|&x| if to == DataType::Bool { (x != 0.0) as i64 } else { x as i32 as i64 }).collect();
            encode_i64(to, &ints, dst);
        }
    } else {
        let v = decode_i64(from, src);
        if to.is_float() {
            encode_f32(to, &v.iter().map(|&x| x as f32).collect::<Vec<_>>(), dst);
        } else {
            encode_i64(to, &v, dst);
        }
    }
}

/// A layer input on the host.
#[derive(Clone, Copy)]
pub struct TensorIn<'a> {
    pub dtype: DataType,
    pub dims: &'a [i64],
    pub bytes: &'a [u8],
}

impl<'a> TensorIn<'a> {
    pub fn len(&self) -> usize {
        volume(self.dims).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f32: borrowed for aligned kFLOAT data, converted otherwise.
    pub fn f32(&self) -> Cow<'a, [f32]> {
        if self.dtype == DataType::Float {
            read::<f32>(self.bytes)
        } else {
            Cow::Owned(decode_f32(self.dtype, self.bytes))
        }
    }

    pub fn i64(&self) -> Vec<i64> {
        decode_i64(self.dtype, self.bytes)
    }
}

/// A layer output on the host.
pub struct TensorOut<'a> {
    pub dtype: DataType,
    pub dims: &'a [i64],
    pub bytes: &'a mut [u8],
}

impl TensorOut<'_> {
    pub fn len(&self) -> usize {
        volume(self.dims).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn store_f32(&mut self, values: &[f32]) {
        encode_f32(self.dtype, values, self.bytes)
    }

    pub fn store_i64(&mut self, values: &[i64]) {
        encode_i64(self.dtype, values, self.bytes)
    }

    /// Lets `f` write f32 values: in place for aligned kFLOAT data, through a temporary
    /// (rounded to the type afterwards) otherwise.
    pub fn with_f32(&mut self, f: impl FnOnce(&mut [f32])) {
        let n = self.len();
        if self.dtype == DataType::Float {
            if let Ok(out) = bytemuck::try_cast_slice_mut::<u8, f32>(&mut self.bytes[..n * 4]) {
                return f(out);
            }
        }
        let mut tmp = vec![0f32; n];
        f(&mut tmp);
        self.store_f32(&tmp);
    }
}

/// An aligned, zeroed host allocation (the CPU backend's arenas and constants). Running out
/// of memory is an error, never an abort.
pub struct HostBuffer {
    words: Vec<u128>,
    len: usize,
}

impl HostBuffer {
    pub fn new(bytes: usize) -> crate::Result<HostBuffer> {
        let mut words = Vec::new();
        words.try_reserve_exact(bytes.div_ceil(16)).map_err(|_| {
            crate::Error::new(crate::types::ErrorCode::FailedAllocation, format!("cannot allocate {bytes} bytes of host memory"))
        })?;
        words.resize(bytes.div_ceil(16), 0);
        Ok(HostBuffer { words, len: bytes })
    }

    pub fn from_bytes(data: &[u8]) -> crate::Result<HostBuffer> {
        let mut b = HostBuffer::new(data.len())?;
        b.bytes_mut().copy_from_slice(data);
        Ok(b)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn bytes(&self) -> &[u8] {
        &bytemuck::cast_slice(&self.words)[..self.len]
    }

    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut bytemuck::cast_slice_mut(&mut self.words)[..self.len]
    }

    pub fn as_ptr(&self) -> *const u8 {
        self.words.as_ptr() as *const u8
    }

    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.words.as_mut_ptr() as *mut u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_cast_semantics() {
        let src: Vec<u8> = bytemuck::cast_slice(&[1.7f32, -2.5, 0.0, 300.0]).to_vec();
        let mut i8s = [0u8; 4];
        convert(DataType::Float, &src, DataType::Int32, &mut [0u8; 16]);
        convert(DataType::Float, &src, DataType::Bool, &mut i8s);
        assert_eq!(i8s, [1, 1, 0, 1]);
        let mut ints = [0u8; 16];
        convert(DataType::Float, &src, DataType::Int32, &mut ints);
        assert_eq!(decode_i64(DataType::Int32, &ints), vec![1, -2, 0, 300]);
        let mut h = [0u8; 8];
        convert(DataType::Float, &src, DataType::Half, &mut h);
        assert_eq!(decode_f32(DataType::Half, &h), vec![1.7001953, -2.5, 0.0, 300.0]);
    }

    #[test]
    fn unaligned_reads_are_copied() {
        let mut raw = [0u8; 9];
        raw[1..5].copy_from_slice(&2.5f32.to_le_bytes());
        raw[5..9].copy_from_slice(&(-1.0f32).to_le_bytes());
        let t = TensorIn { dtype: DataType::Float, dims: &[2], bytes: &raw[1..] };
        assert_eq!(&*t.f32(), &[2.5, -1.0]);
    }
}
