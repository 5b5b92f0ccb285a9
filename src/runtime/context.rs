//! An execution context (IExecutionContext): per-run state of one engine: the optimization
//! profile, input shapes, tensor addresses, output allocators, the resolved shapes and the
//! backend's memory. One context is used by one thread at a time; many contexts of one
//! engine may run concurrently.

use super::allocator::NvtOutputAllocator;
use super::engine::{Engine, EngineBackend};
use super::resolve::Resolution;
use crate::backend::cpu::{self, CpuState, IoBinding};
use crate::backend::cuda::executor::CudaState;
use crate::backend::cuda::memory::{address_kind, AddressKind};
use crate::backend::cuda::{self, RawStream};
use crate::engine::Storage;
use crate::error::{Error, Result};
use crate::types::{byte_size, dims_str, TensorIOMode};
use std::sync::Arc;

mod implicit_batch;

enum State {
    Cpu(CpuState),
    Cuda(CudaState),
}

pub struct ExecutionContext {
    pub engine: Arc<Engine>,
    profile: usize,
    /// Shapes of the inputs (I/O order); -1 where not specified yet.
    shapes: Vec<Vec<i64>>,
    /// Values of shape-tensor inputs, read from their host memory when shapes resolve.
    values: Vec<Vec<i64>>,
    io: Vec<IoBinding>,
    resolution: Option<Resolution>,
    state: State,
}

fn unknown(name: &str) -> Error {
    Error::invalid_argument(format!("the engine has no input or output tensor named '{name}'"))
}

impl ExecutionContext {
    /// Allocates everything a run needs, so enqueue never allocates (for unchanged shapes).
    pub fn new(engine: Arc<Engine>) -> Result<ExecutionContext> {
        let state = match &engine.backend {
            EngineBackend::Cpu(_) => State::Cpu(CpuState::new(&engine)?),
            EngineBackend::Cuda(ce) => State::Cuda(CudaState::new(&engine, ce)?),
        };
        let nb_in = engine.nb_inputs();
        let mut ctx = ExecutionContext {
            shapes: vec![vec![]; nb_in],
            values: vec![vec![]; nb_in],
            io: vec![IoBinding::default(); engine.nb_io()],
            engine,
            profile: 0,
            resolution: None,
            state,
        };
        ctx.reset_shapes();
        Ok(ctx)
    }

    /// Inputs take their static dims; dynamic dims are unspecified (-1).
    fn reset_shapes(&mut self) {
        for k in 0..self.shapes.len() {
            self.shapes[k] = self.engine.io_tensor(k).map(|t| t.dims.clone()).unwrap_or_default();
        }
        self.resolution = None;
    }

    fn index_of(&self, name: &str) -> Result<usize> {
        self.engine.io_index(name).ok_or_else(|| unknown(name))
    }

    pub fn optimization_profile(&self) -> usize {
        self.profile
    }

    /// Selects a profile; input shapes must be specified again afterwards.
    pub fn set_optimization_profile(&mut self, profile: i32) -> Result<()> {
        let n = self.engine.nb_profiles();
        if profile < 0 || profile as usize >= n {
            return Err(Error::invalid_argument(format!("profile {profile} does not exist; the engine has {n}")));
        }
        if profile as usize != self.profile {
            self.profile = profile as usize;
            self.reset_shapes();
        }
        Ok(())
    }

    /// Sets an input's shape; shapes outside the current profile are refused and leave the
    /// context as it was.
    pub fn set_input_shape(&mut self, name: &str, dims: &[i64]) -> Result<()> {
        let k = self.index_of(name)?;
        let t = self.engine.io_tensor(k).ok_or_else(|| unknown(name))?;
        if t.io_mode != TensorIOMode::Input {
            return Err(Error::invalid_argument(format!("'{name}' is not an input tensor")));
        }
        let r = self.engine.profile_range(k, self.profile).ok_or_else(|| Error::internal("profile range missing"))?;
        let fits = dims.len() == t.dims.len() && (0..dims.len()).all(|i| r.min[i] <= dims[i] && dims[i] <= r.max[i]);
        if !fits {
            return Err(Error::invalid_argument(format!(
                "input '{name}': shape {} is outside optimization profile {} (min {}, max {})",
                dims_str(dims),
                self.profile,
                dims_str(&r.min),
                dims_str(&r.max)
            )));
        }
        if self.shapes[k] != dims {
            self.shapes[k] = dims.to_vec();
            self.resolution = None;
        }
        Ok(())
    }

    /// Names of inputs whose shape (or, for shape tensors, address) is still missing.
    pub fn missing_inputs(&self) -> Vec<String> {
        (0..self.shapes.len())
            .filter(|&k| {
                let t = &self.engine.desc.tensors[self.engine.desc.io[k]];
                self.shapes[k].iter().any(|&d| d < 0) || (t.shape_tensor && self.io[k].address == 0)
            })
            .map(|k| self.engine.desc.tensors[self.engine.desc.io[k]].name.clone())
            .collect()
    }

    pub fn all_input_dims_specified(&self) -> bool {
        self.shapes.iter().all(|s| s.iter().all(|&d| d >= 0))
    }

