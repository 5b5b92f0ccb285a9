//! Structure-aware mutation of engine plans. A plan is MAGIC + PlanEnvelope (format version,
//! library version, target, payload, CRC-32 of the payload), the payload an EngineRecord.
//! Random bytes almost never get past the checksum, so mutations are made on the decoded
//! records and the plan is encoded again with the checksum recomputed: the decoder and the
//! checks behind the checksum (layer parameters, indices, shapes, profiles, the analysis,
//! the CPU backend) get the inputs.

use crate::rng::Rng;
use crate::wire;
use bytes::Bytes;
use nvinfer::layers::Kind;
use nvinfer::plan::proto::{EngineRecord, KernelRecord, LayerRecord, PlanEnvelope, ProfileRecord, RangeRecord, TensorRecord};
use nvinfer::plan::MAGIC;
use prost::Message;

/// A decoded plan.
pub struct Plan {
    pub env: PlanEnvelope,
    pub rec: Option<EngineRecord>,
}

pub fn decode(data: &[u8]) -> Option<Plan> {
    let body = data.strip_prefix(MAGIC.as_slice())?;
    let env = PlanEnvelope::decode(body).ok()?;
    let rec = EngineRecord::decode(env.payload.clone()).ok();
    Some(Plan { env, rec })
}

/// Encodes as the library does (the payload last), with the checksum recomputed unless
/// `keep_crc`.
pub fn encode(mut env: PlanEnvelope, payload: Vec<u8>, keep_crc: bool) -> Vec<u8> {
    if !keep_crc {
        env.payload_crc32 = crc32fast::hash(&payload);
    }
    env.payload = Bytes::new();
    let mut out = MAGIC.to_vec();
    env.encode(&mut out).expect("a Vec grows");
    prost::encoding::bytes::encode(4, &payload, &mut out);
    out
}

/// Recomputes the checksum of a plan whose envelope still decodes (after byte-level
/// mutation); returns the input unchanged otherwise.
pub fn fix_crc(data: &[u8]) -> Vec<u8> {
    match data.strip_prefix(MAGIC.as_slice()).and_then(|b| PlanEnvelope::decode(b).ok()) {
        Some(env) => {
            let payload = env.payload.to_vec();
            encode(env, payload, false)
        }
        None => data.to_vec(),
    }
}

fn kind_names() -> Vec<String> {
    let mut v: Vec<String> = Kind::ALL.iter().map(|k| k.name().to_string()).collect();
    v.extend(["".to_string(), "Plugin".to_string(), "convolution".to_string()]);
    v
}

fn mutate_dims(dims: &mut Vec<i64>, rng: &mut Rng) {
    match rng.below(6) {
        0 => dims.push(rng.int(1)),
        1 if !dims.is_empty() => {
            dims.remove(rng.below(dims.len()));
        }
        2 => dims.clear(),
        3 if !dims.is_empty() => {
            let i = rng.below(dims.len());
            dims[i] = -1;
        }
        _ if !dims.is_empty() => {
            let i = rng.below(dims.len());
            dims[i] = rng.int(dims[i]);
        }
        _ => dims.push(rng.below(4) as i64),
    }
}

fn mutate_list<T: Clone>(v: &mut Vec<T>, rng: &mut Rng, rewrite: impl FnOnce(&mut T, &mut Rng)) {
    match rng.below(5) {
        0 if !v.is_empty() => {
            v.remove(rng.below(v.len()));
        }
        1 if !v.is_empty() => {
            let x = v[rng.below(v.len())].clone();
            v.insert(rng.below(v.len() + 1), x);
        }
        2 if v.len() > 1 => {
            let (i, j) = (rng.below(v.len()), rng.below(v.len()));
            v.swap(i, j);
        }
        _ if !v.is_empty() => {
            let i = rng.below(v.len());
            rewrite(&mut v[i], rng);
        }
        _ => {}
    }
}

