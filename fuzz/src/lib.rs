//! Support code for the fuzz targets: the shared harness, the structure-aware mutators and
//! the seed generator. See ../README.md.

#[path = "../harness.rs"]
pub mod harness;
pub mod mutate_onnx;
pub mod mutate_plan;
pub mod rng;
pub mod seeds;
pub mod wire;

use harness::Outcome;
use std::sync::atomic::{AtomicU64, Ordering};

const OUTCOMES: [(Outcome, &str); 7] = [
    (Outcome::ParseError, "parse_error"),
    (Outcome::BuildError, "build_error"),
    (Outcome::LoadError, "load_error"),
    (Outcome::Skipped, "skipped"),
    (Outcome::ContextError, "context_error"),
    (Outcome::RunError, "run_error"),
    (Outcome::Ran, "ran"),
];
static COUNTS: [AtomicU64; 7] = [const { AtomicU64::new(0) }; 7];
static TOTAL: AtomicU64 = AtomicU64::new(0);

/// Counts how far inputs get; prints the counts to stderr (the fuzzer's log) at every power
/// of two from 4096 executions on, as "outcomes: N runs: ran=… run_error=… …".
pub fn record(outcome: Outcome) {
    let i = OUTCOMES.iter().position(|(o, _)| *o == outcome).expect("every outcome is listed");
    COUNTS[i].fetch_add(1, Ordering::Relaxed);
    let total = TOTAL.fetch_add(1, Ordering::Relaxed) + 1;
    if total >= 4096 && total.is_power_of_two() {
        let parts: Vec<String> =
            OUTCOMES.iter().zip(&COUNTS).rev().map(|((_, name), c)| format!("{name}={}", c.load(Ordering::Relaxed))).collect();
        eprintln!("outcomes: {total} runs: {}", parts.join(" "));
    }
}