    /// Reads the values of shape-tensor inputs from their host memory, checked against the
    /// profile.
    fn read_shape_values(&mut self) -> Result<()> {
        for k in 0..self.shapes.len() {
            let t = &self.engine.desc.tensors[self.engine.desc.io[k]];
            if !t.shape_tensor {
                continue;
            }
            let n = crate::types::volume(&self.shapes[k]).unwrap_or(0);
            let addr = self.io[k].address;
            if addr == 0 && n > 0 {
                return Err(Error::invalid_argument(format!("shape input '{}' has no address: set its host memory first", t.name)));
            }
            // SAFETY: the application gave host memory holding the shape tensor's n values
            // (its address was checked to be host memory and aligned for i32).
            let src = unsafe { std::slice::from_raw_parts(addr as *const i32, n) };
            let r = self.engine.profile_range(k, self.profile).ok_or_else(|| Error::internal("profile range missing"))?;
            let [lo, _, hi] = r.values.as_ref().ok_or_else(|| Error::internal("shape input without a value range"))?;
            for (i, &v) in src.iter().enumerate() {
                if lo.get(i).is_none_or(|&l| v < l) || hi.get(i).is_none_or(|&h| v > h) {
                    return Err(Error::invalid_argument(format!(
                        "shape input '{}': value {v} at index {i} is outside optimization profile {}",
                        t.name, self.profile
                    )));
                }
            }
            if self.values[k].len() != n || self.values[k].iter().zip(src).any(|(&a, &b)| a != b as i64) {
                self.values[k].clear();
                self.values[k].extend(src.iter().map(|&v| v as i64));
                self.resolution = None;
            }
        }
        Ok(())
    }

    /// Resolves every tensor's shape for the current inputs (cached until they change). A run
    /// starts from shapes without data-dependent counts; queries may see the last run's.
    fn resolve(&mut self, for_run: bool) -> Result<&Resolution> {
        if let Some(missing) = self.missing_inputs().first() {
            return Err(Error::invalid_argument(format!(
                "input '{missing}' has no shape (or, for a shape tensor, no address): call setInputShape / setTensorAddress first"
            )));
        }
        self.read_shape_values()?;
        let fresh =
            self.resolution.as_ref().is_some_and(|r| r.matches(self.profile, &self.shapes, &self.values) && !(for_run && r.has_counts()));
        if !fresh {
            let r = Resolution::new(&self.engine.desc, &self.engine.analysis, self.profile, &self.shapes, &self.values, &[])?;
            self.resolution = Some(r);
            if let State::Cuda(st) = &mut self.state {
                st.invalidate();
            }
        }
        Ok(self.resolution.as_ref().expect("just resolved"))
    }

    /// IExecutionContext::inferShapes: resolves and returns the inputs still missing.
    pub fn infer_shapes(&mut self) -> Result<Vec<String>> {
        let missing = self.missing_inputs();
        if missing.is_empty() {
            self.resolve(false)?;
        }
        Ok(missing)
    }

    /// The tensor's shape in this context: inputs as set, outputs as resolved (-1 where not
    /// known yet, e.g. before the inputs are specified or for data-dependent outputs).
    pub fn tensor_shape(&mut self, name: &str) -> Result<Vec<i64>> {
        let k = self.index_of(name)?;
        if k < self.shapes.len() {
            return Ok(self.shapes[k].clone());
        }
        let t = self.engine.desc.io[k];
        let declared = self.engine.desc.tensors[t].dims.clone();
        if !self.missing_inputs().is_empty() {
            return Ok(declared);
        }
        Ok(self.resolve(false)?.dims[t].clone().unwrap_or(declared))
    }

    pub fn set_tensor_address(&mut self, name: &str, address: u64) -> Result<()> {
        let k = self.index_of(name)?;
        let t = &self.engine.desc.tensors[self.engine.desc.io[k]];
        let size = t.dtype.size_bytes() as u64;
        if address == 0 && self.engine.analysis.tensors[self.engine.desc.io[k]].max_bytes > 0 {
            return Err(Error::invalid_argument(format!("null address for tensor '{name}'")));
        }
        if !address.is_multiple_of(size) {
            return Err(Error::invalid_argument(format!(
                "tensor '{name}': address {address:#x} is not aligned to its {size}-byte elements"
            )));
        }
        let kind = if address == 0 || cuda::device::driver().and_then(|d| d.bind()).is_err() {
            AddressKind::Unknown
        } else {
            address_kind(address)
        };
        let on_device = kind == AddressKind::Device;
        match (&self.engine.backend, t.shape_tensor, kind) {
            (_, true, AddressKind::Device) => {
                return Err(Error::invalid_argument(format!(
                    "tensor '{name}' is a shape tensor (getTensorLocation is kHOST): give host memory"
                )))
            }
            (EngineBackend::Cuda(_), false, AddressKind::Unknown) if address != 0 => {
                return Err(Error::invalid_argument(format!(
                    "tensor '{name}': {address:#x} is not GPU memory; this engine runs on the GPU, use cudaMalloc"
                )))
            }
            _ => {}
        }
        if t.shape_tensor && self.io[k].address != address {
            self.resolution = None;
        }
        self.io[k].address = address;
        self.io[k].on_device = on_device;
        Ok(())
    }

