// Loops and if-conditionals in the C++ API: ILoop and IIfConditional over the C ABI, and
// the parts of their boundary layers the layer table cannot describe (the extra mBoundary
// interface behind ILoopBoundaryLayer::getLoop / IIfConditionalBoundaryLayer::getConditional,
// and getters without setters). Boundary layers are ordinary layers of the network; each
// names its construct by index (parameter loop_id / conditional_id).
#ifndef NVTRT_CONTROL_FLOW_H
#define NVTRT_CONTROL_FLOW_H

#include "network.h"

namespace nvtrt
{

// A boundary layer's object: like LayerObj, plus the boundary interface (mBoundary).
template <typename Shell, typename Impl, typename Boundary>
class BoundaryLayerObj final : public Shell, public LayerCore, public Impl, public Boundary, public Owned
{
public:
    BoundaryLayerObj(NetworkObj& net, int32_t id) noexcept
        : LayerCore(net, id)
        , Impl(LayerRef(net, id))
        , Boundary(LayerRef(net, id))
    {
        this->mLayer = static_cast<LayerCore*>(this);
        this->mBoundary = static_cast<Boundary*>(this);
        this->mImpl = static_cast<Impl*>(this);
    }
};

// ILoopBoundaryLayer::getLoop: the network's ILoop of the layer's loop_id.
class LoopBoundary : public VLoopBoundaryLayerDefaults
{
public:
    explicit LoopBoundary(LayerRef r) noexcept : mBoundaryRef(r) {}
    nvinfer1::ILoop* getLoop() const noexcept override;

private:
    LayerRef mBoundaryRef;
};

// IIfConditionalBoundaryLayer::getConditional: the network's IIfConditional of the layer's
// conditional_id.
class ConditionalBoundary : public VConditionalBoundaryLayerDefaults
{
public:
    explicit ConditionalBoundary(LayerRef r) noexcept : mBoundaryRef(r) {}
    nvinfer1::IIfConditional* getConditional() const noexcept override;

private:
    LayerRef mBoundaryRef;
};

// ITripLimitLayer::getTripLimit (TensorRT has no setter: the kind is fixed by addTripLimit).
class TripLimitCustom : public VTripLimitLayerDefaults
{
public:
    explicit TripLimitCustom(LayerRef r) noexcept : mRef(r) {}
    nvinfer1::TripLimit getTripLimit() const noexcept override;

protected:
    LayerRef mRef;
};

// ILoopOutputLayer::getLoopOutput (fixed by addLoopOutput).
class LoopOutputCustom : public VLoopOutputLayerDefaults
{
public:
    explicit LoopOutputCustom(LayerRef r) noexcept : mRef(r) {}
    nvinfer1::LoopOutput getLoopOutput() const noexcept override;

protected:
    LayerRef mRef;
};

// ILoop: adds its boundary layers to the network, each naming this loop.
class LoopObj final : public nvinfer1::ILoop, public VLoopDefaults, public Owned
{
public:
    LoopObj(NetworkObj& net, int32_t id) noexcept;
    nvinfer1::IRecurrenceLayer* addRecurrence(nvinfer1::ITensor& initialValue) noexcept override;
    nvinfer1::ITripLimitLayer* addTripLimit(nvinfer1::ITensor& tensor, nvinfer1::TripLimit limit) noexcept override;
    nvinfer1::IIteratorLayer* addIterator(nvinfer1::ITensor& tensor, int32_t axis, bool reverse) noexcept override;
    nvinfer1::ILoopOutputLayer* addLoopOutput(
        nvinfer1::ITensor& tensor, nvinfer1::LoopOutput outputKind, int32_t axis) noexcept override;
    void setName(char const* name) noexcept override;
    char const* getName() const noexcept override;

private:
    NetworkObj& mNet;
    int32_t mId;
};

// IIfConditional: adds its boundary layers to the network, each naming this conditional.
class IfConditionalObj final : public nvinfer1::IIfConditional, public VIfConditionalDefaults, public Owned
{
public:
    IfConditionalObj(NetworkObj& net, int32_t id) noexcept;
    nvinfer1::IConditionLayer* setCondition(nvinfer1::ITensor& condition) noexcept override;
    nvinfer1::IIfConditionalInputLayer* addInput(nvinfer1::ITensor& input) noexcept override;
    nvinfer1::IIfConditionalOutputLayer* addOutput(
        nvinfer1::ITensor& trueSubgraphOutput, nvinfer1::ITensor& falseSubgraphOutput) noexcept override;
    void setName(char const* name) noexcept override;
    char const* getName() const noexcept override;

private:
    NetworkObj& mNet;
    int32_t mId;
};

} // namespace nvtrt

#endif
