//! Engine plans: an engine description, serialized as a versioned protobuf behind magic
//! bytes, with a checksum. Plans for another library version or another target, and
//! truncated or corrupted plans, are refused with a message that says which.

pub mod proto;

use crate::backend::Target;
use crate::error::{Error, Result};
use crate::ops::{self, Op};
use crate::types::{DataType, TensorIOMode};
use prost::Message;
use proto::{EngineRecord, KernelRecord, LayerRecord, PlanEnvelope, TensorRecord};

/// First bytes of every plan.
pub const MAGIC: &[u8; 8] = b"NVRSPLAN";
/// Bumped when the layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 1;
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A tensor of a built engine.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineTensor {
    pub name: String,
    pub dtype: DataType,
    pub dims: Vec<i64>,
    pub io_mode: TensorIOMode,
    pub arena_offset: u64,
}

/// A layer of a built engine, in execution order.
#[derive(Clone, Debug)]
pub struct EngineLayer {
    pub name: String,
    pub op: Box<dyn Op>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
    pub tactic: String,
}

/// Everything a runtime needs to execute a network.
#[derive(Clone, Debug)]
pub struct EngineDesc {
    pub name: String,
    pub target: Target,
    pub tensors: Vec<EngineTensor>,
    pub layers: Vec<EngineLayer>,
    /// Inputs first, then outputs.
    pub io_tensors: Vec<usize>,
    /// (kernel file name, cubin).
    pub kernels: Vec<(String, Vec<u8>)>,
    pub allow_tf32: bool,
    pub allow_fp16: bool,
    pub arena_bytes: u64,
}

pub fn serialize(e: &EngineDesc) -> Vec<u8> {
    let record = EngineRecord {
        name: e.name.clone(),
        tensors: e
            .tensors
            .iter()
            .map(|t| TensorRecord {
                name: t.name.clone(),
                dtype: t.dtype as i32,
                dims: t.dims.clone(),
                io_mode: t.io_mode as i32,
                arena_offset: t.arena_offset,
            })
            .collect(),
        layers: e
            .layers
            .iter()
            .map(|l| LayerRecord {
                name: l.name.clone(),
                kind: l.op.kind().to_string(),
                params: l.op.encode(),
                inputs: l.inputs.iter().map(|&i| i as u32).collect(),
                outputs: l.outputs.iter().map(|&i| i as u32).collect(),
                tactic: l.tactic.clone(),
            })
            .collect(),
        io_tensors: e.io_tensors.iter().map(|&i| i as u32).collect(),
        kernels: e.kernels.iter().map(|(n, c)| KernelRecord { name: n.clone(), cubin: c.clone() }).collect(),
        allow_tf32: e.allow_tf32,
        allow_fp16: e.allow_fp16,
        arena_bytes: e.arena_bytes,
    };
    let payload = record.encode_to_vec();
    let header = PlanEnvelope {
        format_version: FORMAT_VERSION,
        library_version: LIBRARY_VERSION.to_string(),
        target: e.target.name(),
        payload_crc32: crc32fast::hash(&payload),
        payload: Vec::new(),
    };
    let mut out = MAGIC.to_vec();
    header.encode(&mut out).expect("a Vec grows as needed");
    // The payload field goes last (protobuf accepts fields in any order), so a plan cut
    // anywhere loses part of it and is reported as truncated, not as a checksum mismatch.
    prost::encoding::bytes::encode(PAYLOAD_TAG, &payload, &mut out);
    out
}

/// Field number of `PlanEnvelope::payload`.
const PAYLOAD_TAG: u32 = 4;

/// Decodes and checks a plan. `expected_target` is the target this process can run.
pub fn deserialize(bytes: &[u8], can_run: impl Fn(&Target) -> Result<()>) -> Result<EngineDesc> {
    let bad = |why: String| Error::invalid_argument(format!("cannot deserialize the engine plan: {why}"));
    if bytes.is_empty() {
        return Err(bad("it is empty (0 bytes)".into()));
    }
    if bytes.len() < MAGIC.len() && MAGIC.starts_with(bytes) {
        return Err(bad(format!("it is truncated ({} bytes, not even the magic 'NVRSPLAN')", bytes.len())));
    }
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(bad(format!("it is not a plan of this library ({} bytes; the magic 'NVRSPLAN' is missing)", bytes.len())));
    }
    let env = PlanEnvelope::decode(&bytes[MAGIC.len()..])
        .map_err(|e| bad(format!("the file is truncated or damaged ({} bytes): {e}", bytes.len())))?;
    // Every plan has a payload, written last: without one, the plan was cut short.
    if env.payload.is_empty() {
        return Err(bad(format!("the file is truncated ({} bytes; the engine payload is missing)", bytes.len())));
    }
    if env.format_version != FORMAT_VERSION || env.library_version != LIBRARY_VERSION {
        return Err(bad(format!(
            "it was written by library version {} (plan format {}); this is version {LIBRARY_VERSION} (plan format {FORMAT_VERSION}); rebuild the engine",
            env.library_version, env.format_version
        )));
    }
    if crc32fast::hash(&env.payload) != env.payload_crc32 {
        return Err(bad("the checksum does not match: the plan is corrupted".into()));
    }
    let target = Target::parse(&env.target).ok_or_else(|| bad(format!("unknown target '{}'", env.target)))?;
    can_run(&target).map_err(|e| bad(e.message))?;
    let rec = EngineRecord::decode(env.payload.as_slice()).map_err(|e| bad(format!("the payload is damaged: {e}")))?;
    from_record(rec, target).map_err(|e| bad(e.message))
}

