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

// IScaleLayer's channel axis: addScale leaves it at TensorRT's default, the C of [N, C, H, W]
// (axis 1) with explicit batch and of [C, H, W] (axis 0) with an implicit batch; the layer
// stores it in its explicit-batch form, so the getter answers 0 for an implicit-batch
// network until the axis is set.
class ScaleCustom : public VScaleLayerDefaults
{
public:
    explicit ScaleCustom(LayerRef r) noexcept : mRef(r) {}
    void setChannelAxis(int32_t channelAxis) noexcept override;
    int32_t getChannelAxis() const noexcept override;

protected:
    LayerRef mRef;
};

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

// IRNNv2Layer: its sizes (given to addRNNv2), its optional inputs (1 sequence lengths,
// 2 initial hidden state, 3 initial cell state) and its weights and biases per (layer
// index, gate, W or R), stored one by one in the list parameters gate_weights and
// gate_biases at RNNv2Custom::slot.
class RNNv2Custom : public VRNNv2LayerDefaults
{
public:
    explicit RNNv2Custom(LayerRef r) noexcept : mRef(r) {}
    int32_t getLayerCount() const noexcept override;
    int32_t getHiddenSize() const noexcept override;
    int32_t getMaxSeqLength() const noexcept override;
    int32_t getDataLength() const noexcept override;
    void setSequenceLengths(nvinfer1::ITensor& seqLengths) noexcept override;
    nvinfer1::ITensor* getSequenceLengths() const noexcept override;
    void setHiddenState(nvinfer1::ITensor& hidden) noexcept override;
    nvinfer1::ITensor* getHiddenState() const noexcept override;
    void setCellState(nvinfer1::ITensor& cell) noexcept override;
    nvinfer1::ITensor* getCellState() const noexcept override;
    void setWeightsForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW, nvinfer1::Weights weights) noexcept override;
    nvinfer1::Weights getWeightsForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept override;
    void setBiasForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW, nvinfer1::Weights bias) noexcept override;
    nvinfer1::Weights getBiasForGate(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept override;

protected:
    LayerRef mRef;

private:
    // The index of (layerIndex, gate, isW) in gate_weights / gate_biases; the same as
    // rnn_v2::weights::slot in src/layers/rnn_v2/weights.rs.
    static int64_t slot(int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) noexcept;
    // The key "<list>[<slot>]", or "" (after logging an error naming `method`) when the layer
    // index or the gate does not exist in the layer's current configuration.
    std::string gateKey(char const* list, char const* method, int32_t layerIndex, nvinfer1::RNNGateType gate, bool isW) const noexcept;
    nvinfer1::ITensor* optionalInput(int32_t index) const noexcept;
};

} // namespace nvtrt

#endif
