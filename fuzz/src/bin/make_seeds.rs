//! Writes the seed corpora: fuzz/corpus/onnx_build/ gets the shipped MNIST model and the small
//! generated models (`nvinfer_fuzz::seeds`); fuzz/corpus/plan_load/ gets the CPU plan of each
//! of them that builds. Plans carry the library and plan-format versions, so scripts/fuzz.sh
//! runs this before every campaign (into fuzz/target/seeds) so that the plan seeds load even
//! when the committed ones are from an older format.
//!
//! Usage: make_seeds [REPO_ROOT [OUT_DIR]]
//!   REPO_ROOT: default the parent of this crate's directory;
//!   OUT_DIR: where <target>/ folders are written, default REPO_ROOT/fuzz/corpus (the committed
//!   seeds); scripts/fuzz.sh writes fresh ones to fuzz/target/seeds instead.

use std::path::PathBuf;

// Built with the fuzz targets' coverage flags: libFuzzer's runtime provides the coverage
// callbacks (its `main` is not linked: this file has its own).
extern crate libfuzzer_sys;

fn main() {
    let root = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."));
    let out = std::env::args().nth(2).map(PathBuf::from).unwrap_or_else(|| root.join("fuzz/corpus"));
    let onnx_dir = out.join("onnx_build");
    let plan_dir = out.join("plan_load");
    std::fs::create_dir_all(&onnx_dir).expect("create the onnx_build seed folder");
    std::fs::create_dir_all(&plan_dir).expect("create the plan_load seed folder");
    let mnist = std::fs::read(root.join("data/mnist/mnist.onnx")).expect("read data/mnist/mnist.onnx");
    let mut models = vec![("mnist.onnx".to_string(), mnist)];
    models.extend(nvinfer_fuzz::seeds::onnx_models().into_iter().map(|(n, b)| (n.to_string(), b)));
    let (mut n_onnx, mut n_plan) = (0, 0);
    for (name, bytes) in &models {
        std::fs::write(onnx_dir.join(name), bytes).expect("write an ONNX seed");
        n_onnx += 1;
        match nvinfer_fuzz::harness::onnx_to_plan(bytes) {
            Some(plan) => {
                std::fs::write(plan_dir.join(name.replace(".onnx", ".plan")), plan).expect("write a plan seed");
                n_plan += 1;
            }
            None => eprintln!("make_seeds: {name} does not build (no plan seed for it)"),
        }
    }
    println!("make_seeds: {n_onnx} ONNX seeds, {n_plan} plan seeds");
}
