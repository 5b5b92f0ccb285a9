// benchmark_mnist: latency of one MNIST inference (batch 1) through enqueueV3 on a CUDA
// stream, timed with CUDA events, plain and replayed from a captured CUDA graph (which
// also proves enqueueV3 neither synchronizes nor allocates). Prints median milliseconds.
//   benchmark_mnist <model.onnx> [iterations]
#include "NvInfer.h"
#include "NvOnnxParser.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

namespace
{
class QuietLogger : public nvinfer1::ILogger
{
    void log(Severity severity, char const* msg) noexcept override
    {
        if (severity <= Severity::kWARNING) std::fprintf(stderr, "[TRT] %s\n", msg);
    }
} gLogger;

bool check(cudaError_t e, char const* what)
{
    if (e == cudaSuccess) return true;
    std::fprintf(stderr, "[E] %s: %s\n", what, cudaGetErrorString(e));
    return false;
}

// Median of `iterations` timings of `body` (each timed with events on `stream`), in ms.
template <typename Body>
float medianMs(cudaStream_t stream, int iterations, Body body)
{
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    std::vector<float> times;
    for (int i = 0; i < iterations; ++i)
    {
        cudaEventRecord(start, stream);
        if (!body()) return -1.F;
        cudaEventRecord(stop, stream);
        cudaEventSynchronize(stop);
        float ms = 0.F;
        cudaEventElapsedTime(&ms, start, stop);
        times.push_back(ms);
    }
    cudaEventDestroy(start);
    cudaEventDestroy(stop);
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}
} // namespace

int main(int argc, char** argv)
{
    if (argc < 2)
    {
        std::fprintf(stderr, "usage: %s <model.onnx> [iterations]\n", argv[0]);
        return 2;
    }
    int const iterations = argc > 2 ? std::max(1, std::atoi(argv[2])) : 1000;
    std::unique_ptr<nvinfer1::IBuilder> builder(nvinfer1::createInferBuilder(gLogger));
    if (!builder) return 1;
    std::unique_ptr<nvinfer1::INetworkDefinition> network(
        builder->createNetworkV2(1U << static_cast<uint32_t>(nvinfer1::NetworkDefinitionCreationFlag::kEXPLICIT_BATCH)));
    std::unique_ptr<nvonnxparser::IParser> parser(nvonnxparser::createParser(*network, gLogger));
    if (!parser->parseFromFile(argv[1], static_cast<int>(nvinfer1::ILogger::Severity::kWARNING))) return 1;
    std::unique_ptr<nvinfer1::IBuilderConfig> config(builder->createBuilderConfig());
    std::unique_ptr<nvinfer1::IHostMemory> plan(builder->buildSerializedNetwork(*network, *config));
    std::unique_ptr<nvinfer1::IRuntime> runtime(nvinfer1::createInferRuntime(gLogger));
    std::unique_ptr<nvinfer1::ICudaEngine> engine(plan ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    if (!engine) return 1;
    if (engine->getTensorLocation(engine->getIOTensorName(0)) != nvinfer1::TensorLocation::kDEVICE)
    {
        std::fprintf(stderr, "[E] the engine is not on the GPU; this benchmark needs one\n");
        return 1;
    }
    std::unique_ptr<nvinfer1::IExecutionContext> context(engine->createExecutionContext());
    cudaStream_t stream;
    if (!check(cudaStreamCreate(&stream), "cudaStreamCreate")) return 1;
    std::vector<void*> buffers;
    for (int32_t i = 0; i < engine->getNbIOTensors(); ++i)
    {
        char const* name = engine->getIOTensorName(i);
        nvinfer1::Dims d = engine->getTensorShape(name);
        size_t n = 1;
        for (int32_t k = 0; k < d.nbDims; ++k) n *= static_cast<size_t>(d.d[k]);
        std::vector<float> host(n);
        for (size_t k = 0; k < n; ++k) host[k] = static_cast<float>((k * 7919) % 256) / 255.F; // not zeros
        void* p = nullptr;
        if (!check(cudaMalloc(&p, n * sizeof(float)), "cudaMalloc")) return 1;
        cudaMemcpy(p, host.data(), n * sizeof(float), cudaMemcpyHostToDevice);
        buffers.push_back(p);
        context->setTensorAddress(name, p);
    }
    for (int i = 0; i < 50; ++i) context->enqueueV3(stream); // warm-up
    cudaStreamSynchronize(stream);
    float eager = medianMs(stream, iterations, [&] { return context->enqueueV3(stream); });

    cudaGraph_t graph;
    cudaGraphExec_t exec;
    if (!check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal), "cudaStreamBeginCapture")) return 1;
    bool captured = context->enqueueV3(stream);
    if (!check(cudaStreamEndCapture(stream, &graph), "cudaStreamEndCapture") || !captured) return 1;
    if (!check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate")) return 1;
    float replay = medianMs(stream, iterations, [&] { return cudaGraphLaunch(exec, stream) == cudaSuccess; });
    if (!check(cudaStreamSynchronize(stream), "replay")) return 1;

    std::printf("BENCH nvinfer-rs mnist batch1 enqueueV3_ms=%.4f graph_replay_ms=%.4f iterations=%d\n", eager, replay, iterations);
    for (void* p : buffers) cudaFree(p);
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    cudaStreamDestroy(stream);
    return eager > 0 && replay > 0 ? 0 : 1;
}
