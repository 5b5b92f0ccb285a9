// The layer-specific implementations: each maps its TensorRT setters and getters onto the
// layer's named parameters in the C ABI (see the matching op in src/ops/).
#ifndef NVTRT_LAYERS_H
#define NVTRT_LAYERS_H

#include "network.h"

namespace nvtrt
{

// One C++ object per layer: the shell (e.g. IConvolutionLayer), the common ILayer part and
// the specific implementation, wired through mLayer and mImpl as TensorRT's shells expect.
template <typename Shell, typename Impl>
class LayerObj final : public Shell, public LayerCore, public Impl, public Owned
{
public:
    LayerObj(NetworkObj& net, int32_t id) noexcept
        : LayerCore(net, id)
        , Impl(LayerRef(net, id))
    {
        this->mLayer = static_cast<LayerCore*>(this);
        this->mImpl = static_cast<Impl*>(this);
    }
};

// Stride and padding accessors, which convolution and pooling layers share.
template <typename VBase>
class WindowImpl : public VBase
{
public:
    explicit WindowImpl(LayerRef r) noexcept : mRef(r) {}
    void setStride(nvinfer1::DimsHW s) noexcept override { mRef.setDims("stride", s); }
    nvinfer1::DimsHW getStride() const noexcept override { return toDimsHW(mRef.getDims("stride")); }
    void setStrideNd(nvinfer1::Dims s) noexcept override { mRef.setDims("stride", s); }
    nvinfer1::Dims getStrideNd() const noexcept override { return mRef.getDims("stride"); }
    void setPadding(nvinfer1::DimsHW p) noexcept override { mRef.setDims("padding", p); }
    nvinfer1::DimsHW getPadding() const noexcept override { return toDimsHW(mRef.getDims("pre_padding")); }
    void setPaddingNd(nvinfer1::Dims p) noexcept override { mRef.setDims("padding", p); }
    nvinfer1::Dims getPaddingNd() const noexcept override { return mRef.getDims("pre_padding"); }
    void setPrePadding(nvinfer1::Dims p) noexcept override { mRef.setDims("pre_padding", p); }
    nvinfer1::Dims getPrePadding() const noexcept override { return mRef.getDims("pre_padding"); }
    void setPostPadding(nvinfer1::Dims p) noexcept override { mRef.setDims("post_padding", p); }
    nvinfer1::Dims getPostPadding() const noexcept override { return mRef.getDims("post_padding"); }

protected:
    LayerRef mRef;
};

class ConvolutionImpl : public WindowImpl<VConvolutionLayerDefaults>
{
public:
    explicit ConvolutionImpl(LayerRef r) noexcept : WindowImpl(r) {}
    void setKernelSize(nvinfer1::DimsHW k) noexcept override { mRef.setDims("kernel_size", k); }
    nvinfer1::DimsHW getKernelSize() const noexcept override { return toDimsHW(mRef.getDims("kernel_size")); }
    void setKernelSizeNd(nvinfer1::Dims k) noexcept override { mRef.setDims("kernel_size", k); }
    nvinfer1::Dims getKernelSizeNd() const noexcept override { return mRef.getDims("kernel_size"); }
    void setNbOutputMaps(int32_t n) noexcept override { mRef.setInt("num_output_maps", n); }
    int32_t getNbOutputMaps() const noexcept override { return static_cast<int32_t>(mRef.getInt("num_output_maps")); }
    void setDilation(nvinfer1::DimsHW d) noexcept override { mRef.setDims("dilation", d); }
    nvinfer1::DimsHW getDilation() const noexcept override { return toDimsHW(mRef.getDims("dilation")); }
    void setDilationNd(nvinfer1::Dims d) noexcept override { mRef.setDims("dilation", d); }
    nvinfer1::Dims getDilationNd() const noexcept override { return mRef.getDims("dilation"); }
    void setNbGroups(int32_t g) noexcept override { mRef.setInt("groups", g); }
    int32_t getNbGroups() const noexcept override { return static_cast<int32_t>(mRef.getInt("groups", 1)); }
    void setKernelWeights(nvinfer1::Weights w) noexcept override { mRef.setWeights("kernel_weights", w); }
    nvinfer1::Weights getKernelWeights() const noexcept override { return mRef.getWeights("kernel_weights"); }
    void setBiasWeights(nvinfer1::Weights w) noexcept override { mRef.setWeights("bias_weights", w); }
    nvinfer1::Weights getBiasWeights() const noexcept override { return mRef.getWeights("bias_weights"); }
    void setPaddingMode(nvinfer1::PaddingMode mode) noexcept override;
    nvinfer1::PaddingMode getPaddingMode() const noexcept override { return nvinfer1::PaddingMode::kEXPLICIT_ROUND_DOWN; }
};

class FullyConnectedImpl : public VFullyConnectedLayerDefaults
{
public:
    explicit FullyConnectedImpl(LayerRef r) noexcept : mRef(r) {}
    void setNbOutputChannels(int32_t n) noexcept override { mRef.setInt("num_outputs", n); }
    int32_t getNbOutputChannels() const noexcept override { return static_cast<int32_t>(mRef.getInt("num_outputs")); }
    void setKernelWeights(nvinfer1::Weights w) noexcept override { mRef.setWeights("kernel_weights", w); }
    nvinfer1::Weights getKernelWeights() const noexcept override { return mRef.getWeights("kernel_weights"); }
    void setBiasWeights(nvinfer1::Weights w) noexcept override { mRef.setWeights("bias_weights", w); }
    nvinfer1::Weights getBiasWeights() const noexcept override { return mRef.getWeights("bias_weights"); }

private:
    LayerRef mRef;
};

class ActivationImpl : public VActivationLayerDefaults
{
public:
    explicit ActivationImpl(LayerRef r) noexcept : mRef(r) {}
    void setActivationType(nvinfer1::ActivationType t) noexcept override { mRef.setInt("type", static_cast<int64_t>(t)); }
    nvinfer1::ActivationType getActivationType() const noexcept override
    {
        return static_cast<nvinfer1::ActivationType>(mRef.getInt("type"));
    }
    void setAlpha(float a) noexcept override { mRef.setFloat("alpha", a); }
    void setBeta(float b) noexcept override { mRef.setFloat("beta", b); }
    float getAlpha() const noexcept override { return static_cast<float>(mRef.getFloat("alpha")); }
    float getBeta() const noexcept override { return static_cast<float>(mRef.getFloat("beta")); }

private:
    LayerRef mRef;
};

class PoolingImpl : public WindowImpl<VPoolingLayerDefaults>
{
public:
    explicit PoolingImpl(LayerRef r) noexcept : WindowImpl(r) {}
    void setPoolingType(nvinfer1::PoolingType t) noexcept override { mRef.setInt("type", static_cast<int64_t>(t)); }
    nvinfer1::PoolingType getPoolingType() const noexcept override { return static_cast<nvinfer1::PoolingType>(mRef.getInt("type")); }
    void setWindowSize(nvinfer1::DimsHW w) noexcept override { mRef.setDims("window", w); }
    nvinfer1::DimsHW getWindowSize() const noexcept override { return toDimsHW(mRef.getDims("window")); }
    void setWindowSizeNd(nvinfer1::Dims w) noexcept override { mRef.setDims("window", w); }
    nvinfer1::Dims getWindowSizeNd() const noexcept override { return mRef.getDims("window"); }
    void setAverageCountExcludesPadding(bool e) noexcept override { mRef.setInt("average_count_excludes_padding", e ? 1 : 0); }
    bool getAverageCountExcludesPadding() const noexcept override { return mRef.getInt("average_count_excludes_padding", 1) != 0; }
};

class SoftMaxImpl : public VSoftMaxLayerDefaults
{
public:
    explicit SoftMaxImpl(LayerRef r) noexcept : mRef(r) {}
    void setAxes(uint32_t axes) noexcept override { mRef.setInt("axes", axes); }
    uint32_t getAxes() const noexcept override { return static_cast<uint32_t>(mRef.getInt("axes")); }

private:
    LayerRef mRef;
};

class ElementWiseImpl : public VElementWiseLayerDefaults
{
public:
    explicit ElementWiseImpl(LayerRef r) noexcept : mRef(r) {}
    void setOperation(nvinfer1::ElementWiseOperation op) noexcept override { mRef.setInt("operation", static_cast<int64_t>(op)); }
    nvinfer1::ElementWiseOperation getOperation() const noexcept override
    {
        return static_cast<nvinfer1::ElementWiseOperation>(mRef.getInt("operation"));
    }

private:
    LayerRef mRef;
};

class ShuffleImpl : public VShuffleLayerDefaults
{
public:
    explicit ShuffleImpl(LayerRef r) noexcept : mRef(r) {}
    void setFirstTranspose(nvinfer1::Permutation const& p) noexcept override;
    nvinfer1::Permutation const& getFirstTranspose() const noexcept override;
    void setReshapeDimensions(nvinfer1::Dims d) noexcept override;
    nvinfer1::Dims getReshapeDimensions() const noexcept override
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
    void setSecondTranspose(nvinfer1::Permutation const& p) noexcept override;
    nvinfer1::Permutation const& getSecondTranspose() const noexcept override;
    void setZeroIsPlaceholder(bool z) noexcept override { mRef.setInt("zero_is_placeholder", z ? 1 : 0); }
    bool getZeroIsPlaceholder() const noexcept override { return mRef.getInt("zero_is_placeholder", 1) != 0; }

private:
    nvinfer1::Permutation const& readPermutation(char const* key, nvinfer1::Permutation& cache) const noexcept;
    // Stores the first `rank` entries of `p` (a Permutation has no rank of its own).
    void writePermutation(char const* key, nvinfer1::Permutation const& p, int32_t rank) noexcept;
    int32_t tensorRank(int32_t tensor) const noexcept;
    LayerRef mRef;
    mutable nvinfer1::Permutation mFirst{};
    mutable nvinfer1::Permutation mSecond{};
    // The second transpose as set, kept whole so that a later reshape to another rank can
    // store it again with the right number of entries.
    nvinfer1::Permutation mSecondAsSet{};
    bool mSecondSet{false};
};

class MatrixMultiplyImpl : public VMatrixMultiplyLayerDefaults
{
public:
    explicit MatrixMultiplyImpl(LayerRef r) noexcept : mRef(r) {}
    void setOperation(int32_t index, nvinfer1::MatrixOperation op) noexcept override;
    nvinfer1::MatrixOperation getOperation(int32_t index) const noexcept override;

private:
    LayerRef mRef;
};

class ConstantImpl : public VConstantLayerDefaults
{
public:
    explicit ConstantImpl(LayerRef r) noexcept : mRef(r) {}
    void setWeights(nvinfer1::Weights w) noexcept override { mRef.setWeights("weights", w); }
    nvinfer1::Weights getWeights() const noexcept override { return mRef.getWeights("weights"); }
    void setDimensions(nvinfer1::Dims d) noexcept override { mRef.setDims("dims", d); }
    nvinfer1::Dims getDimensions() const noexcept override { return mRef.getDims("dims"); }

private:
    LayerRef mRef;
};

using ConvolutionLayer = LayerObj<nvinfer1::IConvolutionLayer, ConvolutionImpl>;
using FullyConnectedLayer = LayerObj<nvinfer1::IFullyConnectedLayer, FullyConnectedImpl>;
using ActivationLayer = LayerObj<nvinfer1::IActivationLayer, ActivationImpl>;
using PoolingLayer = LayerObj<nvinfer1::IPoolingLayer, PoolingImpl>;
using SoftMaxLayer = LayerObj<nvinfer1::ISoftMaxLayer, SoftMaxImpl>;
using ElementWiseLayer = LayerObj<nvinfer1::IElementWiseLayer, ElementWiseImpl>;
using ShuffleLayer = LayerObj<nvinfer1::IShuffleLayer, ShuffleImpl>;
using MatrixMultiplyLayer = LayerObj<nvinfer1::IMatrixMultiplyLayer, MatrixMultiplyImpl>;
using ConstantLayer = LayerObj<nvinfer1::IConstantLayer, ConstantImpl>;

// The C++ object for layer `id` of `net`, of the class its LayerType calls for.
std::unique_ptr<Owned> makeLayerObject(NetworkObj& net, int32_t id, nvinfer1::ILayer*& shell) noexcept;

} // namespace nvtrt

#endif
