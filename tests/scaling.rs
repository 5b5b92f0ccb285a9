//! Import, build and run time grow linearly with the number of layers: a chain of Relu
//! nodes of 1k to 16k nodes, and the 20,000-node chain end to end within 5 s (issue 6,
//! finding 2: every added layer used to re-infer the whole network).

mod common;

use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::onnx::proto::*;
use nvinfer::runtime::{Engine, ExecutionContext};
use prost::Message;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn chain(n: usize) -> Vec<u8> {
    let vi = |name: &str| ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: data_type::FLOAT,
                shape: Some(TensorShapeProto {
                    dim: vec![Dimension { dim_value: Some(1), dim_param: None }, Dimension { dim_value: Some(16), dim_param: None }],
                }),
            }),
        }),
    };
    let node = |i: usize| NodeProto {
        input: vec![if i == 0 { "x".into() } else { format!("t{}", i - 1) }],
        output: vec![if i + 1 == n { "y".into() } else { format!("t{i}") }],
        name: format!("relu{i}"),
        op_type: "Relu".into(),
        ..Default::default()
    };
    let graph = GraphProto {
        name: "chain".into(),
        node: (0..n).map(node).collect(),
        input: vec![vi("x")],
        output: vec![vi("y")],
        ..Default::default()
    };
    ModelProto {
        ir_version: 8,
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: 13 }],
        ..Default::default()
    }
    .encode_to_vec()
}

/// (import, build, load + run) times for a chain of `n` Relu nodes.
fn times(n: usize) -> (Duration, Duration, Duration) {
    let model = chain(n);
    let t0 = Instant::now();
    let mut net = Network::new();
    let errors = nvinfer::onnx::parse(&mut net, &model, None);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(net.layers.len(), n);
    let t1 = Instant::now();
    let plan = build_for(&net, &BuilderConfig::default(), &common::quiet(), Target::Cpu).unwrap();
    let t2 = Instant::now();
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    let x: Vec<f32> = (0..16).map(|i| i as f32 - 8.0).collect();
    let mut y = vec![0f32; 16];
    common::run_cpu_context(&mut ctx, &[("x", &x)], &mut [("y", &mut y)]);
    assert_eq!(y, x.iter().map(|v| v.max(0.0)).collect::<Vec<_>>());
    (t1 - t0, t2 - t1, t2.elapsed())
}

#[test]
fn a_long_chain_imports_builds_and_runs_in_linear_time() {
    let mut rows = vec![];
    for n in [1000, 2000, 4000, 8000, 16000] {
        // The fastest of three runs: a few milliseconds of scheduling noise on a loaded
        // machine must not read as growth (quadratic growth would be 256x, not 16x).
        let (i, b, r) = (0..3).map(|_| times(n)).min_by_key(|(i, b, r)| *i + *b + *r).expect("three runs");
        common::report(&format!("SCALING nodes={n} import_ms={} build_ms={} load_run_ms={}", i.as_millis(), b.as_millis(), r.as_millis()));
        rows.push((n, i + b + r));
    }
    // Linear: 4x the nodes (4k to 16k, both long enough to time steadily) may take at most
    // 4x the time, with room for noise (x2); quadratic growth would be 16x.
    let (t4k, t16k) = (rows[2].1.as_secs_f64().max(1e-3), rows[4].1.as_secs_f64());
    assert!(t16k / t4k < 8.0, "16k nodes took {t16k:.3}s, 4k nodes {t4k:.3}s: more than linear growth");
    let (i, b, r) = times(20_000);
    let total = i + b + r;
    common::report(&format!("SCALING nodes=20000 total_ms={}", total.as_millis()));
    assert!(total < Duration::from_secs(5), "the 20,000-node chain took {total:?} (import {i:?}, build {b:?}, load+run {r:?})");
}
