// The library's top-level objects: builder, config, host memory, runtime, engine, context,
// parser, plugin registry. Each derives from TensorRT's shell and the generated defaults.
#ifndef NVTRT_OBJECTS_H
#define NVTRT_OBJECTS_H

#include "network.h"

namespace nvtrt
{

class HostMemoryObj final : public nvinfer1::IHostMemory, public VHostMemoryDefaults
{
public:
    explicit HostMemoryObj(NvtHostMemory* handle) noexcept;
    ~HostMemoryObj() override;
    void* data() const noexcept override;
    std::size_t size() const noexcept override;
    nvinfer1::DataType type() const noexcept override { return nvinfer1::DataType::kUINT8; }

private:
    NvtHostMemory* mHandle;
};

// Takes ownership of `handle`; null in, null out.
nvinfer1::IHostMemory* wrapHostMemory(NvtHostMemory* handle) noexcept;
nvinfer1::ICudaEngine* wrapEngine(NvtEngine* handle) noexcept;
nvinfer1::IPluginRegistry& pluginRegistry() noexcept;

class ConfigObj final : public nvinfer1::IBuilderConfig, public VBuilderConfigDefaults
{
public:
    explicit ConfigObj(NvtConfig* handle) noexcept;
    ~ConfigObj() override;
    NvtConfig* handle() const noexcept { return mHandle; }

    void setFlags(nvinfer1::BuilderFlags flags) noexcept override;
    nvinfer1::BuilderFlags getFlags() const noexcept override;
    void clearFlag(nvinfer1::BuilderFlag flag) noexcept override;
    void setFlag(nvinfer1::BuilderFlag flag) noexcept override;
    bool getFlag(nvinfer1::BuilderFlag flag) const noexcept override;
    void setMemoryPoolLimit(nvinfer1::MemoryPoolType pool, std::size_t bytes) noexcept override;
    std::size_t getMemoryPoolLimit(nvinfer1::MemoryPoolType pool) const noexcept override;
    void setMaxWorkspaceSize(std::size_t bytes) noexcept override { setMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE, bytes); }
    std::size_t getMaxWorkspaceSize() const noexcept override { return getMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE); }
    void setAvgTimingIterations(int32_t n) noexcept override;
    int32_t getAvgTimingIterations() const noexcept override;
    void setMinTimingIterations(int32_t n) noexcept override { mMinTimingIterations = n; }
    int32_t getMinTimingIterations() const noexcept override { return mMinTimingIterations; }
    void setEngineCapability(nvinfer1::EngineCapability capability) noexcept override;
    nvinfer1::EngineCapability getEngineCapability() const noexcept override { return nvinfer1::EngineCapability::kSTANDARD; }
    void setProfilingVerbosity(nvinfer1::ProfilingVerbosity v) noexcept override { mVerbosity = v; }
    nvinfer1::ProfilingVerbosity getProfilingVerbosity() const noexcept override { return mVerbosity; }
    int32_t addOptimizationProfile(nvinfer1::IOptimizationProfile const* profile) noexcept override;
    int32_t getNbOptimizationProfiles() const noexcept override;
    void reset() noexcept override;

private:
    NvtConfig* mHandle;
    int32_t mMinTimingIterations{1};
    nvinfer1::ProfilingVerbosity mVerbosity{nvinfer1::ProfilingVerbosity::kLAYER_NAMES_ONLY};
};

// IOptimizationProfile: created and owned by the builder.
class OptimizationProfileObj final : public nvinfer1::IOptimizationProfile, public VOptimizationProfileDefaults, public Owned
{
public:
    explicit OptimizationProfileObj(NvtProfile* handle) noexcept;
    ~OptimizationProfileObj() override;
    NvtProfile* handle() const noexcept { return mHandle; }

    bool setDimensions(char const* inputName, nvinfer1::OptProfileSelector select, nvinfer1::Dims dims) noexcept override;
    nvinfer1::Dims getDimensions(char const* inputName, nvinfer1::OptProfileSelector select) const noexcept override;
    bool setShapeValues(char const* inputName, nvinfer1::OptProfileSelector select, int32_t const* values, int32_t nbValues) noexcept override;
    int32_t getNbShapeValues(char const* inputName) const noexcept override;
    int32_t const* getShapeValues(char const* inputName, nvinfer1::OptProfileSelector select) const noexcept override;
    bool setExtraMemoryTarget(float target) noexcept override;
    float getExtraMemoryTarget() const noexcept override;
    bool isValid() const noexcept override;

private:
    NvtProfile* mHandle;
};

