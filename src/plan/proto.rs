//! The engine plan's protobuf messages. Field numbers are part of the file format: never
//! reuse or renumber one; add new fields with new numbers and bump FORMAT_VERSION when old
//! readers would misread them.

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
    #[prost(bytes = "vec", tag = "4")]
    pub payload: Vec<u8>,
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
    pub io_tensors: Vec<u32>,
    #[prost(message, repeated, tag = "5")]
    pub kernels: Vec<KernelRecord>,
    #[prost(bool, tag = "6")]
    pub allow_tf32: bool,
    #[prost(bool, tag = "7")]
    pub allow_fp16: bool,
    /// Bytes of the per-context activation arena.
    #[prost(uint64, tag = "8")]
    pub arena_bytes: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    /// nvinfer1::DataType.
    #[prost(int32, tag = "2")]
    pub dtype: i32,
    #[prost(int64, repeated, tag = "3")]
    pub dims: Vec<i64>,
    /// nvinfer1::TensorIOMode.
    #[prost(int32, tag = "4")]
    pub io_mode: i32,
    /// Offset in the activation arena (intermediate tensors only).
    #[prost(uint64, tag = "5")]
    pub arena_offset: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
pub struct LayerRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    /// The op registry key ("Convolution").
    #[prost(string, tag = "2")]
    pub kind: String,
    #[prost(bytes = "vec", tag = "3")]
    pub params: Vec<u8>,
    #[prost(uint32, repeated, tag = "4")]
    pub inputs: Vec<u32>,
    #[prost(uint32, repeated, tag = "5")]
    pub outputs: Vec<u32>,
    /// The CUDA implementation the builder chose; empty on the CPU.
    #[prost(string, tag = "6")]
    pub tactic: String,
}

/// One compiled kernel file.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KernelRecord {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(bytes = "vec", tag = "2")]
    pub cubin: Vec<u8>,
}
