//! Execution backends. The CPU backend is the reference; the CUDA backend is checked against
//! it. Both execute the same engine description with the same memory plan.

pub mod cpu;
pub mod cuda;

use crate::engine::analysis::Step;
use crate::engine::{Analysis, EngineDesc, EngineLayer};
use crate::error::{Error, Result};
use crate::types::DataType;

/// The types of a layer's tensors, as implementations see them.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerTypes {
    pub inputs: Vec<Option<DataType>>,
    pub outputs: Vec<DataType>,
}

impl LayerTypes {
    pub fn of(desc: &EngineDesc, l: &EngineLayer) -> LayerTypes {
        LayerTypes {
            inputs: l.inputs.iter().map(|i| i.map(|i| desc.tensors[i].dtype)).collect(),
            outputs: l.outputs.iter().map(|&o| desc.tensors[o].dtype).collect(),
        }
    }

    /// The type of input `i` (kFLOAT if absent).
    pub fn input(&self, i: usize) -> DataType {
        self.inputs.get(i).copied().flatten().unwrap_or(DataType::Float)
    }
}

/// Checks every layer's tactic: running layers name an implementation of the plan's target
/// that supports them; the others name none. The kernel image records first.
pub fn check_tactics(desc: &EngineDesc, a: &Analysis) -> Result<()> {
    check_kernel_records(desc)?;
    for (l, step) in desc.layers.iter().zip(&a.steps) {
        let ok = match (step, &desc.target) {
            (Step::Run, Target::Cpu) => l.tactic == cpu::TACTIC,
            (Step::Run, Target::Cuda(..)) => {
                cuda::layers::find(l.op.kind(), &l.tactic).is_some_and(|imp| imp.supports(l.op.as_ref(), &LayerTypes::of(desc, l)))
            }
            _ => l.tactic.is_empty(),
        };
        if !ok {
            return Err(Error::invalid_argument(format!(
                "layer '{}' names implementation '{}', which cannot run it on {}",
                l.name,
                l.tactic,
                desc.target.name()
            )));
        }
    }
    Ok(())
}

/// Kernel images are only in GPU plans, each under the name of one of this library's kernel
/// files, once. (Whether an image is the library's own code is checked at load when
/// `cuda::engine::VERIFY_KERNELS_ENV` asks for it.)
fn check_kernel_records(desc: &EngineDesc) -> Result<()> {
    if desc.target == Target::Cpu && !desc.kernels.is_empty() {
        return Err(Error::invalid_argument("a CPU plan carries GPU kernel images"));
    }
    for (k, (name, image)) in desc.kernels.iter().enumerate() {
        if cuda::sources::source(name).is_none() {
            return Err(Error::invalid_argument(format!(
                "the plan carries a kernel image '{name}', which is not one of this library's kernels"
            )));
        }
        if image.is_empty() {
            return Err(Error::invalid_argument(format!("the kernel image '{name}' is empty")));
        }
        if desc.kernels[..k].iter().any(|(n, _)| n == name) {
            return Err(Error::invalid_argument(format!("the plan carries the kernel image '{name}' twice")));
        }
    }
    Ok(())
}

/// Which backend an engine targets; decided by the builder and recorded in the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Cpu,
    /// A CUDA device of compute capability (major, minor).
    Cuda(i32, i32),
}

impl Target {
    /// The plan's spelling: `cpu` or `sm_90`.
    pub fn name(&self) -> String {
        match self {
            Target::Cpu => "cpu".into(),
            Target::Cuda(ma, mi) => format!("sm_{ma}{mi}"),
        }
    }

    pub fn parse(s: &str) -> Option<Target> {
        if s == "cpu" {
            return Some(Target::Cpu);
        }
        let digits = s.strip_prefix("sm_")?;
        let n: i32 = digits.parse().ok()?;
        Some(Target::Cuda(n / 10, n % 10))
    }
}

/// Environment variable that forces a backend: `cpu` or `cuda`.
pub const BACKEND_ENV: &str = "NVINFER_BACKEND";

/// The target a build made now on this machine gets, with the reason when it is the CPU.
pub fn default_target() -> (Target, Option<String>) {
    match std::env::var(BACKEND_ENV).ok().as_deref() {
        Some("cpu") => return (Target::Cpu, Some(format!("{BACKEND_ENV}=cpu"))),
        Some("cuda") | None | Some("") => {}
        Some(other) => return (Target::Cpu, Some(format!("{BACKEND_ENV}={other} is not 'cpu' or 'cuda'; using the CPU"))),
    }
    match cuda::device() {
        Ok(dev) => (Target::Cuda(dev.sm.0, dev.sm.1), None),
        Err(why) => (Target::Cpu, Some(why.message)),
    }
}
