// Runs one ONNX backend node-test case through the public TensorRT 8.6 API, as an application
// would: parse the model file, build an engine whose inputs are fixed to the test data's shapes
// (one optimization profile, min = opt = max), deserialize it, run enqueueV3 once and write
// every output. The caller (run_cases.py) compares the outputs; one process per case, so a
// crash is the caller's to count.
//
//   onnx_node_runner MODEL.onnx MANIFEST OUTDIR [MANIFEST2 OUTDIR2 ...]   (ONNX_RUNNER_FP16=1: kFP16 allowed)
//
// With several manifests (the same inputs at other shapes, e.g. batch 1 and batch 32 of a
// dynamic-batch model) one engine is built whose profile spans them (min and max over the
// manifests, opt the last one's) and one execution context runs each in turn.
//
// MANIFEST, one tensor a line (written by prepare.py):
//   input NAME DTYPE RANK D0 D1 ... FILE     (raw little-endian data, DTYPE as below)
// OUTDIR/outputs.txt gets the same kind of lines for outputs ("output ..."), next to the raw
// files. DTYPE: float32 float16 int32 int8 uint8 bool.
// On failure the last stdout line is "ERROR <stage>: <first error>" and the exit status is 1.
// Device memory (cudaMalloc) is used for kDEVICE tensors when a CUDA device is usable, host
// memory otherwise and with NVINFER_BACKEND=cpu (what the CPU reference backend runs on).
#include "NvInfer.h"
#include "NvOnnxParser.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace nvinfer1;

namespace
{

class Logger : public ILogger
{
public:
    void log(Severity severity, char const* msg) noexcept override
    {
        if (severity <= Severity::kERROR && firstError.empty())
        {
            firstError = msg;
        }
        // kINFO too: the builder says there which backend it builds for.
        if (severity <= Severity::kINFO)
        {
            std::cerr << "[trt] " << msg << "\n";
        }
    }
    std::string firstError;
};

Logger gLogger;

[[noreturn]] void fail(std::string const& stage, std::string msg)
{
    if (msg.empty())
    {
        msg = gLogger.firstError.empty() ? "(no error message)" : gLogger.firstError;
    }
    for (char& c : msg)
    {
        if (c == '\n' || c == '\t' || c == '\r')
        {
            c = ' ';
        }
    }
    std::cout << "ERROR " << stage << ": " << msg << std::endl;
    std::exit(1);
}

struct TypeInfo
{
    char const* name;
    DataType type;
    size_t size;
};
TypeInfo const kTypes[] = {{"float32", DataType::kFLOAT, 4}, {"float16", DataType::kHALF, 2},
    {"int32", DataType::kINT32, 4}, {"int8", DataType::kINT8, 1}, {"uint8", DataType::kUINT8, 1},
    {"bool", DataType::kBOOL, 1}};

TypeInfo const* typeByName(std::string const& name)
{
    for (auto const& t : kTypes)
    {
        if (name == t.name)
        {
            return &t;
        }
    }
    return nullptr;
}

TypeInfo const* typeOf(DataType type)
{
    for (auto const& t : kTypes)
    {
        if (type == t.type)
        {
            return &t;
        }
    }
    return nullptr;
}

std::string dimsText(Dims const& d)
{
    std::ostringstream s;
    s << "(";
    for (int32_t i = 0; i < d.nbDims; ++i)
    {
        s << (i ? "," : "") << d.d[i];
    }
    s << ")";
    return s.str();
}

int64_t volume(Dims const& d)
{
    int64_t v = 1;
    for (int32_t i = 0; i < d.nbDims; ++i)
    {
        v *= d.d[i];
    }
    return v;
}

struct InputData
{
    std::string name;
    TypeInfo const* type;
    Dims dims;
    std::vector<char> bytes;
};

std::vector<InputData> readManifest(char const* path)
{
    std::ifstream in(path);
    if (!in)
    {
        fail("manifest", std::string("cannot open ") + path);
    }
    std::vector<InputData> inputs;
    std::string line;
    while (std::getline(in, line))
    {
        std::istringstream s(line);
        std::string kind, dtype, file;
        InputData t;
        int32_t rank = -1;
        s >> kind >> t.name >> dtype >> rank;
        t.type = typeByName(dtype);
        if (kind != "input" || !t.type || rank < 0 || rank > Dims::MAX_DIMS)
        {
            fail("manifest", "bad line: " + line);
        }
        t.dims.nbDims = rank;
        for (int32_t i = 0; i < rank; ++i)
        {
            s >> t.dims.d[i];
        }
        s >> file;
        std::ifstream f(file, std::ios::binary);
        if (!s || !f)
        {
            fail("manifest", "bad line: " + line);
        }
        t.bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
        if (t.bytes.size() != static_cast<size_t>(volume(t.dims)) * t.type->size)
        {
            fail("manifest", "bad data for " + t.name + " in " + file);
        }
        inputs.push_back(std::move(t));
    }
    return inputs;
}

//! Whether kDEVICE tensors go to GPU memory: when a CUDA device is usable and the CPU backend
//! is not forced (CPU engines would take device pointers too, but host memory is what a CPU
//! user has, and what CI runs).
bool cudaUsable()
{
    static bool const usable = [] {
        char const* backend = std::getenv("NVINFER_BACKEND");
        if (backend && std::string(backend) == "cpu")
        {
            return false;
        }
        int count = 0;
        return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
    }();
    return usable;
}

//! Host or device memory of at least one byte (empty tensors still need an address).
struct Buffer
{
    void* ptr{nullptr};
    size_t size{0};
    bool device{false};

