// INetworkDefinition and ITensor over the C ABI.
#include "layers.h"

namespace nvtrt
{

// ---- TensorObj ----

TensorObj::TensorObj(NetworkObj& net, int32_t id) noexcept
    : mNet(net)
    , mId(id)
{
    mImpl = this;
}

void TensorObj::setName(char const* name) noexcept
{
    nvt_tensor_set_name(mNet.handle(), mId, name);
}

char const* TensorObj::getName() const noexcept
{
    return nvt_tensor_name(mNet.handle(), mId);
}

void TensorObj::setDimensions(nvinfer1::Dims dims) noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
        logError("ITensor::setDimensions: nbDims must be between 0 and 8");
    else
        nvt_tensor_set_dims(mNet.handle(), mId, buf, n);
}

nvinfer1::Dims TensorObj::getDimensions() const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = nvt_tensor_dims(mNet.handle(), mId, buf, nvinfer1::Dims::MAX_DIMS);
    return toDims(buf, n);
}

void TensorObj::setType(nvinfer1::DataType type) noexcept
{
    nvt_tensor_set_type(mNet.handle(), mId, static_cast<int32_t>(type));
}

nvinfer1::DataType TensorObj::getType() const noexcept
{
    return static_cast<nvinfer1::DataType>(nvt_tensor_type(mNet.handle(), mId));
}

bool TensorObj::isNetworkInput() const noexcept
{
    return nvt_tensor_is_input(mNet.handle(), mId);
}

bool TensorObj::isNetworkOutput() const noexcept
{
    return nvt_tensor_is_output(mNet.handle(), mId);
}

// ---- LayerCore ----

nvinfer1::LayerType LayerCore::getType() const noexcept
{
    return static_cast<nvinfer1::LayerType>(nvt_layer_type(handle(), id()));
}

void LayerCore::setName(char const* name) noexcept
{
    nvt_layer_set_name(handle(), id(), name);
}

char const* LayerCore::getName() const noexcept
{
    return nvt_layer_name(handle(), id());
}

int32_t LayerCore::getNbInputs() const noexcept
{
    return nvt_layer_nb_inputs(handle(), id());
}

nvinfer1::ITensor* LayerCore::getInput(int32_t index) const noexcept
{
    return net().tensor(nvt_layer_input(handle(), id(), index));
}

int32_t LayerCore::getNbOutputs() const noexcept
{
    return nvt_layer_nb_outputs(handle(), id());
}

nvinfer1::ITensor* LayerCore::getOutput(int32_t index) const noexcept
{
    return net().tensor(nvt_layer_output(handle(), id(), index));
}

void LayerCore::setInput(int32_t index, nvinfer1::ITensor& tensor) noexcept
{
    nvt_layer_set_input(handle(), id(), index, net().idOf(tensor));
}

void LayerCore::setPrecision(nvinfer1::DataType type) noexcept
{
    nvt_layer_set_precision(handle(), id(), static_cast<int32_t>(type));
}

nvinfer1::DataType LayerCore::getPrecision() const noexcept
{
    int32_t p = nvt_layer_precision(handle(), id());
    return p < 0 ? nvinfer1::DataType::kFLOAT : static_cast<nvinfer1::DataType>(p);
}

bool LayerCore::precisionIsSet() const noexcept
{
    return nvt_layer_precision(handle(), id()) >= 0;
}

void LayerCore::resetPrecision() noexcept
{
    nvt_layer_set_precision(handle(), id(), -1);
}

// ---- NetworkObj ----

NetworkObj::NetworkObj(NvtNetwork* handle, nvinfer1::IBuilder& builder) noexcept
    : mHandle(handle)
    , mBuilder(builder)
{
    mImpl = this;
}

NetworkObj::~NetworkObj()
{
    mLayerObjs.clear();
    mTensorObjs.clear();
    nvt_network_destroy(mHandle);
}

TensorObj* NetworkObj::tensor(int32_t id) noexcept
{
    if (id < 0 || id >= nvt_network_nb_tensors(mHandle)) return nullptr;
    try
    {
        if (static_cast<size_t>(id) >= mTensors.size())
        {
            mTensors.resize(id + 1, nullptr);
            mTensorObjs.resize(id + 1);
        }
        if (!mTensors[id])
        {
            std::unique_ptr<TensorObj> t(new TensorObj(*this, id));
            mTensors[id] = t.get();
            mTensorObjs[id] = std::move(t);
        }
        return mTensors[id];
    }
    catch (...)
    {
        logError("out of host memory creating an ITensor");
        return nullptr;
    }
}

