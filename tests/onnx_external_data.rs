//! ONNX external data: weights in a side file next to the model, read relative to the
//! model's folder; locations that leave the folder, short files and wrong lengths are refused
//! with errors naming the tensor and the file. Also IParser::supportsModel's node flags.

mod common;

use nvinfer::ir::Network;
use nvinfer::layers::Param;
use nvinfer::onnx::proto::{data_type, AttributeProto, StringStringEntryProto, TensorProto};
use nvinfer::onnx::{parse, parse_file, supports_model, ParserError, ParserErrorCode};
use nvinfer::weights::Weights;
use std::path::{Path, PathBuf};

use common::onnx::*;

/// A fresh folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("nvinfer-external-data-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn entry(key: &str, value: &str) -> StringStringEntryProto {
    StringStringEntryProto { key: key.into(), value: value.into() }
}

/// A float tensor whose data is in `location` at `offset` (length given when `length` is set).
fn external_float(name: &str, dims: &[i64], location: &str, offset: u64, length: Option<u64>) -> TensorProto {
    let mut external_data = vec![entry("location", location), entry("offset", &offset.to_string())];
    if let Some(n) = length {
        external_data.push(entry("length", &n.to_string()));
    }
    TensorProto {
        name: name.into(),
        dims: dims.to_vec(),
        data_type: data_type::FLOAT,
        external_data,
        data_location: 1,
        ..Default::default()
    }
}

fn le_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn conv_weights() -> Vec<f32> {
    common::random(3 * 2 * 3 * 3, 31)
}

fn conv_bias() -> Vec<f32> {
    common::random(3, 32)
}

/// X[1,2,5,5] → Conv(W, B) → Y, with W and B in `weights.bin` (B at offset 4096, as exporters
/// align tensors); `w` replaces W's tensor when given.
fn conv_model(w: Option<TensorProto>) -> Vec<u8> {
    let w = w.unwrap_or_else(|| external_float("W", &[3, 2, 3, 3], "weights.bin", 0, Some(3 * 2 * 3 * 3 * 4)));
    let b = external_float("B", &[3], "weights.bin", 4096, Some(12));
    let conv = node("Conv", "conv0", &["X", "W", "B"], &["Y"], vec![ints_attr("kernel_shape", &[3, 3])]);
    model(13, graph(vec![conv], vec![w, b], &[("X", &[1, 2, 5, 5])], &[("Y", &[1, 3, 3, 3])]))
}

fn write_weights(dir: &Path) {
    let mut bytes = le_bytes(&conv_weights());
    bytes.resize(4096, 0);
    bytes.extend(le_bytes(&conv_bias()));
    std::fs::write(dir.join("weights.bin"), bytes).unwrap();
}

fn messages(errors: &[ParserError]) -> Vec<String> {
    errors.iter().map(|e| e.message()).collect()
}

/// Parses model.onnx of `dir`; the errors.
fn parse_in(dir: &Path, bytes: &[u8]) -> (Network, Vec<ParserError>) {
    let path = dir.join("model.onnx");
    std::fs::write(&path, bytes).unwrap();
    let mut net = Network::new();
    let errors = parse_file(&mut net, &path);
    (net, errors)
}

/// The one error of a refused model: about tensor `tensor` and file `file`, saying `what`.
fn assert_refused(errors: &[ParserError], tensor: &str, file: &str, what: &str) {
    let first = errors.first().unwrap_or_else(|| panic!("the model was accepted"));
    assert_eq!(first.code, ParserErrorCode::InvalidValue, "{:?}", messages(errors));
    assert!(first.desc.contains(&format!("'{tensor}'")), "{}", first.desc);
    assert!(first.desc.contains(file), "{}", first.desc);
    assert!(first.desc.contains(what), "{}", first.desc);
    // Reported once: the initializer is not reported again, and the node that uses it is skipped.
    assert_eq!(errors.len(), 1, "{:?}", messages(errors));
}

