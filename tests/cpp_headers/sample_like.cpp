// sample_like.cpp: a program written the way TensorRT 8.6's samples (sampleOnnxMNIST, trtexec,
// samples/common) use the API.  It only has to compile (run.sh: -fsyntax-only, C++14 and C++17,
// -Wall -Wextra -Werror): every application-implemented interface is implemented in full, so a
// missing or mistyped pure virtual in our headers breaks this file.

#include "NvInfer.h"
#include "NvInferPlugin.h"
#include "NvOnnxConfig.h"
#include "NvOnnxParser.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

using namespace nvinfer1;

// ---- logger (samples/common/logger.h style) ---------------------------------------------------
class Logger : public ILogger
{
public:
    explicit Logger(Severity severity = Severity::kWARNING)
        : mReportable(severity)
    {
    }

    void log(Severity severity, char const* msg) noexcept override
    {
        if (severity <= mReportable)
        {
            std::cerr << "[" << static_cast<int>(severity) << "] " << msg << std::endl;
        }
    }

    Severity getReportableSeverity() const
    {
        return mReportable;
    }

private:
    Severity mReportable;
};

static Logger gLogger{ILogger::Severity::kINFO};

// ---- error recorder (samples/common/ErrorRecorder.h style) ---------------------------------------
class SampleErrorRecorder : public IErrorRecorder
{
    using ErrorPair = std::pair<ErrorCode, std::string>;

public:
    int32_t getNbErrors() const noexcept override
    {
        return static_cast<int32_t>(mErrors.size());
    }
    ErrorCode getErrorCode(int32_t errorIdx) const noexcept override
    {
        return invalidIndexCheck(errorIdx) ? ErrorCode::kINVALID_ARGUMENT : mErrors[errorIdx].first;
    }
    ErrorDesc getErrorDesc(int32_t errorIdx) const noexcept override
    {
        return invalidIndexCheck(errorIdx) ? "errorIdx out of range." : mErrors[errorIdx].second.c_str();
    }
    bool hasOverflowed() const noexcept override
    {
        return false;
    }
    void clear() noexcept override
    {
        std::lock_guard<std::mutex> guard(mLock);
        mErrors.clear();
    }
    bool reportError(ErrorCode val, ErrorDesc desc) noexcept override
    {
        std::lock_guard<std::mutex> guard(mLock);
        std::string text(desc);
        if (text.size() > kMAX_DESC_LENGTH)
        {
            text.resize(kMAX_DESC_LENGTH);
        }
        mErrors.emplace_back(val, text);
        return val == ErrorCode::kINTERNAL_ERROR;
    }
    RefCount incRefCount() noexcept override
    {
        return ++mRefCount;
    }
    RefCount decRefCount() noexcept override
    {
        return --mRefCount;
    }

private:
    bool invalidIndexCheck(int32_t index) const noexcept
    {
        return index < 0 || static_cast<size_t>(index) >= mErrors.size();
    }
    std::vector<ErrorPair> mErrors;
    std::mutex mLock;
    std::atomic<int32_t> mRefCount{0};
};

// ---- allocators, profiler, calibrator, algorithm selector ------------------------------------------
class HostAllocator : public IGpuAllocator
{
public:
    void* allocate(uint64_t const size, uint64_t const alignment, AllocatorFlags const flags) noexcept override
    {
        (void) alignment;
        (void) flags;
        return std::malloc(static_cast<size_t>(size));
    }
    void free(void* const memory) noexcept override
    {
        std::free(memory);
    }
};

class OutputAllocator : public IOutputAllocator
{
public:
    void* reallocateOutput(char const* tensorName, void* currentMemory, uint64_t size, uint64_t alignment) noexcept override
    {
        (void) tensorName;
        (void) alignment;
        if (size > mSize)
        {
            std::free(currentMemory);
            mBuffer = std::malloc(static_cast<size_t>(size));
            mSize = size;
        }
        return mBuffer;
    }
    void notifyShape(char const* tensorName, Dims const& dims) noexcept override
    {
        (void) tensorName;
        mDims = dims;
    }

    void* mBuffer{nullptr};
    uint64_t mSize{0};
    Dims mDims{};
};

struct SimpleProfiler : public IProfiler
{
    void reportLayerTime(char const* layerName, float ms) noexcept override
    {
        mTotal += ms;
        mLast = layerName;
    }
    float mTotal{0.F};
    std::string mLast;
};