class BuilderObj final : public nvinfer1::IBuilder, public VBuilderDefaults
{
public:
    BuilderObj(NvtBuilder* handle, nvinfer1::ILogger* logger) noexcept;
    ~BuilderObj() override;

    bool platformHasFastFp16() const noexcept override;
    bool platformHasFastInt8() const noexcept override { return false; }
    bool platformHasTf32() const noexcept override;
    int32_t getNbDLACores() const noexcept override { return 0; }
    int32_t getMaxDLABatchSize() const noexcept override { return 1; }
    void setMaxBatchSize(int32_t batchSize) noexcept override { nvt_builder_set_max_batch_size(mHandle, batchSize); }
    int32_t getMaxBatchSize() const noexcept override { return nvt_builder_max_batch_size(mHandle); }
    nvinfer1::IBuilderConfig* createBuilderConfig() noexcept override;
    nvinfer1::INetworkDefinition* createNetworkV2(nvinfer1::NetworkDefinitionCreationFlags flags) noexcept override;
    nvinfer1::IHostMemory* buildSerializedNetwork(nvinfer1::INetworkDefinition& network, nvinfer1::IBuilderConfig& config) noexcept override;
    nvinfer1::ICudaEngine* buildEngineWithConfig(nvinfer1::INetworkDefinition& network, nvinfer1::IBuilderConfig& config) noexcept override;
    void setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept override;
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    nvinfer1::ILogger* getLogger() const noexcept override { return mLogger; }
    nvinfer1::IPluginRegistry& getPluginRegistry() noexcept override;
    nvinfer1::IOptimizationProfile* createOptimizationProfile() noexcept override;

private:
    NvtBuilder* mHandle;
    nvinfer1::ILogger* mLogger;
    RecorderRef mRecorder;
    std::vector<std::unique_ptr<Owned>> mProfiles;
};

class EngineObj;

// IOutputAllocator pointers by output name, forwarded through C callbacks.
class ContextObj final : public nvinfer1::IExecutionContext, public VExecutionContextDefaults
{
public:
    ContextObj(NvtContext* handle, EngineObj& engine) noexcept;
    ~ContextObj() override;

