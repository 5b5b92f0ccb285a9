//! Layer specs: what each layer kind means. A spec is the layer's parameters (generated from
//! the layer table into `generated.rs`), its type and shape inference over symbolic shapes,
//! and its CPU reference. Implementations for devices live with their backend
//! (`backend/cuda/layers/`); a spec never knows about them.
//!
//! Adding a layer kind: an entry in `api/layers.toml` (then `python3 scripts/gen_layers.py`),
//! `src/layers/<name>.rs` with `impl Layer`, CUDA implementations in
//! `src/backend/cuda/layers/<name>.rs` with their kernel file in `kernels/`, and test cases
//! in `tests/layer_cases.rs`. Module lists and registries are generated from the table.

pub mod axes;
#[rustfmt::skip]
pub mod generated;
pub mod window;
include!("specs.rs");

pub use generated::Kind;

use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId, Node, ShapeGraph, Symbol};
use crate::types::DataType;
use crate::weights::Weights;
use std::any::Any;
use std::fmt::Debug;

/// Shape tensors longer than this are not tracked by value.
pub const MAX_SHAPE_VALUES: usize = 64;

/// A layer parameter as the C API sets and reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Ints(Vec<i64>),
    Float(f64),
    Weights(Weights),
    Str(String),
}

impl Param {
    pub fn ints(&self, key: &str) -> Result<&[i64]> {
        match self {
            Param::Ints(v) => Ok(v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes integers"))),
        }
    }
    pub fn int(&self, key: &str) -> Result<i64> {
        match self.ints(key)? {
            [v] => Ok(*v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes one integer"))),
        }
    }
    pub fn int32(&self, key: &str) -> Result<i32> {
        let v = self.int(key)?;
        i32::try_from(v).map_err(|_| Error::invalid_argument(format!("parameter '{key}': {v} does not fit in 32 bits")))
    }
    pub fn float(&self, key: &str) -> Result<f64> {
        match self {
            Param::Float(v) => Ok(*v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes a number"))),
        }
    }
    pub fn string(&self, key: &str) -> Result<&str> {
        match self {
            Param::Str(v) => Ok(v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes a string"))),
        }
    }
    pub fn weights(self, key: &str) -> Result<Weights> {
        match self {
            Param::Weights(w) => {
                w.count()?;
                Ok(w)
            }
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes weights"))),
        }
    }
}

/// What the generated code provides for every layer kind.
pub trait Params {
    fn kind(&self) -> Kind;
    /// Every key `set_param` accepts.
    fn keys(&self) -> &'static [&'static str];
    fn set_param(&mut self, key: &str, value: Param) -> Result<()>;
    fn param(&self, key: &str) -> Option<Param>;
    /// The plan encoding.
    fn encode(&self) -> Vec<u8>;
    fn clone_layer(&self) -> Box<dyn Layer>;
}

/// An input as inference sees it: type, symbolic dims, and for shape tensors their values.
#[derive(Clone, Copy, Debug)]
pub struct InferIn<'a> {
    pub dtype: DataType,
    pub dims: &'a [ExprId],
    pub values: Option<&'a [ExprId]>,
}

/// An inferred output.
#[derive(Clone, Debug, PartialEq)]
pub struct InferOut {
    pub dtype: DataType,
    pub dims: Vec<ExprId>,
    /// The values, when the output is a shape tensor computable on the host.
    pub values: Option<Vec<ExprId>>,
}

impl InferOut {
    pub fn new(dtype: DataType, dims: Vec<ExprId>) -> InferOut {
        InferOut { dtype, dims, values: None }
    }
}

/// What inference may use: the shape graph, the identity of the layer being inferred
/// (data-dependent counts are symbols of their layer) and, for a loop output, what is known
/// of its loop's trip count (default otherwise).
pub struct InferCx<'a> {
    pub g: &'a mut ShapeGraph,
    pub layer: u32,
    pub trip: crate::control::facts::TripFacts,
}

impl InferCx<'_> {
    /// A count only known once this layer ran, at most `bound`.
    pub fn data_dependent(&mut self, output: u32, bound: ExprId) -> ExprId {
        self.g.symbol(Symbol::DataDependent { layer: self.layer, output, bound })
    }
}

/// What a CPU reference run may report back: counts of data-dependent outputs.
#[derive(Debug, Default)]
pub struct CpuCx {
    pub counts: Vec<(u32, i64)>,
}

