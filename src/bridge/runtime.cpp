// IRuntime, ICudaEngine and IExecutionContext over the C ABI.
#include "objects.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

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

bool EngineObj::splitBinding(int32_t bindingIndex, int32_t& profile, int32_t& io) const noexcept
{
    int32_t n = getNbIOTensors();
    if (n <= 0 || bindingIndex < 0 || bindingIndex >= getNbBindings())
    {
        logError("ICudaEngine: binding index out of range");
        return false;
    }
    profile = bindingIndex / n;
    io = bindingIndex % n;
    return true;
}

int32_t EngineObj::getNbBindings() const noexcept
{
    return getNbIOTensors() * getNbOptimizationProfiles();
}

int32_t EngineObj::getBindingIndex(char const* name) const noexcept
{
    if (!name) return -1;
    // "name [profile k]" names the binding of profile k.
    char const* tag = std::strstr(name, " [profile ");
    if (!tag) return nvt_engine_io_index(mHandle, name);
    int32_t k = std::atoi(tag + 10);
    std::string base;
    try
    {
        base.assign(name, tag);
    }
    catch (...)
    {
        return -1;
    }
    int32_t io = nvt_engine_io_index(mHandle, base.c_str());
    if (io < 0 || k <= 0 || k >= getNbOptimizationProfiles()) return -1;
    return k * getNbIOTensors() + io;
}

char const* EngineObj::getBindingName(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(index, profile, io)) return nullptr;
    if (profile == 0) return getIOTensorName(io);
    try
    {
        if (mBindingNames.empty())
        {
            int32_t n = getNbIOTensors();
            for (int32_t k = 1; k < getNbOptimizationProfiles(); ++k)
                for (int32_t i = 0; i < n; ++i)
                    mBindingNames.push_back(std::string(getIOTensorName(i)) + " [profile " + std::to_string(k) + "]");
        }
        return mBindingNames[static_cast<size_t>(index - getNbIOTensors())].c_str();
    }
    catch (...)
    {
        logError("out of host memory in ICudaEngine::getBindingName");
        return nullptr;
    }
}

bool EngineObj::bindingIsInput(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    return splitBinding(index, profile, io) && getTensorIOMode(getIOTensorName(io)) == nvinfer1::TensorIOMode::kINPUT;
}

nvinfer1::Dims EngineObj::getBindingDimensions(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(index, profile, io)) return toDims(nullptr, -1);
    return getTensorShape(getIOTensorName(io));
}

nvinfer1::DataType EngineObj::getBindingDataType(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(index, profile, io)) return nvinfer1::DataType::kFLOAT;
    return getTensorDataType(getIOTensorName(io));
}

int32_t EngineObj::getBindingBytesPerComponent(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(index, profile, io)) return -1;
    return getTensorBytesPerComponent(getIOTensorName(io));
}

nvinfer1::TensorLocation EngineObj::getLocation(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(index, profile, io)) return nvinfer1::TensorLocation::kDEVICE;
    return getTensorLocation(getIOTensorName(io));
}

bool EngineObj::isShapeBinding(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    return splitBinding(index, profile, io) && isShapeInferenceIO(getIOTensorName(io));
}

bool EngineObj::isExecutionBinding(int32_t index) const noexcept
{
    int32_t profile = 0, io = 0;
    return splitBinding(index, profile, io) && !isShapeInferenceIO(getIOTensorName(io));
}

nvinfer1::Dims EngineObj::getProfileDimensions(int32_t bindingIndex, int32_t profileIndex, nvinfer1::OptProfileSelector select) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(bindingIndex, profile, io)) return toDims(nullptr, -1);
    return getProfileShape(getIOTensorName(io), profileIndex, select);
}

int32_t const* EngineObj::getProfileShapeValues(int32_t profileIndex, int32_t inputIndex, nvinfer1::OptProfileSelector select) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!splitBinding(inputIndex, profile, io)) return nullptr;
    int32_t count = 0;
    return nvt_engine_profile_values(mHandle, getIOTensorName(io), profileIndex, static_cast<int32_t>(select), &count);
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

std::size_t EngineObj::getDeviceMemorySize() const noexcept
{
    return static_cast<std::size_t>(nvt_engine_device_memory_size(mHandle));
}

