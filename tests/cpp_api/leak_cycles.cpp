// leak_cycles.cpp: creates and destroys every public object many times and asserts that the
// process's heap does not grow from one cycle to the next (zero growth after warm-up, measured
// with glibc's mallinfo2), while every cycle still produces the right answer. run.sh also runs
// it under valgrind, which reports any block left at exit; this program catches what valgrind
// cannot: memory that is still reachable (a cache, a registry, a log) but grows per object.
//
// One cycle: builder, config, optimization profile, network built layer by layer with a
// dynamic batch, ONNX parser on the shipped MNIST model (file and in-memory), serialized
// plans, runtime, engines, execution contexts (with and without their own memory), inference,
// and failing calls (so error paths are cycled too).
//
// Usage: GLIBC_TUNABLES=glibc.malloc.tcache_count=0 leak_cycles MODEL.onnx (LEAK_CYCLES=N
// sets the number of measured cycles, LEAK_CYCLES_TRACE=1 prints the heap after each). glibc's per-thread caches keep freed blocks, which
// mallinfo2 counts as in use, so they are turned off for an exact measurement. Prints
// "ok"/"FAIL" lines; exits non-zero if any failed.

#include "NvInfer.h"
#include "NvOnnxParser.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <malloc.h>
#include <memory>
#include <string>
#include <vector>

using namespace nvinfer1;

namespace
{

int gFailed = 0;

void check(bool ok, std::string const& what)
{
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    std::fflush(stdout);
    if (!ok) ++gFailed;
}

// Drops every message: a logger that stored them would itself grow per cycle.
class QuietLogger : public ILogger
{
public:
    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (std::getenv("LEAK_CYCLES_VERBOSE"))
            std::fprintf(stderr, "[log %d] %s\n", static_cast<int>(severity), msg ? msg : "(null)");
    }
};

QuietLogger gLogger;

template <typename T>
using Ptr = std::unique_ptr<T>;

Dims dims2(int32_t a, int32_t b)
{
    Dims d{};
    d.nbDims = 2;
    d.d[0] = a;
    d.d[1] = b;
    return d;
}

float const kW[12] = {1, 0, -1, 0.5f, 2, 0, 0, -1, 1, 0.25f, 0, 3};
float const kB[3] = {0.5f, -1, 0};

// Adds y = relu(x * w + b) (x: [-1, 4], w: [4, 3]) to `net`; false on any failure.
bool addDenseRelu(INetworkDefinition& net)
{
    ITensor* x = net.addInput("x", DataType::kFLOAT, dims2(-1, 4));
    IConstantLayer* w = net.addConstant(dims2(4, 3), Weights{DataType::kFLOAT, kW, 12});
    IConstantLayer* b = net.addConstant(dims2(1, 3), Weights{DataType::kFLOAT, kB, 3});
    if (!x || !w || !b) return false;
    IMatrixMultiplyLayer* mm = net.addMatrixMultiply(*x, MatrixOperation::kNONE, *w->getOutput(0), MatrixOperation::kNONE);
    IElementWiseLayer* add = mm ? net.addElementWise(*mm->getOutput(0), *b->getOutput(0), ElementWiseOperation::kSUM) : nullptr;
    IActivationLayer* relu = add ? net.addActivation(*add->getOutput(0), ActivationType::kRELU) : nullptr;
    if (!relu) return false;
    relu->getOutput(0)->setName("y");
    net.markOutput(*relu->getOutput(0));
    return true;
}

// Runs the dense network through every object once; false on any failure or wrong answer.
bool layerByLayerCycle()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<IBuilderConfig> config(builder ? builder->createBuilderConfig() : nullptr);
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    Ptr<INetworkDefinition> invalid(builder ? builder->createNetworkV2(1U) : nullptr);
    if (!config || !net || !invalid || !addDenseRelu(*net) || !addDenseRelu(*invalid)) return false;

    // Failing calls per cycle, so error paths are cycled too: a build without a profile for
    // the dynamic input, and a build of a network holding a reshape of the wrong volume.
    if (Ptr<IHostMemory>(builder->buildSerializedNetwork(*net, *config))) return false;
    IOptimizationProfile* profile = builder->createOptimizationProfile();
    if (!profile) return false;
    profile->setDimensions("x", OptProfileSelector::kMIN, dims2(1, 4));
    profile->setDimensions("x", OptProfileSelector::kOPT, dims2(2, 4));
    profile->setDimensions("x", OptProfileSelector::kMAX, dims2(8, 4));
    config->addOptimizationProfile(profile);
    IShuffleLayer* bad = invalid->addShuffle(*invalid->getInput(0));
    if (!bad) return false;
    bad->setReshapeDimensions(dims2(5, 5));
    invalid->markOutput(*bad->getOutput(0));
    if (Ptr<IHostMemory>(builder->buildSerializedNetwork(*invalid, *config))) return false;

    Ptr<IHostMemory> plan(builder->buildSerializedNetwork(*net, *config));
    if (!plan) return false;

    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    if (!runtime) return false;
    // A corrupt plan is refused before a good one is loaded.
    std::vector<uint8_t> corrupt(static_cast<uint8_t const*>(plan->data()), static_cast<uint8_t const*>(plan->data()) + plan->size());
    corrupt[corrupt.size() / 2] ^= 0x5a;
    Ptr<ICudaEngine> none(runtime->deserializeCudaEngine(corrupt.data(), corrupt.size()));
    if (none) return false;
    Ptr<ICudaEngine> engine(runtime->deserializeCudaEngine(plan->data(), plan->size()));
    if (!engine) return false;
    Ptr<IHostMemory> again(engine->serialize());
    if (!again || again->size() == 0) return false;

    Ptr<IExecutionContext> ctx(engine->createExecutionContext());
    Ptr<IExecutionContext> bare(engine->createExecutionContextWithoutDeviceMemory());
    if (!ctx) return false;
    (void) bare;
    if (ctx->setInputShape("x", dims2(9, 4))) return false; // outside the profile
    if (!ctx->setInputShape("x", dims2(3, 4))) return false;
    std::vector<float> xs(12), ys(9, -1.f);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<float>(i % 5) - 2.f;
    if (!ctx->setTensorAddress("x", xs.data()) || !ctx->setTensorAddress("y", ys.data())) return false;
    if (!ctx->enqueueV3(nullptr)) return false;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
        {
            float acc = kB[c];
            for (int k = 0; k < 4; ++k) acc += xs[r * 4 + k] * kW[k * 3 + c];
            float expected = acc > 0.f ? acc : 0.f;
            if (std::fabs(ys[r * 3 + c] - expected) > 1e-5f) return false;
        }
    return true;
}

