// The pieces every layer class is made of, and the hand-written parts of the layer classes
// that the layer table cannot describe (see api/layers.toml, "custom"). The generated
// classes in generated/layers.h build on these.
#ifndef NVTRT_LAYERS_CUSTOM_H
#define NVTRT_LAYERS_CUSTOM_H

#include "control_flow.h"
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

// Creates the object of class L for layer `id`; `shell` receives its ILayer face.
template <typename L>
std::unique_ptr<Owned> buildLayerObject(NetworkObj& net, int32_t id, nvinfer1::ILayer*& shell) noexcept
{
    L* obj = make<L>(net, id);
    shell = obj;
    return std::unique_ptr<Owned>(obj);
}

// IShuffleLayer's permutations: a Permutation has no rank of its own, so the stored one
// takes the rank of the tensor it applies to, and the second transpose is stored again
// when a later reshape changes that rank.
class ShuffleCustom : public VShuffleLayerDefaults
{
public:
    explicit ShuffleCustom(LayerRef r) noexcept : mRef(r) {}
    void setFirstTranspose(nvinfer1::Permutation const& permutation) noexcept override;
    nvinfer1::Permutation const& getFirstTranspose() const noexcept override;
    void setReshapeDimensions(nvinfer1::Dims dimensions) noexcept override;
    nvinfer1::Dims getReshapeDimensions() const noexcept override;
    void setSecondTranspose(nvinfer1::Permutation const& permutation) noexcept override;
    nvinfer1::Permutation const& getSecondTranspose() const noexcept override;

protected:
    LayerRef mRef;

private:
    nvinfer1::Permutation const& readPermutation(char const* key, nvinfer1::Permutation& cache) const noexcept;
    // Stores the first `rank` entries of `p`.
    void writePermutation(char const* key, nvinfer1::Permutation const& p, int32_t rank) noexcept;
    int32_t tensorRank(int32_t tensor) const noexcept;
    mutable nvinfer1::Permutation mFirst{};
    mutable nvinfer1::Permutation mSecond{};
    nvinfer1::Permutation mSecondAsSet{};
    bool mSecondSet{false};
};

// IResizeLayer's output size: the output dimensions and the scales replace each other, and
// setAlignCorners is the deprecated spelling of the kALIGN_CORNERS transformation.
class ResizeCustom : public VResizeLayerDefaults
{
public:
    explicit ResizeCustom(LayerRef r) noexcept : mRef(r) {}
    void setOutputDimensions(nvinfer1::Dims dimensions) noexcept override;
    nvinfer1::Dims getOutputDimensions() const noexcept override;
    void setScales(float const* scales, int32_t nbScales) noexcept override;
    int32_t getScales(int32_t size, float* scales) const noexcept override;
    void setAlignCorners(bool alignCorners) noexcept override;
    bool getAlignCorners() const noexcept override;

protected:
    LayerRef mRef;
};

// IGridSampleLayer::setSampleMode answers whether the mode is one a grid sample has.
class GridSampleCustom : public VGridSampleLayerDefaults
{
public:
    explicit GridSampleCustom(LayerRef r) noexcept : mRef(r) {}
    bool setSampleMode(nvinfer1::SampleMode mode) noexcept override;
    nvinfer1::SampleMode getSampleMode() const noexcept override;

protected:
    LayerRef mRef;
};

} // namespace nvtrt

#endif
