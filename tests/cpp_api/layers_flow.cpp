// layers_flow.cpp: control flow through the TensorRT 8.6 C++ API: ILoop (trip limits,
// recurrences, iterators, loop outputs), IIfConditional (condition, inputs, outputs) and
// IAssertionLayer. Every getter against its setter, getLoop()/getConditional() returning the
// construct's one object, errors reported rather than crashing, and a loop, a conditional
// and an assertion built, run on host buffers (this machine's engines run on the CPU
// backend) and compared with values worked out by hand.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "checks.h"

using namespace nvinfer1;

namespace
{

// Keeps the errors (and their text) it is given.
class Logger : public ILogger
{
public:
    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (severity <= Severity::kERROR) errors.push_back(msg ? msg : "");
    }
    // Whether an error containing `needle` came after the first `from` errors.
    bool errorSince(size_t from, char const* needle = "") const
    {
        for (size_t i = from; i < errors.size(); ++i)
            if (errors[i].find(needle) != std::string::npos) return true;
        return false;
    }
    std::vector<std::string> errors;
};

Logger gLogger;

template <typename T>
using Ptr = std::unique_ptr<T>;

Dims makeDims(std::initializer_list<int32_t> values)
{
    Dims d{};
    d.nbDims = static_cast<int32_t>(values.size());
    int32_t i = 0;
    for (int32_t v : values) d.d[i++] = v;
    return d;
}

bool dimsAre(Dims const& d, std::initializer_list<int32_t> values)
{
    if (d.nbDims != static_cast<int32_t>(values.size())) return false;
    int32_t i = 0;
    for (int32_t v : values)
        if (d.d[i++] != v) return false;
    return true;
}

bool near(std::vector<float> const& got, std::initializer_list<float> want)
{
    if (got.size() != want.size()) return false;
    size_t i = 0;
    for (float w : want)
        if (std::fabs(got[i++] - w) > 1e-5f) return false;
    return true;
}

// A fresh explicit-batch network (the builder outlives it).
struct Net
{
    Net()
        : net(builder ? builder->createNetworkV2(1U) : nullptr)
    {
    }
    Ptr<IBuilder> builder{createInferBuilder(gLogger)};
    Ptr<INetworkDefinition> net;
};

// Constants live as long as the network reads them (until the build).
struct Values
{
    std::vector<std::vector<float>> floats;
    std::vector<std::vector<int32_t>> ints;

    ITensor* floatsOf(INetworkDefinition& net, Dims dims, std::vector<float> v)
    {
        floats.push_back(std::move(v));
        auto& w = floats.back();
        IConstantLayer* c = net.addConstant(dims, Weights{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())});
        return c ? c->getOutput(0) : nullptr;
    }
    ITensor* intOf(INetworkDefinition& net, int32_t v)
    {
        ints.push_back({v});
        IConstantLayer* c = net.addConstant(makeDims({}), Weights{DataType::kINT32, ints.back().data(), 1});
        return c ? c->getOutput(0) : nullptr;
    }
};

// The index of `layer` in the network, or -1.
int32_t indexOf(INetworkDefinition& net, ILayer* layer)
{
    for (int32_t i = 0; i < net.getNbLayers(); ++i)
        if (net.getLayer(i) == layer) return i;
    return -1;
}

struct Built
{
    Ptr<IHostMemory> plan;
    Ptr<IRuntime> runtime;
    Ptr<ICudaEngine> engine;
    Ptr<IExecutionContext> ctx;
};

Built build(Net& n, IOptimizationProfile* profile = nullptr)
{
    Built b;
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    if (config && profile) config->addOptimizationProfile(profile);
    b.plan.reset(config ? n.builder->buildSerializedNetwork(*n.net, *config) : nullptr);
    b.runtime.reset(createInferRuntime(gLogger));
    b.engine.reset(b.plan && b.runtime ? b.runtime->deserializeCudaEngine(b.plan->data(), b.plan->size()) : nullptr);
    b.ctx.reset(b.engine ? b.engine->createExecutionContext() : nullptr);
    return b;
}

