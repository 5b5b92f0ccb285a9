// Layer parameter plumbing and the layer object factory.
#include "layers.h"

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
    float const* values = nvt_layer_get_weights(handle(), mId, key, &count);
    return nvinfer1::Weights{nvinfer1::DataType::kFLOAT, values, values ? count : 0};
}

void ConvolutionImpl::setPaddingMode(nvinfer1::PaddingMode mode) noexcept
{
    if (mode != nvinfer1::PaddingMode::kEXPLICIT_ROUND_DOWN)
        reportUnimplemented("IConvolutionLayer::setPaddingMode (modes other than kEXPLICIT_ROUND_DOWN)");
}

nvinfer1::Permutation const& ShuffleImpl::readPermutation(char const* key, nvinfer1::Permutation& cache) const noexcept
{
    std::vector<int64_t> v = mRef.getInts(key);
    for (int32_t i = 0; i < nvinfer1::Dims::MAX_DIMS; ++i)
        cache.order[i] = i < static_cast<int32_t>(v.size()) ? static_cast<int32_t>(v[i]) : i;
    return cache;
}

int32_t ShuffleImpl::tensorRank(int32_t tensor) const noexcept
{
    nvinfer1::ITensor* t = mRef.net().tensor(tensor);
    return t ? t->getDimensions().nbDims : -1;
}

void ShuffleImpl::writePermutation(char const* key, nvinfer1::Permutation const& p, int32_t rank) noexcept
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

void ShuffleImpl::setFirstTranspose(nvinfer1::Permutation const& p) noexcept
{
    writePermutation("first_transpose", p, tensorRank(nvt_layer_input(mRef.handle(), mRef.id(), 0)));
}

void ShuffleImpl::setReshapeDimensions(nvinfer1::Dims d) noexcept
{
    mRef.setDims("reshape", d);
    // The second transpose applies to the reshaped tensor: store it again for the new rank.
    if (mSecondSet && d.nbDims >= 0) writePermutation("second_transpose", mSecondAsSet, d.nbDims);
}

nvinfer1::Permutation const& ShuffleImpl::getFirstTranspose() const noexcept
{
    return readPermutation("first_transpose", mFirst);
}

void ShuffleImpl::setSecondTranspose(nvinfer1::Permutation const& p) noexcept
{
    mSecondAsSet = p;
    mSecondSet = true;
    // The reshape's rank is the output's rank (transposes keep the rank); without a valid
    // output shape, fall back to the input's rank.
    int32_t rank = tensorRank(nvt_layer_output(mRef.handle(), mRef.id(), 0));
    if (rank < 0) rank = tensorRank(nvt_layer_input(mRef.handle(), mRef.id(), 0));
    writePermutation("second_transpose", p, rank);
}

nvinfer1::Permutation const& ShuffleImpl::getSecondTranspose() const noexcept
{
    return readPermutation("second_transpose", mSecond);
}

void MatrixMultiplyImpl::setOperation(int32_t index, nvinfer1::MatrixOperation op) noexcept
{
    if (index != 0 && index != 1)
    {
        logError("IMatrixMultiplyLayer::setOperation: index must be 0 or 1");
        return;
    }
    mRef.setInt(index == 0 ? "op0" : "op1", static_cast<int64_t>(op));
}

nvinfer1::MatrixOperation MatrixMultiplyImpl::getOperation(int32_t index) const noexcept
{
    if (index != 0 && index != 1)
    {
        logError("IMatrixMultiplyLayer::getOperation: index must be 0 or 1");
        return nvinfer1::MatrixOperation::kNONE;
    }
    return static_cast<nvinfer1::MatrixOperation>(mRef.getInt(index == 0 ? "op0" : "op1"));
}

namespace
{
template <typename L>
std::unique_ptr<Owned> build(NetworkObj& net, int32_t id, nvinfer1::ILayer*& shell) noexcept
{
    L* obj = make<L>(net, id);
    shell = obj;
    return std::unique_ptr<Owned>(obj);
}
} // namespace

std::unique_ptr<Owned> makeLayerObject(NetworkObj& net, int32_t id, nvinfer1::ILayer*& shell) noexcept
{
    using LT = nvinfer1::LayerType;
    shell = nullptr;
    switch (static_cast<LT>(nvt_layer_type(net.handle(), id)))
    {
    case LT::kCONVOLUTION: return build<ConvolutionLayer>(net, id, shell);
    case LT::kFULLY_CONNECTED: return build<FullyConnectedLayer>(net, id, shell);
    case LT::kACTIVATION: return build<ActivationLayer>(net, id, shell);
    case LT::kPOOLING: return build<PoolingLayer>(net, id, shell);
    case LT::kSOFTMAX: return build<SoftMaxLayer>(net, id, shell);
    case LT::kELEMENTWISE: return build<ElementWiseLayer>(net, id, shell);
    case LT::kSHUFFLE: return build<ShuffleLayer>(net, id, shell);
    case LT::kMATRIX_MULTIPLY: return build<MatrixMultiplyLayer>(net, id, shell);
    case LT::kCONSTANT: return build<ConstantLayer>(net, id, shell);
    default: logError("internal error: a layer of a type the bridge does not know"); return nullptr;
    }
}

} // namespace nvtrt