#[test]
fn weights_in_a_side_file_are_read_relative_to_the_model() {
    let dir = TempDir::new("side-file");
    write_weights(&dir.0);
    let (net, errors) = parse_in(&dir.0, &conv_model(None));
    assert!(errors.is_empty(), "{:?}", messages(&errors));
    let conv = &net.layers[0].op;
    assert_eq!(conv.param("kernel_weights"), Some(Param::Weights(Weights::from_f32(&conv_weights()))));
    assert_eq!(conv.param("bias_weights"), Some(Param::Weights(Weights::from_f32(&conv_bias()))));

    // parse(data, size, model_path) finds them through the path's folder ...
    let mut net = Network::new();
    let errors = parse(&mut net, &conv_model(None), Some(&dir.0));
    assert!(errors.is_empty(), "{:?}", messages(&errors));
    // ... and without a folder the error names the tensor.
    let mut net = Network::new();
    let errors = parse(&mut net, &conv_model(None), None);
    assert!(!errors.is_empty());
    assert!(errors[0].desc.contains("'W'") && errors[0].desc.contains("folder is unknown"), "{}", errors[0].desc);
}

#[test]
fn a_length_left_out_means_the_tensor_size() {
    let dir = TempDir::new("no-length");
    write_weights(&dir.0);
    let (net, errors) = parse_in(&dir.0, &conv_model(Some(external_float("W", &[3, 2, 3, 3], "./weights.bin", 0, None))));
    assert!(errors.is_empty(), "{:?}", messages(&errors));
    assert_eq!(net.layers[0].op.param("kernel_weights"), Some(Param::Weights(Weights::from_f32(&conv_weights()))));
}

