// ILoop, IIfConditional and their boundary layers' hand-written parts (see control_flow.h).
#include "generated/layers.h"

namespace nvtrt
{

nvinfer1::ILoop* LoopBoundary::getLoop() const noexcept
{
    return mBoundaryRef.net().loop(static_cast<int32_t>(mBoundaryRef.getInt("loop_id", -1)));
}

nvinfer1::IIfConditional* ConditionalBoundary::getConditional() const noexcept
{
    return mBoundaryRef.net().conditional(static_cast<int32_t>(mBoundaryRef.getInt("conditional_id", -1)));
}

nvinfer1::TripLimit TripLimitCustom::getTripLimit() const noexcept
{
    return static_cast<nvinfer1::TripLimit>(mRef.getInt("limit"));
}

nvinfer1::LoopOutput LoopOutputCustom::getLoopOutput() const noexcept
{
    return static_cast<nvinfer1::LoopOutput>(mRef.getInt("output"));
}

// ---- ILoop ----

LoopObj::LoopObj(NetworkObj& net, int32_t id) noexcept
    : mNet(net)
    , mId(id)
{
    mImpl = this;
}

nvinfer1::IRecurrenceLayer* LoopObj::addRecurrence(nvinfer1::ITensor& initialValue) noexcept
{
    int32_t const loop = mId;
    return static_cast<RecurrenceLayer*>(
        mNet.addLayer("Recurrence", {mNet.idOf(initialValue)}, [loop](LayerRef& l) { l.setInt("loop_id", loop); }));
}

nvinfer1::ITripLimitLayer* LoopObj::addTripLimit(nvinfer1::ITensor& tensor, nvinfer1::TripLimit limit) noexcept
{
    int32_t const loop = mId;
    return static_cast<TripLimitLayer*>(mNet.addLayer("TripLimit", {mNet.idOf(tensor)}, [loop, limit](LayerRef& l) {
        l.setInt("loop_id", loop);
        l.setInt("limit", static_cast<int64_t>(limit));
    }));
}

nvinfer1::IIteratorLayer* LoopObj::addIterator(nvinfer1::ITensor& tensor, int32_t axis, bool reverse) noexcept
{
    int32_t const loop = mId;
    return static_cast<IteratorLayer*>(mNet.addLayer("Iterator", {mNet.idOf(tensor)}, [loop, axis, reverse](LayerRef& l) {
        l.setInt("loop_id", loop);
        l.setInt("axis", axis);
        l.setInt("reverse", reverse ? 1 : 0);
    }));
}

nvinfer1::ILoopOutputLayer* LoopObj::addLoopOutput(
    nvinfer1::ITensor& tensor, nvinfer1::LoopOutput outputKind, int32_t axis) noexcept
{
    int32_t const loop = mId;
    return static_cast<LoopOutputLayer*>(
        mNet.addLayer("LoopOutput", {mNet.idOf(tensor)}, [loop, outputKind, axis](LayerRef& l) {
            l.setInt("loop_id", loop);
            l.setInt("output", static_cast<int64_t>(outputKind));
            l.setInt("axis", axis);
        }));
}

void LoopObj::setName(char const* name) noexcept
{
    nvt_loop_set_name(mNet.handle(), mId, name);
}

char const* LoopObj::getName() const noexcept
{
    return nvt_loop_name(mNet.handle(), mId);
}

// ---- IIfConditional ----

IfConditionalObj::IfConditionalObj(NetworkObj& net, int32_t id) noexcept
    : mNet(net)
    , mId(id)
{
    mImpl = this;
}

nvinfer1::IConditionLayer* IfConditionalObj::setCondition(nvinfer1::ITensor& condition) noexcept
{
    int32_t const cond = mId;
    return static_cast<ConditionLayer*>(
        mNet.addLayer("Condition", {mNet.idOf(condition)}, [cond](LayerRef& l) { l.setInt("conditional_id", cond); }));
}

nvinfer1::IIfConditionalInputLayer* IfConditionalObj::addInput(nvinfer1::ITensor& input) noexcept
{
    int32_t const cond = mId;
    return static_cast<ConditionalInputLayer*>(
        mNet.addLayer("ConditionalInput", {mNet.idOf(input)}, [cond](LayerRef& l) { l.setInt("conditional_id", cond); }));
}

nvinfer1::IIfConditionalOutputLayer* IfConditionalObj::addOutput(
    nvinfer1::ITensor& trueSubgraphOutput, nvinfer1::ITensor& falseSubgraphOutput) noexcept
{
    int32_t const cond = mId;
    return static_cast<ConditionalOutputLayer*>(mNet.addLayer("ConditionalOutput",
        {mNet.idOf(trueSubgraphOutput), mNet.idOf(falseSubgraphOutput)},
        [cond](LayerRef& l) { l.setInt("conditional_id", cond); }));
}

void IfConditionalObj::setName(char const* name) noexcept
{
    nvt_conditional_set_name(mNet.handle(), mId, name);
}

char const* IfConditionalObj::getName() const noexcept
{
    return nvt_conditional_name(mNet.handle(), mId);
}

// ---- INetworkDefinition ----

nvinfer1::ILoop* NetworkObj::addLoop() noexcept
{
    return loop(nvt_network_add_loop(mHandle));
}

nvinfer1::IIfConditional* NetworkObj::addIfConditional() noexcept
{
    return conditional(nvt_network_add_conditional(mHandle));
}

// The one C++ object of loop / conditional `id` (created on first use), or null if the
// network has none of that index.
template <typename Obj, typename Shell>
static Shell* constructObject(NetworkObj& net, int32_t id, int32_t count, std::vector<std::unique_ptr<Owned>>& owned,
    std::vector<Shell*>& shells) noexcept
{
    if (id < 0 || id >= count) return nullptr;
    try
    {
        if (static_cast<size_t>(id) >= shells.size())
        {
            shells.resize(id + 1, nullptr);
            owned.resize(id + 1);
        }
        if (!shells[id])
        {
            std::unique_ptr<Obj> obj(new Obj(net, id));
            shells[id] = obj.get();
            owned[id] = std::move(obj);
        }
        return shells[id];
    }
    catch (...)
    {
        logError("out of host memory creating a loop or conditional object");
        return nullptr;
    }
}

nvinfer1::ILoop* NetworkObj::loop(int32_t id) noexcept
{
    return constructObject<LoopObj>(*this, id, nvt_network_nb_loops(mHandle), mLoopObjs, mLoops);
}

nvinfer1::IIfConditional* NetworkObj::conditional(int32_t id) noexcept
{
    return constructObject<IfConditionalObj>(*this, id, nvt_network_nb_conditionals(mHandle), mConditionalObjs, mConditionals);
}

} // namespace nvtrt
