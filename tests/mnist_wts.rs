//! data/mnist/mnist.wts (TensorRT's .wts text format, read by cpp_samples/sampleMNISTAPI)
//! holds exactly the weights of data/mnist/mnist.onnx: both come from scripts/train_mnist.py,
//! and this test keeps them from drifting apart. NVINFER_BLESS=1 rewrites the .wts from the
//! ONNX model instead of comparing.

mod common;

use nvinfer::onnx::proto::ModelProto;
use nvinfer::onnx::weights::from_tensor_proto;
use prost::Message;
use std::collections::HashMap;

/// The .wts text for the model: (blob name, ONNX initializer, transpose [K,N] to [N,K]).
fn wts_from_onnx(model: &ModelProto) -> String {
    let graph = model.graph.as_ref().expect("a graph");
    let inits: HashMap<&str, _> = graph.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
    // Weights by the node that reads them, so the mapping does not depend on their names.
    let second_input = |node: &str| -> &str {
        let n = graph.node.iter().find(|n| n.name == node).unwrap_or_else(|| panic!("node {node}"));
        n.input[1].as_str()
    };
    let blobs = [
        ("conv1filter", second_input("Convolution28"), false),
        ("conv1bias", second_input("Plus30"), false),
        ("conv2filter", second_input("Convolution110"), false),
        ("conv2bias", second_input("Plus112"), false),
        ("ip1filter", second_input("Times212"), true),
        ("ip1bias", second_input("Plus214"), false),
    ];
    let mut lines = vec![blobs.len().to_string()];
    for (name, init, transpose) in blobs {
        let t = inits[init];
        let values = from_tensor_proto(t).unwrap().weights.to_f32().unwrap();
        let values = if transpose {
            let (k, n) = (t.dims[0] as usize, t.dims[1] as usize);
            (0..n * k).map(|i| values[(i % k) * n + i / k]).collect()
        } else {
            values
        };
        let words: Vec<String> = values.iter().map(|v| format!("{:x}", v.to_bits())).collect();
        lines.push(format!("{name} 0 {} {}", values.len(), words.join(" ")));
    }
    lines.join("\n") + "\n"
}

#[test]
fn the_wts_file_holds_the_onnx_models_weights() {
    let dir = common::mnist_dir();
    let model = ModelProto::decode(std::fs::read(dir.join("mnist.onnx")).unwrap().as_slice()).unwrap();
    let expected = wts_from_onnx(&model);
    let path = dir.join("mnist.wts");
    if std::env::var("NVINFER_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &expected).unwrap();
    }
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(shipped == expected, "{} differs from the weights of mnist.onnx (NVINFER_BLESS=1 rewrites it)", path.display());
    // 6 blobs: 8x1x5x5, 8, 16x8x5x5, 16, 10x256, 10 values.
    let counts: Vec<usize> = shipped.lines().skip(1).map(|l| l.split(' ').nth(2).unwrap().parse().unwrap()).collect();
    assert_eq!(counts, vec![200, 8, 3200, 16, 2560, 10]);
}