nvinfer1::ILayer* NetworkObj::layer(int32_t id) noexcept
{
    if (id < 0 || id >= nvt_network_nb_layers(mHandle)) return nullptr;
    try
    {
        if (static_cast<size_t>(id) >= mLayers.size())
        {
            mLayers.resize(id + 1, nullptr);
            mLayerObjs.resize(id + 1);
        }
        if (!mLayers[id])
        {
            nvinfer1::ILayer* shell = nullptr;
            mLayerObjs[id] = makeLayerObject(*this, id, shell);
            mLayers[id] = shell;
        }
        return mLayers[id];
    }
    catch (...)
    {
        logError("out of host memory creating an ILayer");
        return nullptr;
    }
}

template <typename Configure>
nvinfer1::ILayer* NetworkObj::addLayer(char const* kind, std::vector<int32_t> const& inputs, Configure configure) noexcept
{
    int32_t id = nvt_network_add_layer(mHandle, kind, inputs.data(), static_cast<int32_t>(inputs.size()));
    if (id < 0) return nullptr;
    LayerRef ref(*this, id);
    configure(ref);
    if (!nvt_network_finish_layer(mHandle)) return nullptr;
    return layer(id);
}

int32_t NetworkObj::idOf(nvinfer1::ITensor& t) const noexcept
{
    auto const& obj = static_cast<TensorObj const&>(t);
    return &obj.network() == this ? obj.id() : -1;
}

nvinfer1::ITensor* NetworkObj::addInput(char const* name, nvinfer1::DataType type, nvinfer1::Dims dims) noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
    {
        logError("INetworkDefinition::addInput: nbDims must be between 0 and 8");
        return nullptr;
    }
    return tensor(nvt_network_add_input(mHandle, name, static_cast<int32_t>(type), buf, n));
}

void NetworkObj::markOutput(nvinfer1::ITensor& t) noexcept
{
    nvt_network_mark_output(mHandle, idOf(t));
}

void NetworkObj::unmarkOutput(nvinfer1::ITensor& t) noexcept
{
    nvt_network_unmark_output(mHandle, idOf(t));
}

int32_t NetworkObj::getNbLayers() const noexcept
{
    return nvt_network_nb_layers(mHandle);
}

nvinfer1::ILayer* NetworkObj::getLayer(int32_t index) const noexcept
{
    return const_cast<NetworkObj*>(this)->layer(index);
}

int32_t NetworkObj::getNbInputs() const noexcept
{
    return nvt_network_nb_inputs(mHandle);
}

nvinfer1::ITensor* NetworkObj::getInput(int32_t index) const noexcept
{
    return const_cast<NetworkObj*>(this)->tensor(nvt_network_input(mHandle, index));
}

int32_t NetworkObj::getNbOutputs() const noexcept
{
    return nvt_network_nb_outputs(mHandle);
}

nvinfer1::ITensor* NetworkObj::getOutput(int32_t index) const noexcept
{
    return const_cast<NetworkObj*>(this)->tensor(nvt_network_output(mHandle, index));
}

void NetworkObj::setName(char const* name) noexcept
{
    try
    {
        mName = name ? name : "";
    }
    catch (...)
    {
        logError("out of host memory in INetworkDefinition::setName");
    }
}

void NetworkObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_network_set_error_recorder(mHandle, cRecorder(recorder));
}

nvinfer1::IConvolutionLayer* NetworkObj::addConvolutionNd(nvinfer1::ITensor& input, int32_t nbOutputMaps, nvinfer1::Dims kernelSize,
    nvinfer1::Weights kernelWeights, nvinfer1::Weights biasWeights) noexcept
{
    return static_cast<ConvolutionLayer*>(addLayer("Convolution", {idOf(input)}, [&](LayerRef& l) {
        l.setInt("num_output_maps", nbOutputMaps);
        l.setDims("kernel_size", kernelSize);
        int32_t n = kernelSize.nbDims > 0 ? kernelSize.nbDims : 0;
        l.setInts("stride", std::vector<int64_t>(n, 1));
        l.setInts("dilation", std::vector<int64_t>(n, 1));
        l.setInts("padding", std::vector<int64_t>(n, 0));
        l.setInt("groups", 1);
        l.setWeights("kernel_weights", kernelWeights);
        l.setWeights("bias_weights", biasWeights);
    }));
}

