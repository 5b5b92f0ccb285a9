// INetworkDefinition, ITensor and the layer classes over the C ABI's network functions.
#ifndef NVTRT_NETWORK_H
#define NVTRT_NETWORK_H

#include "bridge.h"

namespace nvtrt
{

class NetworkObj;
class LoopObj;
class IfConditionalObj;

// A tensor of a network: the network's handle plus the tensor's index.
class TensorObj final : public nvinfer1::ITensor, public VTensorDefaults, public Owned
{
public:
    TensorObj(NetworkObj& net, int32_t id) noexcept;
    int32_t id() const noexcept { return mId; }
    NetworkObj const& network() const noexcept { return mNet; }

    void setName(char const* name) noexcept override;
    char const* getName() const noexcept override;
    void setDimensions(nvinfer1::Dims dims) noexcept override;
    nvinfer1::Dims getDimensions() const noexcept override;
    void setType(nvinfer1::DataType type) noexcept override;
    nvinfer1::DataType getType() const noexcept override;
    bool isNetworkInput() const noexcept override;
    bool isNetworkOutput() const noexcept override;
    nvinfer1::TensorLocation getLocation() const noexcept override
    {
        return isShapeTensor() ? nvinfer1::TensorLocation::kHOST : nvinfer1::TensorLocation::kDEVICE;
    }
    bool isShapeTensor() const noexcept override;
    bool isExecutionTensor() const noexcept override;
    bool setDynamicRange(float min, float max) noexcept override;
    bool dynamicRangeIsSet() const noexcept override;
    void resetDynamicRange() noexcept override;
    float getDynamicRangeMin() const noexcept override;
    float getDynamicRangeMax() const noexcept override;
    void setAllowedFormats(nvinfer1::TensorFormats formats) noexcept override;
    nvinfer1::TensorFormats getAllowedFormats() const noexcept override;
    void setBroadcastAcrossBatch(bool) noexcept override {}
    bool getBroadcastAcrossBatch() const noexcept override { return false; }

private:
    NetworkObj& mNet;
    int32_t mId;
};

// What every layer implementation needs: its network and its index, and typed access to
// the layer's parameters through the C ABI.
class LayerRef
{
public:
    LayerRef(NetworkObj& net, int32_t id) noexcept : mNet(net), mId(id) {}
    NvtNetwork* handle() const noexcept;
    int32_t id() const noexcept { return mId; }
    NetworkObj& net() const noexcept { return mNet; }

    // Setters return whether the layer accepted the value (a refusal is reported).
    bool setInts(char const* key, std::vector<int64_t> const& values) const noexcept;
    std::vector<int64_t> getInts(char const* key) const noexcept;
    bool setInt(char const* key, int64_t v) const noexcept { return setInts(key, {v}); }
    int64_t getInt(char const* key, int64_t fallback = 0) const noexcept;
    bool setDims(char const* key, nvinfer1::Dims const& dims) const noexcept;
    nvinfer1::Dims getDims(char const* key) const noexcept;
    bool setFloat(char const* key, double v) const noexcept;
    double getFloat(char const* key) const noexcept;
    bool setWeights(char const* key, nvinfer1::Weights const& w) const noexcept;
    nvinfer1::Weights getWeights(char const* key) const noexcept;
    // Sets input `index` to null (a setter replacing a dynamic input with its parameter).
    void clearInput(int32_t index) const noexcept;
    bool setString(char const* key, char const* value) const noexcept;
    // Valid while the network lives and the parameter keeps this value.
    char const* getString(char const* key) const noexcept;

private:
    NetworkObj& mNet;
    int32_t mId;
};

// ILayer's common methods (VLayer).
class LayerCore : public VLayerDefaults, public LayerRef
{
public:
    using LayerRef::LayerRef;
    nvinfer1::LayerType getType() const noexcept override;
    void setName(char const* name) noexcept override;
    char const* getName() const noexcept override;
    int32_t getNbInputs() const noexcept override;
    nvinfer1::ITensor* getInput(int32_t index) const noexcept override;
    int32_t getNbOutputs() const noexcept override;
    nvinfer1::ITensor* getOutput(int32_t index) const noexcept override;
    void setInput(int32_t index, nvinfer1::ITensor& tensor) noexcept override;
    void setPrecision(nvinfer1::DataType type) noexcept override;
    nvinfer1::DataType getPrecision() const noexcept override;
    bool precisionIsSet() const noexcept override;
    void resetPrecision() noexcept override;
    void setOutputType(int32_t index, nvinfer1::DataType dataType) noexcept override;
    nvinfer1::DataType getOutputType(int32_t index) const noexcept override;
    bool outputTypeIsSet(int32_t index) const noexcept override;
    void resetOutputType(int32_t index) noexcept override;
    void setMetadata(char const* docString) noexcept override;
    char const* getMetadata() const noexcept override { return mMetadata.c_str(); }

private:
    std::string mMetadata;
};

class NetworkObj final : public nvinfer1::INetworkDefinition, public VNetworkDefinitionDefaults
{
public:
    NetworkObj(NvtNetwork* handle, nvinfer1::IBuilder& builder) noexcept;
    ~NetworkObj() override;
    NvtNetwork* handle() const noexcept { return mHandle; }

