// layers_math.cpp: the math layers (unary, scale, parametric ReLU, LRN, reduce, top-k,
// normalization, ragged softmax, quantize/dequantize, einsum) through the TensorRT 8.6 C++
// API: every add* method, every getter against its setter, errors reported rather than
// crashing, addScale's channel axis with an implicit batch, and one network (einsum then
// top-k) built, run on host buffers (this machine's engines run on the CPU backend) and
// compared with a reference computed here.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"

#include <algorithm>
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

Weights weightsOf(std::vector<float> const& v)
{
    return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

Weights noWeights()
{
    return Weights{DataType::kFLOAT, nullptr, 0};
}

bool sameWeights(Weights const& w, std::vector<float> const& v)
{
    if (w.count != static_cast<int64_t>(v.size()) || w.type != DataType::kFLOAT || (!v.empty() && !w.values)) return false;
    return v.empty() || std::memcmp(w.values, v.data(), v.size() * sizeof(float)) == 0;
}

// Deterministic values in [-1, 1].
std::vector<float> values(size_t n, uint32_t seed)
{
    std::vector<float> v(n);
    uint32_t s = seed * 2654435761u + 1;
    for (float& x : v)
    {
        s = s * 1664525u + 1013904223u;
        x = static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f;
    }
    return v;
}

// A fresh network (the builder outlives it): explicit batch unless `implicitBatch`.
struct Net
{
    explicit Net(bool implicitBatch = false)
        : net(builder ? builder->createNetworkV2(implicitBatch ? 0U : 1U) : nullptr)
    {
    }
    Ptr<IBuilder> builder{createInferBuilder(gLogger)};
    Ptr<INetworkDefinition> net;
};

void testUnaryAndScale()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 4, 2, 2}));
    IUnaryLayer* un = n.net->addUnary(*x, UnaryOperation::kABS);
    CHECK(un && un->getOperation() == UnaryOperation::kABS && un->getType() == LayerType::kUNARY, "addUnary kABS");
    if (!un) return;
    un->setOperation(UnaryOperation::kISINF);
    CHECK(un->getOperation() == UnaryOperation::kISINF && un->getOutput(0)->getType() == DataType::kBOOL, "unary setOperation(kISINF) gives kBOOL");

    std::vector<float> sh = values(4, 1), sc = values(4, 2), pw{1.f, 2.f, 1.f, 2.f};
    IScaleLayer* scale = n.net->addScale(*x, ScaleMode::kCHANNEL, weightsOf(sh), weightsOf(sc), noWeights());
    CHECK(scale && scale->getMode() == ScaleMode::kCHANNEL && scale->getChannelAxis() == 1, "addScale kCHANNEL (channel axis 1)");
    if (!scale) return;
    CHECK(sameWeights(scale->getShift(), sh) && sameWeights(scale->getScale(), sc) && scale->getPower().count == 0, "scale getShift/getScale/getPower");
    scale->setPower(weightsOf(pw));
    scale->setMode(ScaleMode::kUNIFORM);
    CHECK(scale->getMode() == ScaleMode::kUNIFORM, "scale setMode read back");
    scale->setMode(ScaleMode::kCHANNEL);
    CHECK(sameWeights(scale->getPower(), pw), "scale setPower read back");
    std::vector<float> sh2{0.5f, 1.f};
    scale->setShift(weightsOf(sh2));
    scale->setScale(noWeights());
    scale->setPower(noWeights());
    scale->setChannelAxis(2);
    CHECK(scale->getChannelAxis() == 2 && sameWeights(scale->getShift(), sh2) && scale->getScale().count == 0, "scale setChannelAxis/setShift/setScale read back");
    CHECK(dimsAre(scale->getOutput(0)->getDimensions(), {1, 4, 2, 2}), "scale on channel axis 2 with 2 shifts is valid");
    IScaleLayer* nd = n.net->addScaleNd(*x, ScaleMode::kELEMENTWISE, noWeights(), weightsOf(values(4, 3)), noWeights(), 2);
    CHECK(nd && nd->getChannelAxis() == 2 && nd->getMode() == ScaleMode::kELEMENTWISE, "addScaleNd kELEMENTWISE on axis 2");
    size_t mark = gLogger.errors.size();
    CHECK(n.net->addScale(*x, ScaleMode::kCHANNEL, weightsOf(values(3, 4)), noWeights(), noWeights()) == nullptr && gLogger.errorSince(mark, "coefficient"),
        "addScale with 3 shifts for 4 channels is refused with an error");

    // With an implicit batch, addScale's channel axis is the C of [C, H, W].
    Net implicitBatch(true);
    ITensor* chw = implicitBatch.net->addInput("chw", DataType::kFLOAT, Dims3{4, 2, 2});
    IScaleLayer* s0 = chw ? implicitBatch.net->addScale(*chw, ScaleMode::kCHANNEL, weightsOf(sh), noWeights(), noWeights()) : nullptr;
    CHECK(s0 && s0->getChannelAxis() == 0, "implicit batch: addScale's channel axis is 0");
    if (s0) s0->setChannelAxis(1);
    CHECK(s0 && s0->getChannelAxis() == 1, "implicit batch: setChannelAxis(1) reads back 1");
}

