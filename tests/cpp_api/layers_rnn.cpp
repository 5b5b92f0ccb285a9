// layers_rnn.cpp: IRNNv2Layer through the TensorRT 8.6 C++ API: addRNNv2, every getter
// against its setter, the optional inputs (sequence lengths, initial hidden and cell
// states), weights and biases per (layer index, gate, W or R) and the errors for indices
// and gates that do not exist, missing weights reported at build time, and networks built,
// run on host buffers (this machine's engines run on the CPU backend) and compared with
// values worked out by hand.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "checks.h"

using namespace nvinfer1;

namespace
{

// Counts errors and keeps the last one.
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

bool near(std::vector<float> const& got, std::vector<float> const& want, float tol)
{
    if (got.size() != want.size()) return false;
    for (size_t i = 0; i < got.size(); ++i)
        if (std::fabs(got[i] - want[i]) > tol * std::fmax(1.0f, std::fabs(want[i]))) return false;
    return true;
}

// A fresh explicit-batch network (the builder outlives it).
struct Net
{
    Ptr<IBuilder> builder{createInferBuilder(gLogger)};
    Ptr<INetworkDefinition> net{builder ? builder->createNetworkV2(1U) : nullptr};
};

// Weights of `n` copies of `v`, kept alive by `store` (the layer copies them).
Weights filled(std::vector<std::vector<float>>& store, size_t n, float v)
{
    store.emplace_back(n, v);
    return Weights{DataType::kFLOAT, store.back().data(), static_cast<int64_t>(n)};
}

// Every gate of every layer index: W = 1 (absent under kSKIP for the first layer), R = 1,
// both biases 0.
void setOnes(IRNNv2Layer& rnn, std::vector<std::vector<float>>& store, std::initializer_list<RNNGateType> gates)
{
    int32_t const h = rnn.getHiddenSize();
    int32_t const dirs = rnn.getDirection() == RNNDirection::kBIDIRECTION ? 2 : 1;
    for (int32_t p = 0; p < rnn.getLayerCount() * dirs; ++p)
    {
        int32_t const in = p < dirs ? rnn.getDataLength() : dirs * h;
        for (RNNGateType g : gates)
        {
            if (!(p < dirs && rnn.getInputMode() == RNNInputMode::kSKIP))
                rnn.setWeightsForGate(p, g, true, filled(store, static_cast<size_t>(h * in), 1.0f));
            rnn.setWeightsForGate(p, g, false, filled(store, static_cast<size_t>(h * h), 1.0f));
            rnn.setBiasForGate(p, g, true, filled(store, static_cast<size_t>(h), 0.0f));
            rnn.setBiasForGate(p, g, false, filled(store, static_cast<size_t>(h), 0.0f));
        }
    }
}

void testSettersAndGetters()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({2, 4, 7}));
    IRNNv2Layer* rnn = n.net->addRNNv2(*x, 2, 3, 4, RNNOperation::kGRU);
    CHECK(rnn != nullptr && rnn->getType() == LayerType::kRNN_V2, "addRNNv2 gives an IRNNv2Layer (kRNN_V2)");
    if (!rnn) return;
    CHECK(rnn->getLayerCount() == 2 && rnn->getHiddenSize() == 3 && rnn->getMaxSeqLength() == 4 && rnn->getDataLength() == 7,
        "getLayerCount, getHiddenSize, getMaxSeqLength as given; getDataLength the input's last dim");
    CHECK(rnn->getOperation() == RNNOperation::kGRU && rnn->getInputMode() == RNNInputMode::kLINEAR
            && rnn->getDirection() == RNNDirection::kUNIDIRECTION,
        "defaults: the given operation, kLINEAR, kUNIDIRECTION");
    CHECK(rnn->getNbInputs() == 1 && rnn->getNbOutputs() == 3, "one input, three outputs");
    CHECK(dimsAre(rnn->getOutput(0)->getDimensions(), {2, 4, 3}) && dimsAre(rnn->getOutput(1)->getDimensions(), {2, 2, 3})
            && dimsAre(rnn->getOutput(2)->getDimensions(), {2, 2, 0}),
        "outputs [N, S, H], [N, L, H] and an empty cell state for kGRU, before any weight is set");
    rnn->setDirection(RNNDirection::kBIDIRECTION);
    CHECK(rnn->getDirection() == RNNDirection::kBIDIRECTION, "setDirection/getDirection");
    rnn->setInputMode(RNNInputMode::kSKIP);
    CHECK(rnn->getInputMode() == RNNInputMode::kSKIP, "setInputMode/getInputMode");
    rnn->setInputMode(RNNInputMode::kLINEAR);
    rnn->setOperation(RNNOperation::kLSTM);
    CHECK(rnn->getOperation() == RNNOperation::kLSTM, "setOperation/getOperation");

    // Weights and biases per (layer index, gate, W or R): kept apart, copied, typed.
    std::vector<float> w(21);
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i);
    std::vector<float> r(9, 2.0f), b(3, -1.0f);
    rnn->setWeightsForGate(3, RNNGateType::kFORGET, true, Weights{DataType::kFLOAT, w.data(), 18});
    rnn->setWeightsForGate(3, RNNGateType::kFORGET, false, Weights{DataType::kFLOAT, r.data(), 9});
    rnn->setBiasForGate(0, RNNGateType::kCELL, false, Weights{DataType::kFLOAT, b.data(), 3});
    w[5] = 100.0f;
    Weights gw = rnn->getWeightsForGate(3, RNNGateType::kFORGET, true);
    Weights gr = rnn->getWeightsForGate(3, RNNGateType::kFORGET, false);
    Weights gb = rnn->getBiasForGate(0, RNNGateType::kCELL, false);
    CHECK(gw.type == DataType::kFLOAT && gw.count == 18 && gw.values && static_cast<float const*>(gw.values)[5] == 5.0f
            && static_cast<float const*>(gw.values)[17] == 17.0f,
        "setWeightsForGate/getWeightsForGate (W, layer index 3): a copy of the values");
    CHECK(gr.count == 9 && static_cast<float const*>(gr.values)[8] == 2.0f, "getWeightsForGate (R) is the R matrix");
    CHECK(gb.count == 3 && static_cast<float const*>(gb.values)[0] == -1.0f, "setBiasForGate/getBiasForGate (R bias)");
    CHECK(rnn->getBiasForGate(0, RNNGateType::kCELL, true).count == 0 && rnn->getWeightsForGate(0, RNNGateType::kINPUT, true).values == nullptr,
        "weights and biases not set read as empty");
    int before = gLogger.errors;
    rnn->setWeightsForGate(4, RNNGateType::kINPUT, true, Weights{DataType::kFLOAT, w.data(), 18});
    CHECK(gLogger.errors > before && gLogger.last.find("layer index 4") != std::string::npos,
        "setWeightsForGate: layer index 4 of 2 bidirectional layers is refused with an error");
    before = gLogger.errors;
    rnn->setBiasForGate(0, RNNGateType::kUPDATE, true, Weights{DataType::kFLOAT, b.data(), 3});
    CHECK(gLogger.errors > before && gLogger.last.find("not a gate") != std::string::npos, "setBiasForGate: kUPDATE is not an LSTM gate");
    before = gLogger.errors;
    Weights none = rnn->getWeightsForGate(-1, RNNGateType::kINPUT, true);
    CHECK(gLogger.errors > before && none.count == 0 && none.values == nullptr, "getWeightsForGate with a bad index: an error, empty weights");

    // The optional inputs.
    ITensor* lens = n.net->addInput("lens", DataType::kINT32, makeDims({2}));
    ITensor* h0 = n.net->addInput("h0", DataType::kFLOAT, makeDims({2, 4, 3}));
    ITensor* c0 = n.net->addInput("c0", DataType::kFLOAT, makeDims({2, 4, 3}));
    CHECK(rnn->getSequenceLengths() == nullptr && rnn->getHiddenState() == nullptr && rnn->getCellState() == nullptr,
        "no sequence lengths or states until they are set");
    rnn->setSequenceLengths(*lens);
    rnn->setHiddenState(*h0);
    rnn->setCellState(*c0);
    CHECK(rnn->getSequenceLengths() == lens && rnn->getInput(1) == lens, "setSequenceLengths/getSequenceLengths (input 1)");
    CHECK(rnn->getHiddenState() == h0 && rnn->getInput(2) == h0, "setHiddenState/getHiddenState (input 2)");
    CHECK(rnn->getCellState() == c0 && rnn->getInput(3) == c0, "setCellState/getCellState (input 3)");
    rnn->setOperation(RNNOperation::kTANH);
    before = gLogger.errors;
    rnn->setCellState(*h0);
    CHECK(gLogger.errors > before && rnn->getCellState() == c0, "setCellState on a kTANH layer is an error and changes nothing");
}