// A running sum over the rows of x [4, 2] by a counted loop, every boundary layer's API on
// the way; outputs: the final sum (kLAST_VALUE), the sums after each row (kCONCATENATE) and
// the same reversed with a given length of 5 (kREVERSE, one slot of zeros).
void testLoop()
{
    Net n;
    Values keep;
    INetworkDefinition& net = *n.net;
    ITensor* x = net.addInput("x", DataType::kFLOAT, makeDims({4, 2}));
    ILoop* loop = net.addLoop();
    CHECK(loop != nullptr, "addLoop");
    if (!x || !loop) return;
    CHECK(loop->getName() && std::strlen(loop->getName()) > 0, "a new loop has a name");
    loop->setName("rows");
    CHECK(std::strcmp(loop->getName(), "rows") == 0, "ILoop setName/getName");
    CHECK(net.addLoop() != loop, "a second addLoop gives another loop");

    ITripLimitLayer* trip = loop->addTripLimit(*keep.intOf(net, 4), TripLimit::kCOUNT);
    CHECK(trip && trip->getTripLimit() == TripLimit::kCOUNT && trip->getType() == LayerType::kTRIP_LIMIT && trip->getNbOutputs() == 0,
        "addTripLimit kCOUNT: getTripLimit, getType, no outputs");
    CHECK(trip && trip->getLoop() == loop, "trip limit getLoop() is the loop");

    IRecurrenceLayer* rec = loop->addRecurrence(*keep.floatsOf(net, makeDims({2}), {0.f, 0.f}));
    CHECK(rec && rec->getType() == LayerType::kRECURRENCE && rec->getLoop() == loop && dimsAre(rec->getOutput(0)->getDimensions(), {2}),
        "addRecurrence: getType, getLoop, output dims");

    IIteratorLayer* it = loop->addIterator(*x);
    CHECK(it && it->getAxis() == 0 && !it->getReverse() && it->getType() == LayerType::kITERATOR && it->getLoop() == loop,
        "addIterator defaults: axis 0, forward");
    if (!trip || !rec || !it) return;
    CHECK(dimsAre(it->getOutput(0)->getDimensions(), {2}), "iterator output drops the axis");
    it->setAxis(1);
    CHECK(it->getAxis() == 1 && dimsAre(it->getOutput(0)->getDimensions(), {4}), "iterator setAxis(1) reads back, output follows");
    it->setAxis(0);
    it->setReverse(true);
    CHECK(it->getReverse(), "iterator setReverse(true) reads back");
    it->setReverse(false);

    IElementWiseLayer* sum = net.addElementWise(*rec->getOutput(0), *it->getOutput(0), ElementWiseOperation::kSUM);
    if (!sum) return;
    rec->setInput(1, *sum->getOutput(0));
    CHECK(rec->getNbInputs() == 2 && rec->getInput(1) == sum->getOutput(0), "recurrence setInput(1, next value)");

    ILoopOutputLayer* last = loop->addLoopOutput(*rec->getOutput(0), LoopOutput::kLAST_VALUE);
    CHECK(last && last->getLoopOutput() == LoopOutput::kLAST_VALUE && last->getType() == LayerType::kLOOP_OUTPUT && last->getLoop() == loop
            && dimsAre(last->getOutput(0)->getDimensions(), {2}),
        "addLoopOutput kLAST_VALUE");
    ILoopOutputLayer* all = loop->addLoopOutput(*sum->getOutput(0), LoopOutput::kCONCATENATE, 1);
    CHECK(all && all->getLoopOutput() == LoopOutput::kCONCATENATE && all->getAxis() == 1 && dimsAre(all->getOutput(0)->getDimensions(), {2, 4}),
        "addLoopOutput kCONCATENATE on axis 1: [2, 4]");
    if (!last || !all) return;
    all->setAxis(0);
    CHECK(all->getAxis() == 0 && dimsAre(all->getOutput(0)->getDimensions(), {4, 2}), "loop output setAxis(0) reads back, output [4, 2]");
    ILoopOutputLayer* rev = loop->addLoopOutput(*sum->getOutput(0), LoopOutput::kREVERSE);
    if (!rev) return;
    rev->setInput(1, *keep.intOf(net, 5));
    CHECK(rev->getLoopOutput() == LoopOutput::kREVERSE && dimsAre(rev->getOutput(0)->getDimensions(), {5, 2}),
        "kREVERSE with setInput(1, length 5): [5, 2]");

    // The network's layer objects are the ones the loop returned.
    int32_t ri = indexOf(net, rec);
    CHECK(ri >= 0 && static_cast<IRecurrenceLayer*>(net.getLayer(ri))->getLoop() == loop, "getLayer gives the recurrence, whose getLoop is the loop");

    size_t mark = gLogger.errors.size();
    ITensor* flag = net.addInput("flag", DataType::kBOOL, makeDims({2}));
    CHECK(flag && loop->addTripLimit(*flag, TripLimit::kWHILE) == nullptr && gLogger.errorSince(mark, "0-D kBOOL"),
        "a kWHILE limit that is not 0-D is refused with an error");
    net.removeTensor(*flag);

    last->getOutput(0)->setName("last");
    all->getOutput(0)->setName("all");
    rev->getOutput(0)->setName("rev");
    net.markOutput(*last->getOutput(0));
    net.markOutput(*all->getOutput(0));
    net.markOutput(*rev->getOutput(0));
    mark = gLogger.errors.size();
    Built b = build(n);
    CHECK(b.ctx != nullptr && !gLogger.errorSince(mark), "the loop builds");
    if (!b.ctx) return;
    std::vector<float> xv{1, 2, 3, 4, 5, 6, 7, 8}, lastv(2, -1.f), allv(8, -1.f), revv(10, -1.f);
    b.ctx->setTensorAddress("x", xv.data());
    b.ctx->setTensorAddress("last", lastv.data());
    b.ctx->setTensorAddress("all", allv.data());
    b.ctx->setTensorAddress("rev", revv.data());
    CHECK(b.ctx->enqueueV3(nullptr), "the loop runs");
    // Sums after rows 1..4: (1,2) (4,6) (9,12) (16,20).
    CHECK(near(lastv, {16, 20}), "kLAST_VALUE is the final sum (16, 20)");
    CHECK(near(allv, {1, 2, 4, 6, 9, 12, 16, 20}), "kCONCATENATE holds every iteration's sum");
    CHECK(near(revv, {16, 20, 9, 12, 4, 6, 1, 2, 0, 0}), "kREVERSE holds them last first, then zeros");
}

