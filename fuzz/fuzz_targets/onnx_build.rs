//! ONNX parser + builder (+ load and one inference of the built plan). See fuzz/harness.rs.
#![no_main]

use libfuzzer_sys::{fuzz_crossover, fuzz_mutator, fuzz_target, fuzzer_mutate};
use nvinfer_fuzz::{harness, mutate_onnx, rng::Rng};

fuzz_target!(|data: &[u8]| {
    nvinfer_fuzz::record(harness::onnx_build(data));
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng::new(seed as u64);
    let mut bytes = |b: &mut Vec<u8>| {
        let n = b.len();
        b.resize(n + 64, 0);
        let m = fuzzer_mutate(b, n, n + 64);
        b.truncate(m);
    };
    match mutate_onnx::mutate(&data[..size], &mut rng, &mut bytes) {
        Some(out) if out.len() <= max_size => {
            data[..out.len()].copy_from_slice(&out);
            out.len()
        }
        _ => fuzzer_mutate(data, size, max_size),
    }
});

fuzz_crossover!(|a: &[u8], b: &[u8], out: &mut [u8], seed: u32| {
    let mut rng = Rng::new(seed as u64);
    match mutate_onnx::crossover(a, b, &mut rng) {
        Some(c) if c.len() <= out.len() => {
            out[..c.len()].copy_from_slice(&c);
            c.len()
        }
        _ => {
            let n = a.len().min(out.len());
            out[..n].copy_from_slice(&a[..n]);
            n
        }
    }
});