// Bidirectional kRELU, every weight 1 and bias 0, x all ones [2, 4, 7], H = 5, lengths
// [4, 2]. Each unit of a step is 7 (W.x) + 5 * the previous step's unit (R.h):
//   sequence 0: forward 7, 42, 217, 1092; backward from t = 3 down: 7, 42, 217, 1092, so
//     rows t: [7 | 1092], [42 | 217], [217 | 42], [1092 | 7];
//   sequence 1 (2 steps): forward 7, 42; backward starts at its last step t = 1: 7, then 42
//     at t = 0: rows [7 | 42], [42 | 7], then zeros.
// Final hidden states [2, 2, 5]: sequence 0 1092 (forward) and 1092 (backward: t = 0);
// sequence 1 42 and 42.
void testBidirectionalRelu()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({2, 4, 7}));
    ITensor* lens = n.net->addInput("lens", DataType::kINT32, makeDims({2}));
    IRNNv2Layer* rnn = n.net->addRNNv2(*x, 1, 5, 4, RNNOperation::kRELU);
    if (!rnn) return;
    rnn->setDirection(RNNDirection::kBIDIRECTION);
    rnn->setSequenceLengths(*lens);
    std::vector<std::vector<float>> store;
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    rnn->getOutput(0)->setName("y");
    rnn->getOutput(1)->setName("h");
    n.net->markOutput(*rnn->getOutput(0));
    n.net->markOutput(*rnn->getOutput(1));

    int before = gLogger.errors;
    Ptr<IHostMemory> bad(n.builder->buildSerializedNetwork(*n.net, *config));
    CHECK(bad == nullptr && gLogger.errors > before && gLogger.last.find("setWeightsForGate") != std::string::npos,
        "building without weights fails with an error naming setWeightsForGate");
    setOnes(*rnn, store, {RNNGateType::kINPUT});
    std::vector<float> half(2, 1.0f);
    rnn->setBiasForGate(1, RNNGateType::kINPUT, false, Weights{DataType::kFLOAT, half.data(), 2});
    before = gLogger.errors;
    bad.reset(n.builder->buildSerializedNetwork(*n.net, *config));
    CHECK(bad == nullptr && gLogger.errors > before && gLogger.last.find("R bias of gate kINPUT in layer index 1") != std::string::npos,
        "building with a bias of 2 values for H = 5 fails with an error naming it");
    rnn->setBiasForGate(1, RNNGateType::kINPUT, false, filled(store, 5, 0.0f));
    CHECK(dimsAre(rnn->getOutput(0)->getDimensions(), {2, 4, 10}) && dimsAre(rnn->getOutput(1)->getDimensions(), {2, 2, 5})
            && dimsAre(rnn->getOutput(2)->getDimensions(), {2, 2, 0}),
        "outputs [N, S, 2H], [N, 2L, H], and an empty cell state for kRELU");

    Ptr<IHostMemory> plan(n.builder->buildSerializedNetwork(*n.net, *config));
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    CHECK(ctx != nullptr, "the bidirectional kRELU network builds and loads");
    if (!ctx) return;
    std::vector<float> vx(56, 1.0f), y(80, -1.0f), h(20, -1.0f);
    std::vector<int32_t> vl{4, 2};
    bool ran = ctx->setTensorAddress("x", vx.data()) && ctx->setTensorAddress("lens", vl.data()) && ctx->setTensorAddress("y", y.data())
        && ctx->setTensorAddress("h", h.data()) && ctx->enqueueV3(nullptr);
    std::vector<float> wantY;
    float const rows[8][2] = {{7, 1092}, {42, 217}, {217, 42}, {1092, 7}, {7, 42}, {42, 7}, {0, 0}, {0, 0}};
    for (auto const& row : rows)
        for (float v : row) wantY.insert(wantY.end(), 5, v);
    std::vector<float> wantH;
    for (float v : {1092.0f, 1092.0f, 42.0f, 42.0f}) wantH.insert(wantH.end(), 5, v);
    CHECK(ran && y == wantY, "bidirectional kRELU outputs per step, worked out by hand (the backward direction starts at each length)");
    CHECK(ran && h == wantH, "bidirectional kRELU final hidden states [forward, backward] per sequence");
}