    nvinfer1::ICudaEngine const& getEngine() const noexcept override;
    void setName(char const* name) noexcept override { nvt_context_set_name(mHandle, name); }
    char const* getName() const noexcept override { return nvt_context_name(mHandle); }
    bool setTensorAddress(char const* name, void* data) noexcept override;
    void const* getTensorAddress(char const* name) const noexcept override;
    bool setInputTensorAddress(char const* name, void const* data) noexcept override;
    void* getOutputTensorAddress(char const* name) const noexcept override;
    bool setInputShape(char const* name, nvinfer1::Dims const& dims) noexcept override;
    nvinfer1::Dims getTensorShape(char const* name) const noexcept override;
    nvinfer1::Dims getTensorStrides(char const* name) const noexcept override;
    bool setBindingDimensions(int32_t bindingIndex, nvinfer1::Dims dims) noexcept override;
    nvinfer1::Dims getBindingDimensions(int32_t bindingIndex) const noexcept override;
    nvinfer1::Dims getStrides(int32_t bindingIndex) const noexcept override;
    bool setInputShapeBinding(int32_t bindingIndex, int32_t const* data) noexcept override;
    bool getShapeBinding(int32_t bindingIndex, int32_t* data) const noexcept override;
    bool allInputDimensionsSpecified() const noexcept override { return nvt_context_all_input_dims_specified(mHandle); }
    bool allInputShapesSpecified() const noexcept override { return nvt_context_all_input_shapes_specified(mHandle); }
    int32_t inferShapes(int32_t nbMaxNames, char const** tensorNames) noexcept override;
    bool setOptimizationProfileAsync(int32_t index, cudaStream_t) noexcept override;
    bool setOptimizationProfile(int32_t index) noexcept override { return setOptimizationProfileAsync(index, nullptr); }
    int32_t getOptimizationProfile() const noexcept override { return nvt_context_profile(mHandle); }
    bool setOutputAllocator(char const* name, nvinfer1::IOutputAllocator* allocator) noexcept override;
    nvinfer1::IOutputAllocator* getOutputAllocator(char const* name) noexcept override;
    int64_t getMaxOutputSize(char const* name) const noexcept override { return nvt_context_max_output_size(mHandle, name); }
    bool execute(int32_t batchSize, void* const* bindings) noexcept override;
    bool enqueue(int32_t batchSize, void* const* bindings, cudaStream_t stream, cudaEvent_t* inputConsumed) noexcept override;
    bool executeV2(void* const* bindings) noexcept override;
    bool enqueueV2(void* const* bindings, cudaStream_t stream, cudaEvent_t* inputConsumed) noexcept override;
    bool enqueueV3(cudaStream_t stream) noexcept override;
    void setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept override;
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    void setDebugSync(bool sync) noexcept override { mDebugSync = sync; }
    bool getDebugSync() const noexcept override { return mDebugSync; }
    void setEnqueueEmitsProfile(bool) noexcept override {}
    bool getEnqueueEmitsProfile() const noexcept override { return true; }
    void setPersistentCacheLimit(size_t size) noexcept override { mPersistentCacheLimit = size; }
    size_t getPersistentCacheLimit() const noexcept override { return mPersistentCacheLimit; }
    bool setNvtxVerbosity(nvinfer1::ProfilingVerbosity v) noexcept override
    {
        mNvtx = v;
        return true;
    }
    nvinfer1::ProfilingVerbosity getNvtxVerbosity() const noexcept override { return mNvtx; }

private:
    // The I/O name for a legacy binding index of this context's profile; null (reported)
    // for another profile's binding.
    char const* bindingName(int32_t bindingIndex, char const* what) const noexcept;
    // The bindings array of this context's profile.
    void* const* profileBindings(void* const* bindings) const noexcept;

    NvtContext* mHandle;
    EngineObj& mEngine;
    RecorderRef mRecorder;
    bool mDebugSync{false};
    size_t mPersistentCacheLimit{0};
    nvinfer1::ProfilingVerbosity mNvtx{nvinfer1::ProfilingVerbosity::kLAYER_NAMES_ONLY};
    std::vector<std::pair<std::string, nvinfer1::IOutputAllocator*>> mAllocators;
    // Host copies of shape-tensor values given through setInputShapeBinding, by I/O index.
    std::vector<std::vector<int32_t>> mShapeValues;
};

class EngineObj final : public nvinfer1::ICudaEngine, public VCudaEngineDefaults
{
public:
    explicit EngineObj(NvtEngine* handle) noexcept;
    ~EngineObj() override;
    NvtEngine* handle() const noexcept { return mHandle; }
    // Legacy binding index -> (profile, I/O index); false (reported) if out of range.
    bool splitBinding(int32_t bindingIndex, int32_t& profile, int32_t& io) const noexcept;

