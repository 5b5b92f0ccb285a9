//! nvinfer-rs: a TensorRT 8.6 compatible inference optimizer and runtime.
//!
//! Layers, from the outside in: `capi` (the stable C ABI, wrapped by the C++ bridge in
//! `src/bridge`), `onnx` (parser), `builder` (passes → plan), `plan` (versioned protobuf),
//! `runtime` (engines and execution contexts), `backend` (CPU reference and CUDA), `ops`
//! (one file per layer kind) over the `ir` (the network graph).

// CUDA streams, events and functions are opaque driver handles that we pass through, never
// dereference; and the C ABI's safety contract (valid pointers from this library or the
// caller) is stated once in src/capi/mod.rs rather than on each of its functions.
#![allow(clippy::not_unsafe_ptr_arg_deref, clippy::missing_safety_doc)]

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
