//! TensorRT's exported entry points. They are defined here, in Rust, so that the cdylib
//! exports them; each forwards to the C++ bridge, which builds TensorRT's C++ objects.

use std::ffi::{c_char, c_void};

extern "C" {
    fn nvtrt_bridge_create_builder(logger: *mut c_void, version: i32) -> *mut c_void;
    fn nvtrt_bridge_create_runtime(logger: *mut c_void, version: i32) -> *mut c_void;
    fn nvtrt_bridge_create_refitter(engine: *mut c_void, logger: *mut c_void, version: i32) -> *mut c_void;
    fn nvtrt_bridge_create_parser(network: *mut c_void, logger: *mut c_void, version: i32) -> *mut c_void;
    fn nvtrt_bridge_plugin_registry() -> *mut c_void;
    fn nvtrt_bridge_logger() -> *mut c_void;
    fn nvtrt_bridge_init_plugins(logger: *mut c_void, namespace: *const c_char) -> bool;
}

/// The ONNX parser version NvOnnxParser.h 8.6 declares (0.1.0).
const NV_ONNX_PARSER_VERSION: i32 = 100;

#[no_mangle]
pub unsafe extern "C" fn createInferBuilder_INTERNAL(logger: *mut c_void, version: i32) -> *mut c_void {
    nvtrt_bridge_create_builder(logger, version)
}

#[no_mangle]
pub unsafe extern "C" fn createInferRuntime_INTERNAL(logger: *mut c_void, version: i32) -> *mut c_void {
    nvtrt_bridge_create_runtime(logger, version)
}

#[no_mangle]
pub unsafe extern "C" fn createInferRefitter_INTERNAL(engine: *mut c_void, logger: *mut c_void, version: i32) -> *mut c_void {
    nvtrt_bridge_create_refitter(engine, logger, version)
}

#[no_mangle]
pub unsafe extern "C" fn createNvOnnxParser_INTERNAL(network: *mut c_void, logger: *mut c_void, version: i32) -> *mut c_void {
    nvtrt_bridge_create_parser(network, logger, version)
}

#[no_mangle]
pub extern "C" fn getNvOnnxParserVersion() -> i32 {
    NV_ONNX_PARSER_VERSION
}

#[no_mangle]
pub unsafe extern "C" fn getPluginRegistry() -> *mut c_void {
    nvtrt_bridge_plugin_registry()
}

/// Every engine capability shares the one registry.
#[no_mangle]
pub unsafe extern "C" fn getBuilderPluginRegistry(_capability: i32) -> *mut c_void {
    nvtrt_bridge_plugin_registry()
}

#[no_mangle]
pub unsafe extern "C" fn getLogger() -> *mut c_void {
    nvtrt_bridge_logger()
}

#[no_mangle]
pub extern "C" fn getInferLibVersion() -> i32 {
    super::nvt_version()
}

#[no_mangle]
pub unsafe extern "C" fn initLibNvInferPlugins(logger: *mut c_void, namespace: *const c_char) -> bool {
    nvtrt_bridge_init_plugins(logger, namespace)
}