    int32_t getNbBindings() const noexcept override;
    int32_t getBindingIndex(char const* name) const noexcept override;
    char const* getBindingName(int32_t index) const noexcept override;
    bool bindingIsInput(int32_t index) const noexcept override;
    nvinfer1::Dims getBindingDimensions(int32_t index) const noexcept override;
    nvinfer1::DataType getBindingDataType(int32_t index) const noexcept override;
    int32_t getMaxBatchSize() const noexcept override { return nvt_engine_max_batch_size(mHandle); }
    int32_t getNbLayers() const noexcept override;
    nvinfer1::IHostMemory* serialize() const noexcept override;
    nvinfer1::IExecutionContext* createExecutionContext() noexcept override;
    nvinfer1::TensorLocation getLocation(int32_t index) const noexcept override;
    std::size_t getDeviceMemorySize() const noexcept override;
    bool isRefittable() const noexcept override { return false; }
    int32_t getBindingBytesPerComponent(int32_t index) const noexcept override;
    int32_t getBindingComponentsPerElement(int32_t) const noexcept override { return 1; }
    nvinfer1::TensorFormat getBindingFormat(int32_t) const noexcept override { return nvinfer1::TensorFormat::kLINEAR; }
    char const* getBindingFormatDesc(int32_t) const noexcept override { return "Row major linear format"; }
    int32_t getBindingVectorizedDim(int32_t) const noexcept override { return -1; }
    char const* getName() const noexcept override { return ""; }
    int32_t getNbOptimizationProfiles() const noexcept override;
    nvinfer1::Dims getProfileDimensions(int32_t bindingIndex, int32_t profileIndex, nvinfer1::OptProfileSelector select) const noexcept override;
    int32_t const* getProfileShapeValues(int32_t profileIndex, int32_t inputIndex, nvinfer1::OptProfileSelector select) const noexcept override;
    bool isShapeBinding(int32_t index) const noexcept override;
    bool isExecutionBinding(int32_t index) const noexcept override;
    bool hasImplicitBatchDimension() const noexcept override { return nvt_engine_has_implicit_batch(mHandle); }
    nvinfer1::EngineCapability getEngineCapability() const noexcept override { return nvinfer1::EngineCapability::kSTANDARD; }
    void setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept override;
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    int32_t getNbIOTensors() const noexcept override;
    char const* getIOTensorName(int32_t index) const noexcept override;
    nvinfer1::Dims getTensorShape(char const* name) const noexcept override;
    nvinfer1::DataType getTensorDataType(char const* name) const noexcept override;
    nvinfer1::TensorLocation getTensorLocation(char const* name) const noexcept override;
    bool isShapeInferenceIO(char const* name) const noexcept override;
    nvinfer1::TensorIOMode getTensorIOMode(char const* name) const noexcept override;
    int32_t getTensorBytesPerComponent(char const* name) const noexcept override;
    int32_t getTensorComponentsPerElement(char const*) const noexcept override { return 1; }
    nvinfer1::TensorFormat getTensorFormat(char const*) const noexcept override { return nvinfer1::TensorFormat::kLINEAR; }
    char const* getTensorFormatDesc(char const*) const noexcept override { return "Row major linear format"; }
    int32_t getTensorVectorizedDim(char const*) const noexcept override { return -1; }
    nvinfer1::Dims getProfileShape(char const* name, int32_t profile, nvinfer1::OptProfileSelector select) const noexcept override;
    int32_t getNbAuxStreams() const noexcept override { return 0; }
    int32_t getTensorBytesPerComponentV2(char const* name, int32_t) const noexcept override { return getTensorBytesPerComponent(name); }
    int32_t getTensorComponentsPerElementV2(char const*, int32_t) const noexcept override { return 1; }
    nvinfer1::TensorFormat getTensorFormatV2(char const*, int32_t) const noexcept override { return nvinfer1::TensorFormat::kLINEAR; }
    char const* getTensorFormatDescV2(char const*, int32_t) const noexcept override { return "Row major linear format"; }
    int32_t getTensorVectorizedDimV2(char const*, int32_t) const noexcept override { return -1; }

private:
    NvtEngine* mHandle;
    RecorderRef mRecorder;
    // Binding names of profiles after the first ("name [profile k]"), made on first use.
    mutable std::vector<std::string> mBindingNames;
};

class RuntimeObj final : public nvinfer1::IRuntime, public VRuntimeDefaults
{
public:
    RuntimeObj(NvtRuntime* handle, nvinfer1::ILogger* logger) noexcept;
    ~RuntimeObj() override;

    nvinfer1::ICudaEngine* deserializeCudaEngine(void const* blob, std::size_t size, nvinfer1::IPluginFactory*) noexcept override;
    int32_t getNbDLACores() const noexcept override { return 0; }
    int32_t getDLACore() const noexcept override { return 0; }
    void setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept override;
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    nvinfer1::ILogger* getLogger() const noexcept override { return mLogger; }
    nvinfer1::IPluginRegistry& getPluginRegistry() noexcept override { return pluginRegistry(); }

private:
    NvtRuntime* mHandle;
    nvinfer1::ILogger* mLogger;
    RecorderRef mRecorder;
};

} // namespace nvtrt

#endif