pub trait Layer: Params + Debug + Send + Sync + 'static {
    /// Fills parameters whose defaults depend on other parameters or on the inputs (a stride
    /// of 1 per kernel dimension); called once when the layer is added.
    fn fill_defaults(&mut self, _inputs: &[Option<InferIn>]) {}

    /// Output types, shapes and shape-tensor values from the inputs'. Errors that can be
    /// known now are returned now; the rest become checks in the shape graph.
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>>;

    /// Checks of parameters TensorRT lets the application set after the add* method
    /// (IRNNv2Layer's weights): run when the network is built, so that a layer just added
    /// is valid without them.
    fn check_for_build(&self) -> Result<()> {
        Ok(())
    }

    /// For a layer just added whose inference failed: whether setters TensorRT lets the
    /// application call after the add* method can still make it valid (kernel weights sized
    /// for the group count that setNbGroups sets next; a resize whose scales or output dims
    /// come after addResize), so that the add* method must not refuse it. Such a layer is
    /// kept, invalid until they do: its error is reported when its output's dims are read or
    /// the network is built. `inputs` as `infer` sees them (with the batch axis of an
    /// implicit-batch network).
    fn completed_by_setters(&self, _g: &ShapeGraph, _inputs: &[Option<InferIn>]) -> bool {
        false
    }

    /// Whether the builder may choose kFLOAT or kHALF for this layer; its float inputs and
    /// outputs then all have the chosen type.
    fn float_flexible(&self) -> bool {
        false
    }

    /// CPU reference: computes every output (sized by its actual dims) from the inputs.
    fn run_cpu(&self, cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()>;

    /// Whether its outputs are shape tensors by nature (IShapeLayer), so that a network
    /// output it produces is delivered in host memory as TensorRT does.
    fn computes_shapes(&self) -> bool {
        false
    }

    /// For an implicit-batch network (createNetworkV2(0)), which is inferred and built as
    /// the same network with a leading batch dimension: rewrites the parameters that count
    /// axes from the front (axis indices + 1, axis masks << 1, permutations and reshape
    /// dimensions keeping axis 0 as the batch, a constant's dims with a leading 1) so the
    /// layer computes the same thing per sample. Kinds TensorRT does not allow in
    /// implicit-batch networks return an error saying so.
    fn add_batch_axis(&mut self) -> Result<()>;

    /// A constant layer's dims and values (bound by the runtime, never run).
    fn constant(&self) -> Option<(&[i64], &Weights)> {
        None
    }

    /// For a loop or conditional boundary layer: its construct and role. Such layers never
    /// run through an implementation; `crate::control::exec` drives them.
    fn control(&self) -> Option<crate::control::Boundary> {
        None
    }

    /// Whether the layer matters although no output of it is read (IAssertionLayer checks
    /// shapes): dead-layer removal keeps it.
    fn has_side_effects(&self) -> bool {
        false
    }

    /// Inputs that must be build-time constants (produced by constant layers once constant
    /// folding ran), as TensorRT requires of quantization scales. The builder refuses a
    /// network where one is not, and hands their dims and values to `check_constants`.
    fn constant_inputs(&self) -> &'static [usize] {
        &[]
    }

    /// Checks the values of the `constant_inputs`, in that order (None: an optional input
    /// that is not set).
    fn check_constants(&self, _values: &[Option<(&[i64], &Weights)>]) -> Result<()> {
        Ok(())
    }

    /// Takes the build-time constant input `index` as a parameter (IConvolutionLayer's kernel
    /// and bias given as tensors); true if it did, and the builder then drops the input.
    fn absorb_constant_input(&mut self, _index: usize, _weights: &Weights) -> bool {
        false
    }

    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl Clone for Box<dyn Layer> {
    fn clone(&self) -> Self {
        self.clone_layer()
    }
}

/// `as_any` and `as_any_mut` for a spec type.
macro_rules! any_impls {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    };
}
pub(crate) use any_impls;

/// Input `i`, which must be present.
pub fn input<'a>(inputs: &'a [Option<InferIn<'a>>], i: usize) -> Result<&'a InferIn<'a>> {
    inputs.get(i).and_then(|x| x.as_ref()).ok_or_else(|| Error::invalid_argument(format!("input {i} is missing")))
}

