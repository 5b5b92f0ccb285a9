// IRuntime, ICudaEngine and IExecutionContext over the C ABI.
#include "objects.h"

namespace nvtrt
{

// ---- RuntimeObj ----

RuntimeObj::RuntimeObj(NvtRuntime* handle, nvinfer1::ILogger* logger) noexcept
    : mHandle(handle)
    , mLogger(logger)
{
    mImpl = this;
}

RuntimeObj::~RuntimeObj()
{
    nvt_runtime_destroy(mHandle);
}

nvinfer1::ICudaEngine* RuntimeObj::deserializeCudaEngine(void const* blob, std::size_t size, nvinfer1::IPluginFactory*) noexcept
{
    return wrapEngine(nvt_runtime_deserialize(mHandle, blob, size));
}

void RuntimeObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_runtime_set_error_recorder(mHandle, cRecorder(recorder));
}

// ---- EngineObj ----

nvinfer1::ICudaEngine* wrapEngine(NvtEngine* handle) noexcept
{
    if (!handle) return nullptr;
    EngineObj* e = make<EngineObj>(handle);
    if (!e) nvt_engine_destroy(handle);
    return e;
}

EngineObj::EngineObj(NvtEngine* handle) noexcept
    : mHandle(handle)
{
    mImpl = this;
}

EngineObj::~EngineObj()
{
    nvt_engine_destroy(mHandle);
}

int32_t EngineObj::getBindingIndex(char const* name) const noexcept
{
    return nvt_engine_io_index(mHandle, name);
}

bool EngineObj::bindingIsInput(int32_t index) const noexcept
{
    return getTensorIOMode(getIOTensorName(index)) == nvinfer1::TensorIOMode::kINPUT;
}

nvinfer1::Dims EngineObj::getBindingDimensions(int32_t index) const noexcept
{
    return getTensorShape(getIOTensorName(index));
}

nvinfer1::DataType EngineObj::getBindingDataType(int32_t index) const noexcept
{
    return getTensorDataType(getIOTensorName(index));
}

int32_t EngineObj::getNbLayers() const noexcept
{
    return nvt_engine_nb_layers(mHandle);
}

nvinfer1::IHostMemory* EngineObj::serialize() const noexcept
{
    return wrapHostMemory(nvt_engine_serialize(mHandle));
}

nvinfer1::IExecutionContext* EngineObj::createExecutionContext() noexcept
{
    NvtContext* c = nvt_engine_create_context(mHandle);
    if (!c) return nullptr;
    ContextObj* obj = make<ContextObj>(c, *this);
    if (!obj) nvt_context_destroy(c);
    return obj;
}

nvinfer1::TensorLocation EngineObj::getLocation(int32_t index) const noexcept
{
    return getTensorLocation(getIOTensorName(index));
}

std::size_t EngineObj::getDeviceMemorySize() const noexcept
{
    return static_cast<std::size_t>(nvt_engine_device_memory_size(mHandle));
}

void EngineObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_engine_set_error_recorder(mHandle, cRecorder(recorder));
}

int32_t EngineObj::getNbIOTensors() const noexcept
{
    return nvt_engine_nb_io_tensors(mHandle);
}

char const* EngineObj::getIOTensorName(int32_t index) const noexcept
{
    return nvt_engine_io_tensor_name(mHandle, index);
}

nvinfer1::Dims EngineObj::getTensorShape(char const* name) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    return toDims(buf, nvt_engine_tensor_shape(mHandle, name, buf, nvinfer1::Dims::MAX_DIMS));
}

nvinfer1::DataType EngineObj::getTensorDataType(char const* name) const noexcept
{
    return static_cast<nvinfer1::DataType>(nvt_engine_tensor_type(mHandle, name));
}

nvinfer1::TensorLocation EngineObj::getTensorLocation(char const* name) const noexcept
{
    return static_cast<nvinfer1::TensorLocation>(nvt_engine_tensor_location(mHandle, name));
}

nvinfer1::TensorIOMode EngineObj::getTensorIOMode(char const* name) const noexcept
{
    return static_cast<nvinfer1::TensorIOMode>(nvt_engine_tensor_io_mode(mHandle, name));
}

int32_t EngineObj::getTensorBytesPerComponent(char const* name) const noexcept
{
    if (getTensorIOMode(name) == nvinfer1::TensorIOMode::kNONE) return -1;
    switch (getTensorDataType(name))
    {
    case nvinfer1::DataType::kFLOAT:
    case nvinfer1::DataType::kINT32: return 4;
    case nvinfer1::DataType::kHALF: return 2;
    default: return 1;
    }
}

