// Layer parameter plumbing, and the hand-written parts of layer classes.
#include "generated/layers.h"

namespace nvtrt
{

NvtNetwork* LayerRef::handle() const noexcept
{
    return mNet.handle();
}

bool LayerRef::setInts(char const* key, std::vector<int64_t> const& values) const noexcept
{
    return nvt_layer_set_ints(handle(), mId, key, values.data(), static_cast<int32_t>(values.size()));
}

std::vector<int64_t> LayerRef::getInts(char const* key) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS * 2];
    int32_t n = nvt_layer_get_ints(handle(), mId, key, buf, static_cast<int32_t>(sizeof(buf) / sizeof(buf[0])));
    std::vector<int64_t> out;
    if (n <= 0) return out;
    try
    {
        out.assign(buf, buf + std::min<int32_t>(n, sizeof(buf) / sizeof(buf[0])));
    }
    catch (...)
    {
    }
    return out;
}

int64_t LayerRef::getInt(char const* key, int64_t fallback) const noexcept
{
    std::vector<int64_t> v = getInts(key);
    return v.empty() ? fallback : v[0];
}

bool LayerRef::setDims(char const* key, nvinfer1::Dims const& dims) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
    {
        logError("invalid Dims: nbDims must be between 0 and 8");
        return false;
    }
    return nvt_layer_set_ints(handle(), mId, key, buf, n);
}

nvinfer1::Dims LayerRef::getDims(char const* key) const noexcept
{
    std::vector<int64_t> v = getInts(key);
    return toDims(v.data(), static_cast<int32_t>(v.size()));
}

bool LayerRef::setFloat(char const* key, double v) const noexcept
{
    return nvt_layer_set_float(handle(), mId, key, v);
}

double LayerRef::getFloat(char const* key) const noexcept
{
    return nvt_layer_get_float(handle(), mId, key);
}

bool LayerRef::setWeights(char const* key, nvinfer1::Weights const& w) const noexcept
{
    return nvt_layer_set_weights(handle(), mId, key, static_cast<int32_t>(w.type), w.values, w.count);
}

nvinfer1::Weights LayerRef::getWeights(char const* key) const noexcept
{
    int64_t count = 0;
    int32_t type = 0;
    void const* values = nvt_layer_get_weights(handle(), mId, key, &type, &count);
    return nvinfer1::Weights{static_cast<nvinfer1::DataType>(type), values, values ? count : 0};
}

void LayerRef::clearInput(int32_t index) const noexcept
{
    nvt_layer_clear_input(handle(), mId, index);
}

bool LayerRef::setString(char const* key, char const* value) const noexcept
{
    return nvt_layer_set_string(handle(), mId, key, value);
}

char const* LayerRef::getString(char const* key) const noexcept
{
    return nvt_layer_get_string(handle(), mId, key);
}

void ScaleCustom::setChannelAxis(int32_t channelAxis) noexcept
{
    mRef.setInt("channel_axis", channelAxis);
}

int32_t ScaleCustom::getChannelAxis() const noexcept
{
    if (mRef.getInt("channel_axis_set") == 0 && mRef.net().hasImplicitBatchDimension()) return 0;
    return static_cast<int32_t>(mRef.getInt("channel_axis"));
}

nvinfer1::Permutation const& ShuffleCustom::readPermutation(char const* key, nvinfer1::Permutation& cache) const noexcept
{
    std::vector<int64_t> v = mRef.getInts(key);
    for (int32_t i = 0; i < nvinfer1::Dims::MAX_DIMS; ++i)
        cache.order[i] = i < static_cast<int32_t>(v.size()) ? static_cast<int32_t>(v[i]) : i;
    return cache;
}

int32_t ShuffleCustom::tensorRank(int32_t tensor) const noexcept
{
    nvinfer1::ITensor* t = mRef.net().tensor(tensor);
    return t ? t->getDimensions().nbDims : -1;
}

void ShuffleCustom::writePermutation(char const* key, nvinfer1::Permutation const& p, int32_t rank) noexcept
{
    if (rank < 0 || rank > nvinfer1::Dims::MAX_DIMS) rank = nvinfer1::Dims::MAX_DIMS;
    std::vector<int64_t> order;
    try
    {
        order.assign(p.order, p.order + rank);
    }
    catch (...)
    {
        return;
    }
    mRef.setInts(key, order);
}

void ShuffleCustom::setFirstTranspose(nvinfer1::Permutation const& p) noexcept
{
    writePermutation("first_transpose", p, tensorRank(nvt_layer_input(mRef.handle(), mRef.id(), 0)));
}

nvinfer1::Dims ShuffleCustom::getReshapeDimensions() const noexcept
{
    // Without a reshape TensorRT answers with invalid dims (nbDims -1), not an error.
    if (mRef.getInt("has_reshape") == 0)
    {
        nvinfer1::Dims none{};
        none.nbDims = -1;
        return none;
    }
    return mRef.getDims("reshape");
}

