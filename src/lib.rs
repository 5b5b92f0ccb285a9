//! nvinfer-rs: a TensorRT 8.6 compatible inference optimizer and runtime.
//!
//! Layers, from the outside in: `capi` (the stable C ABI, wrapped by the C++ bridge in
//! `src/bridge`), `onnx` (parser), `builder` (passes → plan), `plan` (versioned protobuf),
//! `runtime` (engines and execution contexts), `backend` (CPU reference and CUDA), `ops`
//! (one file per layer kind) over the `ir` (the network graph).

pub mod backend;
pub mod builder;
pub mod capi;
pub mod error;
pub mod ir;
pub mod log;
pub mod onnx;
pub mod ops;
pub mod plan;
pub mod runtime;
pub mod types;

pub use error::{Error, Result};
