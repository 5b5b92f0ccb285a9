//! Execution backends. The CPU backend is the reference; the CUDA backend is checked against it.

pub mod cpu;
pub mod cuda;

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