fn from_record(rec: EngineRecord, target: Target) -> Result<EngineDesc> {
    let n = rec.tensors.len();
    let index = |i: u32| -> Result<usize> {
        if (i as usize) < n {
            Ok(i as usize)
        } else {
            Err(Error::invalid_argument(format!("tensor index {i} is out of range")))
        }
    };
    let tensors = rec
        .tensors
        .into_iter()
        .map(|t| {
            Ok(EngineTensor {
                dtype: executable_type(&t)?,
                io_mode: match t.io_mode {
                    0 => TensorIOMode::None,
                    1 => TensorIOMode::Input,
                    2 => TensorIOMode::Output,
                    m => return Err(Error::invalid_argument(format!("tensor '{}' has unknown I/O mode {m}", t.name))),
                },
                name: t.name,
                dims: t.dims,
                arena_offset: t.arena_offset,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut layers = Vec::with_capacity(rec.layers.len());
    for l in rec.layers {
        let op = ops::decode(&l.kind, &l.params).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        let inputs = l.inputs.iter().map(|&i| index(i)).collect::<Result<Vec<_>>>()?;
        let outputs = l.outputs.iter().map(|&i| index(i)).collect::<Result<Vec<_>>>()?;
        ops::check_inputs(op.as_ref(), inputs.len())?;
        // Re-run shape inference so a plan whose parameters and shapes disagree is refused.
        let in_dims: Vec<&[i64]> = inputs.iter().map(|&i| tensors[i].dims.as_slice()).collect();
        let out_dims = op.infer(&in_dims).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        if out_dims.len() != outputs.len() || out_dims.iter().zip(&outputs).any(|(d, &o)| *d != tensors[o].dims) {
            return Err(Error::invalid_argument(format!("layer '{}' does not match its tensors' shapes", l.name)));
        }
        layers.push(EngineLayer { name: l.name, op, inputs, outputs, tactic: l.tactic });
    }
    let io_tensors = rec.io_tensors.iter().map(|&i| index(i)).collect::<Result<Vec<_>>>()?;
    check_execution_order(&tensors, &layers, &io_tensors)?;
    Ok(EngineDesc {
        name: rec.name,
        target,
        tensors,
        layers,
        io_tensors,
        kernels: rec.kernels.into_iter().map(|k| (k.name, k.cubin)).collect(),
        allow_tf32: rec.allow_tf32,
        allow_fp16: rec.allow_fp16,
        arena_bytes: rec.arena_bytes,
    })
}

/// A tensor record's type, refused unless the builder can produce it and the runtime can
/// execute it. The plan is untrusted even when its checksum matches: a caller sizes its
/// buffers from the type the engine reports, so an engine must never report one it does
/// not compute in.
fn executable_type(t: &proto::TensorRecord) -> Result<DataType> {
    let dtype =
        DataType::from_i32(t.dtype).ok_or_else(|| Error::invalid_argument(format!("tensor '{}' has unknown type {}", t.name, t.dtype)))?;
    if dtype != DataType::Float {
        return Err(Error::invalid_argument(format!(
            "tensor '{}' has type {dtype:?}, which engines of this library version never hold",
            t.name
        )));
    }
    // Engines of this version have static shapes whose byte size fits in memory arithmetic.
    let bytes = crate::types::volume(&t.dims).and_then(|n| n.checked_mul(dtype.size_bytes()));
    if t.dims.len() > crate::types::MAX_DIMS || bytes.is_none_or(|b| b > isize::MAX as usize) {
        return Err(Error::invalid_argument(format!(
            "tensor '{}' has shape {}, which is not a valid static shape",
            t.name,
            crate::types::dims_str(&t.dims)
        )));
    }
    Ok(dtype)
}

/// Refuses layer lists the backends cannot run: every tensor a layer reads must be a network
/// input or written by an earlier layer, no tensor is written twice (network inputs not at
/// all), and every network output is written.
fn check_execution_order(tensors: &[EngineTensor], layers: &[EngineLayer], io_tensors: &[usize]) -> Result<()> {
    let mut written: Vec<bool> = tensors.iter().map(|t| t.io_mode == TensorIOMode::Input).collect();
    for l in layers {
        for &i in &l.inputs {
            if !written[i] {
                return Err(Error::invalid_argument(format!(
                    "layer '{}' reads tensor '{}' before any layer writes it",
                    l.name, tensors[i].name
                )));
            }
        }
        for &o in &l.outputs {
            if written[o] {
                return Err(Error::invalid_argument(format!(
                    "layer '{}' writes tensor '{}', which is a network input or already written",
                    l.name, tensors[o].name
                )));
            }
            written[o] = true;
        }
    }
    for &t in io_tensors {
        match tensors[t].io_mode {
            TensorIOMode::None => {
                return Err(Error::invalid_argument(format!("I/O tensor '{}' is marked as neither input nor output", tensors[t].name)))
            }
            TensorIOMode::Output if !written[t] => {
                return Err(Error::invalid_argument(format!("output tensor '{}' is never written", tensors[t].name)))
            }
            _ => {}
        }
    }
    Ok(())
}
