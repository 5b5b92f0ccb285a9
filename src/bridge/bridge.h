// Shared pieces of the C++ bridge: TensorRT's C++ classes implemented over the C ABI
// (nvinfer_c.h). Library objects derive from the public shell class and from the
// generated nvtrt::V*Defaults, whose methods report "not implemented" until overridden.
#ifndef NVTRT_BRIDGE_H
#define NVTRT_BRIDGE_H

#include "NvInfer.h"
#include "NvInferPlugin.h"
#include "NvOnnxParser.h"
#include "generated/v_defaults.h"
#include "nvinfer_c.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nvtrt
{

// C callbacks that forward to the application's ILogger / IErrorRecorder.
NvtLogger cLogger(nvinfer1::ILogger* logger) noexcept;
NvtErrorRecorder cRecorder(nvinfer1::IErrorRecorder* recorder) noexcept;

// The logger getLogger() returns: the one most recently given to a builder or runtime.
void setGlobalLogger(nvinfer1::ILogger* logger) noexcept;
nvinfer1::ILogger* globalLogger() noexcept;
void logError(char const* message) noexcept;

// Dims <-> the C ABI's int64 arrays. Invalid Dims (nbDims outside 0..8) yield -1.
nvinfer1::Dims toDims(int64_t const* values, int32_t nbDims) noexcept;
int32_t fromDims(nvinfer1::Dims const& dims, int64_t* out) noexcept;
nvinfer1::DimsHW toDimsHW(nvinfer1::Dims const& dims) noexcept;

// An IErrorRecorder reference, counted as TensorRT counts it (incRefCount while held).
class RecorderRef
{
public:
    ~RecorderRef() { set(nullptr); }
    void set(nvinfer1::IErrorRecorder* recorder) noexcept
    {
        if (recorder) recorder->incRefCount();
        if (mRecorder) mRecorder->decRefCount();
        mRecorder = recorder;
    }
    nvinfer1::IErrorRecorder* get() const noexcept { return mRecorder; }

private:
    nvinfer1::IErrorRecorder* mRecorder{nullptr};
};

// Base for everything an owner keeps in a list and deletes.
struct Owned
{
    virtual ~Owned() = default;
};

// Allocates without throwing; a failure is reported and yields nullptr.
template <typename T, typename... Args>
T* make(Args&&... args) noexcept
{
    try
    {
        return new T(std::forward<Args>(args)...);
    }
    catch (...)
    {
        logError("out of host memory while creating a TensorRT object");
        return nullptr;
    }
}

} // namespace nvtrt

#endif
