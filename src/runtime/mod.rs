//! The runtime: engines deserialized from plans, and execution contexts that run them.

pub mod context;
pub mod engine;

pub use context::ExecutionContext;
pub use engine::Engine;
