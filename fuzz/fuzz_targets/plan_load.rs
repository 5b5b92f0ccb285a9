//! Plan loader (+ execution context and one inference). See fuzz/harness.rs.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};
use nvinfer_fuzz::{harness, mutate_plan, rng::Rng};

fuzz_target!(|data: &[u8]| {
    nvinfer_fuzz::record(harness::plan_load(data));
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed as u64);
    let mut bytes = |b: &mut Vec<u8>| {
        let n = b.len();
        b.resize(n + 64, 0);
        let m = fuzzer_mutate(b, n, n + 64);
        b.truncate(m);
    };
    let out = match mutate_plan::mutate(&data[..size], &mut rng, &mut bytes) {
        Some(out) => out,
        // Not a plan envelope (any more): libFuzzer's byte mutations, then the checksum is
        // recomputed when the envelope decodes again.
        None => {
            let n = fuzzer_mutate(data, size, max_size);
            mutate_plan::fix_crc(&data[..n])
        }
    };
    if out.len() <= max_size {
        data[..out.len()].copy_from_slice(&out);
        out.len()
    } else {
        fuzzer_mutate(data, size, max_size)
    }
});
