//! Memory planning: intermediate tensors share one arena per execution context. A tensor's
//! block is reused once its last consumer has run (first fit over live intervals).

use crate::plan::{EngineLayer, EngineTensor};
use crate::types::{volume, TensorIOMode};

const ALIGN: u64 = 256;

fn bytes_of(t: &EngineTensor) -> u64 {
    let n = volume(&t.dims).unwrap_or(0) as u64 * t.dtype.size_bytes() as u64;
    n.div_ceil(ALIGN) * ALIGN
}

/// Assigns `arena_offset` to every intermediate tensor (not I/O, not constant) and returns
/// the arena size.
pub fn plan_arena(tensors: &mut [EngineTensor], layers: &[EngineLayer]) -> u64 {
    let n = tensors.len();
    let (mut first, mut last) = (vec![usize::MAX; n], vec![0usize; n]);
    for (step, l) in layers.iter().enumerate() {
        if l.op.constant_value().is_some() {
            continue;
        }
        for &o in &l.outputs {
            first[o] = first[o].min(step);
            last[o] = last[o].max(step);
        }
        for &i in &l.inputs {
            last[i] = last[i].max(step);
        }
    }
    // (offset, size, last step) of placed blocks.
    let mut placed: Vec<(u64, u64, usize)> = Vec::new();
    let mut arena = 0u64;
    let mut order: Vec<usize> = (0..n).filter(|&t| first[t] != usize::MAX && tensors[t].io_mode == TensorIOMode::None).collect();
    order.sort_by_key(|&t| first[t]);
    for t in order {
        let size = bytes_of(&tensors[t]);
        let mut busy: Vec<(u64, u64)> = placed.iter().filter(|b| b.2 >= first[t]).map(|b| (b.0, b.0 + b.1)).collect();
        busy.sort();
        let mut offset = 0u64;
        for (start, end) in busy {
            if offset + size <= start {
                break;
            }
            offset = offset.max(end);
        }
        tensors[t].arena_offset = offset;
        placed.push((offset, size, last[t]));
        arena = arena.max(offset + size);
    }
    arena
}