// Parses MNIST from the file and from memory, builds it, runs one image of zeros; false on
// any failure.
bool onnxCycle(std::string const& path, std::vector<char> const& bytes)
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    Ptr<IBuilderConfig> config(builder ? builder->createBuilderConfig() : nullptr);
    if (!net || !config) return false;
    {
        // A truncated model is refused; the parser keeps its errors until destroyed.
        Ptr<INetworkDefinition> scratch(builder->createNetworkV2(1U));
        Ptr<nvonnxparser::IParser> broken(nvonnxparser::createParser(*scratch, gLogger));
        if (!broken || broken->parse(bytes.data(), bytes.size() / 3) || broken->getNbErrors() == 0) return false;
    }
    Ptr<nvonnxparser::IParser> parser(nvonnxparser::createParser(*net, gLogger));
    if (!parser || !parser->parseFromFile(path.c_str(), 0)) return false;
    Ptr<INetworkDefinition> net2(builder->createNetworkV2(1U));
    Ptr<nvonnxparser::IParser> parser2(nvonnxparser::createParser(*net2, gLogger));
    if (!parser2 || !parser2->parse(bytes.data(), bytes.size())) return false;
    Ptr<IHostMemory> plan(builder->buildSerializedNetwork(*net, *config));
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx || engine->getNbIOTensors() != 2) return false;
    char const* in = engine->getIOTensorName(0);
    char const* out = engine->getIOTensorName(1);
    std::vector<float> image(28 * 28, 0.f), scores(10, std::nanf(""));
    if (!ctx->setTensorAddress(in, image.data()) || !ctx->setTensorAddress(out, scores.data()) || !ctx->enqueueV3(nullptr))
        return false;
    for (float s : scores)
        if (!std::isfinite(s)) return false;
    return true;
}

bool threadCachesOff()
{
    char const* tunables = std::getenv("GLIBC_TUNABLES");
    return tunables && std::strstr(tunables, "glibc.malloc.tcache_count=0");
}

size_t heapInUse()
{
    return mallinfo2().uordblks;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2)
    {
        std::fprintf(stderr, "usage: leak_cycles MODEL.onnx\n");
        return 2;
    }
    std::string const path = argv[1];
    std::ifstream file(path, std::ios::binary);
    std::vector<char> const bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    check(!bytes.empty(), "read " + path);
    check(threadCachesOff(), "glibc's thread caches are off (GLIBC_TUNABLES=glibc.malloc.tcache_count=0)");
    if (bytes.empty()) return 1;

    // Cycles before the first measurement let one-time state settle (the plugin registry,
    // lazily initialised statics, the allocator's own bookkeeping).
    int const warmup = 3;
    int const cycles = std::getenv("LEAK_CYCLES") ? std::atoi(std::getenv("LEAK_CYCLES")) : 20;
    bool allRan = true;
    size_t afterWarmup = 0;
    size_t peakGrowth = 0;
    for (int i = 0; i < warmup + cycles; ++i)
    {
        bool ok = layerByLayerCycle() && onnxCycle(path, bytes);
        allRan = allRan && ok;
        if (i + 1 == warmup) afterWarmup = heapInUse();
        if (i + 1 > warmup)
        {
            size_t now = heapInUse();
            if (std::getenv("LEAK_CYCLES_TRACE")) std::fprintf(stderr, "cycle %d heap %zu\n", i, now);
            if (now > afterWarmup && now - afterWarmup > peakGrowth) peakGrowth = now - afterWarmup;
        }
    }
    size_t const final = heapInUse();
    check(allRan, "every cycle built, loaded and ran both networks with the right answers and refused the bad inputs");
    char line[200];
    std::snprintf(line, sizeof line, "heap in use after %d cycles: %zu bytes, after warm-up: %zu bytes (largest growth seen %zu)",
        cycles, final, afterWarmup, peakGrowth);
    // Zero growth: whatever a cycle allocates, it frees. A per-cycle leak of even one small
    // block shows as growth proportional to the number of cycles.
    check(final <= afterWarmup, std::string("zero heap growth: ") + line);
    return gFailed == 0 ? 0 : 1;
}
