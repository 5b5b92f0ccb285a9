// sample_mnist_api: the MNIST classifier defined layer by layer through the Network
// Definition API (no parser), with its weights read from mnist.wts (TensorRT's .wts text
// format). It is an implicit-batch network, as the classic TensorRT samples build it: the ten
// digit images 0.pgm .. 9.pgm are classified as one batch of ten with the deprecated
// IExecutionContext::enqueue(batchSize, bindings, stream, nullptr).
//
// Layers: scale (the input normalization 1 - pixel/255) -> conv 8x5x5 pad 2 -> ReLU -> max
// pool 2x2/2 -> conv 16x5x5 pad 2 -> ReLU -> max pool 3x3/3 -> fully connected 10 -> softmax.

#include "NvInfer.h"

#include "argsParser.h"
#include "buffers.h"
#include "common.h"
#include "logger.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

// The sample shows TensorRT's deprecated implicit-batch API (setMaxBatchSize, execute/enqueue
// with a batch size, addFullyConnected, legacy bindings) on purpose.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif

namespace
{

using namespace nvinfer1;
using samples::logError;
using samples::logInfo;
using samples::logWarning;

char const* const kSampleName = "TensorRT.sample_mnist_api";
char const* const kDescription
    = "Classifies the MNIST digits 0-9 with a network defined layer by layer from mnist.wts.";
char const* const kWeightsFile = "mnist.wts";
char const* const kInputName = "data";
char const* const kOutputName = "prob";
int32_t const kImageSize = 28;
int32_t const kNumClasses = 10;
int32_t const kNumDigits = 10;
float const kMinProbability = 0.9F;

//! Weight blobs of a .wts file: a count line, then "name type count hex hex ..." per blob,
//! type 0 (kFLOAT) values given as the hex of their IEEE-754 bits. The values live as long
//! as this object, which must outlive the build that reads them.
class WeightFile
{
public:
    bool load(std::string const& path)
    {
        std::ifstream in(path);
        SAMPLE_CHECK(in, "Cannot open " << path);
        int64_t count = -1;
        in >> count;
        SAMPLE_CHECK(in && count > 0 && count < 4096, path << ": bad blob count");
        for (int64_t i = 0; i < count; ++i)
        {
            std::string name;
            int32_t type = -1;
            int64_t size = -1;
            in >> name >> std::dec >> type >> size;
            SAMPLE_CHECK(in && !name.empty(), path << ": blob " << i << " has no name, type and size");
            SAMPLE_CHECK(type == static_cast<int32_t>(DataType::kFLOAT),
                path << ": blob '" << name << "' has type " << type << "; only 0 (kFLOAT) is used here");
            SAMPLE_CHECK(size >= 0 && size < (int64_t{1} << 28), path << ": blob '" << name << "' has size " << size);
            std::vector<uint32_t>& values = mValues[name];
            values.resize(static_cast<std::size_t>(size));
            for (auto& v : values)
            {
                in >> std::hex >> v;
            }
            SAMPLE_CHECK(in, path << ": blob '" << name << "' is cut short");
            in >> std::dec;
        }
        return true;
    }

    //! The blob as kFLOAT weights; false (reported) if missing or not `expected` values.
    bool get(std::string const& name, int64_t expected, Weights& weights) const
    {
        auto const found = mValues.find(name);
        SAMPLE_CHECK(found != mValues.end(), "mnist.wts has no blob '" << name << "'");
        auto const size = static_cast<int64_t>(found->second.size());
        SAMPLE_CHECK(size == expected, "Blob '" << name << "' has " << size << " values, expected " << expected);
        weights = Weights{DataType::kFLOAT, found->second.data(), size};
        return true;
    }

private:
    std::map<std::string, std::vector<uint32_t>> mValues;
};

class MnistApiSample
{
public:
    explicit MnistApiSample(samples::SampleArgs args) : mArgs(std::move(args)) {}

