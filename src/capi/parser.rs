//! C ABI: the ONNX parser (nvonnxparser::IParser).

use super::network::NvtNetwork;
use super::{copy_out, cstr, destroy, run, slice, with, Reports};
use crate::error::{Error, Result};
use crate::ir::Name;
use crate::log::{NvtLogger, Reporter};
use crate::onnx::{self, ParserError};
use crate::types::Severity;
use std::ffi::{c_char, c_void};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

pub struct NvtParser {
    reporter: Reporter,
    network: *mut NvtNetwork,
    errors: Vec<(ParserError, Name, Name)>,
    /// OnnxParserFlags (bit i = OnnxParserFlag i).
    flags: u32,
    /// Per node of the last supportsModel's model: 1 when the node was imported.
    node_support: Vec<u8>,
}

/// OnnxParserFlag values TensorRT 8.6 defines: kNATIVE_INSTANCENORM (0) only. Its flag picks
/// TensorRT's native InstanceNormalization over the plugin; this parser has no plugin and
/// always imports InstanceNormalization natively, so the flag is remembered but changes
/// nothing.
const PARSER_FLAG_COUNT: i32 = 1;

fn flag_bit(flag: i32) -> Result<u32> {
    if (0..PARSER_FLAG_COUNT).contains(&flag) {
        Ok(1 << flag)
    } else {
        Err(Error::invalid_argument(format!("{flag} is not an OnnxParserFlag (0 to {})", PARSER_FLAG_COUNT - 1)))
    }
}

/// The folder of `model_path` (may be null), where external data files are looked for.
unsafe fn model_dir(model_path: *const c_char) -> Result<Option<PathBuf>> {
    if model_path.is_null() {
        return Ok(None);
    }
    Ok(Path::new(cstr(model_path, "model path")?).parent().map(|d| d.to_path_buf()))
}

impl Reports for NvtParser {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}

impl NvtParser {
    fn record(&mut self, errors: Vec<ParserError>) -> bool {
        for e in &errors {
            self.reporter.log(Severity::Error, &e.message());
        }
        let ok = errors.is_empty();
        self.errors.extend(errors.into_iter().map(|e| {
            let (desc, func) = (Name::new(&e.desc), Name::new(e.func));
            (e, desc, func)
        }));
        ok
    }
}