// kLSTM, every weight 1 and bias 0, x all ones [1, 4, 7], H = 5, zero initial states given
// as inputs: every gate sees p = 7 + 5 H[t-1]; i = f = o = sigmoid(p), c = tanh(p),
// C[t] = f C[t-1] + i c, H[t] = o tanh(C[t]): H = 0.7605171, 0.9639405, 0.9950378, 0.9993217
// and the final cell state 3.9989994.
void testLstm()
{
    Net n;
    ITensor* x = n.net->addInput("x", DataType::kFLOAT, makeDims({1, 4, 7}));
    ITensor* h0 = n.net->addInput("h0", DataType::kFLOAT, makeDims({1, 1, 5}));
    ITensor* c0 = n.net->addInput("c0", DataType::kFLOAT, makeDims({1, 1, 5}));
    IRNNv2Layer* rnn = n.net->addRNNv2(*x, 1, 5, 4, RNNOperation::kLSTM);
    if (!rnn) return;
    rnn->setHiddenState(*h0);
    rnn->setCellState(*c0);
    std::vector<std::vector<float>> store;
    setOnes(*rnn, store, {RNNGateType::kINPUT, RNNGateType::kFORGET, RNNGateType::kCELL, RNNGateType::kOUTPUT});
    rnn->getOutput(0)->setName("y");
    rnn->getOutput(2)->setName("c");
    n.net->markOutput(*rnn->getOutput(0));
    n.net->markOutput(*rnn->getOutput(2));
    Ptr<IBuilderConfig> config(n.builder->createBuilderConfig());
    Ptr<IHostMemory> plan(config ? n.builder->buildSerializedNetwork(*n.net, *config) : nullptr);
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    CHECK(ctx != nullptr, "the kLSTM network builds and loads");
    if (!ctx) return;
    std::vector<float> vx(28, 1.0f), zeros(5, 0.0f), y(20, -1.0f), c(5, -1.0f);
    bool ran = ctx->setTensorAddress("x", vx.data()) && ctx->setTensorAddress("h0", zeros.data())
        && ctx->setTensorAddress("c0", zeros.data()) && ctx->setTensorAddress("y", y.data()) && ctx->setTensorAddress("c", c.data())
        && ctx->enqueueV3(nullptr);
    std::vector<float> wantY;
    for (float v : {0.7605171f, 0.9639405f, 0.9950378f, 0.9993217f}) wantY.insert(wantY.end(), 5, v);
    CHECK(ran && near(y, wantY, 1e-5f), "kLSTM hidden states per step, worked out by hand");
    CHECK(ran && near(c, std::vector<float>(5, 3.9989994f), 1e-5f), "kLSTM final cell state (output 2)");
}

} // namespace

int main()
{
    testSettersAndGetters();
    testBidirectionalRelu();
    testLstm();
    return finish("layers_rnn");
}
