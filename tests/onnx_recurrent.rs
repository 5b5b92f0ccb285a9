//! ONNX RNN, GRU and LSTM on IRNNv2Layer against onnx.reference's results (onnx 1.16.2):
//! models with initializer weights, initial states and both layouts of the outputs, made by a
//! short onnx.helper script and stored in tests/data/onnx_recurrent (inputs and expected
//! outputs as raw f32 with a manifest: `input|output NAME float32 RANK DIMS... FILE`).

mod common;

use nvinfer::ir::Network;
use nvinfer::runtime::{Engine, ExecutionContext};
use std::path::Path;
use std::sync::Arc;

struct Tensor {
    name: String,
    dims: Vec<usize>,
    values: Vec<f32>,
}

fn read_manifest(dir: &Path) -> (Vec<Tensor>, Vec<Tensor>) {
    let text = std::fs::read_to_string(dir.join("manifest.txt")).unwrap();
    let (mut inputs, mut outputs) = (vec![], vec![]);
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let rank: usize = f[3].parse().unwrap();
        let dims: Vec<usize> = f[4..4 + rank].iter().map(|d| d.parse().unwrap()).collect();
        let bytes = std::fs::read(dir.join(f[4 + rank])).unwrap();
        let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect();
        assert_eq!(values.len(), dims.iter().product::<usize>(), "{line}");
        let t = Tensor { name: f[1].to_string(), dims, values };
        if f[0] == "input" {
            inputs.push(t)
        } else {
            outputs.push(t)
        }
    }
    (inputs, outputs)
}

#[test]
fn recurrences_match_the_onnx_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/onnx_recurrent");
    for case in ["lstm_fwd", "lstm_states", "gru_fwd", "rnn_fwd"] {
        let dir = root.join(case);
        let mut net = Network::new();
        let errors = nvinfer::onnx::parse_file(&mut net, &dir.join("model.onnx"));
        assert!(errors.is_empty(), "{case}: {errors:?}");
        let plan = common::cpu_plan(&net).unwrap_or_else(|e| panic!("{case}: {e}"));
        let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
        let (inputs, expected) = read_manifest(&dir);
        let ins: Vec<(&str, &[f32])> = inputs.iter().map(|t| (t.name.as_str(), t.values.as_slice())).collect();
        let mut outs: Vec<(&str, Vec<f32>)> = expected.iter().map(|t| (t.name.as_str(), vec![0f32; t.values.len()])).collect();
        let mut slots: Vec<(&str, &mut Vec<f32>)> = outs.iter_mut().map(|(n, v)| (*n, v)).collect();
        common::run_cpu_context(&mut ctx, &ins, &mut slots);
        for ((name, got), want) in outs.iter().zip(&expected) {
            let scale = want.values.iter().fold(0f32, |m, v| m.max(v.abs()));
            let err = got.iter().zip(&want.values).fold(0f32, |m, (a, b)| m.max((a - b).abs())) / scale;
            assert!(err < 1e-5, "{case} output {name} {:?}: relative error {err}", want.dims);
        }
    }
}
