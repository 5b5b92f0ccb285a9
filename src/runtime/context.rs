//! An execution context (IExecutionContext): per-run state of one engine. One context is
//! used by one thread at a time; many contexts of one engine may run concurrently.

use super::engine::{Engine, EngineBackend};
use crate::backend::cpu;
use crate::backend::cuda::memory::AddressKind;
use crate::backend::cuda::{self, DeviceBuffer, RawStream, Scratch, Stream};
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, TensorIOMode};
use std::sync::Arc;

enum State {
    Cpu {
        buffers: Vec<Vec<f32>>,
    },
    /// `addrs` holds each tensor's device address, refilled by every enqueue.
    Cuda {
        arena: DeviceBuffer,
        workspace: DeviceBuffer,
        own_stream: Stream,
        addrs: Vec<u64>,
    },
}

pub struct ExecutionContext {
    pub engine: Arc<Engine>,
    /// Application addresses of the I/O tensors, by I/O index; 0 = not set.
    addresses: Vec<u64>,
    state: State,
}

impl ExecutionContext {
    /// Allocates everything a run needs, so enqueue never allocates.
    pub fn new(engine: Arc<Engine>) -> Result<ExecutionContext> {
        let state = match &engine.backend {
            EngineBackend::Cpu => State::Cpu { buffers: cpu::allocate(&engine.desc)? },
            EngineBackend::Cuda(ce) => {
                cuda::device()?.bind()?;
                State::Cuda {
                    arena: DeviceBuffer::alloc(engine.desc.arena_bytes as usize)?,
                    workspace: DeviceBuffer::alloc(ce.workspace_bytes)?,
                    own_stream: Stream::new()?,
                    addrs: vec![0; engine.desc.tensors.len()],
                }
            }
        };
        let n = engine.nb_io();
        Ok(ExecutionContext { engine, addresses: vec![0; n], state })
    }

    fn index_of(&self, name: &str) -> Result<usize> {
        self.engine
            .io_index(name)
            .ok_or_else(|| Error::invalid_argument(format!("the engine has no input or output tensor named '{name}'")))
    }

    pub fn set_tensor_address(&mut self, name: &str, address: u64) -> Result<()> {
        let i = self.index_of(name)?;
        if address == 0 && volume(&self.engine.io_tensor(i).map(|t| t.dims.clone()).unwrap_or_default()).unwrap_or(0) > 0 {
            return Err(Error::invalid_argument(format!("null address for tensor '{name}'")));
        }
        self.check_address_kind(name, address)?;
        self.addresses[i] = address;
        Ok(())
    }

    /// Refuses memory the engine's backend cannot reach, instead of crashing later: host
    /// memory for a GPU engine, device memory for a CPU engine.
    fn check_address_kind(&self, name: &str, address: u64) -> Result<()> {
        if address == 0 {
            return Ok(());
        }
        let gpu = cuda::device().and_then(|d| d.bind()).is_ok();
        match (&self.engine.backend, gpu.then(|| cuda::memory::address_kind(address))) {
            (EngineBackend::Cuda(_), Some(AddressKind::Unknown)) => Err(Error::invalid_argument(format!(
                "tensor '{name}': {address:#x} is not GPU memory; this engine runs on the GPU (getTensorLocation is kDEVICE), use cudaMalloc"
            ))),
            (EngineBackend::Cpu, Some(AddressKind::Device)) => Err(Error::invalid_argument(format!(
                "tensor '{name}': {address:#x} is GPU memory; this engine runs on the CPU (getTensorLocation is kHOST), use host memory"
            ))),
            _ => Ok(()),
        }
    }

    pub fn tensor_address(&self, name: &str) -> Result<u64> {
        Ok(self.addresses[self.index_of(name)?])
    }

    /// Shapes are static today: the shape given must be the engine's.
    pub fn set_input_shape(&mut self, name: &str, dims: &[i64]) -> Result<()> {
        let i = self.index_of(name)?;
        let t = self.engine.io_tensor(i).ok_or_else(|| Error::internal("I/O index out of range"))?;
        if t.io_mode != TensorIOMode::Input {
            return Err(Error::invalid_argument(format!("'{name}' is not an input tensor")));
        }
        if t.dims != dims {
            return Err(Error::invalid_argument(format!(
                "input '{name}' was built with the static shape {}; {} is not accepted (dynamic shapes are not implemented yet)",
                dims_str(&t.dims),
                dims_str(dims)
            )));
        }
        Ok(())
    }

