//! Layer operations. Each layer kind lives in one file: its parameters (a prost message, so
//! plans can store it), shape inference, the CPU reference and the CUDA preparation.
//! Adding a layer = one file + one line in `REGISTRY`.

pub mod activation;
pub mod constant;
pub mod convolution;
pub mod elementwise;
pub mod fully_connected;
pub mod matmul;
pub mod pooling;
pub mod shuffle;
pub mod softmax;

use crate::backend::cuda::{CudaLayer, Kernels};
use crate::error::{Error, Result};
use crate::types::LayerType;
use std::fmt::Debug;

/// A layer parameter as the C API sets and reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Ints(Vec<i64>),
    Float(f64),
    Weights(Vec<f32>),
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
    pub fn float(&self, key: &str) -> Result<f64> {
        match self {
            Param::Float(v) => Ok(*v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes a number"))),
        }
    }
    pub fn weights(self, key: &str) -> Result<Vec<f32>> {
        match self {
            Param::Weights(v) => Ok(v),
            _ => Err(Error::invalid_argument(format!("parameter '{key}' takes weights"))),
        }
    }
}

/// A host tensor view given to CPU reference implementations.
pub struct HostIn<'a> {
    pub data: &'a [f32],
    pub dims: &'a [i64],
}

/// Shapes of a layer's inputs and outputs, fixed when it is prepared for a device.
#[derive(Clone, Debug, Default)]
pub struct LayerShapes {
    pub inputs: Vec<Vec<i64>>,
    pub outputs: Vec<Vec<i64>>,
}

/// What a CUDA preparation may use.
pub struct CudaPrep<'a> {
    pub kernels: &'a Kernels,
    pub shapes: &'a LayerShapes,
    pub allow_tf32: bool,
}

/// Serialization and cloning, provided for every op by the blanket impl below: an op's
/// parameters are its prost message.
pub trait OpParams {
    /// Serialized parameters.
    fn encode(&self) -> Vec<u8>;
    fn clone_op(&self) -> Box<dyn Op>;
}

impl<T: Op + prost::Message + Clone + 'static> OpParams for T {
    fn encode(&self) -> Vec<u8> {
        prost::Message::encode_to_vec(self)
    }
    fn clone_op(&self) -> Box<dyn Op> {
        Box::new(self.clone())
    }
}

pub trait Op: OpParams + Debug + Send + Sync {
    /// Registry key, stored in plans ("Convolution").
    fn kind(&self) -> &'static str;
    fn layer_type(&self) -> LayerType;
    /// Accepted input counts (inclusive bounds).
    fn input_count(&self) -> (usize, usize) {
        (1, 1)
    }
    /// Output shapes from input shapes; -1 marks an unknown dimension and propagates.
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>>;
    fn set_param(&mut self, key: &str, value: Param) -> Result<()>;
    fn param(&self, key: &str) -> Option<Param>;
    /// CPU reference: computes every output (already sized) from the inputs.
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()>;
    /// Names of the CUDA implementations the builder may time.
    fn cuda_tactics(&self) -> Vec<&'static str> {
        vec!["default"]
    }
    /// Kernel files (in `kernels/`) a tactic needs.
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec![]
    }
    fn prepare_cuda(&self, tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>>;
    /// For a constant layer: its values, which the runtime binds instead of running the layer.
    fn constant_value(&self) -> Option<&[f32]> {
        None
    }
}

impl Clone for Box<dyn Op> {
    fn clone(&self) -> Self {
        self.clone_op()
    }
}

struct Entry {
    kind: &'static str,
    create: fn() -> Box<dyn Op>,
    decode: fn(&[u8]) -> Result<Box<dyn Op>>,
}

macro_rules! entry {
    ($kind:literal, $ty:ty) => {
        Entry {
            kind: $kind,
            create: || Box::new(<$ty>::default()),
            decode: |b| {
                <$ty as prost::Message>::decode(b)
                    .map(|op| Box::new(op) as Box<dyn Op>)
                    .map_err(|e| Error::invalid_argument(format!("corrupt {} parameters: {e}", $kind)))
            },
        }
    };
}