void testNormalizations()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 4, 2, 2}));
    ILRNLayer* lrn = n.net->addLRN(*x, 3, 1.f, 0.75f, 2.f);
    CHECK(lrn && lrn->getWindowSize() == 3 && lrn->getAlpha() == 1.f && lrn->getBeta() == 0.75f && lrn->getK() == 2.f, "addLRN and its getters");
    if (!lrn) return;
    lrn->setWindowSize(5);
    lrn->setAlpha(0.5f);
    lrn->setBeta(0.5f);
    lrn->setK(1.f);
    CHECK(lrn->getWindowSize() == 5 && lrn->getAlpha() == 0.5f && lrn->getBeta() == 0.5f && lrn->getK() == 1.f, "LRN setters read back");
    size_t mark = gLogger.errors.size();
    CHECK(n.net->addLRN(*x, 4, 1.f, 0.75f, 1.f) == nullptr && gLogger.errorSince(mark, "window 4"), "addLRN with an even window is refused");

    std::vector<float> slope{0.1f, 0.2f, 0.3f, 0.4f};
    IConstantLayer* slopeC = n.net->addConstant(makeDims({1, 4, 1, 1}), weightsOf(slope));
    IParametricReLULayer* prelu = slopeC ? n.net->addParametricReLU(*x, *slopeC->getOutput(0)) : nullptr;
    CHECK(prelu && dimsAre(prelu->getOutput(0)->getDimensions(), {1, 4, 2, 2}), "addParametricReLU with a per-channel slope");

    std::vector<float> ones(4, 1.f), zeros(4, 0.f);
    IConstantLayer* gamma = n.net->addConstant(makeDims({1, 4, 1, 1}), weightsOf(ones));
    IConstantLayer* beta = n.net->addConstant(makeDims({1, 4, 1, 1}), weightsOf(zeros));
    INormalizationLayer* norm = gamma && beta ? n.net->addNormalization(*x, *gamma->getOutput(0), *beta->getOutput(0), (1U << 2) | (1U << 3)) : nullptr;
    CHECK(norm && norm->getAxes() == 12U && norm->getNbGroups() == 1 && norm->getEpsilon() == 1e-5f && norm->getComputePrecision() == DataType::kFLOAT,
        "addNormalization (instance norm) and its defaults");
    if (!norm) return;
    norm->setEpsilon(1e-3f);
    norm->setComputePrecision(DataType::kHALF);
    norm->setAxes(1U << 3);
    CHECK(norm->getEpsilon() == 1e-3f && norm->getComputePrecision() == DataType::kHALF && norm->getAxes() == 8U,
        "normalization setEpsilon/setComputePrecision/setAxes read back");
    norm->setNbGroups(2);
    CHECK(norm->getNbGroups() == 2, "normalization setNbGroups read back");

    ITensor* seq = n.net->addInput("seq", DataType::kFLOAT, makeDims({2, 5}));
    ITensor* bounds = n.net->addInput("bounds", DataType::kINT32, makeDims({2, 1}));
    IRaggedSoftMaxLayer* ragged = n.net->addRaggedSoftMax(*seq, *bounds);
    CHECK(ragged && ragged->getType() == LayerType::kRAGGED_SOFTMAX && dimsAre(ragged->getOutput(0)->getDimensions(), {2, 5}), "addRaggedSoftMax");
}

