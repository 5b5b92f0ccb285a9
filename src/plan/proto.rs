//! The engine plan's protobuf messages. Field numbers are part of the file format: never
//! reuse or renumber one; add new fields with new numbers and bump FORMAT_VERSION when old
//! readers would misread them.

use bytes::Bytes;

/// The envelope that follows the magic bytes.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PlanEnvelope {
    #[prost(uint32, tag = "1")]
    pub format_version: u32,
    /// Library version that wrote the plan ("8.6.1").
    #[prost(string, tag = "2")]
    pub library_version: String,
    /// "cpu" or "sm_XY".
    #[prost(string, tag = "3")]
    pub target: String,
    /// An encoded `EngineRecord`.
    #[prost(bytes = "bytes", tag = "4")]
    pub payload: Bytes,
    /// CRC-32 of `payload`.
    #[prost(uint32, tag = "5")]
    pub payload_crc32: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct EngineRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, repeated, tag = "2")]
    pub tensors: Vec<TensorRecord>,
    /// In execution order.
    #[prost(message, repeated, tag = "3")]
    pub layers: Vec<LayerRecord>,
    /// Tensor indices of the I/O tensors: inputs first, then outputs.
    #[prost(uint32, repeated, tag = "4")]
    pub io: Vec<u32>,
    #[prost(message, repeated, tag = "5")]
    pub kernels: Vec<KernelRecord>,
    #[prost(bool, tag = "6")]
    pub allow_tf32: bool,
    #[prost(message, repeated, tag = "7")]
    pub profiles: Vec<ProfileRecord>,
    #[prost(bool, tag = "8")]
    pub implicit_batch: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    /// nvinfer1::DataType.
    #[prost(int32, tag = "2")]
    pub dtype: i32,
    /// -1 where only known at run time.
    #[prost(int64, repeated, tag = "3")]
    pub dims: Vec<i64>,
    /// nvinfer1::TensorIOMode.
    #[prost(int32, tag = "4")]
    pub io_mode: i32,
    #[prost(bool, tag = "5")]
    pub shape_tensor: bool,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct LayerRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    /// The layer kind's name ("Convolution").
    #[prost(string, tag = "2")]
    pub kind: String,
    #[prost(bytes = "bytes", tag = "3")]
    pub params: Bytes,
    /// Tensor indices; -1 for an optional input that is not set.
    #[prost(int64, repeated, tag = "4")]
    pub inputs: Vec<i64>,
    #[prost(uint32, repeated, tag = "5")]
    pub outputs: Vec<u32>,
    #[prost(string, tag = "6")]
    pub tactic: String,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct ProfileRecord {
    #[prost(message, repeated, tag = "1")]
    pub inputs: Vec<RangeRecord>,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct RangeRecord {
    #[prost(int64, repeated, tag = "1")]
    pub min: Vec<i64>,
    #[prost(int64, repeated, tag = "2")]
    pub opt: Vec<i64>,
    #[prost(int64, repeated, tag = "3")]
    pub max: Vec<i64>,
    #[prost(bool, tag = "4")]
    pub has_values: bool,
    #[prost(int32, repeated, tag = "5")]
    pub values_min: Vec<i32>,
    #[prost(int32, repeated, tag = "6")]
    pub values_opt: Vec<i32>,
    #[prost(int32, repeated, tag = "7")]
    pub values_max: Vec<i32>,
}

/// One compiled kernel file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KernelRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(bytes = "bytes", tag = "2")]
    pub cubin: Bytes,
}
