// RAII host/device buffers for every I/O tensor of an engine.
//
// Where a tensor lives follows ICudaEngine::getTensorLocation, as in TensorRT: kDEVICE
// tensors get a host copy and a cudaMalloc'd copy, moved with cudaMemcpyAsync; kHOST (shape)
// tensors use the host buffer. On a machine without a usable CUDA device, kDEVICE tensors
// stay in host memory too: that is what this library's CPU reference backend runs on, and no
// CUDA call is made. Every CUDA failure is logged and turned into false.
#ifndef SAMPLES_COMMON_BUFFERS_H
#define SAMPLES_COMMON_BUFFERS_H

#include "NvInfer.h"
#include "common.h"
#include "logger.h"

#include <cuda_runtime_api.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace samples
{

//! Whether a CUDA device can be used (asked once).
inline bool cudaUsable()
{
    static bool const usable = [] {
        int count = 0;
        return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
    }();
    return usable;
}

class BufferManager
{
public:
    //! One I/O tensor of the engine.
    struct Tensor
    {
        std::string name;
        bool isInput{false};
        bool onDevice{false};
        nvinfer1::Dims shape{};
        nvinfer1::DataType type{nvinfer1::DataType::kFLOAT};
        std::size_t bytes{0};
        std::unique_ptr<void, void (*)(void*)> host{nullptr, &freeHost};
        std::unique_ptr<void, void (*)(void*)> device{nullptr, &freeDevice};

        //! The address TensorRT reads or writes.
        void* address() const { return onDevice ? device.get() : host.get(); }
    };

    BufferManager() = default;
    BufferManager(BufferManager const&) = delete;
    BufferManager& operator=(BufferManager const&) = delete;

    //! Allocates buffers for every I/O tensor (engine order, see getIOTensorName). For an
    //! implicit-batch engine each buffer holds `batchSize` samples of the tensor's shape.
    bool init(nvinfer1::ICudaEngine const& engine, int32_t batchSize = 1)
    {
        SAMPLE_CHECK(batchSize >= 1, "Batch size " << batchSize << " must be at least 1");
        int32_t const samplesPerBuffer = engine.hasImplicitBatchDimension() ? batchSize : 1;
        mTensors.clear();
        int32_t const count = engine.getNbIOTensors();
        SAMPLE_CHECK(count > 0, "The engine reports no I/O tensors");
        for (int32_t i = 0; i < count; ++i)
        {
            char const* name = engine.getIOTensorName(i);
            SAMPLE_CHECK(name != nullptr, "getIOTensorName(" << i << ") returned null");
            std::unique_ptr<Tensor> tensor(new Tensor);
            if (!describe(engine, name, *tensor))
            {
                return false;
            }
            tensor->bytes *= static_cast<std::size_t>(samplesPerBuffer);
            if (!allocate(*tensor))
            {
                return false;
            }
            mTensors.push_back(std::move(tensor));
        }
        return true;
    }

    //! True when at least one tensor lives in GPU memory (a CUDA stream is then needed).
    bool anyOnDevice() const
    {
        for (auto const& t : mTensors)
        {
            if (t->onDevice)
            {
                return true;
            }
        }
        return false;
    }

    Tensor const* find(std::string const& name) const
    {
        for (auto const& t : mTensors)
        {
            if (t->name == name)
            {
                return t.get();
            }
        }
        return nullptr;
    }

    //! Host-side buffer the sample fills (inputs) or reads (outputs); null for unknown names.
    void* hostBuffer(std::string const& name) const
    {
        Tensor const* t = find(name);
        return t != nullptr ? t->host.get() : nullptr;
    }

    std::vector<std::unique_ptr<Tensor>> const& tensors() const { return mTensors; }

    //! setTensorAddress for every I/O tensor.
    bool bind(nvinfer1::IExecutionContext& context) const
    {
        for (auto const& t : mTensors)
        {
            SAMPLE_CHECK(context.setTensorAddress(t->name.c_str(), t->address()),
                "setTensorAddress failed for tensor '" << t->name << "'");
        }
        return true;
    }

    bool copyInputsToDevice(cudaStream_t stream) const { return copy(true, stream); }
    bool copyOutputsToHost(cudaStream_t stream) const { return copy(false, stream); }

    //! Zero the outputs on both sides, so that stale results cannot pass for new ones.
    bool clearOutputs(cudaStream_t stream) const
    {
        for (auto const& t : mTensors)
        {
            if (t->isInput)
            {
                continue;
            }
            std::memset(t->host.get(), 0, t->bytes);
            if (t->onDevice)
            {
                SAMPLE_CUDA_CHECK(cudaMemsetAsync(t->device.get(), 0, t->bytes, stream));
            }
        }
        return true;
    }

private:
    static void freeHost(void* p) { std::free(p); }
    static void freeDevice(void* p)
    {
        if (p != nullptr)
        {
            (void) cudaFree(p); // nothing useful to do with an error while tearing down
        }
    }

    static bool describe(nvinfer1::ICudaEngine const& engine, char const* name, Tensor& t)
    {
        t.name = name;
        nvinfer1::TensorIOMode const mode = engine.getTensorIOMode(name);
        SAMPLE_CHECK(mode == nvinfer1::TensorIOMode::kINPUT || mode == nvinfer1::TensorIOMode::kOUTPUT,
            "Tensor '" << name << "' is neither an input nor an output");
        t.isInput = mode == nvinfer1::TensorIOMode::kINPUT;
        t.onDevice = engine.getTensorLocation(name) == nvinfer1::TensorLocation::kDEVICE && cudaUsable();
        t.shape = engine.getTensorShape(name);
        t.type = engine.getTensorDataType(name);

        int64_t const elements = volume(t.shape);
        SAMPLE_CHECK(elements >= 0,
            "Tensor '" << name << "' has shape " << dimsToString(t.shape)
                       << "; dynamic shapes are not handled by this buffer manager");
        SAMPLE_CHECK(engine.getTensorFormat(name) == nvinfer1::TensorFormat::kLINEAR,
            "Tensor '" << name << "' does not use the linear format; only linear I/O is handled");
        std::size_t const elementSize = dataTypeSize(t.type);
        SAMPLE_CHECK(elementSize > 0,
            "Tensor '" << name << "' has an unknown data type " << static_cast<int32_t>(t.type));
        t.bytes = static_cast<std::size_t>(elements) * elementSize;
        return true;
    }

    static bool allocate(Tensor& t)
    {
        // Never ask for 0 bytes: an empty tensor still needs a distinct, valid address.
        std::size_t const size = t.bytes > 0 ? t.bytes : 1;
        void* host = nullptr;
        SAMPLE_CHECK(posix_memalign(&host, 256, size) == 0 && host != nullptr,
            "Out of host memory for tensor '" << t.name << "' (" << size << " bytes)");
        std::memset(host, 0, size);
        t.host.reset(host);
        if (t.onDevice)
        {
            void* device = nullptr;
            SAMPLE_CUDA_CHECK(cudaMalloc(&device, size));
            t.device.reset(device);
        }
        return true;
    }

    bool copy(bool inputs, cudaStream_t stream) const
    {
        for (auto const& t : mTensors)
        {
            if (t->isInput != inputs || !t->onDevice || t->bytes == 0)
            {
                continue; // host tensors are used in place
            }
            if (inputs)
            {
                SAMPLE_CUDA_CHECK(cudaMemcpyAsync(t->device.get(), t->host.get(), t->bytes,
                    cudaMemcpyHostToDevice, stream));
            }
            else
            {
                SAMPLE_CUDA_CHECK(cudaMemcpyAsync(t->host.get(), t->device.get(), t->bytes,
                    cudaMemcpyDeviceToHost, stream));
            }
        }
        return true;
    }

    std::vector<std::unique_ptr<Tensor>> mTensors;
};

//! An owned CUDA stream, or none (nullptr) for engines whose I/O lives in host memory.
class StreamHolder
{
public:
    StreamHolder() = default;
    StreamHolder(StreamHolder const&) = delete;
    StreamHolder& operator=(StreamHolder const&) = delete;
    ~StreamHolder()
    {
        if (mStream != nullptr)
        {
            (void) cudaStreamDestroy(mStream);
        }
    }

    bool create()
    {
        SAMPLE_CUDA_CHECK(cudaStreamCreateWithFlags(&mStream, cudaStreamNonBlocking));
        return true;
    }

    //! Wait for queued work; a no-op without a stream (host engines run synchronously).
    bool sync() const
    {
        if (mStream != nullptr)
        {
            SAMPLE_CUDA_CHECK(cudaStreamSynchronize(mStream));
        }
        return true;
    }

    cudaStream_t get() const { return mStream; }

private:
    cudaStream_t mStream{nullptr};
};

} // namespace samples

#endif // SAMPLES_COMMON_BUFFERS_H
