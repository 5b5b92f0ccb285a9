//! An engine prepared on the CUDA device: kernels loaded from the plan's cubins, each running
//! layer's chosen implementation prepared, constants uploaded once.

use super::layers::{self, PrepareCx, Prepared, Shapes};
use super::{DeviceBuffer, Kernel, Kernels};
use crate::backend::{LayerTypes, Target};
use crate::engine::analysis::Step;
use crate::engine::{Analysis, EngineDesc};
use crate::error::{Error, Result};

/// The kernel file of the control-flow executor's data movement (loops).
pub const CONTROL_FLOW_KERNELS: &str = "control_flow";

/// The most inputs or outputs one layer may have (TensorRT's limit for a concatenation).
pub const MAX_LAYER_IO: usize = 10000;

pub struct CudaEngine {
    _kernels: Kernels,
    /// The prepared implementation of each running layer.
    pub layers: Vec<Option<Box<dyn Prepared>>>,
    /// Device copies of constant layers' values, by layer.
    pub constants: Vec<Option<DeviceBuffer>>,
    /// Writes shape values into device memory.
    pub fill: Option<Kernel>,
    /// Moves loop slices and slots (kernels/control_flow.cu) for elements of 1, 2 and 4 bytes.
    pub slots_copy: Option<[Kernel; 3]>,
    /// The largest workspace any layer needs.
    pub workspace_bytes: usize,
    /// Outputs whose size each layer learns only by running (data-dependent counts).
    pub counted: Vec<Vec<u32>>,
    /// Each tensor's largest dims: what a counting layer is bound with for its outputs.
    pub max_dims: Vec<Vec<i64>>,
}

/// Each tensor's largest dims over every profile.
pub fn max_dims(desc: &EngineDesc, a: &Analysis) -> Vec<Vec<i64>> {
    let mut out: Vec<Vec<i64>> = a.tensors.iter().map(|t| vec![0; t.dims.len()]).collect();
    for p in &desc.profiles {
        let bounds = a.graph.bounds(|s| match s {
            crate::shape::Symbol::InputDim { input, axis } => {
                let r = p.inputs.get(input as usize)?;
                Some(crate::shape::Interval { lo: *r.min.get(axis as usize)?, hi: *r.max.get(axis as usize)? })
            }
            crate::shape::Symbol::InputValue { input, index } => {
                let [lo, _, hi] = p.inputs.get(input as usize)?.values.as_ref()?;
                Some(crate::shape::Interval { lo: *lo.get(index as usize)? as i64, hi: *hi.get(index as usize)? as i64 })
            }
            crate::shape::Symbol::DataDependent { .. } => None,
        });
        for (t, info) in a.tensors.iter().enumerate() {
            for (d, &e) in out[t].iter_mut().zip(&info.dims) {
                *d = (*d).max(bounds[e as usize].hi.max(0));
            }
        }
    }
    out
}

/// Set to 1, the loader accepts a GPU plan's kernel images only if each is byte-identical to
/// this library's own build of that kernel file (NVRTC, through the kernel cache): a plan
/// then cannot bring GPU code of its own. Off by default, as loading then needs NVRTC.
pub const VERIFY_KERNELS_ENV: &str = "NVINFER_VERIFY_PLAN_KERNELS";

pub fn verify_kernel_images(desc: &EngineDesc) -> Result<()> {
    let Target::Cuda(major, minor) = desc.target else { return Ok(()) };
    for (name, image) in &desc.kernels {
        let source = super::sources::source(name).ok_or_else(|| Error::invalid_argument(format!("unknown kernel image '{name}'")))?;
        let own = super::nvrtc::compile_cubin(name, source, (major, minor))
            .map_err(|e| e.context(format!("{VERIFY_KERNELS_ENV}=1: cannot build kernel '{name}' to compare")))?;
        if own.as_slice() != image.as_ref() {
            return Err(Error::invalid_argument(format!(
                "kernel image '{name}' is not this library's build of it for sm_{major}{minor} ({VERIFY_KERNELS_ENV}=1): the plan was altered, or built with another NVRTC version"
            )));
        }
    }
    Ok(())
}

impl CudaEngine {
    pub fn new(desc: &EngineDesc, a: &Analysis) -> Result<CudaEngine> {
        super::device()?.bind()?;
        if std::env::var_os(VERIFY_KERNELS_ENV).is_some_and(|v| v == "1") {
            verify_kernel_images(desc)?;
        }
        let kernels = Kernels::load(&desc.kernels)?;
        let cx = PrepareCx { kernels: &kernels, allow_tf32: desc.allow_tf32 };
        let maxes = max_dims(desc, a);
        let mut prepared = Vec::with_capacity(desc.layers.len());
        let mut constants = Vec::with_capacity(desc.layers.len());
        let mut workspace_bytes = 0;
        for (l, step) in desc.layers.iter().zip(&a.steps) {
            if l.inputs.len() > MAX_LAYER_IO || l.outputs.len() > MAX_LAYER_IO {
                return Err(Error::unsupported(format!("layer '{}' has more than {MAX_LAYER_IO} inputs or outputs", l.name)));
            }
            constants.push(match l.op.constant() {
                Some((_, w)) => Some(DeviceBuffer::from_bytes(&w.values)?),
                None => None,
            });
            if *step != Step::Run {
                prepared.push(None);
                continue;
            }
            let imp = layers::find(l.op.kind(), &l.tactic).ok_or_else(|| Error::internal(format!("no implementation '{}'", l.tactic)))?;
            let p = imp.prepare(l.op.as_ref(), &LayerTypes::of(desc, l), &cx).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
            let max = Shapes {
                inputs: l.inputs.iter().map(|i| i.map(|i| maxes[i].clone())).collect(),
                outputs: l.outputs.iter().map(|&o| maxes[o].clone()).collect(),
                values: vec![],
            };
            workspace_bytes = workspace_bytes.max(p.workspace_bytes(&max));
            prepared.push(Some(p));
        }
        let fill = if a.tensors.iter().any(|t| t.materialize) { Some(kernels.function("cast", "fill_i32")?) } else { None };
        let slots_copy = if crate::control::program::loops(&a.program).is_empty() {
            None
        } else {
            let k = |size: usize| kernels.function(CONTROL_FLOW_KERNELS, &format!("slots_copy_b{size}"));
            Some([k(1)?, k(2)?, k(4)?])
        };
        let mut counted = vec![vec![]; desc.layers.len()];
        for node in a.graph.nodes() {
            if let crate::shape::Node::Sym(crate::shape::Symbol::DataDependent { layer, output, .. }) = *node {
                counted.get_mut(layer as usize).ok_or_else(|| Error::internal("a count of a layer that does not exist"))?.push(output);
            }
        }
        Ok(CudaEngine { _kernels: kernels, layers: prepared, constants, fill, slots_copy, workspace_bytes, counted, max_dims: maxes })
    }
}