/// Host input `i`, which must be present.
pub fn host_input<'a, 'b>(inputs: &'b [Option<TensorIn<'a>>], i: usize) -> Result<&'b TensorIn<'a>> {
    inputs.get(i).and_then(|x| x.as_ref()).ok_or_else(|| Error::internal(format!("input {i} is missing")))
}

/// Refuses a type a layer does not support.
/// The error of a kind TensorRT only allows in explicit-batch networks.
pub fn explicit_batch_only(what: &str) -> Error {
    Error::unsupported(format!("{what} needs an explicit-batch network (createNetworkV2 with kEXPLICIT_BATCH)"))
}

/// A permutation of the dims without the batch axis, for the dims with it (empty stays
/// empty: the identity).
pub fn permutation_with_batch(perm: &[i64]) -> Vec<i64> {
    if perm.is_empty() {
        return vec![];
    }
    std::iter::once(0).chain(perm.iter().map(|&a| a + 1)).collect()
}

pub fn check_type(what: &str, dtype: DataType, allowed: &[DataType]) -> Result<()> {
    if allowed.contains(&dtype) {
        return Ok(());
    }
    let names: Vec<&str> = allowed.iter().map(|t| t.name()).collect();
    Err(Error::unsupported(format!("{what} has type {dtype}; supported: {}", names.join(", "))))
}

/// The floating-point types every float layer supports.
pub const FLOATS: &[DataType] = &[DataType::Float, DataType::Half];

/// The common type of a float-flexible layer's float inputs: kHALF if all are kHALF,
/// otherwise kFLOAT (the builder casts mixed inputs).
pub fn float_type(inputs: &[Option<InferIn>]) -> DataType {
    let mut floats = inputs.iter().flatten().map(|i| i.dtype).filter(|t| t.is_float()).peekable();
    if floats.peek().is_some() && floats.all(|t| t == DataType::Half) {
        DataType::Half
    } else {
        DataType::Float
    }
}

/// The values of a shape-tensor input (`what` names it in errors): a kINT32 tensor of rank 1
/// (or 0 when `scalar`) whose values are computable on the host.
pub fn shape_input_values<'a>(what: &str, x: &InferIn<'a>, scalar: bool) -> Result<&'a [ExprId]> {
    let rank_ok = x.dims.len() == 1 || (scalar && x.dims.is_empty());
    if x.dtype != DataType::Int32 || !rank_ok {
        let shape = if scalar { "0-D or 1-D" } else { "1-D" };
        return Err(Error::invalid_argument(format!("{what} must be a {shape} kINT32 shape tensor, not a {}-D {}", x.dims.len(), x.dtype)));
    }
    x.values.ok_or_else(|| {
        Error::invalid_argument(format!("{what} must be a shape tensor: its values must be computable from shapes on the host"))
    })
}

/// Copies element `from` of `src` to element `to` of `dst`, for elements of `size` bytes.
pub fn copy_element(src: &[u8], from: usize, dst: &mut [u8], to: usize, size: usize) {
    dst[to * size..(to + 1) * size].copy_from_slice(&src[from * size..(from + 1) * size]);
}

/// `a`, checked to be at least `min` when the network is built or run rather than now; see
/// `assert_eq_later`.
pub fn at_least_later(g: &mut ShapeGraph, a: ExprId, min: i64, what: impl FnOnce() -> String) -> Result<ExprId> {
    match g.as_const(a) {
        Some(x) if x < min => {
            let m = g.constant(min);
            let id = g.push_raw(Node::Bin(BinOp::AtLeast, a, m))?;
            g.set_note(id, what());
            Ok(id)
        }
        _ => g.at_least(a, min, what),
    }
}

/// `a`, checked equal to `b` when the network is built or run rather than now, for a check
/// that depends on a parameter the application usually sets after the add* method (the
/// axis of addConcatenation): a default about to change must not make the add fail. A
/// known mismatch becomes a check node that fails when evaluated, with `what` as its message.
pub fn assert_eq_later(g: &mut ShapeGraph, a: ExprId, b: ExprId, what: impl FnOnce() -> String) -> Result<ExprId> {
    match (g.as_const(a), g.as_const(b)) {
        (Some(x), Some(y)) if x != y => {
            let id = g.push_raw(Node::Bin(BinOp::AssertEq, a, b))?;
            g.set_note(id, what());
            Ok(id)
        }
        _ => g.assert_eq(a, b, what),
    }
}