#[test]
fn a_constant_node_value_may_be_external() {
    let dir = TempDir::new("constant");
    std::fs::write(dir.0.join("c.bin"), le_bytes(&[1.0, 2.0, 3.0, 4.0])).unwrap();
    let value = external_float("c_value", &[2, 2], "c.bin", 0, Some(16));
    let attr = AttributeProto { name: "value".into(), t: Some(value), r#type: 4, ..Default::default() };
    let c = node("Constant", "c", &[], &["Y"], vec![attr]);
    let (net, errors) = parse_in(&dir.0, &model(13, graph(vec![c], vec![], &[], &[("Y", &[2, 2])])));
    assert!(errors.is_empty(), "{:?}", messages(&errors));
    assert_eq!(net.layers[0].op.param("weights"), Some(Param::Weights(Weights::from_f32(&[1.0, 2.0, 3.0, 4.0]))));
}

#[test]
fn locations_outside_the_model_folder_are_refused() {
    let dir = TempDir::new("outside");
    let sub = dir.0.join("model");
    std::fs::create_dir_all(&sub).unwrap();
    write_weights(&dir.0); // one level up: reachable only through '..'
    write_weights(&sub); // B's own file
    let up = external_float("W", &[3, 2, 3, 3], "../weights.bin", 0, Some(216));
    assert_refused(&parse_in(&sub, &conv_model(Some(up))).1, "W", "../weights.bin", "'..'");
    let inner = external_float("W", &[3, 2, 3, 3], "a/../../weights.bin", 0, Some(216));
    assert_refused(&parse_in(&sub, &conv_model(Some(inner))).1, "W", "a/../../weights.bin", "'..'");
    let absolute = dir.0.join("weights.bin").to_string_lossy().into_owned();
    let abs = external_float("W", &[3, 2, 3, 3], &absolute, 0, Some(216));
    assert_refused(&parse_in(&sub, &conv_model(Some(abs))).1, "W", &absolute, "relative");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_folder_is_refused() {
    let dir = TempDir::new("symlink");
    let sub = dir.0.join("model");
    std::fs::create_dir_all(&sub).unwrap();
    write_weights(&dir.0);
    std::os::unix::fs::symlink(dir.0.join("weights.bin"), sub.join("weights.bin")).unwrap();
    let (_, errors) = parse_in(&sub, &conv_model(None));
    assert!(!errors.is_empty());
    assert!(errors[0].desc.contains("symbolic link") && errors[0].desc.contains("weights.bin"), "{}", errors[0].desc);
    // A link that stays inside the folder is followed.
    std::fs::remove_file(sub.join("weights.bin")).unwrap();
    write_weights(&sub);
    std::fs::rename(sub.join("weights.bin"), sub.join("real.bin")).unwrap();
    std::os::unix::fs::symlink("real.bin", sub.join("weights.bin")).unwrap();
    let (_, errors) = parse_in(&sub, &conv_model(None));
    assert!(errors.is_empty(), "{:?}", messages(&errors));
}

#[test]
fn short_files_wrong_lengths_and_bad_numbers_are_refused() {
    let dir = TempDir::new("bad-sizes");
    write_weights(&dir.0);
    // 216 bytes at offset 4000 run past the file's 4108 bytes.
    let late = external_float("W", &[3, 2, 3, 3], "weights.bin", 4000, Some(216));
    assert_refused(&parse_in(&dir.0, &conv_model(Some(late))).1, "W", "weights.bin", "too few");
    let wrong = external_float("W", &[3, 2, 3, 3], "weights.bin", 0, Some(200));
    assert_refused(&parse_in(&dir.0, &conv_model(Some(wrong))).1, "W", "weights.bin", "length 200");
    let huge = external_float("W", &[3, 2, 3, 3], "weights.bin", u64::MAX, Some(216));
    assert_refused(&parse_in(&dir.0, &conv_model(Some(huge))).1, "W", "weights.bin", "overflows");
    let mut negative = external_float("W", &[3, 2, 3, 3], "weights.bin", 0, Some(216));
    negative.external_data[1].value = "-4".into();
    assert_refused(&parse_in(&dir.0, &conv_model(Some(negative))).1, "W", "weights.bin", "not a byte count");
    let missing = external_float("W", &[3, 2, 3, 3], "nothing.bin", 0, Some(216));
    assert_refused(&parse_in(&dir.0, &conv_model(Some(missing))).1, "W", "nothing.bin", "cannot open");
    let folder = external_float("W", &[3, 2, 3, 3], ".", 0, Some(216));
    assert_refused(&parse_in(&dir.0, &conv_model(Some(folder))).1, "W", "'.'", "not a regular file");
    let mut nowhere = external_float("W", &[3, 2, 3, 3], "weights.bin", 0, Some(216));
    nowhere.external_data.remove(0);
    let (_, errors) = parse_in(&dir.0, &conv_model(Some(nowhere)));
    assert!(errors[0].desc.contains("'W'") && errors[0].desc.contains("without a location"), "{}", errors[0].desc);
    // Dims whose byte size overflows never reach an allocation.
    let overflow = external_float("W", &[1 << 40, 1 << 40, 3, 3], "weights.bin", 0, None);
    assert_refused(&parse_in(&dir.0, &conv_model(Some(overflow))).1, "W", "weights.bin", "invalid dims");
}

/// X → Relu → Foo (no importer) → Sigmoid → Tanh: node flags true, false, true, true.
#[test]
fn supports_model_flags_each_node() {
    let nodes = vec![
        node("Relu", "a", &["X"], &["A"], vec![]),
        node("NoSuchOperator", "b", &["A"], &["B"], vec![]),
        node("Sigmoid", "c", &["B"], &["C"], vec![]),
        node("Tanh", "d", &["C"], &["Y"], vec![]),
    ];
    let bytes = model(13, graph(nodes, vec![], &[("X", &[2, 3])], &[("Y", &[2, 3])]));
    let report = supports_model(&bytes, None);
    assert_eq!(report.node_supported, vec![true, false, true, true]);
    assert_eq!(report.errors.len(), 1, "{:?}", messages(&report.errors));
    assert_eq!(report.errors[0].node, 1);
    assert_eq!(report.errors[0].code, ParserErrorCode::UnsupportedNode);

    // A node whose importer fails is unsupported too (an input nobody produces).
    let bad = vec![node("Relu", "a", &["X"], &["Y"], vec![]), node("Reshape", "r", &["X", "missing"], &["Z"], vec![])];
    let report = supports_model(&model(13, graph(bad, vec![], &[("X", &[2, 3])], &[("Y", &[2, 3])])), None);
    assert_eq!(report.node_supported, vec![true, false]);

    let ok =
        supports_model(&model(13, graph(vec![node("Relu", "a", &["X"], &["Y"], vec![])], vec![], &[("X", &[2])], &[("Y", &[2])])), None);
    assert!(ok.errors.is_empty());
    assert_eq!(ok.node_supported, vec![true]);

    // Bytes that are no model: no nodes, one error.
    let none = supports_model(b"not a model", None);
    assert!(none.node_supported.is_empty());
    assert_eq!(none.errors[0].code, ParserErrorCode::ModelDeserializeFailed);
}
