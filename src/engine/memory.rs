//! Memory planning: the tensors a context stores share one arena. A tensor's block is reused
//! once its last reader has run (first fit over live intervals, larger tensors placed first).
//! Deterministic, so the loader recomputes the builder's plan instead of trusting offsets.

/// Offsets are multiples of this (enough for any element type and vectorized access).
pub const ALIGN: u64 = 256;

/// A tensor to place: its size and the steps during which it must stay intact (inclusive).
#[derive(Clone, Copy, Debug)]
pub struct Block {
    pub bytes: u64,
    pub first: usize,
    pub last: usize,
}

/// The pairs of blocks alive at the same time, as a list per block: a sweep over start
/// times, so the cost follows the number of such pairs rather than the square of the count.
fn overlaps(blocks: &[Block]) -> Vec<Vec<usize>> {
    let mut by_start: Vec<usize> = (0..blocks.len()).collect();
    by_start.sort_by_key(|&i| (blocks[i].first, i));
    let mut out = vec![vec![]; blocks.len()];
    let mut active: Vec<usize> = vec![];
    for i in by_start {
        active.retain(|&j| blocks[j].last >= blocks[i].first);
        for &j in &active {
            out[i].push(j);
            out[j].push(i);
        }
        active.push(i);
    }
    out
}

/// Offsets for `blocks` and the arena size; None if sizes overflow.
pub fn plan(blocks: &[Block]) -> Option<(Vec<u64>, u64)> {
    let mut order: Vec<usize> = (0..blocks.len()).collect();
    order.sort_by(|&a, &b| blocks[b].bytes.cmp(&blocks[a].bytes).then(a.cmp(&b)));
    let alive_with = overlaps(blocks);
    let mut offsets = vec![0u64; blocks.len()];
    let mut placed = vec![false; blocks.len()];
    let mut total = 0u64;
    let size_of = |b: &Block| b.bytes.checked_add(ALIGN - 1).map(|s| s / ALIGN * ALIGN);
    for i in order {
        let size = size_of(&blocks[i])?;
        if size == 0 {
            continue;
        }
        // Occupied ranges of placed tensors alive at the same time, by offset.
        let mut busy: Vec<(u64, u64)> = alive_with[i]
            .iter()
            .filter(|&&j| placed[j] && blocks[j].bytes > 0)
            .map(|&j| (offsets[j], offsets[j] + size_of(&blocks[j]).unwrap_or(0)))
            .collect();
        busy.sort_unstable();
        let mut at = 0u64;
        for (start, end) in busy {
            if at.checked_add(size)? <= start {
                break;
            }
            at = at.max(end);
        }
        offsets[i] = at;
        total = total.max(at.checked_add(size)?);
        placed[i] = true;
    }
    Some((offsets, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_reuses_two_blocks() {
        let blocks: Vec<Block> = (0..6).map(|i| Block { bytes: 1000, first: i, last: i + 1 }).collect();
        let (offsets, total) = plan(&blocks).unwrap();
        assert_eq!(total, 2 * 1024);
        for i in 0..5 {
            assert_ne!(offsets[i], offsets[i + 1]);
        }
    }

    #[test]
    fn live_blocks_never_overlap() {
        let blocks = [
            Block { bytes: 300, first: 0, last: 3 },
            Block { bytes: 5000, first: 1, last: 2 },
            Block { bytes: 10, first: 2, last: 5 },
            Block { bytes: 4000, first: 4, last: 5 },
        ];
        let (o, total) = plan(&blocks).unwrap();
        for i in 0..blocks.len() {
            for j in 0..i {
                let live = blocks[i].first <= blocks[j].last && blocks[j].first <= blocks[i].last;
                let apart = o[i] + blocks[i].bytes <= o[j] || o[j] + blocks[j].bytes <= o[i];
                assert!(!live || apart, "{i} and {j} overlap");
            }
            assert!(o[i] + blocks[i].bytes <= total);
        }
    }
}