/// A tensor index worth trying: a real one, -1, or out of range.
fn index(rng: &mut Rng, n: usize, old: i64) -> i64 {
    match rng.below(6) {
        0 => -1,
        1 => n as i64,
        2 => rng.int(old),
        _ => rng.below(n.max(1)) as i64,
    }
}

fn mutate_tensor(t: &mut TensorRecord, rng: &mut Rng, names: &[String]) {
    match rng.below(6) {
        0 => t.name = rng.name(names),
        1 => t.dtype = *rng.pick(&[0, 1, 2, 3, 4, 5, 6, 7, -1, 100]).unwrap(),
        2 => t.io_mode = *rng.pick(&[0, 1, 2, 3, -1]).unwrap(),
        3 => t.shape_tensor = !t.shape_tensor,
        _ => mutate_dims(&mut t.dims, rng),
    }
}

fn mutate_layer(l: &mut LayerRecord, rng: &mut Rng, n_tensors: usize, names: &[String], others: &[LayerRecord]) {
    match rng.below(10) {
        0 => l.kind = rng.name(&kind_names()),
        1 => l.name = rng.name(names),
        2 => l.tactic = rng.name(&["cpu".to_string(), String::new(), "cublas".to_string()]),
        3 => {
            // Another layer's parameters (of another kind, usually), or none.
            l.params = match rng.pick(others) {
                Some(o) if rng.chance(3, 4) => o.params.clone(),
                _ => Bytes::new(),
            }
        }
        4 => mutate_list(&mut l.inputs, rng, |i, rng| *i = index(rng, n_tensors, *i)),
        5 => {
            if rng.chance(1, 3) {
                l.inputs.push(index(rng, n_tensors, -1));
            } else {
                mutate_list(&mut l.outputs, rng, |o, rng| *o = index(rng, n_tensors, *o as i64) as u32);
            }
        }
        6 if rng.chance(1, 3) => l.outputs.push(rng.below(n_tensors + 1) as u32),
        // Most often: the layer's own parameters, as a protobuf message of unknown schema.
        _ => l.params = Bytes::from(wire::mutate_bytes_as_message(&l.params, rng, 3)),
    }
}

fn mutate_range(r: &mut RangeRecord, rng: &mut Rng) {
    match rng.below(8) {
        0 => mutate_dims(&mut r.min, rng),
        1 => mutate_dims(&mut r.opt, rng),
        2 => mutate_dims(&mut r.max, rng),
        3 => r.has_values = !r.has_values,
        4 => mutate_list(&mut r.values_min, rng, |v, rng| *v = rng.int(*v as i64) as i32),
        5 => mutate_list(&mut r.values_opt, rng, |v, rng| *v = rng.int(*v as i64) as i32),
        6 => mutate_list(&mut r.values_max, rng, |v, rng| *v = rng.int(*v as i64) as i32),
        _ => {
            // min = opt = max: a static range, or one stretched wide.
            if rng.chance(1, 2) {
                r.opt = r.min.clone();
                r.max = r.min.clone();
            } else {
                r.max = r.max.iter().map(|&d| d.saturating_mul(1 + rng.below(64) as i64)).collect();
            }
        }
    }
}

