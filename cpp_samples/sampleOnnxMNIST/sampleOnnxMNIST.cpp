// sample_onnx_mnist: import an MNIST classifier from ONNX, build a TensorRT engine, and
// classify the ten digit images 0.pgm .. 9.pgm with it.
//
// It exercises the path most TensorRT programs take: ONNX parser -> builder config ->
// serialized plan -> runtime -> execution context -> enqueueV3 on a CUDA stream, plus the
// legacy executeV2 bindings call. I/O follows ICudaEngine::getTensorLocation (device memory);
// on a machine without a CUDA device the CPU reference backend runs it on host memory.

#include "NvInfer.h"
#include "NvOnnxParser.h"

#include "argsParser.h"
#include "buffers.h"
#include "common.h"
#include "logger.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <iomanip>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace
{

using namespace nvinfer1;
using samples::logError;
using samples::logInfo;
using samples::logWarning;

char const* const kSampleName = "TensorRT.sample_onnx_mnist";
char const* const kDescription = "Classifies the MNIST digits 0-9 with an engine built from mnist.onnx.";
char const* const kModelFile = "mnist.onnx";
char const* const kInputName = "Input3";
int32_t const kImageSize = 28;
int32_t const kNumClasses = 10;
int32_t const kNumDigits = 10;
float const kMinProbability = 0.9F;

using Logits = std::array<float, kNumClasses>;

char const* parserErrorName(nvonnxparser::ErrorCode code)
{
    switch (code)
    {
    case nvonnxparser::ErrorCode::kSUCCESS: return "SUCCESS";
    case nvonnxparser::ErrorCode::kINTERNAL_ERROR: return "INTERNAL_ERROR";
    case nvonnxparser::ErrorCode::kMEM_ALLOC_FAILED: return "MEM_ALLOC_FAILED";
    case nvonnxparser::ErrorCode::kMODEL_DESERIALIZE_FAILED: return "MODEL_DESERIALIZE_FAILED";
    case nvonnxparser::ErrorCode::kINVALID_VALUE: return "INVALID_VALUE";
    case nvonnxparser::ErrorCode::kINVALID_GRAPH: return "INVALID_GRAPH";
    case nvonnxparser::ErrorCode::kINVALID_NODE: return "INVALID_NODE";
    case nvonnxparser::ErrorCode::kUNSUPPORTED_GRAPH: return "UNSUPPORTED_GRAPH";
    case nvonnxparser::ErrorCode::kUNSUPPORTED_NODE: return "UNSUPPORTED_NODE";
    }
    return "UNKNOWN";
}

class OnnxMnistSample
{
public:
    explicit OnnxMnistSample(samples::SampleArgs args) : mArgs(std::move(args)) {}

    //! Produce mEngine, either by parsing and building or by loading --loadEngine.
    bool prepareEngine()
    {
        mRuntime = samples::infer_object(createInferRuntime(samples::sampleLogger()));
        SAMPLE_CHECK(mRuntime != nullptr, "createInferRuntime failed");

        std::vector<char> plan;
        if (!mArgs.loadEngine.empty())
        {
            logInfo() << "Loading engine from " << mArgs.loadEngine;
            if (!samples::readBinaryFile(mArgs.loadEngine, plan))
            {
                return false;
            }
            SAMPLE_CHECK(!plan.empty(), "Engine file " << mArgs.loadEngine << " is empty");
        }
        else if (!buildPlan(plan))
        {
            return false;
        }

        mEngine = samples::infer_object(mRuntime->deserializeCudaEngine(plan.data(), plan.size()));
        SAMPLE_CHECK(mEngine != nullptr,
            "deserializeCudaEngine returned null"
                << (mArgs.loadEngine.empty() ? std::string()
                                             : " for " + mArgs.loadEngine
                            + " (not a plan from this library version/GPU, or a corrupt file)"));
        return checkEngineIO();
    }

    //! Classify every digit image; true only if all ten are recognised.
    bool infer()
    {
        std::unique_ptr<IExecutionContext> context(mEngine->createExecutionContext());
        SAMPLE_CHECK(context != nullptr, "createExecutionContext failed");

        samples::BufferManager buffers;
        if (!buffers.init(*mEngine))
        {
            return false;
        }
        samples::StreamHolder stream;
        if (buffers.anyOnDevice() && !stream.create())
        {
            return false;
        }

        std::vector<Logits> results;
        bool allCorrect = true;
        for (int32_t digit = 0; digit < kNumDigits; ++digit)
        {
            Logits logits{};
            if (!runDigit(*context, buffers, stream, digit, logits))
            {
                return false;
            }
            allCorrect = report(digit, logits) && allCorrect;
            results.push_back(logits);
        }

        bool const legacyMatches = checkExecuteV2(*context, buffers, stream, results.front());
        bool const dumped = mArgs.dumpOutput.empty() || dumpLogits(results);
        if (!allCorrect)
        {
            logError() << "Not every digit was classified correctly";
        }
        return allCorrect && legacyMatches && dumped;
    }

private:
    //! ONNX -> network -> serialized plan (also written to --saveEngine).
    bool buildPlan(std::vector<char>& plan)
    {
        std::string const modelPath = samples::locateFile(kModelFile, mArgs.dataDirs);
        if (modelPath.empty())
        {
            return false;
        }

        auto builder = samples::infer_object(createInferBuilder(samples::sampleLogger()));
        SAMPLE_CHECK(builder != nullptr, "createInferBuilder failed");
        uint32_t const flags = 1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
        auto network = samples::infer_object(builder->createNetworkV2(flags));
        SAMPLE_CHECK(network != nullptr, "createNetworkV2 failed");
        auto config = samples::infer_object(builder->createBuilderConfig());
        SAMPLE_CHECK(config != nullptr, "createBuilderConfig failed");
        // The parser owns the weights the network points to: keep it alive until the build.
        auto parser = samples::infer_object(nvonnxparser::createParser(*network, samples::sampleLogger()));
        SAMPLE_CHECK(parser != nullptr, "nvonnxparser::createParser failed");

        logInfo() << "Parsing " << modelPath;
        if (!parser->parseFromFile(modelPath.c_str(), static_cast<int32_t>(ILogger::Severity::kWARNING)))
        {
            reportParserErrors(*parser, modelPath);
            return false;
        }

        if (!configureBuilder(*builder, *network, *config))
        {
            return false;
        }

        logInfo() << "Building the engine";
        auto serialized = samples::infer_object(builder->buildSerializedNetwork(*network, *config));
        SAMPLE_CHECK(serialized != nullptr && serialized->data() != nullptr && serialized->size() > 0,
            "buildSerializedNetwork failed (see the messages above)");
        char const* bytes = static_cast<char const*>(serialized->data());
        plan.assign(bytes, bytes + serialized->size());
        logInfo() << "Serialized engine: " << plan.size() << " bytes";

        if (!mArgs.saveEngine.empty())
        {
            if (!samples::writeBinaryFile(mArgs.saveEngine, plan.data(), plan.size()))
            {
                return false;
            }
            logInfo() << "Saved engine to " << mArgs.saveEngine;
        }
        return true;
    }

    static void reportParserErrors(nvonnxparser::IParser const& parser, std::string const& modelPath)
    {
        int32_t const count = parser.getNbErrors();
        logError() << "Failed to parse " << modelPath << " (" << count << " error" << (count == 1 ? "" : "s") << ")";
        for (int32_t i = 0; i < count; ++i)
        {
            nvonnxparser::IParserError const* error = parser.getError(i);
            if (error == nullptr)
            {
                logError() << "  #" << i << ": (no details)";
                continue;
            }
            logError() << "  #" << i << ": " << (error->desc() != nullptr ? error->desc() : "") << " [node "
                       << error->node() << ", code " << static_cast<int32_t>(error->code()) << " "
                       << parserErrorName(error->code()) << "]";
        }
    }

    bool configureBuilder(IBuilder& builder, INetworkDefinition& network, IBuilderConfig& config) const
    {
        config.setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, samples::mebibytes(16));
        if (mArgs.fp16)
        {
            if (builder.platformHasFastFp16())
            {
                config.setFlag(BuilderFlag::kFP16);
            }
            else
            {
                logWarning() << "--fp16 ignored: this platform has no fast FP16";
            }
        }
        if (mArgs.noTF32)
        {
            config.clearFlag(BuilderFlag::kTF32);
        }
        if (mArgs.int8)
        {
            if (!builder.platformHasFastInt8())
            {
                logWarning() << "--int8 ignored: this platform has no fast INT8";
            }
            else
            {
                // No calibration data ships with the sample: give every tensor a wide placeholder
                // range, which is enough to exercise the INT8 path but not to judge its accuracy.
                config.setFlag(BuilderFlag::kINT8);
                if (!setPlaceholderRanges(network))
                {
                    return false;
                }
            }
        }
        return true;
    }

    static bool setPlaceholderRanges(INetworkDefinition& network)
    {
        float const range = 127.0F;
        for (int32_t i = 0; i < network.getNbInputs(); ++i)
        {
            SAMPLE_CHECK(network.getInput(i)->setDynamicRange(-range, range), "setDynamicRange failed");
        }
        for (int32_t l = 0; l < network.getNbLayers(); ++l)
        {
            ILayer* layer = network.getLayer(l);
            for (int32_t o = 0; o < layer->getNbOutputs(); ++o)
            {
                ITensor* tensor = layer->getOutput(o);
                // Shape tensors (int32) take no dynamic range.
                if (tensor != nullptr && tensor->getType() == DataType::kFLOAT)
                {
                    SAMPLE_CHECK(tensor->setDynamicRange(-range, range), "setDynamicRange failed");
                }
            }
        }
        return true;
    }

    //! The engine must take one [1,1,28,28] float input "Input3" and give one [1,10] float output.
    bool checkEngineIO()
    {
        int32_t const count = mEngine->getNbIOTensors();
        SAMPLE_CHECK(count == 2, "Expected 2 I/O tensors, the engine has " << count);
        int32_t inputs = 0;
        int32_t outputs = 0;
        for (int32_t i = 0; i < count; ++i)
        {
            char const* name = mEngine->getIOTensorName(i);
            SAMPLE_CHECK(name != nullptr, "getIOTensorName(" << i << ") returned null");
            Dims const shape = mEngine->getTensorShape(name);
            DataType const type = mEngine->getTensorDataType(name);
            bool const onDevice = mEngine->getTensorLocation(name) == TensorLocation::kDEVICE && samples::cudaUsable();
            bool const isInput = mEngine->getTensorIOMode(name) == TensorIOMode::kINPUT;
            logInfo() << (isInput ? "Input  '" : "Output '") << name << "' " << samples::dimsToString(shape)
                      << (type == DataType::kFLOAT ? " float" : " (not float)") << ", in "
                      << (onDevice ? "GPU memory (kDEVICE)" : "host memory (no CUDA device: the CPU backend takes it)");
            SAMPLE_CHECK(type == DataType::kFLOAT, "Tensor '" << name << "' is not float32");
            if (isInput)
            {
                ++inputs;
                SAMPLE_CHECK(std::strcmp(name, kInputName) == 0,
                    "Expected the input to be called '" << kInputName << "', got '" << name << "'");
                SAMPLE_CHECK(samples::dimsEqual(shape, {1, 1, kImageSize, kImageSize}),
                    "Input shape " << samples::dimsToString(shape) << ", expected [1,1,28,28]");
                mInputName = name;
                mOnDevice = onDevice;
            }
            else
            {
                ++outputs;
                SAMPLE_CHECK(samples::dimsEqual(shape, {1, kNumClasses}),
                    "Output shape " << samples::dimsToString(shape) << ", expected [1,10]");
                mOutputName = name;
            }
        }
        SAMPLE_CHECK(inputs == 1 && outputs == 1,
            "Expected 1 input and 1 output, got " << inputs << " and " << outputs);
        logInfo() << "Engine I/O in " << (mOnDevice ? "GPU memory" : "host memory (CPU backend, no CUDA device)");
        return true;
    }

    //! Load <digit>.pgm into the input buffer as 1 - pixel/max, the scaling the model was
    //! exported with.
    bool loadDigit(int32_t digit, float* input, samples::PgmImage& image) const
    {
        std::string const path = samples::locateFile(std::to_string(digit) + ".pgm", mArgs.dataDirs);
        if (path.empty())
        {
            return false;
        }
        if (!samples::readPgm(path, image))
        {
            return false;
        }
        SAMPLE_CHECK(image.width == kImageSize && image.height == kImageSize,
            path << " is " << image.width << "x" << image.height << ", expected 28x28");
        float const scale = 1.0F / static_cast<float>(image.maxValue);
        for (std::size_t i = 0; i < image.pixels.size(); ++i)
        {
            input[i] = 1.0F - static_cast<float>(image.pixels[i]) * scale;
        }
        return true;
    }

    //! Brightness as text; two image rows per line keeps the picture roughly square and short.
    static void printDigit(samples::PgmImage const& image)
    {
        static char const shades[] = " .:-=+*#%@";
        auto const pixel = [&image](int32_t x, int32_t y) {
            return static_cast<float>(image.pixels[static_cast<std::size_t>(y * image.width + x)]);
        };
        std::ostringstream art;
        for (int32_t y = 0; y + 1 < image.height; y += 2)
        {
            art << "\n    ";
            for (int32_t x = 0; x < image.width; ++x)
            {
                float const level = 0.5F * (pixel(x, y) + pixel(x, y + 1)) / static_cast<float>(image.maxValue);
                art << shades[std::min(9, std::max(0, static_cast<int32_t>(level * 9.99F)))];
            }
        }
        logInfo() << "Image:" << art.str();
    }

    bool runDigit(IExecutionContext& context, samples::BufferManager const& buffers,
        samples::StreamHolder const& stream, int32_t digit, Logits& logits) const
    {
        auto* input = static_cast<float*>(buffers.hostBuffer(mInputName));
        auto const* output = static_cast<float const*>(buffers.hostBuffer(mOutputName));
        SAMPLE_CHECK(input != nullptr && output != nullptr, "I/O buffers missing");
        samples::PgmImage image;
        if (!loadDigit(digit, input, image))
        {
            return false;
        }
        printDigit(image);

        if (!buffers.copyInputsToDevice(stream.get()) || !buffers.bind(context))
        {
            return false;
        }
        SAMPLE_CHECK(context.enqueueV3(stream.get()), "enqueueV3 failed for digit " << digit);
        if (!buffers.copyOutputsToHost(stream.get()) || !stream.sync())
        {
            return false;
        }
        std::copy(output, output + kNumClasses, logits.begin());
        return true;
    }

    //! Softmax on the host, then print and judge the prediction.
    static bool report(int32_t digit, Logits const& logits)
    {
        float const maxLogit = *std::max_element(logits.begin(), logits.end());
        double sum = 0.0;
        std::array<double, kNumClasses> probs{};
        for (int32_t i = 0; i < kNumClasses; ++i)
        {
            probs[i] = std::exp(static_cast<double>(logits[i]) - maxLogit); // shift avoids overflow
            sum += probs[i];
        }
        auto const best = std::max_element(probs.begin(), probs.end());
        int32_t const predicted = static_cast<int32_t>(best - probs.begin());
        double const probability = *best / sum;

        bool const ok = std::isfinite(probability) && predicted == digit && probability > kMinProbability;
        std::ostringstream line;
        line << "digit " << digit << " -> predicted " << predicted << " (prob " << std::fixed
             << std::setprecision(4) << probability << ")" << (ok ? "" : "  <-- WRONG");
        if (ok)
        {
            logInfo() << line.str();
        }
        else
        {
            logError() << line.str();
        }
        return ok;
    }

    //! Run digit 0 again through the deprecated executeV2(bindings) entry point, with the
    //! pointers in legacy binding order, and require the very same bits as enqueueV3 gave.
    bool checkExecuteV2(IExecutionContext& context, samples::BufferManager const& buffers,
        samples::StreamHolder const& stream, Logits const& expected) const
    {
        std::vector<void*> bindings;
        if (!legacyBindings(buffers, bindings))
        {
            return false;
        }
        auto* input = static_cast<float*>(buffers.hostBuffer(mInputName));
        auto const* output = static_cast<float const*>(buffers.hostBuffer(mOutputName));
        samples::PgmImage image;
        if (!loadDigit(0, input, image) || !buffers.clearOutputs(stream.get())
            || !buffers.copyInputsToDevice(stream.get()) || !stream.sync())
        {
            return false;
        }
        // executeV2 is synchronous and does not use our stream, hence the sync above.
        SAMPLE_CHECK(context.executeV2(bindings.data()), "executeV2 failed");
        if (!buffers.copyOutputsToHost(stream.get()) || !stream.sync())
        {
            return false;
        }

        bool const same = std::memcmp(output, expected.data(), sizeof(float) * kNumClasses) == 0;
        if (!same)
        {
            std::ostringstream diff;
            for (int32_t i = 0; i < kNumClasses; ++i)
            {
                diff << "\n    [" << i << "] enqueueV3 " << std::setprecision(9) << expected[i] << "  executeV2 "
                     << output[i];
            }
            logError() << "executeV2 result differs from enqueueV3 for digit 0:" << diff.str();
            return false;
        }
        logInfo() << "executeV2 (legacy bindings) matches enqueueV3 bit for bit";
        return true;
    }

    //! Addresses indexed by the deprecated binding index of each I/O tensor.
    bool legacyBindings(samples::BufferManager const& buffers, std::vector<void*>& bindings) const
    {
        // getNbBindings/getBindingIndex are deprecated in 8.6, but still part of the API that
        // executeV2 callers rely on; this is the one place that uses them on purpose.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
        int32_t const count = mEngine->getNbBindings();
        SAMPLE_CHECK(count == mEngine->getNbIOTensors(),
            "getNbBindings() = " << count << " but getNbIOTensors() = " << mEngine->getNbIOTensors());
        bindings.assign(static_cast<std::size_t>(count), nullptr);
        for (auto const& tensor : buffers.tensors())
        {
            int32_t const index = mEngine->getBindingIndex(tensor->name.c_str());
            SAMPLE_CHECK(index >= 0 && index < count && bindings[static_cast<std::size_t>(index)] == nullptr,
                "Bad binding index " << index << " for tensor '" << tensor->name << "'");
            bindings[static_cast<std::size_t>(index)] = tensor->address();
        }
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
        return true;
    }

    //! 10 rows (digits 0..9) of 10 logits, raw little-endian float32, for bit-exact comparisons.
    bool dumpLogits(std::vector<Logits> const& results) const
    {
        std::vector<unsigned char> bytes;
        for (auto const& row : results)
        {
            samples::appendFloatsLE(bytes, row.data(), row.size());
        }
        if (!samples::writeBinaryFile(mArgs.dumpOutput, bytes.data(), bytes.size()))
        {
            return false;
        }
        logInfo() << "Wrote " << results.size() << "x" << kNumClasses << " logits to " << mArgs.dumpOutput;
        return true;
    }

    samples::SampleArgs mArgs;
    // Declaration order matters: the engine must be destroyed before the runtime.
    std::unique_ptr<IRuntime> mRuntime;
    std::unique_ptr<ICudaEngine> mEngine;
    std::string mInputName;
    std::string mOutputName;
    bool mOnDevice{false};
};