class EntropyCalibrator : public IInt8EntropyCalibrator2
{
public:
    int32_t getBatchSize() const noexcept override
    {
        return 1;
    }
    bool getBatch(void* bindings[], char const* names[], int32_t nbBindings) noexcept override
    {
        (void) bindings;
        (void) names;
        (void) nbBindings;
        return false;
    }
    void const* readCalibrationCache(std::size_t& length) noexcept override
    {
        length = mCache.size();
        return mCache.empty() ? nullptr : mCache.data();
    }
    void writeCalibrationCache(void const* ptr, std::size_t length) noexcept override
    {
        mCache.assign(static_cast<char const*>(ptr), static_cast<char const*>(ptr) + length);
    }

private:
    std::vector<char> mCache;
};

class FirstChoiceSelector : public IAlgorithmSelector
{
public:
    int32_t selectAlgorithms(IAlgorithmContext const& context, IAlgorithm const* const* choices, int32_t nbChoices,
        int32_t* selection) noexcept override
    {
        (void) context.getName();
        if (nbChoices > 0 && choices[0]->getAlgorithmVariant().getTactic() >= 0)
        {
            selection[0] = 0;
            return 1;
        }
        return 0;
    }
    void reportAlgorithms(IAlgorithmContext const* const* algoContexts, IAlgorithm const* const* algoChoices,
        int32_t nbAlgorithms) noexcept override
    {
        for (int32_t i = 0; i < nbAlgorithms; ++i)
        {
            std::cout << algoContexts[i]->getName() << ": " << algoChoices[i]->getTimingMSec() << " ms\n";
        }
    }
};

// ---- a dynamic-shape plugin and its creator ---------------------------------------------------------
class IdentityPlugin : public IPluginV2DynamicExt
{
public:
    IPluginV2DynamicExt* clone() const noexcept override
    {
        return new IdentityPlugin(*this);
    }
    DimsExprs getOutputDimensions(
        int32_t outputIndex, DimsExprs const* inputs, int32_t nbInputs, IExprBuilder& exprBuilder) noexcept override
    {
        (void) outputIndex;
        (void) nbInputs;
        DimsExprs out = inputs[0];
        out.d[0] = exprBuilder.operation(DimensionOperation::kPROD, *inputs[0].d[0], *exprBuilder.constant(1));
        return out;
    }
    bool supportsFormatCombination(
        int32_t pos, PluginTensorDesc const* inOut, int32_t nbInputs, int32_t nbOutputs) noexcept override
    {
        (void) nbInputs;
        (void) nbOutputs;
        return inOut[pos].type == DataType::kFLOAT && inOut[pos].format == TensorFormat::kLINEAR;
    }
    void configurePlugin(DynamicPluginTensorDesc const* in, int32_t nbInputs, DynamicPluginTensorDesc const* out,
        int32_t nbOutputs) noexcept override
    {
        (void) in;
        (void) nbInputs;
        (void) out;
        (void) nbOutputs;
    }
    size_t getWorkspaceSize(PluginTensorDesc const* inputs, int32_t nbInputs, PluginTensorDesc const* outputs,
        int32_t nbOutputs) const noexcept override
    {
        (void) inputs;
        (void) nbInputs;
        (void) outputs;
        (void) nbOutputs;
        return 0;
    }
    int32_t enqueue(PluginTensorDesc const* inputDesc, PluginTensorDesc const* outputDesc, void const* const* inputs,
        void* const* outputs, void* workspace, cudaStream_t stream) noexcept override
    {
        (void) outputDesc;
        (void) workspace;
        (void) stream;
        int64_t n = 1;
        for (int32_t i = 0; i < inputDesc[0].dims.nbDims; ++i)
        {
            n *= inputDesc[0].dims.d[i];
        }
        std::memcpy(outputs[0], inputs[0], static_cast<size_t>(n) * sizeof(float));
        return 0;
    }
    DataType getOutputDataType(int32_t index, DataType const* inputTypes, int32_t nbInputs) const noexcept override
    {
        (void) index;
        (void) nbInputs;
        return inputTypes[0];
    }
    AsciiChar const* getPluginType() const noexcept override
    {
        return "Identity_TRT";
    }
    AsciiChar const* getPluginVersion() const noexcept override
    {
        return "1";
    }
    int32_t getNbOutputs() const noexcept override
    {
        return 1;
    }
    int32_t initialize() noexcept override
    {
        return 0;
    }
    void terminate() noexcept override {}
    size_t getSerializationSize() const noexcept override
    {
        return 0;
    }
    void serialize(void* buffer) const noexcept override
    {
        (void) buffer;
    }
    void destroy() noexcept override
    {
        delete this;
    }
    void setPluginNamespace(AsciiChar const* pluginNamespace) noexcept override
    {
        mNamespace = pluginNamespace;
    }
    AsciiChar const* getPluginNamespace() const noexcept override
    {
        return mNamespace.c_str();
    }

private:
    std::string mNamespace;
};

