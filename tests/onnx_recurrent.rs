//! ONNX RNN, GRU and LSTM against reference outputs. The first four models (lstm_fwd,
//! lstm_states, gru_fwd, rnn_fwd: initializer weights, initial states, both layouts of the
//! outputs) run on IRNNv2Layer and were checked against onnx.reference (onnx 1.16.2). The
//! others are made by tests/data/onnx_recurrent/generate.py, whose reference transcribes the
//! ONNX definitions (and agrees with onnx.reference where that runs the form): the loop form
//! (recurrent_loop.rs) for run-time weights, GRU linear_before_reset=0, bidirectional and
//! reverse directions with sequence lengths, peepholes, clip, input_forget, other activations
//! and X of unknown sequence length and batch size; and a bidirectional LSTM with sequence
//! lengths on IRNNv2Layer. Inputs and expected outputs are raw little-endian values with a
//! manifest: `input|output NAME float32|int32 RANK DIMS... FILE`.

mod common;

use common::onnx::*;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::onnx::proto::{AttributeProto, GraphProto};
use nvinfer::onnx::ParserErrorCode;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use std::path::Path;
use std::sync::Arc;

struct Tensor {
    name: String,
    dims: Vec<usize>,
    /// The raw little-endian values (f32 or i32).
    bytes: Vec<u8>,
}

impl Tensor {
    fn floats(&self) -> Vec<f32> {
        self.bytes.chunks_exact(4).map(|b| f32::from_le_bytes(b.try_into().unwrap())).collect()
    }
}

fn read_manifest(dir: &Path) -> (Vec<Tensor>, Vec<Tensor>) {
    let text = std::fs::read_to_string(dir.join("manifest.txt")).unwrap();
    let (mut inputs, mut outputs) = (vec![], vec![]);
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let rank: usize = f[3].parse().unwrap();
        let dims: Vec<usize> = f[4..4 + rank].iter().map(|d| d.parse().unwrap()).collect();
        assert!(f[2] == "float32" || f[2] == "int32", "{line}");
        let bytes = std::fs::read(dir.join(f[4 + rank])).unwrap();
        assert_eq!(bytes.len(), 4 * dims.iter().product::<usize>(), "{line}");
        let t = Tensor { name: f[1].to_string(), dims, bytes };
        if f[0] == "input" {
            inputs.push(t)
        } else {
            outputs.push(t)
        }
    }
    (inputs, outputs)
}

/// A CPU engine for `net`; inputs of unknown dims get a profile fixed at their manifest dims.
fn engine(net: &Network, inputs: &[Tensor]) -> Arc<Engine> {
    let mut config = BuilderConfig::default();
    let named = net.input_names();
    let mut profile = OptimizationProfile::new();
    let mut dynamic = false;
    for t in inputs {
        if net.tensors[named[t.name.as_str()]].declared_dims.iter().any(|&d| d < 0) {
            let dims: Vec<i64> = t.dims.iter().map(|&d| d as i64).collect();
            for s in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
                profile.set_dimensions(&t.name, s, &dims).unwrap();
            }
            dynamic = true;
        }
    }
    if dynamic {
        config.add_profile(&profile).unwrap();
    }
    let plan = nvinfer::builder::build_for(net, &config, &common::quiet(), nvinfer::backend::Target::Cpu)
        .unwrap_or_else(|e| panic!("{}", e.message));
    Arc::new(Engine::deserialize(&plan).unwrap())
}

const CASES: &[&str] = &[
    "lstm_fwd",
    "lstm_states",
    "gru_fwd",
    "rnn_fwd",
    "rnnv2_lstm_bidir_lens",
    "loop_gru_bidir_lens",
    "loop_lstm_reverse_peepholes_clip",
    "loop_rnn_activations_dynamic",
    "loop_gru_runtime_weights",
    "loop_gru_reverse_affine",
];

#[test]
fn recurrences_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/onnx_recurrent");
    for case in CASES {
        let dir = root.join(case);
        let mut net = Network::new();
        let errors = nvinfer::onnx::parse_file(&mut net, &dir.join("model.onnx"));
        assert!(errors.is_empty(), "{case}: {errors:?}");
        let (inputs, expected) = read_manifest(&dir);
        // Which import path the case is meant to take.
        let on_rnn_v2 = net.layers.iter().any(|l| l.op.kind() == nvinfer::layers::Kind::RNNv2);
        assert_eq!(on_rnn_v2, !case.starts_with("loop_"), "{case}: IRNNv2Layer used: {on_rnn_v2}");
        let mut ctx = ExecutionContext::new(engine(&net, &inputs)).unwrap();
        for t in &inputs {
            ctx.set_input_shape(&t.name, &t.dims.iter().map(|&d| d as i64).collect::<Vec<_>>()).unwrap();
            ctx.set_tensor_address(&t.name, t.bytes.as_ptr() as u64).unwrap();
        }
        let mut outs: Vec<Vec<f32>> = expected.iter().map(|t| vec![f32::NAN; t.bytes.len() / 4]).collect();
        for (t, out) in expected.iter().zip(outs.iter_mut()) {
            ctx.set_tensor_address(&t.name, out.as_mut_ptr() as u64).unwrap();
        }
        ctx.enqueue(std::ptr::null_mut()).expect("CPU enqueue");
        for (got, want) in outs.iter().zip(&expected) {
            let err = common::max_rel_err(got, &want.floats());
            assert!(
                err < 1e-5,
                "{case} output {} {:?}: relative error {err}\ngot  {got:?}\nwant {:?}",
                want.name,
                want.dims,
                want.floats()
            );
        }
    }
}

/// An RNN over X [3, 2, 4] with hidden size 5, W and R given at run time (the loop form).
fn runtime_rnn(w_dims: &[i64], attrs: Vec<AttributeProto>) -> Vec<u8> {
    let mut attrs = attrs;
    attrs.push(int_attr("hidden_size", 5));
    let g = GraphProto {
        name: "rnn".into(),
        node: vec![node("RNN", "rnn", &["X", "W", "R"], &["Y", "Y_h"], attrs)],
        initializer: vec![],
        input: vec![value_info("X", &[3, 2, 4]), value_info("W", w_dims), value_info("R", &[1, 5, 5])],
        output: vec![value_info("Y", &[3, 1, 2, 5]), value_info("Y_h", &[1, 2, 5])],
    };
    model(14, g)
}

#[test]
fn the_loop_form_refuses_what_it_cannot_express_by_name() {
    let activations = AttributeProto { name: "activations".into(), strings: vec![b"Gelu".to_vec()], r#type: 8, ..Default::default() };
    let (_, errors) = parse_bytes(&runtime_rnn(&[1, 5, 4], vec![activations]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, ParserErrorCode::UnsupportedNode);
    assert!(errors[0].desc.contains("recurrent activation 'Gelu'"), "{}", errors[0].desc);

    let (_, errors) = parse_bytes(&runtime_rnn(&[1, 5, 3], vec![]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].desc.contains("W is [1,5,3]"), "{}", errors[0].desc);

    let (_, errors) = parse_bytes(&runtime_rnn(&[1, 5, 4], vec![string_attr("direction", "sideways")]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].desc.contains("unknown direction 'sideways'"), "{}", errors[0].desc);

    // Without activations of its own, the same model imports.
    let (_, errors) = parse_bytes(&runtime_rnn(&[1, 5, 4], vec![]));
    assert!(errors.is_empty(), "{errors:?}");
}