const REGISTRY: &[Entry] = &[
    entry!("Activation", activation::Activation),
    entry!("Constant", constant::Constant),
    entry!("Convolution", convolution::Convolution),
    entry!("ElementWise", elementwise::ElementWise),
    entry!("FullyConnected", fully_connected::FullyConnected),
    entry!("MatrixMultiply", matmul::MatrixMultiply),
    entry!("Pooling", pooling::Pooling),
    entry!("Shuffle", shuffle::Shuffle),
    entry!("SoftMax", softmax::SoftMax),
];

/// A layer of `kind` with default parameters.
pub fn create(kind: &str) -> Result<Box<dyn Op>> {
    REGISTRY.iter().find(|e| e.kind == kind).map(|e| (e.create)()).ok_or_else(|| Error::unsupported(format!("unknown layer kind '{kind}'")))
}

/// A layer of `kind` from its serialized parameters.
pub fn decode(kind: &str, bytes: &[u8]) -> Result<Box<dyn Op>> {
    let e = REGISTRY
        .iter()
        .find(|e| e.kind == kind)
        .ok_or_else(|| Error::unsupported(format!("the plan uses layer kind '{kind}', which this library does not know")))?;
    (e.decode)(bytes)
}

pub(crate) fn unknown_param(kind: &str, key: &str) -> Error {
    Error::invalid_argument(format!("{kind} layers have no parameter '{key}'"))
}

/// Checks a layer's input count against its bounds.
pub fn check_inputs(op: &dyn Op, n: usize) -> Result<()> {
    let (lo, hi) = op.input_count();
    if n < lo || n > hi {
        return Err(Error::invalid_argument(format!("{} layers take {lo}..={hi} inputs, got {n}", op.kind())));
    }
    Ok(())
}

/// Output size of a sliding window along one axis; -1 stays unknown.
pub fn window_out(input: i64, kernel: i64, stride: i64, pad_before: i64, pad_after: i64, dilation: i64) -> Result<i64> {
    if input < 0 {
        return Ok(-1);
    }
    if kernel <= 0 || stride <= 0 || dilation <= 0 {
        return Err(Error::invalid_argument("kernel, stride and dilation must be positive"));
    }
    let span = dilation * (kernel - 1) + 1;
    let padded = input + pad_before + pad_after;
    if padded < span {
        return Err(Error::invalid_argument(format!("window {span} is larger than the padded input {padded}")));
    }
    Ok((padded - span) / stride + 1)
}

/// Sets one of the sliding-window parameters convolution and pooling share ("stride",
/// "pre_padding", "post_padding", "padding" = both paddings); false if `key` is another.
pub(crate) fn set_window_param(key: &str, value: &Param, stride: &mut Vec<i64>, pre: &mut Vec<i64>, post: &mut Vec<i64>) -> Result<bool> {
    match key {
        "stride" => *stride = value.ints(key)?.to_vec(),
        "pre_padding" => *pre = value.ints(key)?.to_vec(),
        "post_padding" => *post = value.ints(key)?.to_vec(),
        "padding" => {
            *pre = value.ints(key)?.to_vec();
            *post = pre.clone();
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Reads a parameter `set_window_param` sets.
pub(crate) fn window_param(key: &str, stride: &[i64], pre: &[i64], post: &[i64]) -> Option<Param> {
    Some(Param::Ints(match key {
        "stride" => stride.to_vec(),
        "pre_padding" | "padding" => pre.to_vec(),
        "post_padding" => post.to_vec(),
        _ => return None,
    }))
}

/// The launch helpers every CUDA layer shares.
pub(crate) mod launch {
    use crate::backend::cuda::device::grid_for;
    use std::ffi::c_void;

    pub const BLOCK: u32 = 256;

    pub fn grid(n: usize) -> u32 {
        grid_for(n, BLOCK).min(65535 * 16)
    }

    /// A kernel argument pointer.
    pub fn arg<T>(v: &T) -> *mut c_void {
        v as *const T as *mut c_void
    }
}