void ShuffleCustom::setReshapeDimensions(nvinfer1::Dims d) noexcept
{
    mRef.setDims("reshape", d);
    // The second transpose applies to the reshaped tensor: store it again for the new rank.
    if (mSecondSet && d.nbDims >= 0) writePermutation("second_transpose", mSecondAsSet, d.nbDims);
}

nvinfer1::Permutation const& ShuffleCustom::getFirstTranspose() const noexcept
{
    return readPermutation("first_transpose", mFirst);
}

void ShuffleCustom::setSecondTranspose(nvinfer1::Permutation const& p) noexcept
{
    mSecondAsSet = p;
    mSecondSet = true;
    // The reshape's rank is the output's rank (transposes keep the rank); without a valid
    // output shape, fall back to the input's rank.
    int32_t rank = tensorRank(nvt_layer_output(mRef.handle(), mRef.id(), 0));
    if (rank < 0) rank = tensorRank(nvt_layer_input(mRef.handle(), mRef.id(), 0));
    writePermutation("second_transpose", p, rank);
}

nvinfer1::Permutation const& ShuffleCustom::getSecondTranspose() const noexcept
{
    return readPermutation("second_transpose", mSecond);
}

void ResizeCustom::setOutputDimensions(nvinfer1::Dims dimensions) noexcept
{
    mRef.setWeights("scales", nvinfer1::Weights{nvinfer1::DataType::kFLOAT, nullptr, 0});
    mRef.setDims("output_dims", dimensions);
}

nvinfer1::Dims ResizeCustom::getOutputDimensions() const noexcept
{
    return mRef.getDims("output_dims");
}

void ResizeCustom::setScales(float const* scales, int32_t nbScales) noexcept
{
    if (nbScales < 0 || nbScales > nvinfer1::Dims::MAX_DIMS || (nbScales > 0 && !scales))
    {
        logError("IResizeLayer::setScales: between 0 and 8 scales, not null");
        return;
    }
    mRef.setInts("output_dims", {});
    mRef.setWeights("scales", nvinfer1::Weights{nvinfer1::DataType::kFLOAT, scales, nbScales});
}

int32_t ResizeCustom::getScales(int32_t size, float* scales) const noexcept
{
    nvinfer1::Weights w = mRef.getWeights("scales");
    if (w.count == 0 || w.values == nullptr)
    {
        return -1; // TensorRT: no scales set
    }
    if (scales != nullptr && size > 0)
    {
        int64_t const n = std::min<int64_t>(size, w.count);
        std::copy(static_cast<float const*>(w.values), static_cast<float const*>(w.values) + n, scales);
    }
    return static_cast<int32_t>(w.count);
}

void ResizeCustom::setAlignCorners(bool alignCorners) noexcept
{
    // kALIGN_CORNERS = 0; turning it off goes back to the default kASYMMETRIC = 1.
    mRef.setInt("coordinate_transformation", alignCorners ? 0 : 1);
}

bool ResizeCustom::getAlignCorners() const noexcept
{
    return mRef.getInt("coordinate_transformation", 1) == 0;
}

bool GridSampleCustom::setSampleMode(nvinfer1::SampleMode mode) noexcept
{
    if (mode != nvinfer1::SampleMode::kFILL && mode != nvinfer1::SampleMode::kCLAMP && mode != nvinfer1::SampleMode::kREFLECT)
    {
        logError("IGridSampleLayer::setSampleMode: only kFILL, kCLAMP and kREFLECT apply to a grid sample");
        return false;
    }
    mRef.setInt("sample_mode", static_cast<int64_t>(mode));
    return true;
}

nvinfer1::SampleMode GridSampleCustom::getSampleMode() const noexcept
{
    return static_cast<nvinfer1::SampleMode>(mRef.getInt("sample_mode", 3));
}

int32_t RNNv2Custom::getLayerCount() const noexcept
{
    return static_cast<int32_t>(mRef.getInt("layer_count"));
}

int32_t RNNv2Custom::getHiddenSize() const noexcept
{
    return static_cast<int32_t>(mRef.getInt("hidden_size"));
}

int32_t RNNv2Custom::getMaxSeqLength() const noexcept
{
    return static_cast<int32_t>(mRef.getInt("max_seq_length"));
}

int32_t RNNv2Custom::getDataLength() const noexcept
{
    // E, the input's last dimension.
    nvinfer1::ITensor* input = mRef.net().tensor(nvt_layer_input(mRef.handle(), mRef.id(), 0));
    nvinfer1::Dims d = input ? input->getDimensions() : nvinfer1::Dims{};
    return d.nbDims > 0 ? d.d[d.nbDims - 1] : 0;
}

