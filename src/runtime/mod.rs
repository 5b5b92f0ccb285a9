//! The runtime: engines deserialized from plans, and execution contexts that run them.

pub mod allocator;
pub mod context;
pub mod engine;
pub mod resolve;

pub use context::ExecutionContext;
pub use engine::Engine;
