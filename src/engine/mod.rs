//! A built engine's description: what the plan stores. Everything else the runtime needs
//! (the shape program, memory bounds, the memory plan, which layers run where) is derived
//! from it by `analysis`, both when the builder finishes and when a plan is loaded, so a
//! plan cannot smuggle in sizes, offsets or shapes its layers do not imply.

pub mod analysis;
pub mod memory;

pub use analysis::{Analysis, Storage};

use crate::backend::Target;
use crate::layers::Layer;
use crate::types::{DataType, TensorIOMode};

/// A tensor of a built engine.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineTensor {
    pub name: String,
    pub dtype: DataType,
    /// Known dims; -1 where the shape is only known at run time.
    pub dims: Vec<i64>,
    pub io_mode: TensorIOMode,
    /// An I/O shape tensor: its values live in host memory (kHOST).
    pub shape_tensor: bool,
}

/// A layer of a built engine, in execution order.
#[derive(Clone, Debug)]
pub struct EngineLayer {
    pub name: String,
    pub op: Box<dyn Layer>,
    /// None for an optional input that is not set.
    pub inputs: Vec<Option<usize>>,
    pub outputs: Vec<usize>,
    /// The implementation chosen for the target; empty for layers that never run
    /// (constants and layers computed on the host from shapes).
    pub tactic: String,
}

/// The range an optimization profile allows for one engine input.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputRange {
    pub min: Vec<i64>,
    pub opt: Vec<i64>,
    pub max: Vec<i64>,
    /// For shape-tensor inputs: the range of their values.
    pub values: Option<[Vec<i32>; 3]>,
}

/// One optimization profile: a range per engine input, in I/O order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    pub inputs: Vec<InputRange>,
}

/// Everything a runtime needs to execute a network.
#[derive(Clone, Debug)]
pub struct EngineDesc {
    pub name: String,
    pub target: Target,
    pub tensors: Vec<EngineTensor>,
    pub layers: Vec<EngineLayer>,
    /// Tensor indices of the I/O tensors: inputs first, then outputs.
    pub io: Vec<usize>,
    pub profiles: Vec<Profile>,
    /// (kernel file name, cubin).
    pub kernels: Vec<(String, bytes::Bytes)>,
    pub allow_tf32: bool,
    /// Built from an implicit-batch network: every I/O tensor has a leading batch dimension
    /// the application does not see, set per run by execute/enqueue(batchSize).
    pub implicit_batch: bool,
}

impl EngineDesc {
    pub fn nb_inputs(&self) -> usize {
        self.io.iter().take_while(|&&t| self.tensors[t].io_mode == TensorIOMode::Input).count()
    }
}