nvinfer1::Dims EngineObj::getProfileShape(char const* name, int32_t profile, nvinfer1::OptProfileSelector) const noexcept
{
    // Engines have one implicit profile whose min, opt and max are the static input shape.
    if (profile != 0)
    {
        logError("ICudaEngine::getProfileShape: the engine has one optimization profile (index 0)");
        nvinfer1::Dims bad{};
        bad.nbDims = -1;
        return bad;
    }
    return getTensorShape(name);
}

// ---- ContextObj ----

ContextObj::ContextObj(NvtContext* handle, EngineObj& engine) noexcept
    : mHandle(handle)
    , mEngine(engine)
{
    mImpl = this;
}

ContextObj::~ContextObj()
{
    nvt_context_destroy(mHandle);
}

nvinfer1::ICudaEngine const& ContextObj::getEngine() const noexcept
{
    return mEngine;
}

bool ContextObj::setTensorAddress(char const* name, void* data) noexcept
{
    return nvt_context_set_tensor_address(mHandle, name, data);
}

void const* ContextObj::getTensorAddress(char const* name) const noexcept
{
    return nvt_context_tensor_address(mHandle, name);
}

bool ContextObj::setInputTensorAddress(char const* name, void const* data) noexcept
{
    if (mEngine.getTensorIOMode(name) != nvinfer1::TensorIOMode::kINPUT)
    {
        logError("IExecutionContext::setInputTensorAddress: the tensor is not an input");
        return false;
    }
    return nvt_context_set_tensor_address(mHandle, name, const_cast<void*>(data));
}

void* ContextObj::getOutputTensorAddress(char const* name) const noexcept
{
    if (mEngine.getTensorIOMode(name) != nvinfer1::TensorIOMode::kOUTPUT) return nullptr;
    return nvt_context_tensor_address(mHandle, name);
}

bool ContextObj::setInputShape(char const* name, nvinfer1::Dims const& dims) noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
    {
        logError("IExecutionContext::setInputShape: nbDims must be between 0 and 8");
        return false;
    }
    return nvt_context_set_input_shape(mHandle, name, buf, n);
}

nvinfer1::Dims ContextObj::getTensorShape(char const* name) const noexcept
{
    return mEngine.getTensorShape(name);
}

nvinfer1::Dims ContextObj::getTensorStrides(char const* name) const noexcept
{
    nvinfer1::Dims s = getTensorShape(name);
    if (s.nbDims < 0) return s;
    int32_t stride = 1;
    for (int32_t i = s.nbDims - 1; i >= 0; --i)
    {
        int32_t extent = s.d[i];
        s.d[i] = stride;
        stride *= extent > 0 ? extent : 1;
    }
    return s;
}

bool ContextObj::setBindingDimensions(int32_t bindingIndex, nvinfer1::Dims dims) noexcept
{
    return setInputShape(mEngine.getIOTensorName(bindingIndex), dims);
}

nvinfer1::Dims ContextObj::getBindingDimensions(int32_t bindingIndex) const noexcept
{
    return getTensorShape(mEngine.getIOTensorName(bindingIndex));
}

nvinfer1::Dims ContextObj::getStrides(int32_t bindingIndex) const noexcept
{
    return getTensorStrides(mEngine.getIOTensorName(bindingIndex));
}

bool ContextObj::setOptimizationProfileAsync(int32_t index, cudaStream_t) noexcept
{
    if (index != 0)
    {
        logError("IExecutionContext::setOptimizationProfileAsync: the engine has one optimization profile (index 0)");
        return false;
    }
    return true;
}

bool ContextObj::executeV2(void* const* bindings) noexcept
{
    return nvt_context_execute_v2(mHandle, bindings);
}

bool ContextObj::enqueueV2(void* const* bindings, cudaStream_t stream, cudaEvent_t* inputConsumed) noexcept
{
    if (inputConsumed)
    {
        reportUnimplemented("IExecutionContext::enqueueV2 with an inputConsumed event");
        return false;
    }
    return nvt_context_enqueue_v2(mHandle, bindings, stream);
}

bool ContextObj::enqueueV3(cudaStream_t stream) noexcept
{
    return nvt_context_enqueue_v3(mHandle, stream);
}

void ContextObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_context_set_error_recorder(mHandle, cRecorder(recorder));
}

} // namespace nvtrt