    bool allocate(size_t bytes, bool onDevice)
    {
        release();
        device = onDevice;
        size = bytes;
        size_t const n = bytes ? bytes : 1;
        if (device)
        {
            return cudaMalloc(&ptr, n) == cudaSuccess;
        }
        ptr = std::calloc(n, 1);
        return ptr != nullptr;
    }
    void release()
    {
        if (ptr)
        {
            device ? static_cast<void>(cudaFree(ptr)) : std::free(ptr);
        }
        ptr = nullptr;
        size = 0;
    }
    ~Buffer() { release(); }
};

//! Output memory for data-dependent shapes (NonZero and the like).
class OutputAllocator : public IOutputAllocator
{
public:
    explicit OutputAllocator(bool device) : mDevice(device) {}
    void* reallocateOutput(char const*, void*, uint64_t size, uint64_t) noexcept override
    {
        if (buffer.ptr && buffer.size >= size)
        {
            return buffer.ptr;
        }
        return buffer.allocate(size, mDevice) ? buffer.ptr : nullptr;
    }
    void notifyShape(char const*, Dims const& dims) noexcept override
    {
        shape = dims;
        notified = true;
    }
    Buffer buffer;
    Dims shape{};
    bool notified{false};

private:
    bool mDevice;
};

template <typename T>
struct Destroy
{
    void operator()(T* p) const { delete p; }
};
template <typename T>
using Ptr = std::unique_ptr<T, Destroy<T>>;

//! Binds one manifest's inputs (shapes, then data; shape tensors stay on the host, as in
//! TensorRT) and fresh output buffers, runs the context once and writes every output.
void runOnce(ICudaEngine* engine, IExecutionContext* context, std::map<std::string, InputData const*> const& byName,
    char const* outDir)
{
    // Inputs: shapes, then data (shape tensors stay on the host, as in TensorRT).
    std::vector<std::unique_ptr<Buffer>> buffers;
    std::vector<std::string> outputs;
    bool anyDevice = false;
    for (int32_t i = 0; i < engine->getNbIOTensors(); ++i)
    {
        char const* name = engine->getIOTensorName(i);
        if (engine->getTensorIOMode(name) == TensorIOMode::kOUTPUT)
        {
            outputs.emplace_back(name);
            continue;
        }
        auto found = byName.find(name);
        if (found == byName.end())
        {
            fail("inputs", std::string("engine input ") + name + " has no test data");
        }
        InputData const& data = *found->second;
        TypeInfo const* type = typeOf(engine->getTensorDataType(name));
        if (type != data.type)
        {
            fail("inputs", std::string("input ") + name + " is " + (type ? type->name : "an unsupported type")
                    + " in the engine, " + data.type->name + " in the test data");
        }
        bool const device = engine->getTensorLocation(name) == TensorLocation::kDEVICE && cudaUsable();
        anyDevice = anyDevice || device;
        buffers.emplace_back(new Buffer);
        Buffer& buffer = *buffers.back();
        if (!buffer.allocate(data.bytes.size(), device))
        {
            fail("run", std::string("cannot allocate input ") + name);
        }
        if (device)
        {
            if (cudaMemcpy(buffer.ptr, data.bytes.data(), data.bytes.size(), cudaMemcpyHostToDevice) != cudaSuccess)
            {
                fail("run", "cudaMemcpy to the device failed");
            }
        }
        else if (!data.bytes.empty())
        {
            std::memcpy(buffer.ptr, data.bytes.data(), data.bytes.size());
        }
        if (!context->setInputShape(name, data.dims))
        {
            fail("run", std::string("setInputShape ") + name + " " + dimsText(data.dims) + ": " + gLogger.firstError);
        }
        if (!context->setInputTensorAddress(name, buffer.ptr))
        {
            fail("run", std::string("setInputTensorAddress ") + name + ": " + gLogger.firstError);
        }
    }

    // Outputs: fixed buffers where the shape is known now, an allocator where it is data-dependent.
    std::map<std::string, Buffer*> fixed;
    std::map<std::string, std::unique_ptr<OutputAllocator>> allocators;
    for (auto const& name : outputs)
    {
        bool const device = engine->getTensorLocation(name.c_str()) == TensorLocation::kDEVICE && cudaUsable();
        anyDevice = anyDevice || device;
        TypeInfo const* type = typeOf(engine->getTensorDataType(name.c_str()));
        if (!type)
        {
            fail("outputs", "output " + name + " has a type the harness does not know");
        }
        Dims const shape = context->getTensorShape(name.c_str());
        bool known = shape.nbDims >= 0;
        for (int32_t d = 0; d < shape.nbDims; ++d)
        {
            known = known && shape.d[d] >= 0;
        }
        if (known)
        {
            buffers.emplace_back(new Buffer);
            Buffer& buffer = *buffers.back();
            if (!buffer.allocate(static_cast<size_t>(volume(shape)) * type->size, device)
                || !context->setTensorAddress(name.c_str(), buffer.ptr))
            {
                fail("run", "cannot bind output " + name + " " + dimsText(shape) + ": " + gLogger.firstError);
            }
            fixed[name] = &buffer;
        }
        else
        {
            allocators[name].reset(new OutputAllocator(device));
            if (!context->setOutputAllocator(name.c_str(), allocators[name].get()))
            {
                fail("run", "setOutputAllocator " + name + ": " + gLogger.firstError);
            }
        }
    }

    cudaStream_t stream = nullptr;
    if (anyDevice && cudaStreamCreate(&stream) != cudaSuccess)
    {
        fail("run", "cudaStreamCreate failed");
    }
    if (!context->enqueueV3(stream))
    {
        fail("run", "");
    }
    if (anyDevice && cudaStreamSynchronize(stream) != cudaSuccess)
    {
        fail("run", "cudaStreamSynchronize failed");
    }

    std::ofstream list(std::string(outDir) + "/outputs.txt");
    for (size_t i = 0; i < outputs.size(); ++i)
    {
        std::string const& name = outputs[i];
        TypeInfo const* type = typeOf(engine->getTensorDataType(name.c_str()));
        Buffer* buffer;
        Dims shape;
        if (fixed.count(name))
        {
            buffer = fixed[name];
            shape = context->getTensorShape(name.c_str());
        }
        else
        {
            OutputAllocator& a = *allocators[name];
            if (!a.notified)
            {
                fail("run", "no shape was notified for output " + name);
            }
            buffer = &a.buffer;
            shape = a.shape;
        }
        size_t const bytes = static_cast<size_t>(volume(shape)) * type->size;
        if (bytes > buffer->size)
        {
            fail("run", "output " + name + " " + dimsText(shape) + " is larger than its buffer");
        }
        std::vector<char> host(bytes);
        if (bytes && buffer->device)
        {
            if (cudaMemcpy(host.data(), buffer->ptr, bytes, cudaMemcpyDeviceToHost) != cudaSuccess)
            {
                fail("run", "cudaMemcpy from the device failed");
            }
        }
        else if (bytes)
        {
            std::memcpy(host.data(), buffer->ptr, bytes);
        }
        std::string const file = std::string(outDir) + "/output_" + std::to_string(i) + ".bin";
        std::ofstream(file, std::ios::binary).write(host.data(), static_cast<std::streamsize>(bytes));
        list << "output " << name << " " << type->name << " " << shape.nbDims;
        for (int32_t d = 0; d < shape.nbDims; ++d)
        {
            list << " " << shape.d[d];
        }
        list << " " << file << "\n";
    }
    list.close();
    if (!list)
    {
        fail("outputs", "cannot write outputs.txt");
    }
    if (stream)
    {
        cudaStreamDestroy(stream);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 4 || argc % 2 != 0)
    {
        std::cerr << "usage: onnx_node_runner MODEL.onnx MANIFEST OUTDIR [MANIFEST2 OUTDIR2 ...]\n";
        return 2;
    }
    std::vector<std::vector<InputData>> runs;
    for (int i = 2; i < argc; i += 2)
    {
        runs.push_back(readManifest(argv[i]));
    }
    std::vector<std::map<std::string, InputData const*>> byNameOfRun(runs.size());
    for (size_t r = 0; r < runs.size(); ++r)
    {
        for (auto const& t : runs[r])
        {
            byNameOfRun[r][t.name] = &t;
        }
    }
    auto const& byName = byNameOfRun.back();

    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    if (!builder)
    {
        fail("builder", "");
    }
    Ptr<INetworkDefinition> network(
        builder->createNetworkV2(1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH)));
    Ptr<nvonnxparser::IParser> parser(nvonnxparser::createParser(*network, gLogger));
    if (!network || !parser)
    {
        fail("builder", "");
    }
    if (!parser->parseFromFile(argv[1], static_cast<int>(ILogger::Severity::kWARNING)))
    {
        fail("parse", parser->getNbErrors() > 0 ? parser->getError(0)->desc() : "");
    }

