//! Engine plans: an engine description, serialized as a versioned protobuf behind magic
//! bytes, with a checksum. Plans for another library version or another target, and
//! truncated or corrupted plans, are refused with a message that says which. A plan is
//! treated as hostile even when its checksum matches: every record is decoded into the
//! description, and `engine::analysis` re-derives and checks everything else.

pub mod proto;

use crate::backend::Target;
use crate::engine::{EngineDesc, EngineLayer, EngineTensor, InputRange, Profile};
use crate::error::{Error, Result};
use crate::layers::Kind;
use crate::types::{DataType, TensorIOMode};
use bytes::Bytes;
use prost::Message;
use proto::{EngineRecord, KernelRecord, LayerRecord, PlanEnvelope, ProfileRecord, RangeRecord, TensorRecord};

/// First bytes of every plan.
pub const MAGIC: &[u8; 8] = b"NVRSPLAN";
/// Bumped when the layout changes incompatibly.
pub const FORMAT_VERSION: u32 = 2;
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Field number of `PlanEnvelope::payload`.
const PAYLOAD_TAG: u32 = 4;

fn range_record(r: &InputRange) -> RangeRecord {
    let (has_values, [values_min, values_opt, values_max]) = match &r.values {
        Some(v) => (true, v.clone()),
        None => (false, [vec![], vec![], vec![]]),
    };
    RangeRecord { min: r.min.clone(), opt: r.opt.clone(), max: r.max.clone(), has_values, values_min, values_opt, values_max }
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
                shape_tensor: t.shape_tensor,
            })
            .collect(),
        layers: e
            .layers
            .iter()
            .map(|l| LayerRecord {
                name: l.name.clone(),
                kind: l.op.kind().name().to_string(),
                params: Bytes::from(l.op.encode()),
                inputs: l.inputs.iter().map(|i| i.map(|i| i as i64).unwrap_or(-1)).collect(),
                outputs: l.outputs.iter().map(|&i| i as u32).collect(),
                tactic: l.tactic.clone(),
            })
            .collect(),
        io: e.io.iter().map(|&i| i as u32).collect(),
        kernels: e.kernels.iter().map(|(n, c)| KernelRecord { name: n.clone(), cubin: c.clone() }).collect(),
        allow_tf32: e.allow_tf32,
        implicit_batch: e.implicit_batch,
        profiles: e.profiles.iter().map(|p| ProfileRecord { inputs: p.inputs.iter().map(range_record).collect() }).collect(),
    };
    let payload = record.encode_to_vec();
    let header = PlanEnvelope {
        format_version: FORMAT_VERSION,
        library_version: LIBRARY_VERSION.to_string(),
        target: e.target.name(),
        payload_crc32: crc32fast::hash(&payload),
        payload: Bytes::new(),
    };
    let mut out = MAGIC.to_vec();
    header.encode(&mut out).expect("a Vec grows as needed");
    // The payload field goes last (protobuf accepts fields in any order), so a plan cut
    // anywhere loses part of it and is reported as truncated, not as a checksum mismatch.
    prost::encoding::bytes::encode(PAYLOAD_TAG, &payload, &mut out);
    out
}

/// Decodes and checks a plan's envelope and records. `can_run` says whether this process can
/// run the plan's target. The bytes are copied once; weights and cubins share that copy.
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
    let owned = Bytes::copy_from_slice(&bytes[MAGIC.len()..]);
    let env = PlanEnvelope::decode(owned).map_err(|e| bad(format!("the file is truncated or damaged ({} bytes): {e}", bytes.len())))?;
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
    let rec = EngineRecord::decode(env.payload).map_err(|e| bad(format!("the payload is damaged: {e}")))?;
    from_record(rec, target).map_err(|e| bad(e.message))
}

fn from_record(rec: EngineRecord, target: Target) -> Result<EngineDesc> {
    let n = rec.tensors.len();
    let index = |i: i64| -> Result<usize> {
        usize::try_from(i).ok().filter(|&i| i < n).ok_or_else(|| Error::invalid_argument(format!("tensor index {i} is out of range")))
    };
    let tensors = rec
        .tensors
        .into_iter()
        .map(|t| {
            Ok(EngineTensor {
                dtype: DataType::parse(t.dtype, &format!("tensor '{}'", t.name))?,
                io_mode: match t.io_mode {
                    0 => TensorIOMode::None,
                    1 => TensorIOMode::Input,
                    2 => TensorIOMode::Output,
                    m => return Err(Error::invalid_argument(format!("tensor '{}' has unknown I/O mode {m}", t.name))),
                },
                name: t.name,
                dims: t.dims,
                shape_tensor: t.shape_tensor,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut layers = Vec::with_capacity(rec.layers.len());
    for l in rec.layers {
        let kind = Kind::from_name(&l.kind)
            .ok_or_else(|| Error::unsupported(format!("layer '{}' is of kind '{}', which this library does not know", l.name, l.kind)))?;
        let op = kind.decode(l.params).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        let inputs = l.inputs.iter().map(|&i| if i == -1 { Ok(None) } else { index(i).map(Some) }).collect::<Result<Vec<_>>>()?;
        let outputs = l.outputs.iter().map(|&i| index(i as i64)).collect::<Result<Vec<_>>>()?;
        layers.push(EngineLayer { name: l.name, op, inputs, outputs, tactic: l.tactic });
    }
    let io = rec.io.iter().map(|&i| index(i as i64)).collect::<Result<Vec<_>>>()?;
    let profiles = rec
        .profiles
        .into_iter()
        .map(|p| Profile {
            inputs: p
                .inputs
                .into_iter()
                .map(|r| InputRange {
                    min: r.min,
                    opt: r.opt,
                    max: r.max,
                    values: r.has_values.then_some([r.values_min, r.values_opt, r.values_max]),
                })
                .collect(),
        })
        .collect();
    Ok(EngineDesc {
        name: rec.name,
        target,
        tensors,
        layers,
        io,
        profiles,
        kernels: rec.kernels.into_iter().map(|k| (k.name, k.cubin)).collect(),
        allow_tf32: rec.allow_tf32,
        implicit_batch: rec.implicit_batch,
    })
}