nvinfer1::ITensor* RNNv2Custom::optionalInput(int32_t index) const noexcept
{
    if (index >= nvt_layer_nb_inputs(mRef.handle(), mRef.id())) return nullptr;
    return mRef.net().tensor(nvt_layer_input(mRef.handle(), mRef.id(), index));
}

void RNNv2Custom::setSequenceLengths(nvinfer1::ITensor& seqLengths) noexcept
{
    nvt_layer_set_input(mRef.handle(), mRef.id(), 1, mRef.net().idOf(seqLengths));
}

nvinfer1::ITensor* RNNv2Custom::getSequenceLengths() const noexcept
{
    return optionalInput(1);
}

void RNNv2Custom::setHiddenState(nvinfer1::ITensor& hidden) noexcept
{
    nvt_layer_set_input(mRef.handle(), mRef.id(), 2, mRef.net().idOf(hidden));
}

nvinfer1::ITensor* RNNv2Custom::getHiddenState() const noexcept
{
    return optionalInput(2);
}

void RNNv2Custom::setCellState(nvinfer1::ITensor& cell) noexcept
{
    if (mRef.getInt("operation") != static_cast<int64_t>(nvinfer1::RNNOperation::kLSTM))
    {
        logError("IRNNv2Layer::setCellState: only an RNNOperation::kLSTM layer has a cell state");
        return;
    }
    nvt_layer_set_input(mRef.handle(), mRef.id(), 3, mRef.net().idOf(cell));
}

nvinfer1::ITensor* RNNv2Custom::getCellState() const noexcept
{
    return optionalInput(3);
}

int64_t RNNv2Custom::slot(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) noexcept
{
    int64_t const gateTypes = 7;
    return (static_cast<int64_t>(layerIndex) * gateTypes + static_cast<int64_t>(gate)) * 2 + (isW ? 0 : 1);
}

std::string RNNv2Custom::gateKey(
    char const* list, char const* method, int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept
{
    using G = nvinfer1::RNNGateType;
    int64_t const op = mRef.getInt("operation");
    bool used = false;
    switch (static_cast<nvinfer1::RNNOperation>(op))
    {
    case nvinfer1::RNNOperation::kRELU:
    case nvinfer1::RNNOperation::kTANH: used = gate == G::kINPUT; break;
    case nvinfer1::RNNOperation::kLSTM:
        used = gate == G::kINPUT || gate == G::kFORGET || gate == G::kCELL || gate == G::kOUTPUT;
        break;
    case nvinfer1::RNNOperation::kGRU: used = gate == G::kUPDATE || gate == G::kRESET || gate == G::kHIDDEN; break;
    }
    int64_t const directions = mRef.getInt("direction") == static_cast<int64_t>(nvinfer1::RNNDirection::kBIDIRECTION) ? 2 : 1;
    int64_t const indices = mRef.getInt("layer_count") * directions;
    std::string key;
    try
    {
        if (layerIndex < 0 || layerIndex >= indices)
        {
            logError((std::string("IRNNv2Layer::") + method + ": layer index " + std::to_string(layerIndex) + " is outside [0, "
                + std::to_string(indices) + ") (the layer count, times 2 when bidirectional)")
                         .c_str());
        }
        else if (!used)
        {
            logError((std::string("IRNNv2Layer::") + method + ": RNNGateType " + std::to_string(static_cast<int32_t>(gate))
                + " is not a gate of the layer's RNNOperation")
                         .c_str());
        }
        else
        {
            key = std::string(list) + "[" + std::to_string(slot(layerIndex, gate, isW)) + "]";
        }
    }
    catch (...)
    {
        logError("IRNNv2Layer: out of host memory");
        key.clear();
    }
    return key;
}

void RNNv2Custom::setWeightsForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW, nvinfer1::Weights weights) noexcept
{
    std::string const key = gateKey("gate_weights", "setWeightsForGate", layerIndex, gate, isW);
    if (!key.empty()) mRef.setWeights(key.c_str(), weights);
}

nvinfer1::Weights RNNv2Custom::getWeightsForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept
{
    std::string const key = gateKey("gate_weights", "getWeightsForGate", layerIndex, gate, isW);
    return key.empty() ? nvinfer1::Weights{nvinfer1::DataType::kFLOAT, nullptr, 0} : mRef.getWeights(key.c_str());
}

void RNNv2Custom::setBiasForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW, nvinfer1::Weights bias) noexcept
{
    std::string const key = gateKey("gate_biases", "setBiasForGate", layerIndex, gate, isW);
    if (!key.empty()) mRef.setWeights(key.c_str(), bias);
}

nvinfer1::Weights RNNv2Custom::getBiasForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept
{
    std::string const key = gateKey("gate_biases", "getBiasForGate", layerIndex, gate, isW);
    return key.empty() ? nvinfer1::Weights{nvinfer1::DataType::kFLOAT, nullptr, 0} : mRef.getWeights(key.c_str());
}

} // namespace nvtrt