int32_t EngineObj::getNbOptimizationProfiles() const noexcept
{
    return nvt_engine_nb_profiles(mHandle);
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

bool EngineObj::isShapeInferenceIO(char const* name) const noexcept
{
    return nvt_engine_is_shape_io(mHandle, name);
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

nvinfer1::Dims EngineObj::getProfileShape(char const* name, int32_t profile, nvinfer1::OptProfileSelector select) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    return toDims(buf, nvt_engine_profile_shape(mHandle, name, profile, static_cast<int32_t>(select), buf, nvinfer1::Dims::MAX_DIMS));
}

// ---- ContextObj ----

namespace
{
void* reallocateTrampoline(void* user, char const* name, void* current, uint64_t size, uint64_t alignment)
{
    return static_cast<nvinfer1::IOutputAllocator*>(user)->reallocateOutput(name, current, size, alignment);
}

void notifyShapeTrampoline(void* user, char const* name, int64_t const* dims, int32_t nbDims)
{
    static_cast<nvinfer1::IOutputAllocator*>(user)->notifyShape(name, toDims(dims, nbDims));
}
} // namespace

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
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    return toDims(buf, nvt_context_tensor_shape(mHandle, name, buf, nvinfer1::Dims::MAX_DIMS));
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

char const* ContextObj::bindingName(int32_t bindingIndex, char const* what) const noexcept
{
    int32_t profile = 0, io = 0;
    if (!mEngine.splitBinding(bindingIndex, profile, io)) return nullptr;
    if (profile != getOptimizationProfile())
    {
        std::string msg;
        try
        {
            msg = std::string(what) + ": the binding belongs to profile " + std::to_string(profile) + ", not this context's profile";
        }
        catch (...)
        {
        }
        logError(msg.c_str());
        return nullptr;
    }
    return mEngine.getIOTensorName(io);
}

void* const* ContextObj::profileBindings(void* const* bindings) const noexcept
{
    int32_t p = getOptimizationProfile();
    return bindings && p > 0 ? bindings + static_cast<ptrdiff_t>(p) * mEngine.getNbIOTensors() : bindings;
}

bool ContextObj::setBindingDimensions(int32_t bindingIndex, nvinfer1::Dims dims) noexcept
{
    char const* name = bindingName(bindingIndex, "IExecutionContext::setBindingDimensions");
    return name && setInputShape(name, dims);
}

nvinfer1::Dims ContextObj::getBindingDimensions(int32_t bindingIndex) const noexcept
{
    char const* name = bindingName(bindingIndex, "IExecutionContext::getBindingDimensions");
    return name ? getTensorShape(name) : toDims(nullptr, -1);
}

nvinfer1::Dims ContextObj::getStrides(int32_t bindingIndex) const noexcept
{
    char const* name = bindingName(bindingIndex, "IExecutionContext::getStrides");
    return name ? getTensorStrides(name) : toDims(nullptr, -1);
}

bool ContextObj::setInputShapeBinding(int32_t bindingIndex, int32_t const* data) noexcept
{
    char const* name = bindingName(bindingIndex, "IExecutionContext::setInputShapeBinding");
    if (!name || !data || !mEngine.isShapeInferenceIO(name) || mEngine.getTensorIOMode(name) != nvinfer1::TensorIOMode::kINPUT)
    {
        logError("IExecutionContext::setInputShapeBinding: the binding is not a shape input");
        return false;
    }
    nvinfer1::Dims d = getTensorShape(name);
    int64_t n = 1;
    for (int32_t i = 0; i < d.nbDims; ++i) n *= d.d[i] > 0 ? d.d[i] : 0;
    try
    {
        int32_t io = bindingIndex % mEngine.getNbIOTensors();
        if (mShapeValues.size() <= static_cast<size_t>(io)) mShapeValues.resize(io + 1);
        // TensorRT copies the values; the context keeps them.
        mShapeValues[io].assign(data, data + n);
        return nvt_context_set_tensor_address(mHandle, name, mShapeValues[io].data());
    }
    catch (...)
    {
        logError("out of host memory in IExecutionContext::setInputShapeBinding");
        return false;
    }
}

bool ContextObj::getShapeBinding(int32_t bindingIndex, int32_t* data) const noexcept
{
    char const* name = bindingName(bindingIndex, "IExecutionContext::getShapeBinding");
    int32_t io = bindingIndex % (mEngine.getNbIOTensors() > 0 ? mEngine.getNbIOTensors() : 1);
    if (!name || !data || static_cast<size_t>(io) >= mShapeValues.size() || mShapeValues[io].empty())
    {
        reportUnimplemented("IExecutionContext::getShapeBinding (other than for values set with setInputShapeBinding)");
        return false;
    }
    std::copy(mShapeValues[io].begin(), mShapeValues[io].end(), data);
    return true;
}

int32_t ContextObj::inferShapes(int32_t nbMaxNames, char const** tensorNames) noexcept
{
    return nvt_context_infer_shapes(mHandle, nbMaxNames, tensorNames);
}

bool ContextObj::setOptimizationProfileAsync(int32_t index, cudaStream_t) noexcept
{
    return nvt_context_set_profile(mHandle, index);
}

bool ContextObj::setOutputAllocator(char const* name, nvinfer1::IOutputAllocator* allocator) noexcept
{
    NvtOutputAllocator c{};
    c.user = allocator;
    c.reallocate = allocator ? &reallocateTrampoline : nullptr;
    c.notify_shape = allocator ? &notifyShapeTrampoline : nullptr;
    if (!nvt_context_set_output_allocator(mHandle, name, c)) return false;
    try
    {
        for (auto& a : mAllocators)
            if (a.first == name)
            {
                a.second = allocator;
                return true;
            }
        mAllocators.emplace_back(name, allocator);
        return true;
    }
    catch (...)
    {
        logError("out of host memory in IExecutionContext::setOutputAllocator");
        return false;
    }
}

nvinfer1::IOutputAllocator* ContextObj::getOutputAllocator(char const* name) noexcept
{
    for (auto const& a : mAllocators)
        if (name && a.first == name) return a.second;
    return nullptr;
}

bool ContextObj::executeV2(void* const* bindings) noexcept
{
    return nvt_context_execute_v2(mHandle, profileBindings(bindings));
}

bool ContextObj::execute(int32_t batchSize, void* const* bindings) noexcept
{
    return nvt_context_execute(mHandle, batchSize, bindings);
}

bool ContextObj::enqueue(int32_t batchSize, void* const* bindings, cudaStream_t stream, cudaEvent_t* inputConsumed) noexcept
{
    if (inputConsumed)
    {
        reportUnimplemented("IExecutionContext::enqueue with an inputConsumed event");
        return false;
    }
    return nvt_context_enqueue(mHandle, batchSize, bindings, stream);
}

bool ContextObj::enqueueV2(void* const* bindings, cudaStream_t stream, cudaEvent_t* inputConsumed) noexcept
{
    if (inputConsumed)
    {
        reportUnimplemented("IExecutionContext::enqueueV2 with an inputConsumed event");
        return false;
    }
    return nvt_context_enqueue_v2(mHandle, profileBindings(bindings), stream);
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
