//! C ABI: the ONNX parser (nvonnxparser::IParser).

use super::network::NvtNetwork;
use super::{cstr, destroy, run, slice, with, Reports};
use crate::error::Error;
use crate::ir::Name;
use crate::log::{NvtLogger, Reporter};
use crate::onnx::{self, ParserError};
use crate::types::Severity;
use std::ffi::{c_char, c_void};
use std::path::Path;
use std::ptr::{null, null_mut};

pub struct NvtParser {
    reporter: Reporter,
    network: *mut NvtNetwork,
    errors: Vec<(ParserError, Name, Name)>,
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
        Ok(Box::into_raw(Box::new(NvtParser { reporter, network, errors: vec![] })))
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
        let dir = if model_path.is_null() { None } else { Path::new(cstr(model_path, "model path")?).parent().map(|d| d.to_path_buf()) };
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