class IdentityPluginCreator : public IPluginCreator
{
public:
    IdentityPluginCreator()
    {
        mFields.emplace_back("scale", nullptr, PluginFieldType::kFLOAT32, 1);
        mFC.nbFields = static_cast<int32_t>(mFields.size());
        mFC.fields = mFields.data();
    }
    AsciiChar const* getPluginName() const noexcept override
    {
        return "Identity_TRT";
    }
    AsciiChar const* getPluginVersion() const noexcept override
    {
        return "1";
    }
    PluginFieldCollection const* getFieldNames() noexcept override
    {
        return &mFC;
    }
    IPluginV2* createPlugin(AsciiChar const* name, PluginFieldCollection const* fc) noexcept override
    {
        (void) name;
        (void) fc;
        return new IdentityPlugin();
    }
    IPluginV2* deserializePlugin(AsciiChar const* name, void const* serialData, size_t serialLength) noexcept override
    {
        (void) name;
        (void) serialData;
        (void) serialLength;
        return new IdentityPlugin();
    }
    void setPluginNamespace(AsciiChar const* pluginNamespace) noexcept override
    {
        mNamespace = pluginNamespace;
    }
    AsciiChar const* getPluginNamespace() const noexcept override
    {
        return mNamespace.c_str();
    }

private:
    std::vector<PluginField> mFields;
    PluginFieldCollection mFC{};
    std::string mNamespace;
};

REGISTER_TENSORRT_PLUGIN(IdentityPluginCreator);

// ---- ONNX parser configuration (samples/common/parserOnnxConfig.h style) ------------------------------
class ParserOnnxConfig : public nvonnxparser::IOnnxConfig
{
public:
    void setModelDtype(nvinfer1::DataType const modelDtype) noexcept override
    {
        mDtype = modelDtype;
    }
    nvinfer1::DataType getModelDtype() const noexcept override
    {
        return mDtype;
    }
    char const* getModelFileName() const noexcept override
    {
        return mModel.c_str();
    }
    void setModelFileName(char const* onnxFilename) noexcept override
    {
        mModel = onnxFilename;
    }
    Verbosity getVerbosityLevel() const noexcept override
    {
        return mVerbosity;
    }
    void addVerbosity() noexcept override
    {
        ++mVerbosity;
    }
    void reduceVerbosity() noexcept override
    {
        --mVerbosity;
    }
    void setVerbosityLevel(Verbosity verbosity) noexcept override
    {
        mVerbosity = verbosity;
    }
    char const* getTextFileName() const noexcept override
    {
        return mText.c_str();
    }
    void setTextFileName(char const* textFilename) noexcept override
    {
        mText = textFilename;
    }
    char const* getFullTextFileName() const noexcept override
    {
        return mFullText.c_str();
    }
    void setFullTextFileName(char const* fullTextFilename) noexcept override
    {
        mFullText = fullTextFilename;
    }
    bool getPrintLayerInfo() const noexcept override
    {
        return mPrintLayerInfo;
    }
    void setPrintLayerInfo(bool src) noexcept override
    {
        mPrintLayerInfo = src;
    }
    void destroy() noexcept override
    {
        delete this;
    }

private:
    nvinfer1::DataType mDtype{nvinfer1::DataType::kFLOAT};
    Verbosity mVerbosity{static_cast<Verbosity>(ILogger::Severity::kWARNING)};
    std::string mModel, mText, mFullText;
    bool mPrintLayerInfo{false};
};

// ---- helpers (samples/common/common.h style) -----------------------------------------------------
struct InferDeleter
{
    template <typename T>
    void operator()(T* obj) const
    {
        delete obj;
    }
};

template <typename T>
using SampleUniquePtr = std::unique_ptr<T, InferDeleter>;

inline int64_t volume(Dims const& d)
{
    return std::accumulate(d.d, d.d + d.nbDims, int64_t{1}, std::multiplies<int64_t>());
}

inline uint32_t getElementSize(DataType t) noexcept
{
    switch (t)
    {
    case DataType::kINT32: return 4;
    case DataType::kFLOAT: return 4;
    case DataType::kHALF: return 2;
    case DataType::kBOOL:
    case DataType::kUINT8:
    case DataType::kINT8:
    case DataType::kFP8: return 1;
    }
    return 0;
}

