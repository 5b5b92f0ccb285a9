//! The CPU reference backend: runs an engine's layers in order through their specs' CPU
//! references, on one host arena laid out by the same memory plan the GPU uses. Plain and
//! obviously correct; the oracle for the CUDA backend. I/O may be host memory, or device
//! memory on a machine with a GPU (staged through the driver). Loops and conditionals run
//! through `crate::control::exec` with the data movement of `flow`.

mod flow;

use crate::engine::analysis::Step;
use crate::engine::Storage;
use crate::error::{Error, Result};
use crate::host::{encode_i64, HostBuffer, TensorIn, TensorOut};
use crate::layers::CpuCx;
use crate::runtime::allocator::NvtOutputAllocator;
use crate::runtime::engine::Engine;
use crate::runtime::resolve::Resolution;
use crate::types::{byte_size, DataType};

/// The tactic name every CPU-engine layer that runs records.
pub const TACTIC: &str = "reference";

/// The engine's constants, copied once into aligned host memory.
pub struct CpuEngine {
    constants: Vec<Option<HostBuffer>>,
}

impl CpuEngine {
    pub fn new(desc: &crate::engine::EngineDesc) -> Result<CpuEngine> {
        let constants = desc
            .layers
            .iter()
            .map(|l| l.op.constant().map(|(_, w)| HostBuffer::from_bytes(&w.values)).transpose())
            .collect::<Result<_>>()?;
        Ok(CpuEngine { constants })
    }
}

/// One I/O tensor's binding for a run.
#[derive(Clone, Copy, Default)]
pub struct IoBinding {
    pub address: u64,
    /// Device memory (from cudaMalloc): staged through host buffers.
    pub on_device: bool,
    pub allocator: Option<NvtOutputAllocator>,
}

/// Per-context memory: the arena and staging buffers for device-memory I/O.
pub struct CpuState {
    arena: HostBuffer,
    staging: Vec<Option<HostBuffer>>,
}

impl CpuState {
    pub fn new(engine: &Engine) -> Result<CpuState> {
        Ok(CpuState { arena: HostBuffer::new(engine.analysis.arena_bytes as usize)?, staging: (0..engine.nb_io()).map(|_| None).collect() })
    }
}

/// Where tensor `t` lives for this run: a pointer and its size for `dims`.
struct Place {
    ptr: *mut u8,
    len: usize,
}

fn place(engine: &Engine, cpu: &CpuEngine, st: &mut CpuState, io: &[IoBinding], t: usize, dims: Option<&[i64]>) -> Result<Place> {
    let info = &engine.analysis.tensors[t];
    let dtype = engine.desc.tensors[t].dtype;
    let len = match dims {
        Some(d) => byte_size(d, dtype).ok_or_else(|| Error::internal("tensor size overflows"))?,
        None => info.max_bytes as usize,
    };
    let ptr = match info.storage {
        Storage::Io(k) => match st.staging[k].as_mut() {
            Some(s) if io[k].on_device => s.as_mut_ptr(),
            _ => io[k].address as *mut u8,
        },
        Storage::Constant(l) => {
            cpu.constants[l].as_ref().map(|b| b.as_ptr() as *mut u8).ok_or_else(|| Error::internal("missing constant"))?
        }
        Storage::Arena(off) => {
            if off as usize + len > st.arena.len() {
                return Err(Error::internal(format!("tensor '{}' lies outside the arena", engine.desc.tensors[t].name)));
            }
            // SAFETY: in bounds (checked above).
            unsafe { st.arena.as_mut_ptr().add(off as usize) }
        }
        Storage::None => return Err(Error::internal(format!("tensor '{}' has no storage", engine.desc.tensors[t].name))),
    };
    Ok(Place { ptr, len })
}

/// One run in progress: what a layer step needs, and the shapes as counts become known.
pub(crate) struct CpuRun<'a> {
    engine: &'a Engine,
    cpu: &'a CpuEngine,
    st: &'a mut CpuState,
    io: &'a [IoBinding],
    res: std::borrow::Cow<'a, Resolution>,
    counts: Vec<(u32, u32, i64)>,
    reresolve: &'a crate::runtime::resolve::Reresolve<'a>,
}

