// Layer parameter plumbing, and the hand-written parts of layer classes.
#include "generated/layers.h"

namespace nvtrt
{

NvtNetwork* LayerRef::handle() const noexcept
{
    return mNet.handle();
}

void LayerRef::setInts(char const* key, std::vector<int64_t> const& values) const noexcept
{
    nvt_layer_set_ints(handle(), mId, key, values.data(), static_cast<int32_t>(values.size()));
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

void LayerRef::setDims(char const* key, nvinfer1::Dims const& dims) const noexcept
{
    int64_t buf[nvinfer1::Dims::MAX_DIMS];
    int32_t n = fromDims(dims, buf);
    if (n < 0)
    {
        logError("invalid Dims: nbDims must be between 0 and 8");
        return;
    }
    nvt_layer_set_ints(handle(), mId, key, buf, n);
}

nvinfer1::Dims LayerRef::getDims(char const* key) const noexcept
{
    std::vector<int64_t> v = getInts(key);
    return toDims(v.data(), static_cast<int32_t>(v.size()));
}

void LayerRef::setFloat(char const* key, double v) const noexcept
{
    nvt_layer_set_float(handle(), mId, key, v);
}

double LayerRef::getFloat(char const* key) const noexcept
{
    return nvt_layer_get_float(handle(), mId, key);
}

void LayerRef::setWeights(char const* key, nvinfer1::Weights const& w) const noexcept
{
    nvt_layer_set_weights(handle(), mId, key, static_cast<int32_t>(w.type), w.values, w.count);
}

nvinfer1::Weights LayerRef::getWeights(char const* key) const noexcept
{
    int64_t count = 0;
    int32_t type = 0;
    void const* values = nvt_layer_get_weights(handle(), mId, key, &type, &count);
    return nvinfer1::Weights{static_cast<nvinfer1::DataType>(type), values, values ? count : 0};
}

void LayerRef::setText(char const* key, char const* text) const noexcept
{
    nvt_layer_set_text(handle(), mId, key, text ? text : "");
}

char const* LayerRef::getText(char const* key) const noexcept
{
    return nvt_layer_get_text(handle(), mId, key);
}

void LayerRef::clearInput(int32_t index) const noexcept
{
    nvt_layer_clear_input(handle(), mId, index);
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

} // namespace nvtrt
