// layers_data.cpp: the data-movement and indexing layers through the TensorRT 8.6 C++ API:
// every add* method, every getter against its setter, ILayer::setInput for the dynamic
// inputs (and the setters that reset them), errors reported rather than crashing, and one
// network of these layers built, run on host buffers (this machine's engines run on the
// CPU backend) and compared with values worked out by hand.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"

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

// Counts errors; prints them with CPP_API_VERBOSE set.
class Logger : public ILogger
{
public:
    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (severity <= Severity::kERROR)
        {
            ++errors;
            last = msg ? msg : "";
        }
    }
    int errors{0};
    std::string last;
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

DimsHW makeHW(int32_t h, int32_t w)
{
    return DimsHW{h, w};
}

// A fresh explicit-batch network (the builder outlives it).
struct Net
{
    Ptr<IBuilder> builder{createInferBuilder(gLogger)};
    Ptr<INetworkDefinition> net{builder ? builder->createNetworkV2(1U) : nullptr};
};

void testConcatenation()
{
    Net n;
    ITensor* a = n.net->addInput("a", DataType::kFLOAT, makeDims({2, 1, 3}));
    ITensor* b = n.net->addInput("b", DataType::kFLOAT, makeDims({2, 4, 3}));
    ITensor* parts[] = {a, b, a};
    IConcatenationLayer* c = n.net->addConcatenation(parts, 3);
    CHECK(c != nullptr && c->getNbInputs() == 3, "addConcatenation of 3 tensors");
    if (!c) return;
    CHECK(c->getType() == LayerType::kCONCATENATION, "concatenation getType");
    CHECK(c->getAxis() == 0, "concatenation default axis max(0, rank - 3) = 0 for rank 3");
    c->setAxis(1);
    CHECK(c->getAxis() == 1, "concatenation setAxis/getAxis");
    CHECK(dimsAre(c->getOutput(0)->getDimensions(), {2, 6, 3}), "concatenation on axis 1: [2,6,3]");
    int before = gLogger.errors;
    CHECK(n.net->addConcatenation(nullptr, 2) == nullptr && gLogger.errors > before, "addConcatenation of a null array is refused with an error");
    ITensor* withNull[] = {a, nullptr};
    before = gLogger.errors;
    CHECK(n.net->addConcatenation(withNull, 2) == nullptr && gLogger.errors > before, "addConcatenation with a null tensor is refused with an error");
}

void testSlice()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({4, 5}));
    ISliceLayer* s = n.net->addSlice(*x, makeDims({1, 0}), makeDims({2, 3}), makeDims({1, 2}));
    CHECK(s != nullptr, "addSlice");
    if (!s) return;
    CHECK(dimsAre(s->getStart(), {1, 0}) && dimsAre(s->getSize(), {2, 3}) && dimsAre(s->getStride(), {1, 2}), "slice getStart/getSize/getStride after addSlice");
    CHECK(s->getMode() == SliceMode::kSTRICT_BOUNDS, "slice default mode kSTRICT_BOUNDS");
    s->setStart(makeDims({-1, -2}));
    s->setSize(makeDims({3, 4}));
    s->setStride(makeDims({2, 1}));
    s->setMode(SliceMode::kWRAP);
    CHECK(dimsAre(s->getStart(), {-1, -2}) && dimsAre(s->getSize(), {3, 4}) && dimsAre(s->getStride(), {2, 1}), "slice setStart/setSize/setStride read back");
    CHECK(s->getMode() == SliceMode::kWRAP, "slice setMode/getMode");
    CHECK(dimsAre(s->getOutput(0)->getDimensions(), {3, 4}), "slice output follows setSize");
    for (SliceMode m : {SliceMode::kCLAMP, SliceMode::kFILL, SliceMode::kREFLECT, SliceMode::kSTRICT_BOUNDS})
    {
        s->setMode(m);
        CHECK(s->getMode() == m, "slice setMode " + std::to_string(static_cast<int>(m)));
    }
    s->setMode(SliceMode::kFILL);
    // Dynamic size from a shape tensor: the output's dims are no longer known.
    ITensor* size = n.net->addInput("size", DataType::kINT32, makeDims({2}));
    s->setInput(2, *size);
    CHECK(s->getNbInputs() == 3 && s->getInput(2) == size, "slice setInput(2, size)");
    CHECK(size->isShapeTensor(), "the slice size input is a shape tensor");
    CHECK(dimsAre(s->getOutput(0)->getDimensions(), {-1, -1}), "a dynamic size gives dynamic output dims");
    ITensor* fill = n.net->addInput("fill", DataType::kFLOAT, makeDims({}));
    s->setInput(4, *fill);
    CHECK(s->getNbInputs() == 5 && s->getInput(4) == fill && s->getInput(3) == nullptr, "slice setInput(4, fill value)");
    // The setter resets the input it replaces.
    s->setSize(makeDims({2, 2}));
    CHECK(s->getInput(2) == nullptr, "slice setSize resets input 2 to null");
    CHECK(dimsAre(s->getOutput(0)->getDimensions(), {2, 2}), "slice output follows setSize again");
    // A window outside the input is accepted by addSlice (setMode usually follows), and
    // refused by the build while the mode stays kSTRICT_BOUNDS.
    ISliceLayer* outside = n.net->addSlice(*x, makeDims({3, 0}), makeDims({2, 2}), makeDims({1, 1}));
    CHECK(outside != nullptr, "addSlice of a window past the input, before setMode");
    if (!outside) return;
    outside->getOutput(0)->setName("outside");
    n.net->markOutput(*outside->getOutput(0));
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    int before = gLogger.errors;
    Ptr<IHostMemory> plan(config ? n.builder->buildSerializedNetwork(*n.net, *config) : nullptr);
    CHECK(plan == nullptr && gLogger.errors > before && gLogger.last.find("kSTRICT_BOUNDS") != std::string::npos,
        "building a kSTRICT_BOUNDS slice past its input fails with an error naming the mode");
}