void testReductions()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 4, 2, 2}));
    IReduceLayer* red = n.net->addReduce(*x, ReduceOperation::kSUM, 1U << 1, true);
    CHECK(red && dimsAre(red->getOutput(0)->getDimensions(), {1, 1, 2, 2}), "addReduce kSUM over axis 1, keeping it");
    if (!red) return;
    red->setOperation(ReduceOperation::kAVG);
    red->setReduceAxes((1U << 2) | (1U << 3));
    red->setKeepDimensions(false);
    CHECK(red->getOperation() == ReduceOperation::kAVG && red->getReduceAxes() == 12U && !red->getKeepDimensions(), "reduce setters read back");
    CHECK(dimsAre(red->getOutput(0)->getDimensions(), {1, 4}), "reduce output follows the new axes");

    ITopKLayer* topk = n.net->addTopK(*x, TopKOperation::kMAX, 2, 1U << 1);
    CHECK(topk && topk->getNbOutputs() == 2 && topk->getOutput(1)->getType() == DataType::kINT32, "addTopK: values and kINT32 indices");
    if (!topk) return;
    topk->setOperation(TopKOperation::kMIN);
    topk->setK(3);
    topk->setReduceAxes(1U << 3);
    CHECK(topk->getOperation() == TopKOperation::kMIN && topk->getK() == 3 && topk->getReduceAxes() == 8U, "top-k setters read back");
    size_t mark = gLogger.errors.size();
    CHECK(topk->getOutput(0)->getDimensions().nbDims == -1 && gLogger.errorSince(mark, "at least k = 3"),
        "top-k with k = 3 over an axis of 2 is reported when its shape is read");
    topk->setK(2);
    CHECK(dimsAre(topk->getOutput(0)->getDimensions(), {1, 4, 2, 2}), "top-k output [1,4,2,2] after setK(2)");
}

void testQuantization()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 4, 2, 2}));
    float qs = 0.05f;
    IConstantLayer* qscale = n.net->addConstant(Dims{0, {}}, Weights{DataType::kFLOAT, &qs, 1});
    IQuantizeLayer* q = qscale ? n.net->addQuantize(*x, *qscale->getOutput(0)) : nullptr;
    CHECK(q && q->getOutput(0)->getType() == DataType::kINT8, "addQuantize gives kINT8");
    if (!q) return;
    q->setAxis(1);
    CHECK(q->getAxis() == 1, "quantize setAxis read back");
    IDequantizeLayer* dq = n.net->addDequantize(*q->getOutput(0), *qscale->getOutput(0));
    CHECK(dq && dq->getOutput(0)->getType() == DataType::kFLOAT, "addDequantize gives kFLOAT");
    if (!dq) return;
    dq->setAxis(0);
    CHECK(dq->getAxis() == 0, "dequantize setAxis read back");
    // A zero point of zeros (input 2).
    int8_t zeroPoint = 0;
    IConstantLayer* zp = n.net->addConstant(Dims{0, {}}, Weights{DataType::kINT8, &zeroPoint, 1});
    if (zp) q->setInput(2, *zp->getOutput(0));
    CHECK(q->getNbInputs() == 3 && q->getInput(2) == zp->getOutput(0), "quantize setInput(2, zero point)");
}