// ---- build (sampleOnnxMNIST::build) -------------------------------------------------------------------
static bool build(std::string const& onnxFile, std::vector<char>& planOut, Dims& inputDims)
{
    auto builder = SampleUniquePtr<IBuilder>(createInferBuilder(gLogger));
    if (!builder)
    {
        return false;
    }
    auto const explicitBatch = 1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
    auto network = SampleUniquePtr<INetworkDefinition>(builder->createNetworkV2(explicitBatch));
    auto config = SampleUniquePtr<IBuilderConfig>(builder->createBuilderConfig());
    auto parser = SampleUniquePtr<nvonnxparser::IParser>(nvonnxparser::createParser(*network, gLogger));
    if (!network || !config || !parser)
    {
        return false;
    }

    if (!parser->parseFromFile(onnxFile.c_str(), static_cast<int>(gLogger.getReportableSeverity())))
    {
        for (int32_t i = 0; i < parser->getNbErrors(); ++i)
        {
            nvonnxparser::IParserError const* err = parser->getError(i);
            std::cerr << err->desc() << " (node " << err->node() << ", code " << static_cast<int>(err->code())
                      << ")\n";
        }
        return false;
    }

    config->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, 1ULL << 20);
    if (builder->platformHasFastFp16())
    {
        config->setFlag(BuilderFlag::kFP16);
    }
    if (builder->platformHasFastInt8())
    {
        static EntropyCalibrator calibrator;
        config->setFlag(BuilderFlag::kINT8);
        config->setInt8Calibrator(&calibrator);
    }
    if (builder->getNbDLACores() > 0)
    {
        config->setDefaultDeviceType(DeviceType::kDLA);
        config->setDLACore(0);
        config->setFlag(BuilderFlag::kGPU_FALLBACK);
    }
    config->setProfilingVerbosity(ProfilingVerbosity::kDETAILED);
    config->setTacticSources(1U << static_cast<uint32_t>(TacticSource::kCUBLAS));
    static FirstChoiceSelector selector;
    config->setAlgorithmSelector(&selector);

    SampleErrorRecorder recorder;
    builder->setErrorRecorder(&recorder);

    ITensor* input = network->getInput(0);
    inputDims = input->getDimensions();
    IOptimizationProfile* profile = builder->createOptimizationProfile();
    profile->setDimensions(input->getName(), OptProfileSelector::kMIN, Dims4{1, 1, 28, 28});
    profile->setDimensions(input->getName(), OptProfileSelector::kOPT, Dims4{4, 1, 28, 28});
    profile->setDimensions(input->getName(), OptProfileSelector::kMAX, Dims4(8, 1, 28, 28));
    config->addOptimizationProfile(profile);

    // Add a few layers through the network-definition API as well.
    float const scaleValue = 2.F;
    Weights const scale{DataType::kFLOAT, &scaleValue, 1};
    Weights const empty{DataType::kFLOAT, nullptr, 0};
    IScaleLayer* scaleLayer = network->addScale(*network->getOutput(0), ScaleMode::kUNIFORM, empty, scale, empty);
    scaleLayer->setName("scale");
    IActivationLayer* relu = network->addActivation(*scaleLayer->getOutput(0), ActivationType::kRELU);
    IShuffleLayer* shuffle = network->addShuffle(*relu->getOutput(0));
    shuffle->setReshapeDimensions(Dims3{1, 1, -1});
    Permutation perm{};
    std::iota(perm.order, perm.order + Dims::MAX_DIMS, 0);
    shuffle->setFirstTranspose(perm);
    IConvolutionLayer* conv = network->addConvolutionNd(*shuffle->getOutput(0), 8, DimsHW{3, 3}, empty, empty);
    conv->setStrideNd(Dims2{1, 1});
    conv->setPaddingMode(PaddingMode::kSAME_UPPER);
    ITensor* convInputs[] = {conv->getOutput(0), relu->getOutput(0)};
    IConcatenationLayer* concat = network->addConcatenation(convInputs, 2);
    concat->setAxis(1);
    IPluginV2* plugin = getPluginRegistry()->getPluginCreator("Identity_TRT", "1")->createPlugin("id", nullptr);
    ITensor* pluginIn[] = {concat->getOutput(0)};
    IPluginV2Layer* pluginLayer = network->addPluginV2(pluginIn, 1, *plugin);
    ILoop* loop = network->addLoop();
    loop->addTripLimit(*network->addConstant(Dims{0, {}}, scale)->getOutput(0), TripLimit::kCOUNT);
    IIteratorLayer* it = loop->addIterator(*pluginLayer->getOutput(0));
    loop->addLoopOutput(*it->getOutput(0), LoopOutput::kCONCATENATE, 0);
    for (int32_t i = 0; i < network->getNbLayers(); ++i)
    {
        ILayer* layer = network->getLayer(i);
        if (layer->getType() == LayerType::kCONVOLUTION)
        {
            layer->setPrecision(DataType::kHALF);
            static_cast<IConvolutionLayer*>(layer)->setNbGroups(1);
        }
    }
    network->markOutput(*pluginLayer->getOutput(0));

    auto timingCache = SampleUniquePtr<ITimingCache>(config->createTimingCache(nullptr, 0));
    config->setTimingCache(*timingCache, false);

    SampleUniquePtr<IHostMemory> plan{builder->buildSerializedNetwork(*network, *config)};
    if (!plan)
    {
        return false;
    }
    planOut.assign(static_cast<char*>(plan->data()), static_cast<char*>(plan->data()) + plan->size());
    return recorder.getNbErrors() == 0;
}