nvinfer1::IConvolutionLayer* NetworkObj::addConvolution(nvinfer1::ITensor& input, int32_t nbOutputMaps, nvinfer1::DimsHW kernelSize,
    nvinfer1::Weights kernelWeights, nvinfer1::Weights biasWeights) noexcept
{
    return addConvolutionNd(input, nbOutputMaps, kernelSize, kernelWeights, biasWeights);
}

nvinfer1::IFullyConnectedLayer* NetworkObj::addFullyConnected(
    nvinfer1::ITensor& input, int32_t nbOutputs, nvinfer1::Weights kernelWeights, nvinfer1::Weights biasWeights) noexcept
{
    return static_cast<FullyConnectedLayer*>(addLayer("FullyConnected", {idOf(input)}, [&](LayerRef& l) {
        l.setInt("num_outputs", nbOutputs);
        l.setWeights("kernel_weights", kernelWeights);
        l.setWeights("bias_weights", biasWeights);
    }));
}

nvinfer1::IActivationLayer* NetworkObj::addActivation(nvinfer1::ITensor& input, nvinfer1::ActivationType type) noexcept
{
    return static_cast<ActivationLayer*>(
        addLayer("Activation", {idOf(input)}, [&](LayerRef& l) { l.setInt("type", static_cast<int64_t>(type)); }));
}

nvinfer1::IPoolingLayer* NetworkObj::addPoolingNd(nvinfer1::ITensor& input, nvinfer1::PoolingType type, nvinfer1::Dims windowSize) noexcept
{
    return static_cast<PoolingLayer*>(addLayer("Pooling", {idOf(input)}, [&](LayerRef& l) {
        l.setInt("type", static_cast<int64_t>(type));
        l.setDims("window", windowSize);
        l.setDims("stride", windowSize); // TensorRT's default stride is the window
        l.setInts("padding", std::vector<int64_t>(windowSize.nbDims > 0 ? windowSize.nbDims : 0, 0));
        l.setInt("average_count_excludes_padding", 1);
    }));
}

nvinfer1::IPoolingLayer* NetworkObj::addPooling(nvinfer1::ITensor& input, nvinfer1::PoolingType type, nvinfer1::DimsHW windowSize) noexcept
{
    return addPoolingNd(input, type, windowSize);
}

nvinfer1::ISoftMaxLayer* NetworkObj::addSoftMax(nvinfer1::ITensor& input) noexcept
{
    return static_cast<SoftMaxLayer*>(addLayer("SoftMax", {idOf(input)}, [](LayerRef&) {}));
}

nvinfer1::IElementWiseLayer* NetworkObj::addElementWise(
    nvinfer1::ITensor& input1, nvinfer1::ITensor& input2, nvinfer1::ElementWiseOperation op) noexcept
{
    return static_cast<ElementWiseLayer*>(addLayer("ElementWise", {idOf(input1), idOf(input2)},
        [&](LayerRef& l) { l.setInt("operation", static_cast<int64_t>(op)); }));
}

nvinfer1::IShuffleLayer* NetworkObj::addShuffle(nvinfer1::ITensor& input) noexcept
{
    return static_cast<ShuffleLayer*>(addLayer("Shuffle", {idOf(input)}, [](LayerRef& l) { l.setInt("zero_is_placeholder", 1); }));
}

nvinfer1::IMatrixMultiplyLayer* NetworkObj::addMatrixMultiply(
    nvinfer1::ITensor& input0, nvinfer1::MatrixOperation op0, nvinfer1::ITensor& input1, nvinfer1::MatrixOperation op1) noexcept
{
    return static_cast<MatrixMultiplyLayer*>(addLayer("MatrixMultiply", {idOf(input0), idOf(input1)}, [&](LayerRef& l) {
        l.setInt("op0", static_cast<int64_t>(op0));
        l.setInt("op1", static_cast<int64_t>(op1));
    }));
}

nvinfer1::IConstantLayer* NetworkObj::addConstant(nvinfer1::Dims dimensions, nvinfer1::Weights weights) noexcept
{
    return static_cast<ConstantLayer*>(addLayer("Constant", {}, [&](LayerRef& l) {
        l.setDims("dims", dimensions);
        l.setWeights("weights", weights);
    }));
}

} // namespace nvtrt
