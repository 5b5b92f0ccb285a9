//! Replays the fuzz targets' seed corpora (fuzz/corpus/<target>/) and every crasher the fuzzers
//! found (fuzz/regressions/<target>/) through the fuzz targets' own code (fuzz/harness.rs):
//! ONNX parse + build (+ load and one inference), and plan load + execution context + one
//! inference. None may panic. See fuzz/README.md for the fuzzers themselves.

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::Outcome;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The input files of a corpus or regression folder (none if it does not exist).
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('.') && !n.ends_with(".md")))
        .collect();
    files.sort();
    files
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_else(|| "(no message)".into())
}

/// Runs every input; returns the outcomes, or fails the test listing every input that panicked.
fn replay(what: &str, cases: Vec<(String, Vec<u8>)>, run: fn(&[u8]) -> Outcome) -> Vec<(String, Outcome)> {
    let mut outcomes = vec![];
    let mut panics = vec![];
    for (name, bytes) in cases {
        match catch_unwind(AssertUnwindSafe(|| run(&bytes))) {
            Ok(o) => outcomes.push((name, o)),
            Err(p) => panics.push(format!("{name}: {}", panic_message(p))),
        }
    }
    assert!(panics.is_empty(), "{what}: {} input(s) panicked:\n  {}", panics.len(), panics.join("\n  "));
    outcomes
}

fn files_of(target: &str) -> Vec<(String, Vec<u8>)> {
    let mut cases = vec![];
    for sub in ["corpus", "regressions"] {
        for p in inputs(&fuzz_dir().join(sub).join(target)) {
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
            cases.push((format!("fuzz/{sub}/{target}/{}", p.file_name().unwrap().to_string_lossy()), bytes));
        }
    }
    cases
}

#[test]
fn onnx_build_seeds_and_crashers_do_not_panic() {
    let cases = files_of("onnx_build");
    assert!(cases.iter().any(|(n, _)| n.ends_with("mnist.onnx")), "the ONNX seed corpus is missing");
    let outcomes = replay("onnx_build", cases, harness::onnx_build);
    // The harness is not vacuous: the shipped model goes all the way through one inference.
    let mnist = outcomes.iter().find(|(n, _)| n.ends_with("corpus/onnx_build/mnist.onnx")).map(|(_, o)| *o);
    assert_eq!(mnist, Some(Outcome::Ran), "mnist.onnx should parse, build and run: {outcomes:?}");
}

#[test]
fn plan_load_seeds_and_crashers_do_not_panic() {
    let mut cases = files_of("plan_load");
    // The committed plan seeds may be from an older plan format; plans built now from the
    // ONNX seeds are replayed too.
    for (name, onnx) in files_of("onnx_build").into_iter().filter(|(n, _)| n.contains("/corpus/")) {
        if let Some(plan) = harness::onnx_to_plan(&onnx) {
            cases.push((format!("{name} (built now)"), plan));
        }
    }
    let outcomes = replay("plan_load", cases, harness::plan_load);
    let mnist = outcomes.iter().find(|(n, _)| n.ends_with("mnist.onnx (built now)")).map(|(_, o)| *o);
    assert_eq!(mnist, Some(Outcome::Ran), "the MNIST plan should load and run: {outcomes:?}");
}