    // The one C++ object for tensor / layer index i (created on first use).
    TensorObj* tensor(int32_t id) noexcept;
    nvinfer1::ILayer* layer(int32_t id) noexcept;
    // The index of `t` in this network, or -1 (refused and reported by the C ABI) if `t`
    // belongs to another network.
    int32_t idOf(nvinfer1::ITensor& t) const noexcept;
    // The one C++ object of loop / if-conditional `id` (control_flow.cpp), or null.
    nvinfer1::ILoop* loop(int32_t id) noexcept;
    nvinfer1::IIfConditional* conditional(int32_t id) noexcept;
    nvinfer1::ILoop* addLoop() noexcept override;
    nvinfer1::IIfConditional* addIfConditional() noexcept override;

    nvinfer1::IBuilder& getBuilder() const noexcept override { return mBuilder; }
    nvinfer1::ITensor* addInput(char const* name, nvinfer1::DataType type, nvinfer1::Dims dims) noexcept override;
    void markOutput(nvinfer1::ITensor& tensor) noexcept override;
    void unmarkOutput(nvinfer1::ITensor& tensor) noexcept override;
    int32_t getNbLayers() const noexcept override;
    nvinfer1::ILayer* getLayer(int32_t index) const noexcept override;
    int32_t getNbInputs() const noexcept override;
    nvinfer1::ITensor* getInput(int32_t index) const noexcept override;
    int32_t getNbOutputs() const noexcept override;
    nvinfer1::ITensor* getOutput(int32_t index) const noexcept override;
    void setName(char const* name) noexcept override;
    char const* getName() const noexcept override { return nvt_network_name(mHandle); }
    bool hasImplicitBatchDimension() const noexcept override { return nvt_network_has_implicit_batch(mHandle); }
    void setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept override;
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    bool markOutputForShapes(nvinfer1::ITensor& tensor) noexcept override;
    bool unmarkOutputForShapes(nvinfer1::ITensor& tensor) noexcept override;
    void removeTensor(nvinfer1::ITensor& tensor) noexcept override;
    bool setWeightsName(nvinfer1::Weights weights, char const* name) noexcept override;
    bool hasExplicitPrecision() const noexcept override { return nvt_network_has_explicit_precision(mHandle); }


    // The add* methods the layer table describes.
#include "generated/network_adds.inc"

private:
    // Loops and conditionals add their boundary layers through addLayer.
    friend class LoopObj;
    friend class IfConditionalObj;

    // Adds a layer of `kind`, lets `configure` set its parameters, then checks it.
    template <typename Configure>
    nvinfer1::ILayer* addLayer(char const* kind, std::vector<int32_t> const& inputs, Configure configure) noexcept
    {
        int32_t id = nvt_network_add_layer(mHandle, kind, inputs.data(), static_cast<int32_t>(inputs.size()));
        if (id < 0) return nullptr;
        LayerRef ref(*this, id);
        configure(ref);
        if (!nvt_network_finish_layer(mHandle)) return nullptr;
        return layer(id);
    }

    NvtNetwork* mHandle;
    nvinfer1::IBuilder& mBuilder;
    RecorderRef mRecorder;
    std::vector<std::unique_ptr<Owned>> mTensorObjs; // by tensor index
    std::vector<std::unique_ptr<Owned>> mLayerObjs;  // by layer index
    std::vector<TensorObj*> mTensors;
    std::vector<nvinfer1::ILayer*> mLayers;
    std::vector<std::unique_ptr<Owned>> mLoopObjs; // by loop index
    std::vector<nvinfer1::ILoop*> mLoops;
    std::vector<std::unique_ptr<Owned>> mConditionalObjs; // by conditional index
    std::vector<nvinfer1::IIfConditional*> mConditionals;
};

} // namespace nvtrt

#endif