// ---- infer (sampleOnnxMNIST::infer, enqueueV3 style) ---------------------------------------------------
static bool infer(std::vector<char> const& plan)
{
    SampleUniquePtr<IRuntime> runtime{createInferRuntime(gLogger)};
    HostAllocator allocator;
    runtime->setGpuAllocator(&allocator);
    std::shared_ptr<ICudaEngine> engine(runtime->deserializeCudaEngine(plan.data(), plan.size()), InferDeleter());
    if (!engine)
    {
        return false;
    }
    auto context = SampleUniquePtr<IExecutionContext>(engine->createExecutionContext());
    SimpleProfiler profiler;
    context->setProfiler(&profiler);
    OutputAllocator outAlloc;

    std::vector<void*> buffers;
    int32_t const nbIO = engine->getNbIOTensors();
    for (int32_t i = 0; i < nbIO; ++i)
    {
        char const* name = engine->getIOTensorName(i);
        Dims dims = engine->getTensorShape(name);
        if (engine->getTensorIOMode(name) == TensorIOMode::kINPUT && dims.d[0] == -1)
        {
            dims.d[0] = 1;
            context->setInputShape(name, dims);
        }
        dims = context->getTensorShape(name);
        size_t const bytes = static_cast<size_t>(volume(dims)) * getElementSize(engine->getTensorDataType(name));
        void* buffer = nullptr;
        if (engine->getTensorLocation(name) == TensorLocation::kHOST)
        {
            buffer = std::malloc(bytes);
        }
        else
        {
            buffer = allocator.allocate(bytes, 256, 0);
        }
        buffers.push_back(buffer);
        context->setTensorAddress(name, buffer);
        if (engine->getTensorIOMode(name) == TensorIOMode::kOUTPUT)
        {
            context->setOutputAllocator(name, &outAlloc);
        }
        std::cout << name << ": " << engine->getTensorFormatDesc(name) << ", profile 0 format "
                  << static_cast<int>(engine->getTensorFormat(name, 0)) << "\n";
    }
    cudaStream_t stream = nullptr;
    bool ok = context->allInputDimensionsSpecified() && context->enqueueV3(stream);
    ok = ok && context->executeV2(buffers.data());

    auto inspector = SampleUniquePtr<IEngineInspector>(engine->createEngineInspector());
    inspector->setExecutionContext(context.get());
    std::cout << inspector->getEngineInformation(LayerInformationFormat::kJSON) << "\n";

    for (void* b : buffers)
    {
        std::free(b);
    }
    return ok;
}

// ---- the deprecated destroy() path still compiles (samples silence the warning the same way) -------------
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
static void legacyCleanup()
{
    IBuilder* builder = createInferBuilder(gLogger);
    INetworkDefinition* network = builder->createNetworkV2(0U);
    nvonnxparser::IParser* parser = nvonnxparser::createParser(*network, gLogger);
    parser->destroy();
    network->destroy();
    builder->destroy();
    ParserOnnxConfig* cfg = new ParserOnnxConfig();
    cfg->destroy();
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

int main(int argc, char** argv)
{
    initLibNvInferPlugins(&gLogger, "");
    std::cout << "library " << getInferLibVersion() << ", headers " << NV_TENSORRT_VERSION << ", parser "
              << getNvOnnxParserVersion() << "\n";

    Dims4 const d4{1, 3, 224, 224};
    Dims3 const d3(3, 224, 224);
    DimsHW hw{7, 7};
    hw.h() = 5;
    std::cout << "volumes " << volume(d4) << " " << volume(d3) << " " << hw.h() * hw.w() << " "
              << EnumMax<LayerType>() << "\n";

    std::vector<char> plan;
    Dims inputDims{};
    if (!build(argc > 1 ? argv[1] : "mnist.onnx", plan, inputDims) || !infer(plan))
    {
        return EXIT_FAILURE;
    }
    legacyCleanup();
    return EXIT_SUCCESS;
}