// A kWHILE loop: doubling 3 while it is below 100 ends at 192.
void testWhileLoop()
{
    Net n;
    Values keep;
    INetworkDefinition& net = *n.net;
    ITensor* x = net.addInput("x", DataType::kFLOAT, makeDims({}));
    ILoop* loop = x ? net.addLoop() : nullptr;
    if (!loop) return;
    IRecurrenceLayer* rec = loop->addRecurrence(*x);
    IElementWiseLayer* below = net.addElementWise(*rec->getOutput(0), *keep.floatsOf(net, makeDims({}), {100.f}), ElementWiseOperation::kLESS);
    ITripLimitLayer* trip = below ? loop->addTripLimit(*below->getOutput(0), TripLimit::kWHILE) : nullptr;
    CHECK(trip && trip->getTripLimit() == TripLimit::kWHILE && trip->getLoop() == loop, "addTripLimit kWHILE");
    IElementWiseLayer* twice = net.addElementWise(*rec->getOutput(0), *keep.floatsOf(net, makeDims({}), {2.f}), ElementWiseOperation::kPROD);
    if (!trip || !twice) return;
    rec->setInput(1, *twice->getOutput(0));
    ILoopOutputLayer* out = loop->addLoopOutput(*rec->getOutput(0), LoopOutput::kLAST_VALUE);
    out->getOutput(0)->setName("y");
    net.markOutput(*out->getOutput(0));
    Built b = build(n);
    if (!b.ctx)
    {
        CHECK(false, "the kWHILE loop builds");
        return;
    }
    float xv = 3.f, yv = -1.f;
    b.ctx->setTensorAddress("x", &xv);
    b.ctx->setTensorAddress("y", &yv);
    CHECK(b.ctx->enqueueV3(nullptr) && yv == 192.f, "kWHILE: 3 doubled while below 100 is 192");
}