    /// Sets all I/O addresses from a legacy bindings array (inputs, then outputs).
    pub fn set_bindings(&mut self, bindings: &[u64]) -> Result<()> {
        for (i, &b) in bindings.iter().enumerate().take(self.addresses.len()) {
            let name = self.engine.io_name(i).map(|n| n.as_str().to_string()).unwrap_or_default();
            self.set_tensor_address(&name, b)?;
        }
        Ok(())
    }

    /// Runs the engine on `stream`. On the GPU this only enqueues work; on the CPU it runs
    /// to completion before returning (the stream is ignored and may be null).
    pub fn enqueue(&mut self, stream: RawStream) -> Result<()> {
        if let Some(i) = self.addresses.iter().position(|&a| a == 0) {
            let t = self.engine.io_tensor(i).map(|t| (t.name.clone(), volume(&t.dims).unwrap_or(0)));
            if let Some((name, n)) = t {
                if n > 0 {
                    return Err(Error::invalid_argument(format!("tensor '{name}' has no address: call setTensorAddress first")));
                }
            }
        }
        let engine = self.engine.clone();
        match (&mut self.state, &engine.backend) {
            (State::Cpu { buffers }, EngineBackend::Cpu) => run_cpu(&engine, &self.addresses, buffers),
            (State::Cuda { arena, workspace, addrs, .. }, EngineBackend::Cuda(ce)) => {
                cuda::device()?.bind()?;
                ce.tensor_addresses(&engine.desc, &self.addresses, arena.ptr, addrs);
                let scratch = Scratch { workspace: workspace.ptr, workspace_bytes: workspace.bytes };
                ce.enqueue(&engine.desc, addrs, &scratch, stream)
            }
            _ => Err(Error::internal("execution context and engine disagree on the backend")),
        }
    }

    /// Runs and waits (executeV2): on the GPU, on the context's own stream.
    pub fn execute(&mut self) -> Result<()> {
        let stream = match &self.state {
            State::Cuda { own_stream, .. } => own_stream.0,
            State::Cpu { .. } => std::ptr::null_mut(),
        };
        self.enqueue(stream)?;
        if let State::Cuda { own_stream, .. } = &self.state {
            own_stream.synchronize()?;
        }
        Ok(())
    }
}

/// Copies inputs from the application's host memory, runs, and copies outputs back. Every
/// copy is sized in bytes from the tensor's declared type and shape, the size the
/// application was told to allocate.
fn run_cpu(engine: &Engine, addresses: &[u64], buffers: &mut [Vec<f32>]) -> Result<()> {
    let desc = &engine.desc;
    let io_bytes = |t: usize, buffer_len: usize| -> Result<usize> {
        let tensor = &desc.tensors[t];
        volume(&tensor.dims)
            .and_then(|n| n.checked_mul(tensor.dtype.size_bytes()))
            .filter(|&bytes| bytes == buffer_len * std::mem::size_of::<f32>())
            .ok_or_else(|| Error::internal(format!("tensor '{}': its host buffer does not match its type and shape", tensor.name)))
    };
    for (&t, &addr) in desc.io_tensors.iter().zip(addresses) {
        if desc.tensors[t].io_mode == TensorIOMode::Input && !buffers[t].is_empty() {
            let bytes = io_bytes(t, buffers[t].len())?;
            // SAFETY: the application promised `bytes` bytes of host memory at this address
            // (volume × element size of the type getTensorDataType reports); the buffer holds
            // exactly as many (checked above). Byte copies need no alignment.
            unsafe { std::ptr::copy_nonoverlapping(addr as *const u8, buffers[t].as_mut_ptr() as *mut u8, bytes) };
        }
    }
    cpu::execute(desc, buffers)?;
    for (&t, &addr) in desc.io_tensors.iter().zip(addresses) {
        if desc.tensors[t].io_mode == TensorIOMode::Output && !buffers[t].is_empty() {
            let bytes = io_bytes(t, buffers[t].len())?;
            // SAFETY: as above, for the output's size.
            unsafe { std::ptr::copy_nonoverlapping(buffers[t].as_ptr() as *const u8, addr as *mut u8, bytes) };
        }
    }
    Ok(())
}