/// One typed mutation of an engine record.
pub fn mutate_record(rec: &mut EngineRecord, rng: &mut Rng) {
    let names: Vec<String> = rec.tensors.iter().map(|t| t.name.clone()).chain(rec.layers.iter().map(|l| l.name.clone())).collect();
    let n = rec.tensors.len();
    match rng.below(16) {
        0..=3 if n > 0 => {
            let i = rng.below(n);
            mutate_tensor(&mut rec.tensors[i], rng, &names);
        }
        4..=8 if !rec.layers.is_empty() => {
            let i = rng.below(rec.layers.len());
            let others = rec.layers.clone();
            mutate_layer(&mut rec.layers[i], rng, n, &names, &others);
        }
        9 => {
            let n = rec.layers.len();
            match rng.below(3) {
                // Drop a layer, duplicate one, or move one (execution order).
                0 if n > 0 => {
                    rec.layers.remove(rng.below(n));
                }
                1 if n > 0 => {
                    let l = rec.layers[rng.below(n)].clone();
                    rec.layers.insert(rng.below(n + 1), l);
                }
                _ if n > 1 => {
                    let l = rec.layers.remove(rng.below(n));
                    rec.layers.insert(rng.below(n), l);
                }
                _ => {}
            }
        }
        10 => match rng.below(3) {
            0 if n > 0 => {
                rec.tensors.remove(rng.below(n));
            }
            1 if n > 0 => {
                let t = rec.tensors[rng.below(n)].clone();
                rec.tensors.push(t);
            }
            _ => rec.tensors.push(TensorRecord { name: rng.name(&names), dtype: 0, dims: vec![1], io_mode: 0, shape_tensor: false }),
        },
        11 => {
            if rng.chance(1, 4) {
                rec.io.push(rng.below(n + 1) as u32);
            } else {
                mutate_list(&mut rec.io, rng, |i, rng| *i = index(rng, n, *i as i64) as u32);
            }
        }
        12 | 13 => {
            let np = rec.profiles.len();
            match rng.below(6) {
                0 if np > 0 => {
                    rec.profiles.remove(rng.below(np));
                }
                1 if np > 0 => {
                    let p = rec.profiles[rng.below(np)].clone();
                    rec.profiles.push(p);
                }
                2 => rec.profiles.push(ProfileRecord::default()),
                _ if np > 0 => {
                    let p = &mut rec.profiles[rng.below(np)];
                    match rng.below(4) {
                        0 => mutate_list(&mut p.inputs, rng, |_, _| {}),
                        _ if !p.inputs.is_empty() => {
                            let i = rng.below(p.inputs.len());
                            mutate_range(&mut p.inputs[i], rng);
                        }
                        _ => p.inputs.push(RangeRecord::default()),
                    }
                }
                _ => {}
            }
        }
        14 => match rng.below(3) {
            0 => rec.kernels.push(KernelRecord { name: rng.name(&["cast".into(), "conv".into()]), cubin: Bytes::from_static(b"\x7fELF") }),
            1 => rec.kernels.clear(),
            _ => rec.allow_tf32 = !rec.allow_tf32,
        },
        _ => rec.name = rng.name(&names),
    }
}

/// Mutates a plan structurally. `bytes_mutate` is libFuzzer's byte-level mutator (for the
/// payload as bytes). None when the input is not a plan envelope at all: the caller then
/// mutates it as bytes.
pub fn mutate(data: &[u8], rng: &mut Rng, bytes_mutate: &mut dyn FnMut(&mut Vec<u8>)) -> Option<Vec<u8>> {
    let Plan { mut env, rec } = decode(data)?;
    let choice = rng.below(100);
    let mut keep_crc = false;
    let payload = match rec {
        // Typed edits of the records (most mutations).
        Some(mut rec) if choice < 60 => {
            for _ in 0..1 + rng.below(3) {
                mutate_record(&mut rec, rng);
            }
            rec.encode_to_vec()
        }
        // Schema-free edits anywhere in the payload (including inside layer parameters).
        _ if choice < 85 => wire::mutate_bytes_as_message(&env.payload, rng, 4),
        // libFuzzer's byte mutations of the payload, behind a correct checksum.
        _ if choice < 95 => {
            let mut p = env.payload.to_vec();
            bytes_mutate(&mut p);
            p
        }
        // The envelope itself.
        _ => {
            match rng.below(6) {
                0 => env.target = rng.name(&["cpu".into(), "sm_80".into(), "sm_".into(), "sm_9999999999".into(), "sm_-1".into()]),
                1 => env.format_version = rng.int(env.format_version as i64) as u32,
                2 => env.library_version = rng.name(&[nvinfer::plan::LIBRARY_VERSION.to_string(), "8.6.0".into()]),
                3 => {
                    keep_crc = true;
                    env.payload_crc32 = rng.next_u64() as u32;
                }
                _ => {}
            }
            env.payload.to_vec()
        }
    };
    Some(encode(env, payload, keep_crc))
}
