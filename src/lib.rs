//! nvinfer-rs: a TensorRT 8.6 compatible inference optimizer and runtime.
//!
//! From the outside in: `capi` (the stable C ABI, wrapped by the C++ bridge in
//! `src/bridge`), `onnx` (parser), `builder` (passes → engine description → plan), `plan`
//! (versioned protobuf), `runtime` (engines and execution contexts), `backend` (CPU reference
//! and CUDA implementations), `engine` (what a built engine is and what is derived from it),
//! `layers` (one spec per layer kind), `control` (loops and conditionals), `ir` (the network
//! graph), `shape` (symbolic shapes), `host` and `weights` (typed data).

// CUDA streams, events and functions are opaque driver handles that we pass through, never
// dereference; and the C ABI's safety contract (valid pointers from this library or the
// caller) is stated once in src/capi/mod.rs rather than on each of its functions.
#![allow(clippy::not_unsafe_ptr_arg_deref, clippy::missing_safety_doc)]

pub mod backend;
pub mod builder;
pub mod capi;
pub mod control;
pub mod engine;
pub mod error;
pub mod host;
pub mod ir;
pub mod layers;
pub mod log;
pub mod onnx;
pub mod plan;
pub mod runtime;
pub mod shape;
pub mod types;
pub mod weights;

pub use error::{Error, Result};