    bool build()
    {
        std::string const path = samples::locateFile(kWeightsFile, mArgs.dataDirs);
        if (path.empty() || !mWeights.load(path))
        {
            return false;
        }
        logInfo() << "Loaded weights from " << path;

        auto builder = samples::infer_object(createInferBuilder(samples::sampleLogger()));
        SAMPLE_CHECK(builder != nullptr, "createInferBuilder failed");
        // 0: no kEXPLICIT_BATCH flag, an implicit-batch network.
        auto network = samples::infer_object(builder->createNetworkV2(0U));
        SAMPLE_CHECK(network != nullptr, "createNetworkV2(0) failed");
        auto config = samples::infer_object(builder->createBuilderConfig());
        SAMPLE_CHECK(config != nullptr, "createBuilderConfig failed");
        if (!defineNetwork(*network))
        {
            return false;
        }

        builder->setMaxBatchSize(kNumDigits);
        config->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, samples::mebibytes(16));
        if (mArgs.fp16 && builder->platformHasFastFp16())
        {
            config->setFlag(BuilderFlag::kFP16);
        }
        if (mArgs.noTF32)
        {
            config->clearFlag(BuilderFlag::kTF32);
        }
        logInfo() << "Building the engine";
        auto plan = samples::infer_object(builder->buildSerializedNetwork(*network, *config));
        SAMPLE_CHECK(plan != nullptr && plan->size() > 0, "buildSerializedNetwork failed (see the messages above)");
        if (!mArgs.saveEngine.empty() && !samples::writeBinaryFile(mArgs.saveEngine, plan->data(), plan->size()))
        {
            return false;
        }

        mRuntime = samples::infer_object(createInferRuntime(samples::sampleLogger()));
        SAMPLE_CHECK(mRuntime != nullptr, "createInferRuntime failed");
        mEngine = samples::infer_object(mRuntime->deserializeCudaEngine(plan->data(), plan->size()));
        SAMPLE_CHECK(mEngine != nullptr, "deserializeCudaEngine failed");
        return checkEngine();
    }