void testPadding()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 2, 3, 4}));
    IPaddingLayer* p = n.net->addPaddingNd(*x, makeDims({1, 2}), makeDims({0, -1}));
    CHECK(p != nullptr, "addPaddingNd");
    if (!p) return;
    CHECK(dimsAre(p->getPrePaddingNd(), {1, 2}) && dimsAre(p->getPostPaddingNd(), {0, -1}), "padding getPrePaddingNd/getPostPaddingNd");
    CHECK(dimsAre(p->getOutput(0)->getDimensions(), {1, 2, 4, 5}), "padding output [1,2,4,5]");
    p->setPrePaddingNd(makeDims({0, 0}));
    p->setPostPaddingNd(makeDims({2, 1}));
    CHECK(dimsAre(p->getPrePaddingNd(), {0, 0}) && dimsAre(p->getPostPaddingNd(), {2, 1}), "padding setPrePaddingNd/setPostPaddingNd read back");
    p->setPrePadding(makeHW(1, 1));
    p->setPostPadding(makeHW(-1, 0));
    DimsHW pre = p->getPrePadding(), post = p->getPostPadding();
    CHECK(pre.h() == 1 && pre.w() == 1 && post.h() == -1 && post.w() == 0, "padding deprecated setPrePadding/setPostPadding (DimsHW) read back");
    CHECK(dimsAre(p->getOutput(0)->getDimensions(), {1, 2, 3, 5}), "padding output follows the DimsHW setters");
    IPaddingLayer* old = n.net->addPadding(*x, makeHW(1, 0), makeHW(1, 0));
    CHECK(old != nullptr && dimsAre(old->getOutput(0)->getDimensions(), {1, 2, 5, 4}), "deprecated addPadding (DimsHW)");
}

void testGather()
{
    Net n;
    ITensor* data = n.net->addInput("data", DataType::kFLOAT, makeDims({3, 4, 5}));
    ITensor* idx = n.net->addInput("idx", DataType::kINT32, makeDims({2, 2}));
    IGatherLayer* g = n.net->addGather(*data, *idx, 1);
    CHECK(g != nullptr, "addGather");
    if (!g) return;
    CHECK(g->getGatherAxis() == 1 && g->getMode() == GatherMode::kDEFAULT && g->getNbElementWiseDims() == 0, "gather axis 1, kDEFAULT, 0 elementwise dims");
    CHECK(dimsAre(g->getOutput(0)->getDimensions(), {3, 2, 2, 5}), "gather output [3,2,2,5]");
    g->setGatherAxis(2);
    CHECK(g->getGatherAxis() == 2 && dimsAre(g->getOutput(0)->getDimensions(), {3, 4, 2, 2}), "gather setGatherAxis");
    ITensor* idx3 = n.net->addInput("idx3", DataType::kINT32, makeDims({3, 2}));
    g->setInput(1, *idx3);
    g->setNbElementWiseDims(1);
    CHECK(g->getNbElementWiseDims() == 1 && dimsAre(g->getOutput(0)->getDimensions(), {3, 4, 2}), "gather setNbElementWiseDims(1)");
    IGatherLayer* nd = n.net->addGatherV2(*data, *idx, GatherMode::kND);
    CHECK(nd != nullptr && nd->getMode() == GatherMode::kND && dimsAre(nd->getOutput(0)->getDimensions(), {2, 5}), "addGatherV2 kND: [2,5]");
    ITensor* same = n.net->addInput("same", DataType::kINT32, makeDims({3, 4, 5}));
    IGatherLayer* el = n.net->addGatherV2(*data, *same, GatherMode::kELEMENT);
    CHECK(el != nullptr && el->getMode() == GatherMode::kELEMENT && dimsAre(el->getOutput(0)->getDimensions(), {3, 4, 5}), "addGatherV2 kELEMENT");
    if (el)
    {
        el->setMode(GatherMode::kDEFAULT);
        CHECK(el->getMode() == GatherMode::kDEFAULT && dimsAre(el->getOutput(0)->getDimensions(), {3, 4, 5, 4, 5}), "gather setMode kDEFAULT");
    }
}