// if (c > 0) x * 2 else x + 10, the condition computed at run time; both branches on one
// context.
void testConditional()
{
    Net n;
    Values keep;
    INetworkDefinition& net = *n.net;
    ITensor* c = net.addInput("c", DataType::kFLOAT, makeDims({}));
    ITensor* x = net.addInput("x", DataType::kFLOAT, makeDims({3}));
    IIfConditional* ifc = net.addIfConditional();
    CHECK(ifc != nullptr, "addIfConditional");
    if (!c || !x || !ifc) return;
    CHECK(ifc->getName() && std::strlen(ifc->getName()) > 0, "a new conditional has a name");
    ifc->setName("choose");
    CHECK(std::strcmp(ifc->getName(), "choose") == 0, "IIfConditional setName/getName");
    CHECK(net.addIfConditional() != ifc, "a second addIfConditional gives another conditional");

    IElementWiseLayer* pos = net.addElementWise(*c, *keep.floatsOf(net, makeDims({}), {0.f}), ElementWiseOperation::kGREATER);
    if (!pos) return;
    size_t mark = gLogger.errors.size();
    CHECK(ifc->setCondition(*x) == nullptr && gLogger.errorSince(mark, "0-D kBOOL"), "a float [3] condition is refused with an error");
    IConditionLayer* cond = ifc->setCondition(*pos->getOutput(0));
    CHECK(cond && cond->getType() == LayerType::kCONDITION && cond->getConditional() == ifc && cond->getNbOutputs() == 0,
        "setCondition: getType, getConditional, no outputs");
    IIfConditionalInputLayer* in = ifc->addInput(*x);
    CHECK(in && in->getType() == LayerType::kCONDITIONAL_INPUT && in->getConditional() == ifc && dimsAre(in->getOutput(0)->getDimensions(), {3}),
        "addInput: getType, getConditional, output dims");
    if (!cond || !in) return;
    IElementWiseLayer* twice = net.addElementWise(*in->getOutput(0), *keep.floatsOf(net, makeDims({1}), {2.f}), ElementWiseOperation::kPROD);
    IElementWiseLayer* plus = net.addElementWise(*in->getOutput(0), *keep.floatsOf(net, makeDims({1}), {10.f}), ElementWiseOperation::kSUM);
    if (!twice || !plus) return;
    IIfConditionalOutputLayer* out = ifc->addOutput(*twice->getOutput(0), *plus->getOutput(0));
    CHECK(out && out->getType() == LayerType::kCONDITIONAL_OUTPUT && out->getConditional() == ifc && out->getNbInputs() == 2
            && dimsAre(out->getOutput(0)->getDimensions(), {3}),
        "addOutput: getType, getConditional, two inputs, output dims");
    if (!out) return;
    int32_t ci = indexOf(net, cond);
    CHECK(ci >= 0 && static_cast<IConditionLayer*>(net.getLayer(ci))->getConditional() == ifc,
        "getLayer gives the condition layer, whose getConditional is the conditional");
    mark = gLogger.errors.size();
    ITensor* ints = net.addInput("ints", DataType::kINT32, makeDims({3}));
    CHECK(ints && ifc->addOutput(*twice->getOutput(0), *ints) == nullptr && gLogger.errorSince(mark, "same type"),
        "branch outputs of different types are refused with an error");
    net.removeTensor(*ints);

    out->getOutput(0)->setName("y");
    net.markOutput(*out->getOutput(0));
    mark = gLogger.errors.size();
    Built b = build(n);
    CHECK(b.ctx != nullptr && !gLogger.errorSince(mark), "the conditional builds");
    if (!b.ctx) return;
    std::vector<float> xv{1, 2, 3}, yv(3, -1.f);
    float cv = 0.5f;
    b.ctx->setTensorAddress("c", &cv);
    b.ctx->setTensorAddress("x", xv.data());
    b.ctx->setTensorAddress("y", yv.data());
    CHECK(b.ctx->enqueueV3(nullptr) && near(yv, {2, 4, 6}), "c = 0.5: the true branch, x * 2");
    cv = -3.f;
    CHECK(b.ctx->enqueueV3(nullptr) && near(yv, {11, 12, 13}), "c = -3: the false branch, x + 10");
}