    //! All ten digits as one batch, then digit 0 alone; true only if every digit is right
    //! and the batch of one agrees with the batch of ten.
    bool infer()
    {
        std::unique_ptr<IExecutionContext> context(mEngine->createExecutionContext());
        SAMPLE_CHECK(context != nullptr, "createExecutionContext failed");
        samples::BufferManager buffers;
        if (!buffers.init(*mEngine, kNumDigits))
        {
            return false;
        }
        samples::StreamHolder stream;
        if (buffers.anyOnDevice() && !stream.create())
        {
            return false;
        }
        std::vector<samples::PgmImage> images(kNumDigits);
        auto* input = static_cast<float*>(buffers.hostBuffer(kInputName));
        auto const* output = static_cast<float const*>(buffers.hostBuffer(kOutputName));
        SAMPLE_CHECK(input != nullptr && output != nullptr, "I/O buffers missing");
        for (int32_t digit = 0; digit < kNumDigits; ++digit)
        {
            if (!loadDigit(digit, input + digit * kImageSize * kImageSize, images[digit]))
            {
                return false;
            }
        }
        std::vector<void*> bindings;
        if (!bindingsOf(buffers, bindings))
        {
            return false;
        }

        if (!buffers.copyInputsToDevice(stream.get()))
        {
            return false;
        }
        SAMPLE_CHECK(context->enqueue(kNumDigits, bindings.data(), stream.get(), nullptr), "enqueue(10, ...) failed");
        if (!buffers.copyOutputsToHost(stream.get()) || !stream.sync())
        {
            return false;
        }
        std::vector<float> const batch(output, output + kNumDigits * kNumClasses);
        bool allCorrect = true;
        for (int32_t digit = 0; digit < kNumDigits; ++digit)
        {
            allCorrect = report(digit, &batch[static_cast<std::size_t>(digit * kNumClasses)]) && allCorrect;
        }

        // The same engine with a batch of one: execute(1, ...) reads only the first image.
        if (!buffers.clearOutputs(stream.get()) || !stream.sync())
        {
            return false;
        }
        SAMPLE_CHECK(context->execute(1, bindings.data()), "execute(1, ...) failed");
        if (!buffers.copyOutputsToHost(stream.get()) || !stream.sync())
        {
            return false;
        }
        float worst = 0.0F;
        for (int32_t i = 0; i < kNumClasses; ++i)
        {
            worst = std::max(worst, std::fabs(output[i] - batch[static_cast<std::size_t>(i)]));
        }
        bool const sameAlone = worst <= 1e-5F;
        (sameAlone ? logInfo() : logError()) << "digit 0 alone (execute, batch 1) vs in the batch of 10: max abs diff "
                                             << worst << (sameAlone ? "" : "  <-- MISMATCH");
        if (!allCorrect)
        {
            logError() << "Not every digit was classified correctly";
        }
        return allCorrect && sameAlone;
    }

private:
    bool defineNetwork(INetworkDefinition& network)
    {
        Weights conv1w{}, conv1b{}, conv2w{}, conv2b{}, fcw{}, fcb{};
        if (!mWeights.get("conv1filter", 8 * 1 * 5 * 5, conv1w) || !mWeights.get("conv1bias", 8, conv1b)
            || !mWeights.get("conv2filter", 16 * 8 * 5 * 5, conv2w) || !mWeights.get("conv2bias", 16, conv2b)
            || !mWeights.get("ip1filter", kNumClasses * 256, fcw) || !mWeights.get("ip1bias", kNumClasses, fcb))
        {
            return false;
        }
        // Per sample (the batch is implicit): [1, 28, 28].
        ITensor* data = network.addInput(kInputName, DataType::kFLOAT, Dims3{1, kImageSize, kImageSize});
        SAMPLE_CHECK(data != nullptr, "addInput failed");

        // The model was trained on 1 - pixel/255: y = (x * scale + shift) ^ power, power 1.
        Weights const shift{DataType::kFLOAT, &mShift, 1};
        Weights const scale{DataType::kFLOAT, &mScale, 1};
        Weights const power{DataType::kFLOAT, nullptr, 0};
        IScaleLayer* normalize = network.addScale(*data, ScaleMode::kUNIFORM, shift, scale, power);
        SAMPLE_CHECK(normalize != nullptr, "addScale failed");

        ITensor* x = normalize->getOutput(0);
        if (!addConvBlock(network, x, 8, conv1w, conv1b, 2) || !addConvBlock(network, x, 16, conv2w, conv2b, 3))
        {
            return false;
        }
        IFullyConnectedLayer* fc = network.addFullyConnected(*x, kNumClasses, fcw, fcb);
        SAMPLE_CHECK(fc != nullptr, "addFullyConnected failed");
        ISoftMaxLayer* prob = network.addSoftMax(*fc->getOutput(0));
        SAMPLE_CHECK(prob != nullptr, "addSoftMax failed");
        prob->getOutput(0)->setName(kOutputName);
        network.markOutput(*prob->getOutput(0));
        logInfo() << "Network: " << network.getNbLayers() << " layers, output "
                  << samples::dimsToString(prob->getOutput(0)->getDimensions()) << " per sample";
        return true;
    }

    //! conv 5x5 (padding 2) -> ReLU -> max pool pool x pool (stride pool); `x` becomes its output.
    static bool addConvBlock(INetworkDefinition& network, ITensor*& x, int32_t maps, Weights kernel, Weights bias, int32_t pool)
    {
        IConvolutionLayer* conv = network.addConvolutionNd(*x, maps, DimsHW{5, 5}, kernel, bias);
        SAMPLE_CHECK(conv != nullptr, "addConvolutionNd failed");
        conv->setPaddingNd(DimsHW{2, 2});
        IActivationLayer* relu = network.addActivation(*conv->getOutput(0), ActivationType::kRELU);
        SAMPLE_CHECK(relu != nullptr, "addActivation failed");
        IPoolingLayer* pooling = network.addPoolingNd(*relu->getOutput(0), PoolingType::kMAX, DimsHW{pool, pool});
        SAMPLE_CHECK(pooling != nullptr, "addPoolingNd failed");
        pooling->setStrideNd(DimsHW{pool, pool});
        x = pooling->getOutput(0);
        return true;
    }