impl CpuRun<'_> {
    fn place(&mut self, t: usize, dims: Option<&[i64]>) -> Result<Place> {
        place(self.engine, self.cpu, self.st, self.io, t, dims)
    }

    /// Tensor `t` where it lives, sized by its shape in this run (its planned size while
    /// a count it depends on is unknown).
    fn place_now(&mut self, t: usize) -> Result<Place> {
        let dims = self.res.dims[t].clone();
        self.place(t, dims.as_deref())
    }

    /// Runs layer `li` as its step says (not loop or conditional boundaries: `flow`).
    fn run_layer(&mut self, li: usize) -> Result<()> {
        let (desc, a) = (&self.engine.desc, &self.engine.analysis);
        let l = &desc.layers[li];
        match a.steps[li] {
            Step::Host | Step::Control => return Ok(()),
            Step::Constant => {
                let o = l.outputs[0];
                if let Storage::Io(_) = a.tensors[o].storage {
                    let src = self.cpu.constants[li].as_ref().map(|b| b.bytes()).unwrap_or(&[]);
                    let dims = self.res.dims[o].clone();
                    let p = place(self.engine, self.cpu, self.st, self.io, o, dims.as_deref())?;
                    // SAFETY: sized for the constant's shape, which is static.
                    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), p.ptr, src.len().min(p.len)) };
                }
                return Ok(());
            }
            Step::Run => {}
        }
        let res = &*self.res;
        let shape_inputs = l.op.kind().shape_inputs();
        // Shape inputs reach the reference as their values (kINT32), never as tensor memory.
        let shape_values: Vec<Option<Vec<u8>>> = l
            .inputs
            .iter()
            .enumerate()
            .map(|(slot, i)| {
                let values = i.filter(|_| shape_inputs.contains(&slot)).and_then(|i| a.tensors[i].values.as_deref())?;
                let values = res.eval.all(values)?;
                let mut bytes = vec![0u8; values.len() * 4];
                encode_i64(DataType::Int32, &values, &mut bytes);
                Some(bytes)
            })
            .collect();
        let mut inputs: Vec<Option<TensorIn>> = Vec::with_capacity(l.inputs.len());
        for (slot, &i) in l.inputs.iter().enumerate() {
            let Some(i) = i else {
                inputs.push(None);
                continue;
            };
            if shape_inputs.contains(&slot) {
                let dims = res.dims[i].as_deref();
                inputs.push(shape_values[slot].as_deref().zip(dims).map(|(bytes, dims)| TensorIn { dtype: DataType::Int32, dims, bytes }));
                continue;
            }
            let dims = res.dims[i].as_deref().ok_or_else(|| Error::internal("an input's shape is unknown"))?;
            let p = place(self.engine, self.cpu, self.st, self.io, i, Some(dims))?;
            // SAFETY: the region holds the tensor (sized above); layers only read inputs, and
            // the memory plan never places a layer's outputs over its inputs.
            let bytes = unsafe { std::slice::from_raw_parts(p.ptr as *const u8, p.len) };
            inputs.push(Some(TensorIn { dtype: desc.tensors[i].dtype, dims, bytes }));
        }
        let mut outputs = Vec::with_capacity(l.outputs.len());
        for &o in &l.outputs {
            let dims = res.dims[o].as_deref();
            let p = place(self.engine, self.cpu, self.st, self.io, o, dims)?;
            // SAFETY: as above; outputs of one layer are distinct tensors in distinct places.
            let bytes = unsafe { std::slice::from_raw_parts_mut(p.ptr, p.len) };
            outputs.push(TensorOut { dtype: desc.tensors[o].dtype, dims: dims.unwrap_or(&[]), bytes });
        }
        let mut cx = CpuCx::default();
        l.op.run_cpu(&mut cx, &inputs, &mut outputs).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        drop((inputs, outputs));
        if !cx.counts.is_empty() {
            self.counts.extend(cx.counts.iter().map(|&(out, n)| (li as u32, out, n)));
            self.res = std::borrow::Cow::Owned((self.reresolve)(&self.counts)?);
        }
        Ok(())
    }
}

