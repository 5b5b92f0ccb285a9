//! Value types shared by every module, with TensorRT 8.6's numeric enum values.

/// Element type of a tensor (`nvinfer1::DataType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

    pub fn size_bytes(self) -> usize {
        match self {
            DataType::Float | DataType::Int32 => 4,
            DataType::Half => 2,
            DataType::Int8 | DataType::Bool | DataType::Uint8 | DataType::Fp8 => 1,
        }
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

/// Layer kinds (`nvinfer1::LayerType`); only the values this crate implements are named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum LayerType {
    Convolution = 0,
    FullyConnected = 1,
    Activation = 2,
    Pooling = 3,
    SoftMax = 6,
    ElementWise = 9,
    Shuffle = 13,
    MatrixMultiply = 17,
    Constant = 19,
}

/// The largest rank a tensor may have (`nvinfer1::Dims::MAX_DIMS`).
pub const MAX_DIMS: usize = 8;

/// Number of elements of a fully known shape; `None` if any dimension is unknown (-1).
pub fn volume(dims: &[i64]) -> Option<usize> {
    dims.iter().try_fold(1usize, |acc, &d| if d < 0 { None } else { acc.checked_mul(d as usize) })
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