// addAssertion on shapes: x [-1, 2] must have 2 rows. A run with 3 rows fails with the
// message; the same context then runs 2 rows.
void testAssertion()
{
    Net n;
    INetworkDefinition& net = *n.net;
    ITensor* x = net.addInput("x", DataType::kFLOAT, makeDims({-1, 2}));
    IShapeLayer* shape = x ? net.addShape(*x) : nullptr;
    std::vector<int32_t> two{2, 2};
    IConstantLayer* want = net.addConstant(makeDims({2}), Weights{DataType::kINT32, two.data(), 2});
    IElementWiseLayer* eq = shape && want ? net.addElementWise(*shape->getOutput(0), *want->getOutput(0), ElementWiseOperation::kEQUAL) : nullptr;
    if (!eq) return;
    IAssertionLayer* a = net.addAssertion(*eq->getOutput(0), "x needs two rows");
    CHECK(a && a->getType() == LayerType::kASSERTION && a->getNbOutputs() == 0 && std::strcmp(a->getMessage(), "x needs two rows") == 0,
        "addAssertion: getType, no outputs, getMessage");
    if (!a) return;
    a->setMessage("two rows please");
    CHECK(std::strcmp(a->getMessage(), "two rows please") == 0, "assertion setMessage/getMessage");
    size_t mark = gLogger.errors.size();
    CHECK(net.addAssertion(*x, "m") == nullptr && gLogger.errorSince(mark, "kBOOL"), "an assertion on a float tensor is refused with an error");

    IIdentityLayer* id = net.addIdentity(*x);
    id->getOutput(0)->setName("y");
    net.markOutput(*id->getOutput(0));
    IOptimizationProfile* profile = n.builder->createOptimizationProfile();
    profile->setDimensions("x", OptProfileSelector::kMIN, makeDims({1, 2}));
    profile->setDimensions("x", OptProfileSelector::kOPT, makeDims({2, 2}));
    profile->setDimensions("x", OptProfileSelector::kMAX, makeDims({4, 2}));
    Built b = build(n, profile);
    CHECK(b.ctx != nullptr, "the assertion network builds");
    if (!b.ctx) return;
    std::vector<float> xv{1, 2, 3, 4, 5, 6}, yv(8, -1.f);
    b.ctx->setTensorAddress("x", xv.data());
    b.ctx->setTensorAddress("y", yv.data());
    mark = gLogger.errors.size();
    b.ctx->setInputShape("x", makeDims({3, 2}));
    bool ran = b.ctx->enqueueV3(nullptr);
    CHECK(!ran && gLogger.errorSince(mark, "two rows please"), "3 rows: the run fails with the assertion's message");
    CHECK(b.ctx->setInputShape("x", makeDims({2, 2})) && b.ctx->enqueueV3(nullptr) && near(std::vector<float>(yv.begin(), yv.begin() + 4), {1, 2, 3, 4}),
        "2 rows: the same context runs");
}

} // namespace

int main()
{
    testLoop();
    testWhileLoop();
    testConditional();
    testAssertion();
    return finish("layers_flow");
}
