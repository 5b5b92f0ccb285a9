// defaults_complete.cpp: every generated stub class in src/bridge/generated/v_defaults.h that has
// no reference-returning method left pure can be instantiated (so no pure virtual was missed),
// the others are abstract only because of those reference methods, and the stubs return the
// documented neutral values.  Built and run by run.sh.

#include "NvInfer.h"
#include "NvInferPlugin.h"
#include "NvOnnxConfig.h"
#include "NvOnnxParser.h"
#include "v_defaults.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <type_traits>

namespace
{
int gReports = 0;
std::string gLast;
} // namespace

void nvtrt::reportUnimplemented(char const* method) noexcept
{
    ++gReports;
    gLast = method;
}

// Instantiable: constructing one proves no pure virtual is left.
#define NVTRT_CHECK_CONCRETE(Name) static_assert(!std::is_abstract<nvtrt::Name>::value, #Name " is abstract");
NVTRT_V_DEFAULTS_INSTANTIABLE(NVTRT_CHECK_CONCRETE)
#undef NVTRT_CHECK_CONCRETE

// Classes that keep reference-returning methods pure are abstract.
static_assert(std::is_abstract<nvtrt::VRuntimeDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VExecutionContextDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VPluginLayerDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VPluginV2LayerDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VShuffleLayerDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VNetworkDefinitionDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VAlgorithmDefaults>::value, "");
static_assert(std::is_abstract<nvtrt::VBuilderDefaults>::value, "");

// ...and become concrete once exactly those methods are supplied.
struct RuntimeDone : nvtrt::VRuntimeDefaults
{
    nvinfer1::IPluginRegistry& getPluginRegistry() noexcept override
    {
        return *static_cast<nvinfer1::IPluginRegistry*>(nullptr);
    }
};
struct ShuffleDone : nvtrt::VShuffleLayerDefaults
{
    nvinfer1::Permutation const& getFirstTranspose() const noexcept override
    {
        return mPerm;
    }
    nvinfer1::Permutation const& getSecondTranspose() const noexcept override
    {
        return mPerm;
    }
    nvinfer1::Permutation mPerm{};
};
struct ContextDone : nvtrt::VExecutionContextDefaults
{
    nvinfer1::ICudaEngine const& getEngine() const noexcept override
    {
        return *static_cast<nvinfer1::ICudaEngine const*>(nullptr);
    }
};
struct NetworkDone : nvtrt::VNetworkDefinitionDefaults
{
    nvinfer1::IBuilder& getBuilder() const noexcept override
    {
        return *static_cast<nvinfer1::IBuilder*>(nullptr);
    }
};
struct BuilderDone : nvtrt::VBuilderDefaults
{
    nvinfer1::IPluginRegistry& getPluginRegistry() noexcept override
    {
        return *static_cast<nvinfer1::IPluginRegistry*>(nullptr);
    }
};
struct AlgorithmDone : nvtrt::VAlgorithmDefaults
{
    nvinfer1::IAlgorithmIOInfo const& getAlgorithmIOInfo(int32_t) const noexcept override
    {
        return *static_cast<nvinfer1::IAlgorithmIOInfo const*>(nullptr);
    }
    nvinfer1::IAlgorithmVariant const& getAlgorithmVariant() const noexcept override
    {
        return *static_cast<nvinfer1::IAlgorithmVariant const*>(nullptr);
    }
};
static_assert(!std::is_abstract<RuntimeDone>::value && !std::is_abstract<ShuffleDone>::value, "");
static_assert(!std::is_abstract<ContextDone>::value && !std::is_abstract<NetworkDone>::value, "");
static_assert(!std::is_abstract<BuilderDone>::value && !std::is_abstract<AlgorithmDone>::value, "");

static int gFailures = 0;
#define CHECK(cond)                                                                                          \
    do                                                                                                       \
    {                                                                                                        \
        if (!(cond))                                                                                         \
        {                                                                                                    \
            std::printf("FAILED: %s (line %d)\n", #cond, __LINE__);                                          \
            ++gFailures;                                                                                     \
        }                                                                                                    \
    } while (0)

int main()
{
    int count = 0;
#define NVTRT_NEW_DELETE(Name)                                                                               \
    {                                                                                                        \
        nvtrt::Name* object = new nvtrt::Name();                                                             \
        delete object;                                                                                       \
        ++count;                                                                                             \
    }
    NVTRT_V_DEFAULTS_INSTANTIABLE(NVTRT_NEW_DELETE)
#undef NVTRT_NEW_DELETE

    // Neutral values, reported under the public class/method name.
    nvtrt::VTensorDefaults tensor;
    nvinfer1::Dims d = tensor.getDimensions();
    CHECK(d.nbDims == -1);
    CHECK(gLast == "ITensor::getDimensions");
    CHECK(tensor.getName() == nullptr);
    CHECK(!tensor.setDynamicRange(0.F, 1.F));
    CHECK(gLast == "ITensor::setDynamicRange");
    CHECK(tensor.getType() == nvinfer1::DataType::kFLOAT);

    nvtrt::VCudaEngineDefaults engine;
    CHECK(engine.getTensorFormatV2("x", 0) == nvinfer1::TensorFormat::kLINEAR);
    CHECK(gLast == "ICudaEngine::getTensorFormat");
    CHECK(engine.getNbIOTensors() == 0);
    CHECK(engine.getTensorLocation("x") == nvinfer1::TensorLocation::kDEVICE);

    nvtrt::VConvolutionLayerDefaults conv;
    nvinfer1::Weights w = conv.getKernelWeights();
    CHECK(w.values == nullptr && w.count == 0 && w.type == nvinfer1::DataType::kFLOAT);
    CHECK(conv.getKernelSize().nbDims == -1);
    CHECK(gLast == "IConvolutionLayer::getKernelSize");

    nvtrt::VBuilderConfigDefaults config;
    CHECK(config.getProfileStream() == nullptr);
    CHECK(config.getFlags() == 0U);
    CHECK(config.getMemoryPoolLimit(nvinfer1::MemoryPoolType::kWORKSPACE) == 0);

    nvtrt::VLayerDefaults layer;
    CHECK(layer.getType() == nvinfer1::LayerType::kCONVOLUTION);
    CHECK(gLast == "ILayer::getType");

    nvtrt::ParserDefaults* parser = new nvtrt::ParserDefaults();
    CHECK(!parser->parseFromFile("model.onnx", 0));
    CHECK(gLast == "IParser::parseFromFile");
    CHECK(parser->getError(0) == nullptr);
    delete static_cast<nvonnxparser::IParser*>(parser);

    nvtrt::ParserErrorDefaults error;
    CHECK(error.code() == nvonnxparser::ErrorCode::kSUCCESS);
    nvtrt::PluginRegistryDefaults registry;
    nvinfer1::IPluginRegistry& base = registry;
    CHECK(base.getPluginCreator("a", "1") == nullptr);
    CHECK(registry.loadLibrary("x.so") == nullptr);

    std::printf("defaults_complete: %d stub classes instantiated, %d unimplemented reports, %d failures\n",
        count, gReports, gFailures);
    return gFailures == 0 ? 0 : 1;
}
