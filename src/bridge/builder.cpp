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

int32_t ConfigObj::addOptimizationProfile(nvinfer1::IOptimizationProfile const* profile) noexcept
{
    if (!profile)
    {
        logError("IBuilderConfig::addOptimizationProfile: the profile is null");
        return -1;
    }
    return nvt_config_add_profile(mHandle, static_cast<OptimizationProfileObj const*>(profile)->handle());
}

int32_t ConfigObj::getNbOptimizationProfiles() const noexcept
{
    return nvt_config_nb_profiles(mHandle);
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

// ---- OptimizationProfileObj ----

OptimizationProfileObj::OptimizationProfileObj(NvtProfile* handle) noexcept
    : mHandle(handle)
{
    mImpl = this;
}

OptimizationProfileObj::~OptimizationProfileObj()
{
    nvt_profile_destroy(mHandle);
}

bool OptimizationProfileObj::setDimensions(char const* inputName, nvinfer1::OptProfileSelector select, nvinfer1::Dims dims) noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
    {
        logError("IOptimizationProfile::setDimensions: nbDims must be between 0 and 8");
        return false;
    }
    return nvt_profile_set_dims(mHandle, inputName, static_cast<int32_t>(select), buf, n);
}

nvinfer1::Dims OptimizationProfileObj::getDimensions(char const* inputName, nvinfer1::OptProfileSelector select) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    return toDims(buf, nvt_profile_get_dims(mHandle, inputName, static_cast<int32_t>(select), buf, nvinfer1::Dims::MAX_DIMS));
}

bool OptimizationProfileObj::setShapeValues(char const* inputName, nvinfer1::OptProfileSelector select, int32_t const* values, int32_t nbValues) noexcept
{
    return nvt_profile_set_values(mHandle, inputName, static_cast<int32_t>(select), values, nbValues);
}

int32_t OptimizationProfileObj::getNbShapeValues(char const* inputName) const noexcept
{
    return nvt_profile_nb_values(mHandle, inputName);
}

int32_t const* OptimizationProfileObj::getShapeValues(char const* inputName, nvinfer1::OptProfileSelector select) const noexcept
{
    return nvt_profile_get_values(mHandle, inputName, static_cast<int32_t>(select));
}

bool OptimizationProfileObj::setExtraMemoryTarget(float target) noexcept
{
    return nvt_profile_set_extra_memory_target(mHandle, target);
}

float OptimizationProfileObj::getExtraMemoryTarget() const noexcept
{
    return nvt_profile_extra_memory_target(mHandle);
}

bool OptimizationProfileObj::isValid() const noexcept
{
    return nvt_profile_is_valid(mHandle);
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

nvinfer1::IOptimizationProfile* BuilderObj::createOptimizationProfile() noexcept
{
    NvtProfile* p = nvt_builder_create_profile(mHandle);
    if (!p) return nullptr;
    OptimizationProfileObj* obj = make<OptimizationProfileObj>(p);
    if (!obj)
    {
        nvt_profile_destroy(p);
        return nullptr;
    }
    try
    {
        mProfiles.emplace_back(obj);
    }
    catch (...)
    {
        logError("out of host memory in IBuilder::createOptimizationProfile");
        delete obj;
        return nullptr;
    }
    return obj;
}

} // namespace nvtrt
