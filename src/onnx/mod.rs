//! The ONNX parser: decodes a model with prost and adds its nodes to a network through the
//! same IR the Network Definition API builds. Errors keep their node's index, name and op,
//! and parsing goes on after a failed node so that one pass reports every problem.

pub mod external_data;
pub mod fold;
pub mod importer;
pub mod ops;
pub mod proto;
pub mod weights;

use crate::ir::Network;
use std::path::Path;

/// nvonnxparser::ErrorCode values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum ParserErrorCode {
    Success = 0,
    InternalError = 1,
    MemAllocFailed = 2,
    ModelDeserializeFailed = 3,
    InvalidValue = 4,
    InvalidGraph = 5,
    InvalidNode = 6,
    UnsupportedGraph = 7,
    UnsupportedNode = 8,
}

/// One parser error (IParserError).
#[derive(Clone, Debug, PartialEq)]
pub struct ParserError {
    pub code: ParserErrorCode,
    pub desc: String,
    /// Index of the failing node, or -1 when the error is not about a node.
    pub node: i32,
    pub node_name: String,
    pub op_type: String,
    /// Where in this library the error was found (IParserError::file/line/func).
    pub func: &'static str,
}

impl ParserError {
    pub fn graph(code: ParserErrorCode, desc: impl Into<String>, func: &'static str) -> ParserError {
        ParserError { code, desc: desc.into(), node: -1, node_name: String::new(), op_type: String::new(), func }
    }

    /// The message as the logger shows it.
    pub fn message(&self) -> String {
        if self.node >= 0 {
            format!("ONNX node {} ('{}', op {}): {}", self.node, self.node_name, self.op_type, self.desc)
        } else {
            format!("ONNX model: {}", self.desc)
        }
    }
}

/// Parses a serialized model into `network`. Returns every error found (empty on success).
/// `model_dir` is the model's folder, where external data files are looked for.
pub fn parse(network: &mut Network, bytes: &[u8], model_dir: Option<&Path>) -> Vec<ParserError> {
    importer::import_model(network, bytes, model_dir)
}

/// Reads and parses an ONNX file.
pub fn parse_file(network: &mut Network, path: &Path) -> Vec<ParserError> {
    match std::fs::read(path) {
        Ok(bytes) => parse(network, &bytes, path.parent()),
        Err(e) => vec![ParserError::graph(
            ParserErrorCode::ModelDeserializeFailed,
            format!("cannot read ONNX file '{}': {e}", path.display()),
            "parse_file",
        )],
    }
}

/// IParser::supportsModel: parses into a scratch network (never the caller's) and tells, for
/// each node of the main graph in order, whether it was imported; with every error found.
pub fn supports_model(bytes: &[u8], model_dir: Option<&Path>) -> importer::ImportReport {
    importer::import_model_nodes(&mut Network::new(), bytes, model_dir)
}

/// Op types the parser imports (IParser::supportsOperator).
pub fn supports_operator(op: &str) -> bool {
    ops::importer_for(op).is_some()
}