/// Runs the engine once. `reresolve` recomputes shapes when a layer reports data-dependent
/// counts; the final shapes are returned when that happened. I/O addresses must have been
/// checked by the context (set, aligned, disjoint).
pub fn run(
    engine: &Engine,
    st: &mut CpuState,
    io: &[IoBinding],
    first: &Resolution,
    reresolve: &crate::runtime::resolve::Reresolve<'_>,
) -> Result<Option<Resolution>> {
    let crate::runtime::engine::EngineBackend::Cpu(cpu) = &engine.backend else {
        return Err(Error::internal("a CPU run of a non-CPU engine"));
    };
    let (desc, a) = (&engine.desc, &engine.analysis);
    let res = std::borrow::Cow::Borrowed(first);
    let nb_in = desc.nb_inputs();
    // Device-memory I/O goes through staging buffers sized for the largest shape.
    for (k, b) in io.iter().enumerate() {
        let t = desc.io[k];
        if b.on_device && st.staging[k].is_none() {
            st.staging[k] = Some(HostBuffer::new(a.tensors[t].max_bytes as usize)?);
        }
        if b.on_device && k < nb_in && !desc.tensors[t].shape_tensor {
            let bytes = res.dims[t].as_deref().and_then(|d| byte_size(d, desc.tensors[t].dtype)).unwrap_or(0);
            let s = st.staging[k].as_mut().ok_or_else(|| Error::internal("staging"))?;
            crate::backend::cuda::memory::download(b.address, &mut s.bytes_mut()[..bytes])?;
        }
    }
    // Shape values that running layers or the application read as data.
    for (t, info) in a.tensors.iter().enumerate() {
        if info.materialize {
            let values = info.values.as_deref().and_then(|v| res.eval.all(v)).ok_or_else(|| Error::internal("unknown shape values"))?;
            let p = place(engine, cpu, st, io, t, res.dims[t].as_deref())?;
            // SAFETY: `place` sized the region for this tensor's dims and type.
            let dst = unsafe { std::slice::from_raw_parts_mut(p.ptr, p.len) };
            encode_i64(desc.tensors[t].dtype, &values, dst);
        }
    }
    let mut run = CpuRun { engine, cpu, st, io, res, counts: vec![], reresolve };
    crate::control::exec::run(desc, a, &mut run, &a.program)?;
    let CpuRun { st, res, .. } = run;
    for (k, b) in io.iter().enumerate().skip(nb_in) {
        let t = desc.io[k];
        let tensor = &desc.tensors[t];
        let dims = res.dims[t].as_deref().ok_or_else(|| Error::internal("an output's shape is unknown after the run"))?;
        let bytes = byte_size(dims, tensor.dtype).ok_or_else(|| Error::internal("output size overflows"))?;
        if tensor.shape_tensor {
            // Shape outputs are host memory: written from their values.
            let values =
                a.tensors[t].values.as_deref().and_then(|v| res.eval.all(v)).ok_or_else(|| Error::internal("shape output values"))?;
            // SAFETY: the application provides host memory for the output's size.
            let dst = unsafe { std::slice::from_raw_parts_mut(b.address as *mut u8, bytes) };
            encode_i64(tensor.dtype, &values, dst);
            continue;
        }
        let mut dst = b.address;
        if a.tensors[t].deferred {
            if let Some(alloc) = &b.allocator {
                dst = alloc.reallocate(&tensor.name, b.address, bytes as u64, 256).ok_or_else(|| {
                    Error::new(
                        crate::types::ErrorCode::FailedAllocation,
                        format!("the output allocator gave no memory for '{}' ({bytes} bytes)", tensor.name),
                    )
                })?;
                alloc.notify_shape(&tensor.name, dims);
            }
            if dst == 0 {
                return Err(Error::invalid_argument(format!(
                    "output '{}' has no memory: set an output allocator or an address",
                    tensor.name
                )));
            }
            let p = place(engine, cpu, st, io, t, Some(dims))?;
            if crate::backend::cuda::memory::is_device_pointer(dst) {
                // SAFETY: the arena region holds the output.
                crate::backend::cuda::memory::upload(dst, unsafe { std::slice::from_raw_parts(p.ptr, bytes) })?;
            } else {
                // SAFETY: the allocator (or the application, sized by getMaxOutputSize)
                // provides `bytes` bytes at `dst`.
                unsafe { std::ptr::copy_nonoverlapping(p.ptr, dst as *mut u8, bytes) };
            }
            continue;
        }
        if b.on_device {
            let s = st.staging[k].as_ref().ok_or_else(|| Error::internal("staging"))?;
            crate::backend::cuda::memory::upload(b.address, &s.bytes()[..bytes])?;
        }
    }
    Ok(match res {
        std::borrow::Cow::Owned(r) => Some(r),
        std::borrow::Cow::Borrowed(_) => None,
    })
}