void testSelectOneHotReverseScatter()
{
    Net n;
    ITensor* c = n.net->addInput("c", DataType::kBOOL, makeDims({2, 1}));
    ITensor* a = n.net->addInput("a", DataType::kFLOAT, makeDims({1, 3}));
    ITensor* b = n.net->addInput("b", DataType::kFLOAT, makeDims({2, 3}));
    ISelectLayer* s = n.net->addSelect(*c, *a, *b);
    CHECK(s != nullptr && s->getType() == LayerType::kSELECT && dimsAre(s->getOutput(0)->getDimensions(), {2, 3}), "addSelect broadcasts to [2,3]");

    ITensor* idx = n.net->addInput("idx", DataType::kINT32, makeDims({2, 3}));
    ITensor* values = n.net->addInput("values", DataType::kFLOAT, makeDims({2}));
    ITensor* depth = n.net->addInput("depth", DataType::kINT32, makeDims({}));
    IOneHotLayer* oh = n.net->addOneHot(*idx, *values, *depth, 1);
    CHECK(oh != nullptr && oh->getAxis() == 1, "addOneHot axis 1");
    if (oh)
    {
        CHECK(depth->isShapeTensor() && dimsAre(oh->getOutput(0)->getDimensions(), {2, -1, 3}), "one-hot depth is a shape tensor; output [2,-1,3]");
        oh->setAxis(-1);
        CHECK(oh->getAxis() == -1 && dimsAre(oh->getOutput(0)->getDimensions(), {2, 3, -1}), "one-hot setAxis(-1)");
    }

    ITensor* seq = n.net->addInput("seq", DataType::kFLOAT, makeDims({4, 2, 3}));
    ITensor* lens = n.net->addInput("lens", DataType::kINT32, makeDims({2}));
    IReverseSequenceLayer* r = n.net->addReverseSequence(*seq, *lens);
    CHECK(r != nullptr && r->getBatchAxis() == 1 && r->getSequenceAxis() == 0, "addReverseSequence: batch axis 1, sequence axis 0");
    if (r)
    {
        ITensor* lens3 = n.net->addInput("lens3", DataType::kINT32, makeDims({3}));
        r->setInput(1, *lens3);
        r->setBatchAxis(2);
        r->setSequenceAxis(1);
        CHECK(r->getBatchAxis() == 2 && r->getSequenceAxis() == 1, "reverse-sequence setBatchAxis/setSequenceAxis");
    }

    ITensor* data = n.net->addInput("data", DataType::kFLOAT, makeDims({4, 5}));
    ITensor* sidx = n.net->addInput("sidx", DataType::kINT32, makeDims({4, 5}));
    ITensor* upd = n.net->addInput("upd", DataType::kFLOAT, makeDims({4, 5}));
    IScatterLayer* sc = n.net->addScatter(*data, *sidx, *upd, ScatterMode::kELEMENT);
    CHECK(sc != nullptr && sc->getMode() == ScatterMode::kELEMENT && sc->getAxis() == 0, "addScatter kELEMENT, axis 0");
    if (sc)
    {
        sc->setAxis(1);
        CHECK(sc->getAxis() == 1, "scatter setAxis/getAxis");
        ITensor* rows = n.net->addInput("rows", DataType::kINT32, makeDims({2, 1}));
        ITensor* rowUpd = n.net->addInput("rowUpd", DataType::kFLOAT, makeDims({2, 5}));
        sc->setInput(1, *rows);
        sc->setInput(2, *rowUpd);
        sc->setMode(ScatterMode::kND);
        CHECK(sc->getMode() == ScatterMode::kND && dimsAre(sc->getOutput(0)->getDimensions(), {4, 5}), "scatter setMode kND");
    }
}

