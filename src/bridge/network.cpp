// INetworkDefinition, ITensor and ILayer's common methods over the C ABI.
#include "generated/layers.h"

#include <cstring>

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

bool TensorObj::isShapeTensor() const noexcept
{
    return nvt_tensor_is_shape(mNet.handle(), mId);
}

bool TensorObj::isExecutionTensor() const noexcept
{
    // Shape tensors that are also read as data are both; plain shape tensors are not.
    return !isShapeTensor() || isNetworkOutput() || isNetworkInput();
}

bool TensorObj::setDynamicRange(float min, float max) noexcept
{
    return nvt_tensor_set_dynamic_range(mNet.handle(), mId, min, max, true);
}

bool TensorObj::dynamicRangeIsSet() const noexcept
{
    return nvt_tensor_dynamic_range(mNet.handle(), mId, nullptr);
}

void TensorObj::resetDynamicRange() noexcept
{
    nvt_tensor_set_dynamic_range(mNet.handle(), mId, 0.f, 0.f, false);
}

float TensorObj::getDynamicRangeMin() const noexcept
{
    float r[2] = {0.f, 0.f};
    nvt_tensor_dynamic_range(mNet.handle(), mId, r);
    return r[0];
}

float TensorObj::getDynamicRangeMax() const noexcept
{
    float r[2] = {0.f, 0.f};
    nvt_tensor_dynamic_range(mNet.handle(), mId, r);
    return r[1];
}

void TensorObj::setAllowedFormats(nvinfer1::TensorFormats formats) noexcept
{
    nvt_tensor_set_allowed_formats(mNet.handle(), mId, formats);
}

nvinfer1::TensorFormats TensorObj::getAllowedFormats() const noexcept
{
    return nvt_tensor_allowed_formats(mNet.handle(), mId);
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

void LayerCore::setOutputType(int32_t index, nvinfer1::DataType dataType) noexcept
{
    nvt_layer_set_output_type(handle(), id(), index, static_cast<int32_t>(dataType));
}

nvinfer1::DataType LayerCore::getOutputType(int32_t index) const noexcept
{
    int32_t t = nvt_layer_output_type(handle(), id(), index);
    if (t >= 0) return static_cast<nvinfer1::DataType>(t);
    nvinfer1::ITensor* out = getOutput(index);
    return out ? out->getType() : nvinfer1::DataType::kFLOAT;
}

bool LayerCore::outputTypeIsSet(int32_t index) const noexcept
{
    return nvt_layer_output_type(handle(), id(), index) >= 0;
}

void LayerCore::resetOutputType(int32_t index) noexcept
{
    nvt_layer_set_output_type(handle(), id(), index, -1);
}

void LayerCore::setMetadata(char const* docString) noexcept
{
    try
    {
        mMetadata = docString ? docString : "";
    }
    catch (...)
    {
        logError("out of host memory in ILayer::setMetadata");
    }
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
    mLoopObjs.clear();
    mConditionalObjs.clear();
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

bool NetworkObj::markOutputForShapes(nvinfer1::ITensor& t) noexcept
{
    return nvt_network_mark_output_for_shapes(mHandle, idOf(t));
}

bool NetworkObj::unmarkOutputForShapes(nvinfer1::ITensor& t) noexcept
{
    return nvt_network_unmark_output_for_shapes(mHandle, idOf(t));
}

void NetworkObj::removeTensor(nvinfer1::ITensor& t) noexcept
{
    nvt_network_remove_tensor(mHandle, idOf(t));
}

bool NetworkObj::setWeightsName(nvinfer1::Weights weights, char const* name) noexcept
{
    return nvt_network_set_weights_name(mHandle, weights.values, name);
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
    nvt_network_set_name(mHandle, name);
}

void NetworkObj::setErrorRecorder(nvinfer1::IErrorRecorder* recorder) noexcept
{
    mRecorder.set(recorder);
    nvt_network_set_error_recorder(mHandle, cRecorder(recorder));
}

} // namespace nvtrt