// Einsum: an array of tensors and a string parameter; then one run of einsum into top-k.
void testEinsumAndRun()
{
    Net n;
    ITensor* a = n.net->addInput("a", DataType::kFLOAT, makeDims({2, 3}));
    std::vector<float> wv = values(12, 5);
    IConstantLayer* w = n.net->addConstant(makeDims({3, 4}), weightsOf(wv));
    if (!a || !w) return;
    ITensor* operands[2] = {a, w->getOutput(0)};
    IEinsumLayer* ein = n.net->addEinsum(operands, 2, "ij, jk -> ik");
    CHECK(ein && ein->getNbInputs() == 2 && dimsAre(ein->getOutput(0)->getDimensions(), {2, 4}), "addEinsum of two tensors");
    if (!ein) return;
    char const* eq = ein->getEquation();
    CHECK(eq && std::strcmp(eq, "ij, jk -> ik") == 0 && ein->getEquation() == eq, "einsum getEquation (a stable pointer)");
    CHECK(ein->setEquation("ij,jk->ki"), "einsum setEquation returns true");
    CHECK(std::strcmp(ein->getEquation(), "ij,jk->ki") == 0 && dimsAre(ein->getOutput(0)->getDimensions(), {4, 2}), "einsum output follows the new equation");
    ein->setEquation("ij,jk->ik");
    size_t mark = gLogger.errors.size();
    ITensor* withNull[2] = {a, nullptr};
    CHECK(n.net->addEinsum(withNull, 2, "ij,jk->ik") == nullptr && gLogger.errorSince(mark, "addEinsum"), "addEinsum refuses a null tensor in the array");
    mark = gLogger.errors.size();
    CHECK(n.net->addEinsum(nullptr, 1, "ij->ji") == nullptr && gLogger.errorSince(mark), "addEinsum refuses a null array");
    mark = gLogger.errors.size();
    CHECK(n.net->addEinsum(operands, 1, "ii->i") == nullptr && gLogger.errorSince(mark, "diagonals"), "addEinsum refuses a diagonal");

    // top-2 (kMAX) over the rows of a · W.
    ITopKLayer* best = n.net->addTopK(*ein->getOutput(0), TopKOperation::kMAX, 2, 1U << 1);
    if (!best) return;
    best->getOutput(0)->setName("best");
    best->getOutput(1)->setName("where");
    n.net->markOutput(*best->getOutput(0));
    n.net->markOutput(*best->getOutput(1));
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    mark = gLogger.errors.size();
    Ptr<IHostMemory> plan(config ? n.builder->buildSerializedNetwork(*n.net, *config) : nullptr);
    CHECK(plan != nullptr && !gLogger.errorSince(mark), "einsum then top-k builds");
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx)
    {
        CHECK(false, "einsum then top-k: engine and context");
        return;
    }
    std::vector<float> av = values(6, 6), vals(4, -7.f);
    std::vector<int32_t> idx(4, -7);
    ctx->setTensorAddress("a", av.data());
    ctx->setTensorAddress("best", vals.data());
    ctx->setTensorAddress("where", idx.data());
    bool ran = ctx->enqueueV3(nullptr);
    CHECK(ran, "einsum then top-k runs");
    bool valuesOk = ran, indicesOk = ran;
    for (int i = 0; i < 2; ++i)
    {
        double row[4];
        for (int k = 0; k < 4; ++k)
        {
            row[k] = 0;
            for (int j = 0; j < 3; ++j) row[k] += double(av[i * 3 + j]) * wv[j * 4 + k];
        }
        int first = static_cast<int>(std::max_element(row, row + 4) - row);
        int second = -1;
        for (int k = 0; k < 4; ++k)
            if (k != first && (second < 0 || row[k] > row[second])) second = k;
        valuesOk = valuesOk && std::fabs(vals[i * 2] - row[first]) <= 1e-5 && std::fabs(vals[i * 2 + 1] - row[second]) <= 1e-5;
        indicesOk = indicesOk && idx[i * 2] == first && idx[i * 2 + 1] == second;
    }
    CHECK(valuesOk, "einsum then top-k: values match the reference");
    CHECK(indicesOk, "einsum then top-k: indices match the reference");
}

} // namespace

int main()
{
    testUnaryAndScale();
    testNormalizations();
    testReductions();
    testQuantization();
    testEinsumAndRun();
    return finish("layers_math");
}