/// A parser that adds to `network`; the network must outlive it.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_create(network: *mut NvtNetwork, logger: NvtLogger) -> *mut NvtParser {
    let reporter = Reporter::new(logger);
    run(&reporter.clone(), "nvonnxparser::createParser", null_mut(), || {
        if network.is_null() {
            return Err(Error::invalid_argument("the network is null"));
        }
        Ok(Box::into_raw(Box::new(NvtParser { reporter, network, errors: vec![], flags: 0, node_support: vec![] })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_destroy(p: *mut NvtParser) {
    destroy(p)
}

/// Parses a serialized model; `model_path` (may be null) locates external data.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_parse(p: *mut NvtParser, data: *const c_void, size: u64, model_path: *const c_char) -> bool {
    with(p, "IParser::parse", false, |p| {
        let bytes = slice(data as *const u8, size as i64, "serialized model")?;
        let dir = model_dir(model_path)?;
        let net = &mut (*p.network).network;
        let errors = onnx::parse(net, bytes, dir.as_deref());
        Ok(p.record(errors))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_parse_from_file(p: *mut NvtParser, path: *const c_char, verbosity: i32) -> bool {
    with(p, "IParser::parseFromFile", false, |p| {
        let path = cstr(path, "file name")?;
        if verbosity >= Severity::Info as i32 {
            p.reporter.info(&format!("parsing ONNX file {path}"));
        }
        let net = &mut (*p.network).network;
        let errors = onnx::parse_file(net, Path::new(path));
        Ok(p.record(errors))
    })
}

/// IParser::supportsModel: parses into a scratch network, records the errors as parse does,
/// and keeps one support flag per node for nvt_parser_node_support. True when the whole model
/// is supported.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_supports_model(p: *mut NvtParser, data: *const c_void, size: u64, model_path: *const c_char) -> bool {
    with(p, "IParser::supportsModel", false, |p| {
        p.node_support.clear();
        let bytes = slice(data as *const u8, size as i64, "serialized model")?;
        let report = onnx::supports_model(bytes, model_dir(model_path)?.as_deref());
        if i32::try_from(report.node_supported.len()).is_err() {
            return Err(Error::invalid_argument("the model has more than 2^31 - 1 nodes"));
        }
        p.node_support = report.node_supported.iter().map(|&s| s as u8).collect();
        Ok(p.record(report.errors))
    })
}

/// Copies the last supportsModel's per-node flags (1 = supported, in node order) into `out`
/// (up to `capacity`); returns the node count. Empty when the model could not be decoded.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_node_support(p: *mut NvtParser, out: *mut u8, capacity: i32) -> i32 {
    with(p, "IParser::supportsModel", 0, |p| Ok(copy_out(&p.node_support, out, capacity)))
}

/// IParser::setFlags. Bits that name no OnnxParserFlag are refused (the flags stay as they were).
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_set_flags(p: *mut NvtParser, flags: u32) -> bool {
    with(p, "IParser::setFlags", false, |p| {
        let known = (1u32 << PARSER_FLAG_COUNT) - 1;
        if flags & !known != 0 {
            return Err(Error::invalid_argument(format!("flags {flags:#x} set bits that are no OnnxParserFlag (known: {known:#x})")));
        }
        p.flags = flags;
        Ok(true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_get_flags(p: *mut NvtParser) -> u32 {
    with(p, "IParser::getFlags", 0, |p| Ok(p.flags))
}

/// IParser::setFlag (`on`) or clearFlag; an unknown flag is refused.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_set_flag(p: *mut NvtParser, flag: i32, on: bool) -> bool {
    let what = if on { "IParser::setFlag" } else { "IParser::clearFlag" };
    with(p, what, false, |p| {
        let bit = flag_bit(flag)?;
        p.flags = if on { p.flags | bit } else { p.flags & !bit };
        Ok(true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_get_flag(p: *mut NvtParser, flag: i32) -> bool {
    with(p, "IParser::getFlag", false, |p| Ok(p.flags & flag_bit(flag)? != 0))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_supports_operator(p: *mut NvtParser, op: *const c_char) -> bool {
    with(p, "IParser::supportsOperator", false, |_| Ok(onnx::supports_operator(cstr(op, "op name")?)))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_nb_errors(p: *mut NvtParser) -> i32 {
    with(p, "IParser::getNbErrors", 0, |p| Ok(p.errors.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_clear_errors(p: *mut NvtParser) {
    with(p, "IParser::clearErrors", (), |p| {
        p.errors.clear();
        Ok(())
    })
}

/// nvonnxparser::ErrorCode of error `i`.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_error_code(p: *mut NvtParser, i: i32) -> i32 {
    with(p, "IParserError::code", 0, |p| Ok(p.errors.get(i as usize).map(|e| e.0.code as i32).unwrap_or(0)))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_error_desc(p: *mut NvtParser, i: i32) -> *const c_char {
    with(p, "IParserError::desc", null(), |p| Ok(p.errors.get(i as usize).map(|e| e.1.as_ptr()).unwrap_or(null())))
}

/// Index of the node the error is about, or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_parser_error_node(p: *mut NvtParser, i: i32) -> i32 {
    with(p, "IParserError::node", -1, |p| Ok(p.errors.get(i as usize).map(|e| e.0.node).unwrap_or(-1)))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_parser_error_func(p: *mut NvtParser, i: i32) -> *const c_char {
    with(p, "IParserError::func", null(), |p| Ok(p.errors.get(i as usize).map(|e| e.2.as_ptr()).unwrap_or(null())))
}