    bool checkEngine()
    {
        SAMPLE_CHECK(mEngine->hasImplicitBatchDimension(), "The engine should have an implicit batch dimension");
        SAMPLE_CHECK(mEngine->getMaxBatchSize() == kNumDigits,
            "getMaxBatchSize() = " << mEngine->getMaxBatchSize() << ", expected " << kNumDigits);
        Dims const in = mEngine->getTensorShape(kInputName);
        Dims const out = mEngine->getTensorShape(kOutputName);
        SAMPLE_CHECK(samples::dimsEqual(in, {1, kImageSize, kImageSize}), "Input shape " << samples::dimsToString(in));
        SAMPLE_CHECK(samples::dimsEqual(out, {kNumClasses, 1, 1}), "Output shape " << samples::dimsToString(out));
        bool const onDevice = mEngine->getTensorLocation(kInputName) == TensorLocation::kDEVICE && samples::cudaUsable();
        logInfo() << "Engine I/O in " << (onDevice ? "GPU memory" : "host memory (CPU backend, no CUDA device)")
                  << "; per sample: input " << samples::dimsToString(in) << ", output " << samples::dimsToString(out);
        return true;
    }

    //! <digit>.pgm as raw pixel values: the network normalizes them itself.
    bool loadDigit(int32_t digit, float* input, samples::PgmImage& image) const
    {
        std::string const path = samples::locateFile(std::to_string(digit) + ".pgm", mArgs.dataDirs);
        if (path.empty() || !samples::readPgm(path, image))
        {
            return false;
        }
        SAMPLE_CHECK(image.width == kImageSize && image.height == kImageSize && image.maxValue == 255,
            path << " is not a 28x28 image with 8-bit pixels");
        for (std::size_t i = 0; i < image.pixels.size(); ++i)
        {
            input[i] = static_cast<float>(image.pixels[i]);
        }
        return true;
    }

    //! Addresses in legacy binding order, as execute/enqueue take them.
    bool bindingsOf(samples::BufferManager const& buffers, std::vector<void*>& bindings) const
    {
        int32_t const count = mEngine->getNbBindings();
        bindings.assign(static_cast<std::size_t>(count), nullptr);
        for (auto const& tensor : buffers.tensors())
        {
            int32_t const index = mEngine->getBindingIndex(tensor->name.c_str());
            SAMPLE_CHECK(index >= 0 && index < count, "Bad binding index " << index << " for '" << tensor->name << "'");
            bindings[static_cast<std::size_t>(index)] = tensor->address();
        }
        return true;
    }

    static bool report(int32_t digit, float const* probs)
    {
        float const* best = std::max_element(probs, probs + kNumClasses);
        int32_t const predicted = static_cast<int32_t>(best - probs);
        bool const ok = std::isfinite(*best) && predicted == digit && *best > kMinProbability;
        std::ostringstream line;
        line << "digit " << digit << " -> predicted " << predicted << " (prob " << std::fixed << std::setprecision(4)
             << *best << ")" << (ok ? "" : "  <-- WRONG");
        (ok ? logInfo() : logError()) << line.str();
        return ok;
    }

    samples::SampleArgs mArgs;
    WeightFile mWeights;
    float mShift{1.0F};
    float mScale{-1.0F / 255.0F};
    // Declaration order matters: the engine must be destroyed before the runtime.
    std::unique_ptr<IRuntime> mRuntime;
    std::unique_ptr<ICudaEngine> mEngine;
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
    MnistApiSample sample(args);
    if (!sample.build())
    {
        return test.fail();
    }
    return test.report(sample.infer());
}

} // namespace

int main(int argc, char** argv)
{
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
