// Logger and error-recorder trampolines, the global logger, Dims conversions.
#include "bridge.h"

#include <atomic>
#include <cstdio>

namespace nvtrt
{
namespace
{
std::atomic<nvinfer1::ILogger*> gLogger{nullptr};

void logTrampoline(void* user, int32_t severity, char const* msg)
{
    static_cast<nvinfer1::ILogger*>(user)->log(static_cast<nvinfer1::ILogger::Severity>(severity), msg);
}

bool recordTrampoline(void* user, int32_t code, char const* desc)
{
    return static_cast<nvinfer1::IErrorRecorder*>(user)->reportError(static_cast<nvinfer1::ErrorCode>(code), desc);
}
} // namespace

NvtLogger cLogger(nvinfer1::ILogger* logger) noexcept
{
    NvtLogger c{};
    c.user = logger;
    c.log = logger ? &logTrampoline : nullptr;
    return c;
}

NvtErrorRecorder cRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    NvtErrorRecorder c{};
    c.user = recorder;
    c.report = recorder ? &recordTrampoline : nullptr;
    return c;
}

void setGlobalLogger(nvinfer1::ILogger* logger) noexcept
{
    if (logger) gLogger.store(logger);
}

nvinfer1::ILogger* globalLogger() noexcept
{
    return gLogger.load();
}

void logError(char const* message) noexcept
{
    if (nvinfer1::ILogger* l = gLogger.load())
        l->log(nvinfer1::ILogger::Severity::kERROR, message);
    else
        std::fprintf(stderr, "[nvinfer] %s\n", message);
}

void reportUnimplemented(char const* method) noexcept
{
    std::string msg;
    try
    {
        msg = std::string(method) + " is not implemented yet in this TensorRT-compatible library";
    }
    catch (...)
    {
        return;
    }
    logError(msg.c_str());
}

nvinfer1::Dims toDims(int64_t const* values, int32_t nbDims) noexcept
{
    nvinfer1::Dims d{};
    if (nbDims < 0 || nbDims > nvinfer1::Dims::MAX_DIMS)
    {
        d.nbDims = -1;
        return d;
    }
    d.nbDims = nbDims;
    for (int32_t i = 0; i < nbDims; ++i) d.d[i] = static_cast<int32_t>(values[i]);
    return d;
}

int32_t fromDims(nvinfer1::Dims const& dims, int64_t* out) noexcept
{
    if (dims.nbDims < 0 || dims.nbDims > nvinfer1::Dims::MAX_DIMS) return -1;
    for (int32_t i = 0; i < dims.nbDims; ++i) out[i] = dims.d[i];
    return dims.nbDims;
}

nvinfer1::DimsHW toDimsHW(nvinfer1::Dims const& dims) noexcept
{
    nvinfer1::DimsHW hw;
    if (dims.nbDims == 2)
    {
        hw.d[0] = dims.d[0];
        hw.d[1] = dims.d[1];
    }
    else
    {
        hw.nbDims = -1;
    }
    return hw;
}

} // namespace nvtrt
