//! Control flow: loops (ILoop), if-conditionals (IIfConditional) and what they share.
//!
//! A loop or conditional is not a layer holding a subgraph: as in TensorRT, its boundary
//! layers (IRecurrenceLayer, ITripLimitLayer, IIteratorLayer, ILoopOutputLayer; IConditionLayer,
//! IIfConditionalInputLayer, IIfConditionalOutputLayer) are ordinary layers of the network,
//! each naming its construct by index (`loop_id`, `conditional_id`), and which other layers
//! belong to a loop body or a branch follows from the graph (`placement`):
//!
//! - a loop body is what depends on the loop's recurrence or iterator outputs, up to its loop
//!   outputs; a layer that reads only tensors from outside runs once, outside;
//! - a conditional holds what depends on its input layers, and a branch what only that branch's
//!   outputs need (a layer needed by the true side alone runs only when the condition is true);
//! - constructs nest where one's boundary or body reads the other's interior.
//!
//! Everything else is checked against that placement: data leaves a loop only through its
//! ILoopOutputLayers and a conditional only through its outputs; the only back edge is a
//! recurrence's next value (input 1), computed in the same loop. Every engine keeps its layers
//! in block order (`program::arrange`): a construct's layers are contiguous, nested constructs
//! inside them, exits right after. The plan stores nothing more: the loader re-derives the
//! placement from the layers and refuses an order that is not this block order.
//!
//! Shapes do not change from one iteration to the next: a recurrence keeps its initial
//! value's dims (checked), an iterator slice has fixed dims, so a body's tensors have one
//! symbolic shape in the engine's shape program. A kCONCATENATE / kREVERSE output's length is
//! its second input (a shape value) or else the trip count: a shape value for a kCOUNT loop
//! whose count is a shape value, a data-dependent count (bounded by the count and the
//! iterators' extents) otherwise. Data-dependent sizes inside a body or branch are refused.
//!
//! `exec` runs the constructs on any backend through a small set of data-movement primitives
//! the backend provides; on the GPU, the host drives iterations and reads the kWHILE
//! condition, a trip count that is not a shape value, and an if-condition back from the
//! device (one small synchronous copy each; see `exec`).

pub mod checks;
pub mod exec;
pub mod facts;
pub mod placement;
pub mod program;

use crate::error::{Error, Result};
use crate::layers::Layer;

/// nvinfer1::TripLimit.
pub const TRIP_COUNT: i32 = 0;
pub const TRIP_WHILE: i32 = 1;

/// nvinfer1::LoopOutput.
pub const LAST_VALUE: i32 = 0;
pub const CONCATENATE: i32 = 1;
pub const REVERSE: i32 = 2;

/// A loop or conditional, by its index in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Construct {
    Loop(u32),
    Conditional(u32),
}

impl Construct {
    pub fn describe(self) -> String {
        match self {
            Construct::Loop(i) => format!("loop {i}"),
            Construct::Conditional(i) => format!("conditional {i}"),
        }
    }
}

/// What a boundary layer does for its construct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryKind {
    /// Input 0: the initial value (outside); input 1: the next value (inside, a back edge).
    Recurrence,
    /// kCOUNT (a 0-D kINT32 count, outside) or kWHILE (a 0-D kBOOL computed inside).
    TripLimit {
        while_: bool,
    },
    /// One slice of input 0 along `axis` per iteration.
    Iterator {
        axis: i32,
        reverse: bool,
    },
    /// kLAST_VALUE of a recurrence, or the values of every iteration concatenated along
    /// `axis` (in iteration order, or reversed); input 1: the concatenation length.
    LoopOutput {
        kind: i32,
        axis: i32,
    },
    Condition,
    ConditionalInput,
    /// Input 0: the true branch's value; input 1: the false branch's.
    ConditionalOutput,
}

/// A boundary layer's construct and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    pub construct: Construct,
    pub kind: BoundaryKind,
}

/// The construct index a boundary layer's parameter names; -1 (unset) is refused.
pub fn construct_index(what: &str, id: i32) -> Result<u32> {
    u32::try_from(id).map_err(|_| Error::invalid_argument(format!("{what} belongs to no construct (index {id})")))
}

/// Whether input `slot` of `op` is read only after the layers that follow it ran: a
/// recurrence's next value, the one back edge of a network.
pub fn is_back_edge(op: &dyn Layer, slot: usize) -> bool {
    slot == 1 && matches!(op.control(), Some(Boundary { kind: BoundaryKind::Recurrence, .. }))
}

/// A network's or engine's layers as control-flow analysis sees them.
pub struct FlowGraph<'a> {
    pub layers: Vec<FlowLayer<'a>>,
    pub tensors: usize,
    /// Tensors the application reads (network outputs).
    pub outputs: Vec<usize>,
}

pub struct FlowLayer<'a> {
    pub name: &'a str,
    pub op: &'a dyn Layer,
    pub inputs: &'a [Option<usize>],
    pub outputs: &'a [usize],
}

impl FlowGraph<'_> {
    /// Whether the graph has any loop or conditional.
    pub fn has_constructs(&self) -> bool {
        self.layers.iter().any(|l| l.op.control().is_some())
    }
}