    Ptr<IBuilderConfig> config(builder->createBuilderConfig());
    // The comparison tolerance (rtol 1e-3) is FP32's, not TF32's. ONNX_RUNNER_FP16=1 (the real
    // model checks) lets the builder use FP16 as well.
    config->clearFlag(BuilderFlag::kTF32);
    if (char const* fp16 = std::getenv("ONNX_RUNNER_FP16"))
    {
        if (std::string(fp16) == "1")
        {
            config->setFlag(BuilderFlag::kFP16);
        }
    }
    IOptimizationProfile* profile = builder->createOptimizationProfile();
    bool needProfile = false;
    for (int32_t i = 0; i < network->getNbInputs(); ++i)
    {
        ITensor* tensor = network->getInput(i);
        auto found = byName.find(tensor->getName());
        if (found == byName.end())
        {
            fail("inputs", std::string("network input ") + tensor->getName() + " has no test data");
        }
        InputData const& data = *found->second;
        if (tensor->isShapeTensor())
        {
            needProfile = true;
            if (data.type->type != DataType::kINT32)
            {
                fail("inputs", std::string("shape tensor input ") + tensor->getName() + " has " + data.type->name
                        + " test data");
            }
            std::vector<int32_t> opt(data.bytes.size() / 4);
            if (!opt.empty())
            {
                std::memcpy(opt.data(), data.bytes.data(), data.bytes.size());
            }
            std::vector<int32_t> lo = opt, hi = opt;
            for (auto const& run : byNameOfRun)
            {
                auto other = run.find(tensor->getName());
                if (other == run.end() || other->second->bytes.size() != data.bytes.size())
                {
                    fail("inputs", std::string("shape tensor input ") + tensor->getName() + " differs in length across manifests");
                }
                for (size_t k = 0; k < opt.size(); ++k)
                {
                    int32_t v;
                    std::memcpy(&v, other->second->bytes.data() + 4 * k, 4);
                    lo[k] = std::min(lo[k], v);
                    hi[k] = std::max(hi[k], v);
                }
            }
            int32_t const n = static_cast<int32_t>(opt.size());
            profile->setShapeValues(tensor->getName(), OptProfileSelector::kMIN, lo.data(), n);
            profile->setShapeValues(tensor->getName(), OptProfileSelector::kOPT, opt.data(), n);
            profile->setShapeValues(tensor->getName(), OptProfileSelector::kMAX, hi.data(), n);
        }
        Dims const declared = tensor->getDimensions();
        bool dynamic = false;
        for (int32_t d = 0; d < declared.nbDims; ++d)
        {
            dynamic = dynamic || declared.d[d] < 0;
        }
        if (dynamic)
        {
            needProfile = true;
        }
        Dims lo = data.dims, hi = data.dims;
        for (auto const& run : byNameOfRun)
        {
            auto other = run.find(tensor->getName());
            if (other == run.end() || other->second->dims.nbDims != data.dims.nbDims)
            {
                fail("inputs", std::string("input ") + tensor->getName() + " differs in rank across manifests");
            }
            for (int32_t d = 0; d < data.dims.nbDims; ++d)
            {
                lo.d[d] = std::min(lo.d[d], other->second->dims.d[d]);
                hi.d[d] = std::max(hi.d[d], other->second->dims.d[d]);
            }
        }
        profile->setDimensions(tensor->getName(), OptProfileSelector::kMIN, lo);
        profile->setDimensions(tensor->getName(), OptProfileSelector::kOPT, data.dims);
        profile->setDimensions(tensor->getName(), OptProfileSelector::kMAX, hi);
    }
    if (needProfile && config->addOptimizationProfile(profile) < 0)
    {
        fail("profile", "");
    }
    Ptr<IHostMemory> plan(builder->buildSerializedNetwork(*network, *config));
    if (!plan || plan->size() == 0)
    {
        fail("build", "");
    }
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    if (!engine)
    {
        fail("deserialize", "");
    }
    Ptr<IExecutionContext> context(engine->createExecutionContext());
    if (!context)
    {
        fail("context", "");
    }

    for (size_t r = 0; r < runs.size(); ++r)
    {
        runOnce(engine.get(), context.get(), byNameOfRun[r], argv[3 + 2 * r]);
    }
    std::cout << "OK" << std::endl;
    return 0;
}