void testFill()
{
    Net n;
    IFillLayer* f = n.net->addFill(makeDims({5}), FillOperation::kLINSPACE);
    CHECK(f != nullptr, "addFill kLINSPACE");
    if (!f) return;
    CHECK(dimsAre(f->getDimensions(), {5}) && f->getOperation() == FillOperation::kLINSPACE, "fill getDimensions/getOperation");
    CHECK(f->getAlpha() == 0.0 && f->getBeta() == 1.0, "fill default alpha 0, beta 1");
    f->setAlpha(0.1);
    f->setBeta(1e-9);
    CHECK(f->getAlpha() == 0.1 && f->getBeta() == 1e-9, "fill setAlpha/setBeta keep doubles");
    f->setOperation(FillOperation::kRANDOM_NORMAL);
    CHECK(f->getOperation() == FillOperation::kRANDOM_NORMAL, "fill setOperation kRANDOM_NORMAL");
    f->setOperation(FillOperation::kRANDOM_UNIFORM);
    CHECK(f->getOperation() == FillOperation::kRANDOM_UNIFORM, "fill setOperation kRANDOM_UNIFORM");
    f->setOperation(FillOperation::kLINSPACE);
    ITensor* shape = n.net->addInput("shape", DataType::kINT32, makeDims({1}));
    ITensor* start = n.net->addInput("start", DataType::kINT32, makeDims({}));
    ITensor* delta = n.net->addInput("delta", DataType::kINT32, makeDims({1}));
    f->setInput(0, *shape);
    f->setInput(1, *start);
    f->setInput(2, *delta);
    CHECK(f->getNbInputs() == 3 && f->getOutput(0)->getType() == DataType::kINT32, "fill with start and delta inputs gives their type kINT32");
    CHECK(dimsAre(f->getOutput(0)->getDimensions(), {-1}), "fill with a shape input has dynamic dims");
    f->setDimensions(makeDims({7}));
    CHECK(f->getInput(0) == nullptr && dimsAre(f->getOutput(0)->getDimensions(), {7}), "fill setDimensions resets input 0");
    f->setAlpha(2.0);
    f->setBeta(3.0);
    CHECK(f->getInput(1) == nullptr && f->getInput(2) == nullptr && f->getOutput(0)->getType() == DataType::kFLOAT,
        "fill setAlpha/setBeta reset inputs 1 and 2 (output kFLOAT again)");
}

// concat(a, b) on axis 1 -> slice (kREFLECT) -> gather: by hand.
void testInference()
{
    Net n;
    ITensor* a = n.net->addInput("a", DataType::kFLOAT, makeDims({2, 2}));
    ITensor* b = n.net->addInput("b", DataType::kFLOAT, makeDims({2, 1}));
    ITensor* parts[] = {a, b};
    IConcatenationLayer* c = n.net->addConcatenation(parts, 2);
    if (c) c->setAxis(1);
    // [[1,2,5],[3,4,6]]; columns -1..3 reflected: 1, 0, 1, 2, 1.
    ISliceLayer* s = c ? n.net->addSlice(*c->getOutput(0), makeDims({0, -1}), makeDims({2, 5}), makeDims({1, 1})) : nullptr;
    if (s) s->setMode(SliceMode::kREFLECT);
    std::vector<int32_t> rows{1, -2};
    IConstantLayer* k = n.net->addConstant(makeDims({2}), Weights{DataType::kINT32, rows.data(), 2});
    IGatherLayer* g = s && k ? n.net->addGather(*s->getOutput(0), *k->getOutput(0), 0) : nullptr;
    CHECK(g != nullptr, "concatenation -> slice -> gather network");
    if (!g) return;
    g->getOutput(0)->setName("y");
    n.net->markOutput(*g->getOutput(0));
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    Ptr<IHostMemory> plan(config ? n.builder->buildSerializedNetwork(*n.net, *config) : nullptr);
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    CHECK(ctx != nullptr, "the network builds and loads");
    if (!ctx) return;
    std::vector<float> va{1, 2, 3, 4}, vb{5, 6}, y(10, -1.0f);
    bool ran = ctx->setTensorAddress("a", va.data()) && ctx->setTensorAddress("b", vb.data()) && ctx->setTensorAddress("y", y.data()) &&
        ctx->enqueueV3(nullptr);
    // Rows 1 and -2 (= 0) of [[2,1,2,5,2],[4,3,4,6,4]].
    std::vector<float> expected{4, 3, 4, 6, 4, 2, 1, 2, 5, 2};
    CHECK(ran && y == expected, "concatenation, kREFLECT slice and gather with a negative index give the values worked out by hand");
}

} // namespace

int main()
{
    testConcatenation();
    testSlice();
    testPadding();
    testGather();
    testSelectOneHotReverseScatter();
    testFill();
    testInference();
    return finish("layers_data");
}