std::vector<std::string> defaultDataDirs()
{
    std::vector<std::string> dirs{"data/mnist/", "data/samples/mnist/"};
#ifdef SAMPLES_DATA_ROOT
    dirs.push_back(std::string(SAMPLES_DATA_ROOT) + "/mnist/");
#endif
    return dirs;
}

int runSample(int argc, char** argv)
{
    samples::SampleArgs args;
    if (!samples::parseArgs(args, argc, argv))
    {
        samples::printUsage(argv[0], kDescription);
        return EXIT_FAILURE;
    }
    if (args.help)
    {
        samples::printUsage(argv[0], kDescription);
        return EXIT_SUCCESS;
    }
    if (args.dataDirs.empty())
    {
        args.dataDirs = defaultDataDirs();
    }
    samples::sampleLogger().setThreshold(args.verbose ? samples::Severity::kVERBOSE : samples::Severity::kINFO);

    samples::TestReport test(kSampleName, argc, argv);
    test.start();

    OnnxMnistSample sample(args);
    if (!sample.prepareEngine())
    {
        return test.fail();
    }
    return test.report(sample.infer());
}

} // namespace

int main(int argc, char** argv)
{
    // TensorRT calls do not throw; this only catches the sample's own std::bad_alloc and the
    // like, so that even those end in a message and a non-zero exit instead of an abort.
    try
    {
        return runSample(argc, argv);
    }
    catch (std::exception const& e)
    {
        samples::logError() << "Unexpected exception: " << e.what();
    }
    catch (...)
    {
        samples::logError() << "Unexpected unknown exception";
    }
    std::cout << "&&&& FAILED " << kSampleName << std::endl;
    return EXIT_FAILURE;
}
