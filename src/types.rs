//! Value types shared by every module, with TensorRT 8.6's numeric enum values.

use crate::error::{Error, Result};

/// Element type of a tensor (`nvinfer1::DataType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum DataType {
    Float = 0,
    Half = 1,
    Int8 = 2,
    Int32 = 3,
    Bool = 4,
    Uint8 = 5,
    Fp8 = 6,
}

impl DataType {
    /// Every type an engine of this library can hold (kFP8 is refused).
    pub const SUPPORTED: [DataType; 6] =
        [DataType::Float, DataType::Half, DataType::Int8, DataType::Int32, DataType::Bool, DataType::Uint8];

    pub fn from_i32(v: i32) -> Option<DataType> {
        use DataType::*;
        Some(match v {
            0 => Float,
            1 => Half,
            2 => Int8,
            3 => Int32,
            4 => Bool,
            5 => Uint8,
            6 => Fp8,
            _ => return None,
        })
    }

    /// The type for `v`, refusing unknown values and kFP8 with a message naming `what`.
    pub fn parse(v: i32, what: &str) -> Result<DataType> {
        match DataType::from_i32(v) {
            Some(DataType::Fp8) => Err(Error::unsupported(format!("{what}: the type kFP8 is not supported by this library"))),
            Some(t) => Ok(t),
            None => Err(Error::invalid_argument(format!("{what}: unknown DataType {v}"))),
        }
    }

    pub fn size_bytes(self) -> usize {
        match self {
            DataType::Float | DataType::Int32 => 4,
            DataType::Half => 2,
            DataType::Int8 | DataType::Bool | DataType::Uint8 | DataType::Fp8 => 1,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DataType::Float | DataType::Half)
    }

    /// TensorRT's spelling, for messages.
    pub fn name(self) -> &'static str {
        match self {
            DataType::Float => "kFLOAT",
            DataType::Half => "kHALF",
            DataType::Int8 => "kINT8",
            DataType::Int32 => "kINT32",
            DataType::Bool => "kBOOL",
            DataType::Uint8 => "kUINT8",
            DataType::Fp8 => "kFP8",
        }
    }

    /// The short name kernels are instantiated under (`elementwise_f16`).
    pub fn kernel_suffix(self) -> &'static str {
        match self {
            DataType::Float => "f32",
            DataType::Half => "f16",
            DataType::Int8 => "i8",
            DataType::Int32 => "i32",
            DataType::Bool => "bool",
            DataType::Uint8 => "u8",
            DataType::Fp8 => "fp8",
        }
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an engine tensor is an input, an output or neither (`nvinfer1::TensorIOMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum TensorIOMode {
    None = 0,
    Input = 1,
    Output = 2,
}

/// Where the engine expects an I/O tensor's memory (`nvinfer1::TensorLocation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum TensorLocation {
    Device = 0,
    Host = 1,
}

/// `nvinfer1::OptProfileSelector`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ProfileSelector {
    Min = 0,
    Opt = 1,
    Max = 2,
}

impl ProfileSelector {
    pub fn from_i32(v: i32) -> Result<ProfileSelector> {
        match v {
            0 => Ok(ProfileSelector::Min),
            1 => Ok(ProfileSelector::Opt),
            2 => Ok(ProfileSelector::Max),
            _ => Err(Error::invalid_argument(format!("unknown OptProfileSelector {v}"))),
        }
    }
}

/// Error categories reported to IErrorRecorder (`nvinfer1::ErrorCode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ErrorCode {
    Success = 0,
    UnspecifiedError = 1,
    InternalError = 2,
    InvalidArgument = 3,
    InvalidConfig = 4,
    FailedAllocation = 5,
    FailedInitialization = 6,
    FailedExecution = 7,
    FailedComputation = 8,
    InvalidState = 9,
    UnsupportedState = 10,
}

/// Logger severities (`nvinfer1::ILogger::Severity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(i32)]
pub enum Severity {
    InternalError = 0,
    Error = 1,
    Warning = 2,
    Info = 3,
    Verbose = 4,
}

/// The largest rank a tensor may have (`nvinfer1::Dims::MAX_DIMS`).
pub const MAX_DIMS: usize = 8;

/// Number of elements of a fully known shape; None if a dimension is negative (unknown) or
/// the product overflows.
pub fn volume(dims: &[i64]) -> Option<usize> {
    dims.iter().try_fold(1usize, |acc, &d| if d < 0 { None } else { acc.checked_mul(usize::try_from(d).ok()?) })
}

/// Bytes of a tensor of `dims` and `dtype`, checked: None on overflow or unknown dims.
pub fn byte_size(dims: &[i64], dtype: DataType) -> Option<usize> {
    volume(dims)?.checked_mul(dtype.size_bytes()).filter(|&b| b <= isize::MAX as usize)
}

/// Row-major strides of a shape, in elements.
pub fn strides(dims: &[i64]) -> Vec<i64> {
    let mut s = vec![1i64; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * dims[i + 1].max(1);
    }
    s
}

/// `[1,10]`-style text for messages.
pub fn dims_str(dims: &[i64]) -> String {
    let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(","))
}
