// The C++ halves of the exported entry points. The exported symbols themselves are defined
// in Rust (src/capi/entry.rs), which calls these, so that the cdylib exports them.
#include "objects.h"

namespace nvtrt
{
nvonnxparser::IParser* createParser(nvinfer1::INetworkDefinition* network, nvinfer1::ILogger* logger) noexcept;
}

namespace
{
bool versionOk(int32_t version, char const* what) noexcept
{
    // Programs compiled against any 8.x headers are accepted; others are refused.
    if (version / 1000 == NV_TENSORRT_MAJOR) return true;
    std::string msg = std::string(what) + ": the program was compiled against TensorRT headers of another major version";
    nvtrt::logError(msg.c_str());
    return false;
}
} // namespace

extern "C" {

void* nvtrt_bridge_create_builder(void* logger, int32_t version) noexcept
{
    auto* l = static_cast<nvinfer1::ILogger*>(logger);
    nvtrt::setGlobalLogger(l);
    if (!versionOk(version, "createInferBuilder")) return nullptr;
    NvtBuilder* b = nvt_builder_create(nvtrt::cLogger(l));
    if (!b) return nullptr;
    nvtrt::BuilderObj* obj = nvtrt::make<nvtrt::BuilderObj>(b, l);
    if (!obj) nvt_builder_destroy(b);
    return static_cast<nvinfer1::IBuilder*>(obj);
}

void* nvtrt_bridge_create_runtime(void* logger, int32_t version) noexcept
{
    auto* l = static_cast<nvinfer1::ILogger*>(logger);
    nvtrt::setGlobalLogger(l);
    if (!versionOk(version, "createInferRuntime")) return nullptr;
    NvtRuntime* r = nvt_runtime_create(nvtrt::cLogger(l));
    if (!r) return nullptr;
    nvtrt::RuntimeObj* obj = nvtrt::make<nvtrt::RuntimeObj>(r, l);
    if (!obj) nvt_runtime_destroy(r);
    return static_cast<nvinfer1::IRuntime*>(obj);
}

void* nvtrt_bridge_create_refitter(void* engine, void* logger, int32_t version) noexcept
{
    (void) engine;
    (void) version;
    nvtrt::setGlobalLogger(static_cast<nvinfer1::ILogger*>(logger));
    nvtrt::reportUnimplemented("createInferRefitter (refitting engines)");
    return nullptr;
}

void* nvtrt_bridge_create_parser(void* network, void* logger, int32_t version) noexcept
{
    (void) version;
    auto* l = static_cast<nvinfer1::ILogger*>(logger);
    nvtrt::setGlobalLogger(l);
    return nvtrt::createParser(static_cast<nvinfer1::INetworkDefinition*>(network), l);
}

void* nvtrt_bridge_plugin_registry() noexcept
{
    return &nvtrt::pluginRegistry();
}

void* nvtrt_bridge_logger() noexcept
{
    return nvtrt::globalLogger();
}

bool nvtrt_bridge_init_plugins(void* logger, char const* ns) noexcept
{
    (void) ns;
    auto* l = static_cast<nvinfer1::ILogger*>(logger);
    nvtrt::setGlobalLogger(l);
    if (l)
        l->log(nvinfer1::ILogger::Severity::kWARNING,
            "initLibNvInferPlugins: this library has no built-in plugins yet; none were registered");
    return true;
}

} // extern "C"
