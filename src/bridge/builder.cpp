// IBuilder, IBuilderConfig and IHostMemory over the C ABI.
#include "objects.h"

namespace nvtrt
{

// ---- HostMemoryObj ----

HostMemoryObj::HostMemoryObj(NvtHostMemory* handle) noexcept
    : mHandle(handle)
{
    mImpl = this;
}

HostMemoryObj::~HostMemoryObj()
{
    nvt_host_memory_destroy(mHandle);
}

void* HostMemoryObj::data() const noexcept
{
    return const_cast<uint8_t*>(nvt_host_memory_data(mHandle));
}

std::size_t HostMemoryObj::size() const noexcept
{
    return static_cast<std::size_t>(nvt_host_memory_size(mHandle));
}

nvinfer1::IHostMemory* wrapHostMemory(NvtHostMemory* handle) noexcept
{
    if (!handle) return nullptr;
    HostMemoryObj* m = make<HostMemoryObj>(handle);
    if (!m) nvt_host_memory_destroy(handle);
    return m;
}

// ---- ConfigObj ----

ConfigObj::ConfigObj(NvtConfig* handle) noexcept
    : mHandle(handle)
{
    mImpl = this;
}

ConfigObj::~ConfigObj()
{
    nvt_config_destroy(mHandle);
}

void ConfigObj::setFlags(nvinfer1::BuilderFlags flags) noexcept
{
    nvt_config_set_flags(mHandle, flags);
}

nvinfer1::BuilderFlags ConfigObj::getFlags() const noexcept
{
    return nvt_config_get_flags(mHandle);
}

void ConfigObj::clearFlag(nvinfer1::BuilderFlag flag) noexcept
{
    nvt_config_set_flag(mHandle, static_cast<int32_t>(flag), false);
}

void ConfigObj::setFlag(nvinfer1::BuilderFlag flag) noexcept
{
    nvt_config_set_flag(mHandle, static_cast<int32_t>(flag), true);
}

bool ConfigObj::getFlag(nvinfer1::BuilderFlag flag) const noexcept
{
    int32_t f = static_cast<int32_t>(flag);
    return f >= 0 && f < 32 && (getFlags() & (1U << f)) != 0;
}

void ConfigObj::setMemoryPoolLimit(nvinfer1::MemoryPoolType pool, std::size_t bytes) noexcept
{
    nvt_config_set_memory_pool_limit(mHandle, static_cast<int32_t>(pool), bytes);
}

std::size_t ConfigObj::getMemoryPoolLimit(nvinfer1::MemoryPoolType pool) const noexcept
{
    return static_cast<std::size_t>(nvt_config_get_memory_pool_limit(mHandle, static_cast<int32_t>(pool)));
}

void ConfigObj::setAvgTimingIterations(int32_t n) noexcept
{
    nvt_config_set_avg_timing_iterations(mHandle, n);
}

int32_t ConfigObj::getAvgTimingIterations() const noexcept
{
    return nvt_config_get_avg_timing_iterations(mHandle);
}

void ConfigObj::setEngineCapability(nvinfer1::EngineCapability capability) noexcept
{
    if (capability != nvinfer1::EngineCapability::kSTANDARD)
        reportUnimplemented("IBuilderConfig::setEngineCapability (capabilities other than kSTANDARD)");
}

void ConfigObj::reset() noexcept
{
    nvt_config_set_flags(mHandle, 1U << static_cast<uint32_t>(nvinfer1::BuilderFlag::kTF32));
    nvt_config_set_memory_pool_limit(mHandle, static_cast<int32_t>(nvinfer1::MemoryPoolType::kWORKSPACE), UINT64_MAX);
    mMinTimingIterations = 1;
    mVerbosity = nvinfer1::ProfilingVerbosity::kLAYER_NAMES_ONLY;
}

// ---- BuilderObj ----

BuilderObj::BuilderObj(NvtBuilder* handle, nvinfer1::ILogger* logger) noexcept
    : mHandle(handle)
    , mLogger(logger)
{
    mImpl = this;
}

BuilderObj::~BuilderObj()
{
    nvt_builder_destroy(mHandle);
}

bool BuilderObj::platformHasFastFp16() const noexcept
{
    return nvt_builder_platform_has_fast_fp16(mHandle);
}

bool BuilderObj::platformHasTf32() const noexcept
{
    return nvt_builder_platform_has_tf32(mHandle);
}

nvinfer1::IBuilderConfig* BuilderObj::createBuilderConfig() noexcept
{
    NvtConfig* c = nvt_builder_create_config(mHandle);
    if (!c) return nullptr;
    ConfigObj* obj = make<ConfigObj>(c);
    if (!obj) nvt_config_destroy(c);
    return obj;
}

nvinfer1::INetworkDefinition* BuilderObj::createNetworkV2(nvinfer1::NetworkDefinitionCreationFlags flags) noexcept
{
    NvtNetwork* n = nvt_builder_create_network(mHandle, flags);
    if (!n) return nullptr;
    NetworkObj* obj = make<NetworkObj>(n, *this);
    if (!obj) nvt_network_destroy(n);
    return obj;
}

nvinfer1::IHostMemory* BuilderObj::buildSerializedNetwork(nvinfer1::INetworkDefinition& network, nvinfer1::IBuilderConfig& config) noexcept
{
    auto& net = static_cast<NetworkObj&>(network);
    auto& cfg = static_cast<ConfigObj&>(config);
    return wrapHostMemory(nvt_builder_build_serialized(mHandle, net.handle(), cfg.handle()));
}

nvinfer1::ICudaEngine* BuilderObj::buildEngineWithConfig(nvinfer1::INetworkDefinition& network, nvinfer1::IBuilderConfig& config) noexcept
{
    std::unique_ptr<nvinfer1::IHostMemory> plan(buildSerializedNetwork(network, config));
    if (!plan) return nullptr;
    NvtRuntime* rt = nvt_runtime_create(cLogger(mLogger));
    NvtEngine* e = rt ? nvt_runtime_deserialize(rt, plan->data(), plan->size()) : nullptr;
    nvt_runtime_destroy(rt);
    return wrapEngine(e);
}

void BuilderObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_builder_set_error_recorder(mHandle, cRecorder(recorder));
}

nvinfer1::IPluginRegistry& BuilderObj::getPluginRegistry() noexcept
{
    return pluginRegistry();
}

} // namespace nvtrt