    pub fn tensor_address(&self, name: &str) -> Result<u64> {
        Ok(self.io[self.index_of(name)?].address)
    }

    pub fn set_output_allocator(&mut self, name: &str, allocator: Option<NvtOutputAllocator>) -> Result<()> {
        let k = self.index_of(name)?;
        if self.engine.io_mode(k) != TensorIOMode::Output {
            return Err(Error::invalid_argument(format!("'{name}' is not an output tensor")));
        }
        self.io[k].allocator = allocator.filter(|a| a.reallocate.is_some());
        Ok(())
    }

    pub fn output_allocator(&self, name: &str) -> Result<Option<NvtOutputAllocator>> {
        Ok(self.io[self.index_of(name)?].allocator)
    }

    /// The most bytes the output can need under any profile (getMaxOutputSize).
    pub fn max_output_size(&self, name: &str) -> Result<u64> {
        let k = self.index_of(name)?;
        Ok(self.engine.analysis.tensors[self.engine.desc.io[k]].max_bytes)
    }

    /// Sets all I/O addresses from a legacy bindings array (inputs, then outputs).
    pub fn set_bindings(&mut self, bindings: &[u64]) -> Result<()> {
        for (k, &b) in bindings.iter().enumerate().take(self.io.len()) {
            let name = self.engine.io_name(k).map(|n| n.as_str().to_string()).unwrap_or_default();
            self.set_tensor_address(&name, b)?;
        }
        Ok(())
    }

    /// Checks every tensor the run reads or writes has memory, and that no host output
    /// overlaps another host input or output (the CPU backend writes outputs as separate
    /// slices; inputs are only read, so they may share memory).
    fn check_io(&self, res: &Resolution) -> Result<()> {
        let desc = &self.engine.desc;
        // (start, end, is output, tensor) of every host buffer seen so far
        let mut ranges: Vec<(u64, u64, bool, usize)> = vec![];
        for (k, b) in self.io.iter().enumerate() {
            let t = desc.io[k];
            let info = &self.engine.analysis.tensors[t];
            let bytes = res.dims[t].as_deref().and_then(|d| byte_size(d, desc.tensors[t].dtype)).unwrap_or(info.max_bytes as usize) as u64;
            let allocated_later = info.deferred && b.allocator.is_some();
            if b.address == 0 && bytes > 0 && !allocated_later {
                return Err(Error::invalid_argument(format!(
                    "tensor '{}' has no address: call setTensorAddress first",
                    desc.tensors[t].name
                )));
            }
            if b.address != 0 && !b.on_device && bytes > 0 && info.storage == Storage::Io(k) {
                let end = b.address.checked_add(bytes).ok_or_else(|| Error::invalid_argument("address range overflows"))?;
                let is_output = self.engine.io_mode(k) == TensorIOMode::Output;
                let clash = ranges.iter().find(|&&(s, e, out, _)| b.address < e && s < end && (is_output || out));
                if let Some(&(_, _, _, other)) = clash {
                    return Err(Error::invalid_argument(format!(
                        "the memory of tensor '{}' overlaps that of '{}'; an output must not share memory with another input or output",
                        desc.tensors[t].name, desc.tensors[other].name
                    )));
                }
                ranges.push((b.address, end, is_output, t));
            }
        }
        Ok(())
    }

    /// Runs the engine on `stream`. On the GPU this only enqueues work (except around
    /// data-dependent shapes, which need the count on the host); on the CPU it runs to
    /// completion before returning (the stream is ignored and may be null).
    pub fn enqueue(&mut self, stream: RawStream) -> Result<()> {
        self.resolve(true)?;
        let res = self.resolution.as_ref().expect("resolved");
        self.check_io(res)?;
        let engine = self.engine.clone();
        let (desc, a) = (&engine.desc, &engine.analysis);
        let (profile, shapes, values) = (self.profile, &self.shapes, &self.values);
        let reresolve = |counts: &[(u32, u32, i64)]| Resolution::new(desc, a, profile, shapes, values, counts);
        let last = match &mut self.state {
            State::Cpu(st) => cpu::run(&engine, st, &self.io, res, &reresolve)?,
            State::Cuda(st) => st.enqueue(&engine, &self.io, res, &reresolve, stream)?,
        };
        // After data-dependent sizes, getTensorShape reports the sizes of this run.
        if last.is_some() {
            self.resolution = last;
        }
        Ok(())
    }

    /// Runs and waits (executeV2): on the GPU, on the context's own stream.
    pub fn execute(&mut self) -> Result<()> {
        let stream = match &self.state {
            State::Cuda(st) => st.own_stream(),
            State::Cpu(_) => std::ptr::null_mut(),
        };
        self.enqueue(stream)?;
        if let State::Cuda(_) = &self.state {
            cuda::device::synchronize_raw(stream)?;
        }
        Ok(())
    }
}
