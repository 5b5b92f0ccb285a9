// network_api.cpp: the TensorRT 8.6 C++ API as an application uses it, against the installed
// prefix (dist/include, dist/lib). Networks are built layer by layer, serialized, deserialized
// and run on host buffers (this machine's engines run on the CPU backend, kHOST), and every
// result is compared with a reference computed here in plain C++. Also: object identity,
// getters against setters, error paths (null/false plus a report, never a crash), engine
// queries, the legacy binding API, threads, deprecated destroy(), entry points and plugins.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"
#include "NvInferPlugin.h"
#include "NvOnnxParser.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace nvinfer1;

namespace
{

// ---- checks ------------------------------------------------------------------------------

int gPassed = 0;
int gFailed = 0;

void dumpRecentLog();

void check(bool ok, std::string const& what, int line)
{
    if (ok)
    {
        ++gPassed;
        std::printf("ok   %s\n", what.c_str());
    }
    else
    {
        ++gFailed;
        std::printf("FAIL %s (network_api.cpp:%d)\n", what.c_str(), line);
        dumpRecentLog();
    }
    std::fflush(stdout);
}

#define CHECK(cond, what) check(static_cast<bool>(cond), (what), __LINE__)

// ---- logger ------------------------------------------------------------------------------

// Keeps every message; thread safe (the library may log from any thread).
class TestLogger : public ILogger
{
public:
    struct Entry
    {
        Severity severity;
        std::string text;
    };

    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mEntries.push_back(Entry{severity, msg ? msg : "(null)"});
        if (std::getenv("CPP_API_VERBOSE"))
            std::fprintf(stderr, "[log %d] %s\n", static_cast<int>(severity), msg ? msg : "(null)");
    }

    size_t mark() const
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return mEntries.size();
    }

    // Messages since `from` at `severity` or more severe, optionally containing `needle`.
    int countSince(size_t from, Severity severity, char const* needle = nullptr) const
    {
        std::lock_guard<std::mutex> lock(mMutex);
        int n = 0;
        for (size_t i = from; i < mEntries.size(); ++i)
            if (mEntries[i].severity <= severity && (!needle || mEntries[i].text.find(needle) != std::string::npos))
                ++n;
        return n;
    }

    bool errorSince(size_t from, char const* needle = nullptr) const
    {
        return countSince(from, Severity::kERROR, needle) > 0;
    }

    std::vector<Entry> tail(size_t n) const
    {
        std::lock_guard<std::mutex> lock(mMutex);
        size_t start = mEntries.size() > n ? mEntries.size() - n : 0;
        return std::vector<Entry>(mEntries.begin() + static_cast<std::ptrdiff_t>(start), mEntries.end());
    }

private:
    mutable std::mutex mMutex;
    std::vector<Entry> mEntries;
};

// One logger for the whole program: the library reports some messages (such as "not
// implemented") to the logger it was given last, so a single one sees everything.
TestLogger gLogger;

void dumpRecentLog()
{
    for (TestLogger::Entry const& e : gLogger.tail(3))
        std::printf("     | log[%d] %s\n", static_cast<int>(e.severity), e.text.c_str());
}

// ---- error recorder ----------------------------------------------------------------------

class TestRecorder : public IErrorRecorder
{
public:
    int32_t getNbErrors() const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return static_cast<int32_t>(mErrors.size());
    }
    ErrorCode getErrorCode(int32_t i) const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return i >= 0 && i < static_cast<int32_t>(mErrors.size()) ? mErrors[i].first : ErrorCode::kUNSPECIFIED_ERROR;
    }
    ErrorDesc getErrorDesc(int32_t i) const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        return i >= 0 && i < static_cast<int32_t>(mErrors.size()) ? mErrors[i].second.c_str() : "";
    }
    bool hasOverflowed() const noexcept override
    {
        return false;
    }
    void clear() noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mErrors.clear();
    }
    bool reportError(ErrorCode code, ErrorDesc desc) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mErrors.emplace_back(code, desc ? desc : "");
        return true;
    }
    RefCount incRefCount() noexcept override
    {
        return ++mRefs;
    }
    RefCount decRefCount() noexcept override
    {
        return --mRefs;
    }
    RefCount refs() const
    {
        return mRefs;
    }

private:
    mutable std::mutex mMutex;
    std::vector<std::pair<ErrorCode, std::string>> mErrors;
    RefCount mRefs{0};
};

// ---- helpers -----------------------------------------------------------------------------

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

std::string dimsStr(Dims const& d)
{
    std::string s = "[";
    for (int32_t i = 0; i < d.nbDims; ++i) s += (i ? "," : "") + std::to_string(d.d[i]);
    return s + "] (nbDims " + std::to_string(d.nbDims) + ")";
}

Weights weightsOf(std::vector<float> const& v)
{
    return Weights{DataType::kFLOAT, v.data(), static_cast<int64_t>(v.size())};
}

Weights noWeights()
{
    return Weights{DataType::kFLOAT, nullptr, 0};
}

// Values in [-1, -0.05] U [0.05, 1]: random, never zero.
std::vector<float> randomValues(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> mag(0.05f, 1.0f);
    std::bernoulli_distribution sign(0.5);
    std::vector<float> v(n);
    for (float& x : v) x = sign(rng) ? mag(rng) : -mag(rng);
    return v;
}

bool sameWeights(Weights const& w, std::vector<float> const& v)
{
    if (w.count != static_cast<int64_t>(v.size()) || w.type != DataType::kFLOAT || (!v.empty() && !w.values)) return false;
    return v.empty() || std::memcmp(w.values, v.data(), v.size() * sizeof(float)) == 0;
}

// Relative tolerance 1e-5; magnitudes below 0.1 are compared as if they were 0.1.
bool allClose(std::vector<float> const& got, std::vector<double> const& ref, std::string* why = nullptr)
{
    if (got.size() != ref.size())
    {
        if (why) *why = "sizes " + std::to_string(got.size()) + " vs " + std::to_string(ref.size());
        return false;
    }
    for (size_t i = 0; i < got.size(); ++i)
    {
        double tol = 1e-5 * std::max(std::fabs(ref[i]), 0.1);
        if (!(std::fabs(got[i] - ref[i]) <= tol))
        {
            if (why) *why = "element " + std::to_string(i) + ": got " + std::to_string(got[i]) + ", want " + std::to_string(ref[i]);
            return false;
        }
    }
    return true;
}

// One check: `ran` (the inference succeeded) and `got` is close to `ref`; says where not.
void checkClose(bool ran, std::vector<float> const& got, std::vector<double> const& ref, std::string const& what, int line)
{
    std::string why;
    bool ok = ran && allClose(got, ref, &why);
    check(ok, ok ? what : what + (ran ? " (" + why + ")" : " (the inference failed)"), line);
}

#define CHECK_CLOSE(ran, got, ref, what) checkClose((ran), (got), (ref), (what), __LINE__)

bool bitEqual(std::vector<float> const& a, std::vector<float> const& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

template <typename T>
using Ptr = std::unique_ptr<T>;

Ptr<IHostMemory> buildPlan(IBuilder& builder, INetworkDefinition& network)
{
    Ptr<IBuilderConfig> config(builder.createBuilderConfig());
    if (!config) return nullptr;
    return Ptr<IHostMemory>(builder.buildSerializedNetwork(network, *config));
}

// Runs one inference through enqueueV3 on host buffers; false if any step fails.
bool infer(IExecutionContext& ctx, char const* inName, std::vector<float> const& in, char const* outName, std::vector<float>& out)
{
    if (!ctx.setTensorAddress(inName, const_cast<float*>(in.data()))) return false;
    if (!ctx.setTensorAddress(outName, out.data())) return false;
    return ctx.enqueueV3(nullptr);
}

// ---- reference implementations (double precision) ------------------------------------------

struct Tensor4
{
    int n, c, h, w;
    std::vector<double> v;
    double& at(int a, int b, int y, int x) { return v[((static_cast<size_t>(a) * c + b) * h + y) * w + x]; }
};

// 2-D convolution with symmetric padding, stride, dilation and groups (NCHW, KCRS weights).
Tensor4 refConv(Tensor4& x, std::vector<float> const& w, std::vector<float> const& b, int k, int r, int s, int sh, int sw,
    int ph, int pw, int dh, int dw, int groups)
{
    Tensor4 y;
    y.n = x.n;
    y.c = k;
    y.h = (x.h + 2 * ph - (dh * (r - 1) + 1)) / sh + 1;
    y.w = (x.w + 2 * pw - (dw * (s - 1) + 1)) / sw + 1;
    y.v.assign(static_cast<size_t>(y.n) * y.c * y.h * y.w, 0.0);
    int cpg = x.c / groups, kpg = k / groups;
    for (int n = 0; n < y.n; ++n)
        for (int oc = 0; oc < k; ++oc)
            for (int oy = 0; oy < y.h; ++oy)
                for (int ox = 0; ox < y.w; ++ox)
                {
                    double acc = b.empty() ? 0.0 : b[oc];
                    int g = oc / kpg;
                    for (int ic = 0; ic < cpg; ++ic)
                        for (int ky = 0; ky < r; ++ky)
                            for (int kx = 0; kx < s; ++kx)
                            {
                                int iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
                                if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                                acc += x.at(n, g * cpg + ic, iy, ix) * w[((static_cast<size_t>(oc) * cpg + ic) * r + ky) * s + kx];
                            }
                    y.at(n, oc, oy, ox) = acc;
                }
    return y;
}

Tensor4 refMaxPool(Tensor4& x, int kh, int kw, int sh, int sw)
{
    Tensor4 y;
    y.n = x.n;
    y.c = x.c;
    y.h = (x.h - kh) / sh + 1;
    y.w = (x.w - kw) / sw + 1;
    y.v.assign(static_cast<size_t>(y.n) * y.c * y.h * y.w, 0.0);
    for (int n = 0; n < y.n; ++n)
        for (int c = 0; c < y.c; ++c)
            for (int oy = 0; oy < y.h; ++oy)
                for (int ox = 0; ox < y.w; ++ox)
                {
                    double best = -1e300;
                    for (int ky = 0; ky < kh; ++ky)
                        for (int kx = 0; kx < kw; ++kx) best = std::max(best, x.at(n, c, oy * sh + ky, ox * sw + kx));
                    y.at(n, c, oy, ox) = best;
                }
    return y;
}

// ---- the layer-by-layer network ------------------------------------------------------------
//
//   x [1,2,5,5] -> conv 3 maps 3x3, padding (2,2), stride (1,2) -> [1,3,7,4] -> ReLU
//   -> max pool 2x2 -> [1,3,3,2] -> shuffle: transpose (0,2,3,1) -> [1,3,2,3], reshape [1,6,3]
//   -> + constant B [1,1,3] (broadcast) -> matmul with constant W [1,4,3] transposed -> [1,6,4]
//   -> softmax over axis 2 -> "prob" [1,6,4]

struct BigNet
{
    std::vector<float> convW = randomValues(3 * 2 * 3 * 3, 11);
    std::vector<float> convB = randomValues(3, 12);
    std::vector<float> bias = randomValues(3, 13);     // constant B [1,1,3]
    std::vector<float> matrix = randomValues(12, 14);  // constant W [1,4,3]

    static constexpr size_t kInputSize = 1 * 2 * 5 * 5;
    static constexpr size_t kOutputSize = 1 * 6 * 4;

    // Layers, in the order they were added.
    IConvolutionLayer* conv{};
    IActivationLayer* relu{};
    IPoolingLayer* pool{};
    IShuffleLayer* shuffle{};
    IConstantLayer* biasConst{};
    IElementWiseLayer* sum{};
    IConstantLayer* matrixConst{};
    IMatrixMultiplyLayer* matmul{};
    ISoftMaxLayer* softmax{};
    ITensor* input{};

    // Adds the layers to `net`; false if any add* returned null.
    bool define(INetworkDefinition& net)
    {
        input = net.addInput("x", DataType::kFLOAT, makeDims({1, 2, 5, 5}));
        if (!input) return false;
        conv = net.addConvolutionNd(*input, 3, makeDims({3, 3}), weightsOf(convW), weightsOf(convB));
        if (!conv) return false;
        conv->setPaddingNd(makeDims({2, 2}));
        conv->setStrideNd(makeDims({1, 2}));
        relu = net.addActivation(*conv->getOutput(0), ActivationType::kRELU);
        if (!relu) return false;
        pool = net.addPoolingNd(*relu->getOutput(0), PoolingType::kMAX, makeDims({2, 2}));
        if (!pool) return false;
        shuffle = net.addShuffle(*pool->getOutput(0));
        if (!shuffle) return false;
        Permutation perm{};
        perm.order[0] = 0;
        perm.order[1] = 2;
        perm.order[2] = 3;
        perm.order[3] = 1;
        shuffle->setFirstTranspose(perm);
        shuffle->setReshapeDimensions(makeDims({1, 6, 3}));
        biasConst = net.addConstant(makeDims({1, 1, 3}), weightsOf(bias));
        if (!biasConst) return false;
        sum = net.addElementWise(*shuffle->getOutput(0), *biasConst->getOutput(0), ElementWiseOperation::kSUM);
        if (!sum) return false;
        matrixConst = net.addConstant(makeDims({1, 4, 3}), weightsOf(matrix));
        if (!matrixConst) return false;
        matmul = net.addMatrixMultiply(*sum->getOutput(0), MatrixOperation::kNONE, *matrixConst->getOutput(0), MatrixOperation::kTRANSPOSE);
        if (!matmul) return false;
        softmax = net.addSoftMax(*matmul->getOutput(0));
        if (!softmax) return false;
        softmax->setAxes(1U << 2);
        softmax->getOutput(0)->setName("prob");
        net.markOutput(*softmax->getOutput(0));
        return true;
    }

    std::vector<double> reference(std::vector<float> const& xin) const
    {
        Tensor4 x{1, 2, 5, 5, std::vector<double>(xin.begin(), xin.end())};
        Tensor4 c = refConv(x, convW, convB, 3, 3, 3, 1, 2, 2, 2, 1, 1, 1);
        for (double& v : c.v) v = std::max(v, 0.0);
        Tensor4 p = refMaxPool(c, 2, 2, 2, 2); // [1,3,3,2]
        // transpose (0,2,3,1): [1,3,2,3] = [h][w][c]; reshape [6,3]: row = h*2 + w, column = c.
        double s[6][3];
        for (int h = 0; h < 3; ++h)
            for (int w = 0; w < 2; ++w)
                for (int ch = 0; ch < 3; ++ch) s[h * 2 + w][ch] = p.at(0, ch, h, w) + bias[ch];
        std::vector<double> out(kOutputSize);
        for (int i = 0; i < 6; ++i)
        {
            double z[4], mx = -1e300, total = 0;
            for (int k = 0; k < 4; ++k)
            {
                z[k] = 0;
                for (int j = 0; j < 3; ++j) z[k] += s[i][j] * matrix[k * 3 + j];
                mx = std::max(mx, z[k]);
            }
            for (int k = 0; k < 4; ++k) total += std::exp(z[k] - mx);
            for (int k = 0; k < 4; ++k) out[i * 4 + k] = std::exp(z[k] - mx) / total;
        }
        return out;
    }
};

// Shared by the later cases: the plan of BigNet and its weights.
BigNet gBig;
Ptr<IHostMemory> gBigPlan;

void testBigNetwork()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    CHECK(builder != nullptr, "createInferBuilder returns a builder");
    if (!builder) return;
    uint32_t explicitBatch = 1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
    Ptr<INetworkDefinition> net(builder->createNetworkV2(explicitBatch));
    CHECK(net != nullptr, "createNetworkV2(kEXPLICIT_BATCH) returns a network");
    if (!net) return;
    CHECK(&net->getBuilder() == builder.get(), "network->getBuilder() is its builder");

    bool defined = gBig.define(*net);
    CHECK(defined, "conv/relu/pool/shuffle/constant/elementwise/matmul/softmax: every add* returns a layer");
    if (!defined) return;
    BigNet& b = gBig;

    // -- shapes as the network sees them before building --
    CHECK(dimsAre(b.conv->getOutput(0)->getDimensions(), {1, 3, 7, 4}),
        "conv output shape [1,3,7,4] (padding 2,2 stride 1,2): " + dimsStr(b.conv->getOutput(0)->getDimensions()));
    CHECK(dimsAre(b.pool->getOutput(0)->getDimensions(), {1, 3, 3, 2}), "pool output shape [1,3,3,2]: " + dimsStr(b.pool->getOutput(0)->getDimensions()));
    CHECK(dimsAre(b.shuffle->getOutput(0)->getDimensions(), {1, 6, 3}), "shuffle output shape [1,6,3]: " + dimsStr(b.shuffle->getOutput(0)->getDimensions()));
    CHECK(dimsAre(b.sum->getOutput(0)->getDimensions(), {1, 6, 3}), "broadcast sum output shape [1,6,3]");
    CHECK(dimsAre(b.softmax->getOutput(0)->getDimensions(), {1, 6, 4}), "softmax output shape [1,6,4]: " + dimsStr(b.softmax->getOutput(0)->getDimensions()));
    CHECK(b.input->getType() == DataType::kFLOAT && b.softmax->getOutput(0)->getType() == DataType::kFLOAT, "tensor types are kFLOAT");

    // -- object identity --
    CHECK(net->getNbInputs() == 1 && net->getInput(0) == b.input, "network->getInput(0) is the pointer addInput returned");
    CHECK(net->getNbOutputs() == 1 && net->getOutput(0) == b.softmax->getOutput(0), "network->getOutput(0) is the marked tensor");
    CHECK(b.conv->getOutput(0) == b.conv->getOutput(0) && b.conv->getOutput(0) != nullptr, "layer->getOutput(0) twice gives the same pointer");
    CHECK(b.conv->getInput(0) == b.input, "conv->getInput(0) is the network input");
    CHECK(b.relu->getInput(0) == b.conv->getOutput(0), "relu->getInput(0) is conv->getOutput(0)");
    CHECK(b.sum->getNbInputs() == 2 && b.sum->getInput(1) == b.biasConst->getOutput(0), "sum->getInput(1) is the constant's output");
    CHECK(b.conv->getNbOutputs() == 1 && b.conv->getOutput(1) == nullptr, "getOutput(1) of a one-output layer is null");
    ILayer* const expected[] = {b.conv, b.relu, b.pool, b.shuffle, b.biasConst, b.sum, b.matrixConst, b.matmul, b.softmax};
    LayerType const types[] = {LayerType::kCONVOLUTION, LayerType::kACTIVATION, LayerType::kPOOLING, LayerType::kSHUFFLE,
        LayerType::kCONSTANT, LayerType::kELEMENTWISE, LayerType::kCONSTANT, LayerType::kMATRIX_MULTIPLY, LayerType::kSOFTMAX};
    CHECK(net->getNbLayers() == 9, "getNbLayers() == 9, got " + std::to_string(net->getNbLayers()));
    bool same = true, typed = true;
    for (int32_t i = 0; i < 9; ++i)
    {
        same = same && net->getLayer(i) == expected[i];
        typed = typed && expected[i]->getType() == types[i];
    }
    CHECK(same, "getLayer(i) returns the pointers add* returned");
    CHECK(typed, "getType() gives the right LayerType for each layer");
    CHECK(net->getLayer(9) == nullptr && net->getLayer(-1) == nullptr, "getLayer out of range gives null");

    // -- getters return what setters set --
    CHECK(dimsAre(b.conv->getKernelSizeNd(), {3, 3}), "conv getKernelSizeNd");
    CHECK(b.conv->getNbOutputMaps() == 3, "conv getNbOutputMaps");
    CHECK(dimsAre(b.conv->getStrideNd(), {1, 2}), "conv getStrideNd: " + dimsStr(b.conv->getStrideNd()));
    CHECK(dimsAre(b.conv->getPaddingNd(), {2, 2}), "conv getPaddingNd: " + dimsStr(b.conv->getPaddingNd()));
    CHECK(dimsAre(b.conv->getPrePadding(), {2, 2}) && dimsAre(b.conv->getPostPadding(), {2, 2}), "conv setPaddingNd sets pre and post padding");
    CHECK(dimsAre(b.conv->getDilationNd(), {1, 1}), "conv default dilation is 1,1");
    CHECK(b.conv->getNbGroups() == 1, "conv default groups is 1");
    CHECK(sameWeights(b.conv->getKernelWeights(), b.convW), "conv getKernelWeights gives the values given");
    CHECK(sameWeights(b.conv->getBiasWeights(), b.convB), "conv getBiasWeights gives the values given");
    CHECK(b.relu->getActivationType() == ActivationType::kRELU, "activation getActivationType");
    CHECK(b.pool->getPoolingType() == PoolingType::kMAX, "pooling getPoolingType");
    CHECK(dimsAre(b.pool->getWindowSizeNd(), {2, 2}), "pooling getWindowSizeNd");
    CHECK(dimsAre(b.pool->getStrideNd(), {2, 2}), "pooling default stride is the window: " + dimsStr(b.pool->getStrideNd()));
    CHECK(dimsAre(b.shuffle->getReshapeDimensions(), {1, 6, 3}), "shuffle getReshapeDimensions: " + dimsStr(b.shuffle->getReshapeDimensions()));
    Permutation const& first = b.shuffle->getFirstTranspose();
    CHECK(first.order[0] == 0 && first.order[1] == 2 && first.order[2] == 3 && first.order[3] == 1, "shuffle getFirstTranspose");
    Permutation const& second = b.shuffle->getSecondTranspose();
    bool identity = true;
    for (int32_t i = 0; i < Dims::MAX_DIMS; ++i) identity = identity && second.order[i] == i;
    CHECK(identity, "shuffle default second transpose is the identity");
    CHECK(b.shuffle->getZeroIsPlaceholder(), "shuffle zeroIsPlaceholder defaults to true");
    CHECK(b.softmax->getAxes() == (1U << 2), "softmax getAxes");
    CHECK(b.sum->getOperation() == ElementWiseOperation::kSUM, "elementwise getOperation");
    CHECK(b.matmul->getOperation(0) == MatrixOperation::kNONE && b.matmul->getOperation(1) == MatrixOperation::kTRANSPOSE, "matmul getOperation(0/1)");
    CHECK(dimsAre(b.matrixConst->getDimensions(), {1, 4, 3}), "constant getDimensions");
    CHECK(sameWeights(b.matrixConst->getWeights(), b.matrix), "constant getWeights gives the values given");
    CHECK(std::strcmp(b.input->getName(), "x") == 0, "input tensor getName is the addInput name");
    CHECK(std::strcmp(b.softmax->getOutput(0)->getName(), "prob") == 0, "tensor setName/getName");
    b.conv->setName("conv1");
    b.relu->setName("relu1");
    CHECK(std::strcmp(b.conv->getName(), "conv1") == 0 && std::strcmp(b.relu->getName(), "relu1") == 0, "layer setName/getName");
    CHECK(b.input->isNetworkInput() && !b.input->isNetworkOutput(), "input isNetworkInput");
    CHECK(b.softmax->getOutput(0)->isNetworkOutput() && !b.conv->getOutput(0)->isNetworkOutput(), "isNetworkOutput only on the marked tensor");

    // -- build, deserialize, run --
    size_t mark = gLogger.mark();
    gBigPlan = buildPlan(*builder, *net);
    CHECK(gBigPlan != nullptr && gBigPlan->size() > 0, "buildSerializedNetwork returns a plan");
    CHECK(!gLogger.errorSince(mark), "building a valid network logs no error");
    if (!gBigPlan) return;
    CHECK(gBigPlan->type() == DataType::kUINT8 && gBigPlan->data() != nullptr, "IHostMemory type kUINT8, data non-null");

    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    CHECK(runtime != nullptr, "createInferRuntime returns a runtime");
    if (!runtime) return;
    Ptr<ICudaEngine> engine(runtime->deserializeCudaEngine(gBigPlan->data(), gBigPlan->size()));
    CHECK(engine != nullptr, "deserializeCudaEngine of the plan");
    if (!engine) return;
    Ptr<IExecutionContext> ctx(engine->createExecutionContext());
    CHECK(ctx != nullptr, "createExecutionContext");
    if (!ctx) return;
    CHECK(&ctx->getEngine() == engine.get(), "context->getEngine() is its engine");

    std::vector<float> x = randomValues(BigNet::kInputSize, 21);
    std::vector<float> y(BigNet::kOutputSize, -7.0f);
    bool ran = infer(*ctx, "x", x, "prob", y);
    CHECK(ran, "setTensorAddress + enqueueV3(nullptr) succeed");
    CHECK_CLOSE(ran, y, b.reference(x), "layer-by-layer network matches the C++ reference");

    // A second input through the same context.
    std::vector<float> x2 = randomValues(BigNet::kInputSize, 22);
    std::vector<float> y2(BigNet::kOutputSize, -7.0f);
    bool ran2 = infer(*ctx, "x", x2, "prob", y2);
    CHECK_CLOSE(ran2, y2, b.reference(x2), "second inference, new input, matches the reference");
}

// ---- fully connected --------------------------------------------------------------------

void testFullyConnected()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    if (!net)
    {
        CHECK(false, "fully connected: builder and network");
        return;
    }
    const int N = 2, C = 3, H = 2, W = 2, K = 5, CHW = C * H * W;
    std::vector<float> w = randomValues(K * CHW, 31), bias = randomValues(K, 32);
    ITensor* in = net->addInput("data", DataType::kFLOAT, makeDims({N, C, H, W}));
    IFullyConnectedLayer* fc = in ? net->addFullyConnected(*in, K, weightsOf(w), weightsOf(bias)) : nullptr;
    CHECK(fc != nullptr, "addFullyConnected returns a layer");
    if (!fc) return;
    CHECK(fc->getType() == LayerType::kFULLY_CONNECTED, "fully connected getType");
    CHECK(fc->getNbOutputChannels() == K, "fully connected getNbOutputChannels");
    CHECK(sameWeights(fc->getKernelWeights(), w) && sameWeights(fc->getBiasWeights(), bias), "fully connected weights read back");
    CHECK(dimsAre(fc->getOutput(0)->getDimensions(), {N, K, 1, 1}), "fully connected output shape [2,5,1,1]: " + dimsStr(fc->getOutput(0)->getDimensions()));
    fc->getOutput(0)->setName("fc_out");
    net->markOutput(*fc->getOutput(0));

    Ptr<IHostMemory> plan = buildPlan(*builder, *net);
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    CHECK(ctx != nullptr, "fully connected network builds and loads");
    if (!ctx) return;
    std::vector<float> x = randomValues(N * CHW, 33), y(N * K, -7.0f);
    bool ran = infer(*ctx, "data", x, "fc_out", y);
    CHECK(ran, "fully connected enqueueV3");
    std::vector<double> ref(N * K);
    for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k)
        {
            double acc = bias[k];
            for (int i = 0; i < CHW; ++i) acc += static_cast<double>(x[n * CHW + i]) * w[k * CHW + i];
            ref[n * K + k] = acc;
        }
    CHECK_CLOSE(ran, y, ref, "fully connected network matches the C++ reference");
}

// ---- grouped, dilated convolution and other setters --------------------------------------

void testSettersAndGroupedConv()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    if (!net)
    {
        CHECK(false, "setters: builder and network");
        return;
    }
    // 4 input channels, 4 maps, 2 groups, 3x3 kernel dilated by 2, stride 1, padding 1.
    std::vector<float> wFull = randomValues(4 * 4 * 9, 41); // valid for groups = 1
    std::vector<float> wGrouped = randomValues(4 * 2 * 9, 42);
    std::vector<float> b = randomValues(4, 43);
    ITensor* in = net->addInput("in", DataType::kFLOAT, makeDims({1, 4, 7, 6}));
    IConvolutionLayer* conv = in ? net->addConvolutionNd(*in, 4, makeDims({3, 3}), weightsOf(wFull), weightsOf(b)) : nullptr;
    CHECK(conv != nullptr, "addConvolutionNd (4 maps, 4 channels)");
    if (!conv) return;
    conv->setNbGroups(2);
    conv->setKernelWeights(weightsOf(wGrouped));
    conv->setDilationNd(makeDims({2, 2}));
    conv->setPaddingNd(makeDims({1, 1}));
    CHECK(conv->getNbGroups() == 2, "conv setNbGroups/getNbGroups");
    CHECK(dimsAre(conv->getDilationNd(), {2, 2}), "conv setDilationNd/getDilationNd");
    CHECK(sameWeights(conv->getKernelWeights(), wGrouped), "conv setKernelWeights/getKernelWeights");
    CHECK(dimsAre(conv->getOutput(0)->getDimensions(), {1, 4, 5, 4}), "grouped dilated conv output [1,4,5,4]: " + dimsStr(conv->getOutput(0)->getDimensions()));
    conv->setKernelSizeNd(makeDims({3, 3}));
    conv->setNbOutputMaps(4);
    CHECK(dimsAre(conv->getKernelSizeNd(), {3, 3}) && conv->getNbOutputMaps() == 4, "conv setKernelSizeNd/setNbOutputMaps read back");

    // Separate pooling and activation layers whose parameters are only read back.
    IActivationLayer* act = net->addActivation(*conv->getOutput(0), ActivationType::kLEAKY_RELU);
    CHECK(act != nullptr, "addActivation kLEAKY_RELU");
    if (!act) return;
    act->setAlpha(0.25f);
    act->setBeta(0.5f);
    CHECK(act->getAlpha() == 0.25f && act->getBeta() == 0.5f, "activation setAlpha/setBeta read back");
    act->setActivationType(ActivationType::kELU);
    CHECK(act->getActivationType() == ActivationType::kELU, "activation setActivationType read back");
    act->setActivationType(ActivationType::kLEAKY_RELU);

    IPoolingLayer* pool = net->addPoolingNd(*act->getOutput(0), PoolingType::kAVERAGE, makeDims({2, 2}));
    CHECK(pool != nullptr, "addPoolingNd kAVERAGE");
    if (!pool) return;
    pool->setStrideNd(makeDims({1, 1}));
    pool->setWindowSizeNd(makeDims({3, 2}));
    pool->setPaddingNd(makeDims({1, 0}));
    pool->setAverageCountExcludesPadding(false);
    CHECK(dimsAre(pool->getStrideNd(), {1, 1}), "pooling setStrideNd read back");
    CHECK(dimsAre(pool->getWindowSizeNd(), {3, 2}), "pooling setWindowSizeNd read back");
    CHECK(dimsAre(pool->getPaddingNd(), {1, 0}), "pooling setPaddingNd read back");
    CHECK(!pool->getAverageCountExcludesPadding(), "pooling setAverageCountExcludesPadding read back");
    pool->setPoolingType(PoolingType::kMAX);
    CHECK(pool->getPoolingType() == PoolingType::kMAX, "pooling setPoolingType read back");
    CHECK(dimsAre(pool->getOutput(0)->getDimensions(), {1, 4, 5, 3}), "pooling output follows the new window/stride/padding: " + dimsStr(pool->getOutput(0)->getDimensions()));

    IShuffleLayer* sh = net->addShuffle(*pool->getOutput(0));
    CHECK(sh != nullptr, "addShuffle");
    if (!sh) return;
    sh->setZeroIsPlaceholder(false);
    CHECK(!sh->getZeroIsPlaceholder(), "shuffle setZeroIsPlaceholder read back");
    sh->setZeroIsPlaceholder(true);
    sh->setReshapeDimensions(makeDims({0, 0, 15}));
    CHECK(dimsAre(sh->getOutput(0)->getDimensions(), {1, 4, 15}), "shuffle reshape with 0 placeholders: " + dimsStr(sh->getOutput(0)->getDimensions()));
    Permutation p2{};
    p2.order[0] = 0;
    p2.order[1] = 2;
    p2.order[2] = 1;
    sh->setSecondTranspose(p2);
    Permutation const& got2 = sh->getSecondTranspose();
    CHECK(got2.order[0] == 0 && got2.order[1] == 2 && got2.order[2] == 1, "shuffle setSecondTranspose read back");
    CHECK(dimsAre(sh->getOutput(0)->getDimensions(), {1, 15, 4}), "shuffle second transpose applies after the reshape");

    ISoftMaxLayer* sm = net->addSoftMax(*sh->getOutput(0));
    CHECK(sm != nullptr, "addSoftMax");
    if (!sm) return;
    sm->setAxes(1U << 1);
    CHECK(sm->getAxes() == 2U, "softmax setAxes(1<<1) read back");

    IMatrixMultiplyLayer* mm = net->addMatrixMultiply(*sm->getOutput(0), MatrixOperation::kTRANSPOSE, *sm->getOutput(0), MatrixOperation::kNONE);
    CHECK(mm != nullptr, "addMatrixMultiply (A^T A)");
    if (!mm) return;
    CHECK(dimsAre(mm->getOutput(0)->getDimensions(), {1, 4, 4}), "matmul A^T A shape [1,4,4]");
    mm->setOperation(0, MatrixOperation::kNONE);
    mm->setOperation(1, MatrixOperation::kTRANSPOSE);
    CHECK(mm->getOperation(0) == MatrixOperation::kNONE && mm->getOperation(1) == MatrixOperation::kTRANSPOSE, "matmul setOperation read back");
    CHECK(dimsAre(mm->getOutput(0)->getDimensions(), {1, 15, 15}), "matmul A A^T shape [1,15,15]");

    IElementWiseLayer* ew = net->addElementWise(*mm->getOutput(0), *mm->getOutput(0), ElementWiseOperation::kPROD);
    CHECK(ew != nullptr, "addElementWise kPROD");
    if (!ew) return;
    ew->setOperation(ElementWiseOperation::kMAX);
    CHECK(ew->getOperation() == ElementWiseOperation::kMAX, "elementwise setOperation read back");

    std::vector<float> cvals = randomValues(6, 44), cvals2 = randomValues(6, 45);
    IConstantLayer* cst = net->addConstant(makeDims({2, 3}), weightsOf(cvals));
    CHECK(cst != nullptr, "addConstant [2,3]");
    if (!cst) return;
    cst->setDimensions(makeDims({3, 2}));
    cst->setWeights(weightsOf(cvals2));
    CHECK(dimsAre(cst->getDimensions(), {3, 2}) && sameWeights(cst->getWeights(), cvals2), "constant setDimensions/setWeights read back");
    CHECK(dimsAre(cst->getOutput(0)->getDimensions(), {3, 2}), "constant output follows setDimensions");

    // The grouped, dilated convolution runs and matches the reference.
    conv->getOutput(0)->setName("conv_out");
    CHECK(std::strcmp(conv->getOutput(0)->getName(), "conv_out") == 0, "tensor rename read back");
    net->markOutput(*conv->getOutput(0));
    size_t mark = gLogger.mark();
    Ptr<IHostMemory> plan = buildPlan(*builder, *net);
    CHECK(plan != nullptr, "network with grouped conv builds");
    CHECK(!gLogger.errorSince(mark), "no error logged while building it");
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx)
    {
        CHECK(false, "grouped conv engine loads");
        return;
    }
    CHECK(engine->getNbIOTensors() == 2, "unused layers add no I/O tensors (in, conv_out)");
    std::vector<float> x = randomValues(4 * 7 * 6, 46), y(4 * 5 * 4, -7.0f);
    bool ran = infer(*ctx, "in", x, "conv_out", y);
    CHECK(ran, "grouped conv enqueueV3");
    Tensor4 tx{1, 4, 7, 6, std::vector<double>(x.begin(), x.end())};
    Tensor4 ref = refConv(tx, wGrouped, b, 4, 3, 3, 1, 1, 1, 1, 2, 2, 2);
    CHECK_CLOSE(ran, y, ref.v, "grouped (2) dilated (2) conv matches the C++ reference");
}

// ---- shuffle permutations: independent of the order of the setters -----------------------------

void testShuffleOrder()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    ITensor* in = net ? net->addInput("in", DataType::kFLOAT, makeDims({2, 3, 4})) : nullptr;
    if (!in)
    {
        CHECK(false, "shuffle order: network");
        return;
    }
    Permutation rot{}; // (2,0,1): [2,3,4] -> [4,2,3]
    rot.order[0] = 2;
    rot.order[1] = 0;
    rot.order[2] = 1;
    Permutation swap{}; // (1,0) for a rank-2 tensor; the other entries are left 0
    swap.order[0] = 1;
    swap.order[1] = 0;

    size_t mark = gLogger.mark();
    IShuffleLayer* onlySecond = net->addShuffle(*in);
    if (onlySecond) onlySecond->setSecondTranspose(rot);
    CHECK(onlySecond && dimsAre(onlySecond->getOutput(0)->getDimensions(), {4, 2, 3}), "second transpose without a reshape: [2,3,4] -> [4,2,3]");
    CHECK(!gLogger.errorSince(mark), "...and no error is logged for it");

    IShuffleLayer* reshapeFirst = net->addShuffle(*in);
    IShuffleLayer* transposeFirst = net->addShuffle(*in);
    if (!reshapeFirst || !transposeFirst)
    {
        CHECK(false, "shuffle order: addShuffle");
        return;
    }
    reshapeFirst->setReshapeDimensions(makeDims({6, 4}));
    reshapeFirst->setSecondTranspose(swap);
    transposeFirst->setSecondTranspose(swap);
    transposeFirst->setReshapeDimensions(makeDims({6, 4}));
    CHECK(dimsAre(reshapeFirst->getOutput(0)->getDimensions(), {4, 6}), "setReshapeDimensions then setSecondTranspose: [4,6]");
    CHECK(dimsAre(transposeFirst->getOutput(0)->getDimensions(), {4, 6}),
        "setSecondTranspose then setReshapeDimensions: [4,6]: " + dimsStr(transposeFirst->getOutput(0)->getDimensions()));

    onlySecond->getOutput(0)->setName("rot");
    reshapeFirst->getOutput(0)->setName("a");
    transposeFirst->getOutput(0)->setName("b");
    net->markOutput(*onlySecond->getOutput(0));
    net->markOutput(*reshapeFirst->getOutput(0));
    net->markOutput(*transposeFirst->getOutput(0));
    Ptr<IHostMemory> plan = buildPlan(*builder, *net);
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx)
    {
        CHECK(false, "shuffle order: engine");
        return;
    }
    std::vector<float> x(24), rotOut(24, -1.0f), a(24, -1.0f), b(24, -1.0f);
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    bool ran = ctx->setTensorAddress("in", x.data()) && ctx->setTensorAddress("rot", rotOut.data()) && ctx->setTensorAddress("a", a.data())
        && ctx->setTensorAddress("b", b.data()) && ctx->enqueueV3(nullptr);
    CHECK(ran, "three shuffles run");
    bool rotRight = ran, abRight = ran;
    for (int k = 0; k < 4; ++k)     // rot[k][i][j] = x[i][j][k]
        for (int i = 0; i < 2; ++i)
            for (int j = 0; j < 3; ++j) rotRight = rotRight && rotOut[(k * 2 + i) * 3 + j] == x[(i * 3 + j) * 4 + k];
    for (int j = 0; j < 4; ++j)     // a[j][i] = reshaped[i][j] = x_flat[i * 4 + j]
        for (int i = 0; i < 6; ++i) abRight = abRight && a[j * 6 + i] == x[i * 4 + j];
    CHECK(rotRight, "second transpose alone moves the data as permutation (2,0,1)");
    CHECK(abRight && bitEqual(a, b), "reshape + second transpose gives the same data in either setter order");
}

// ---- error paths ------------------------------------------------------------------------

void testErrors()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    if (!builder)
    {
        CHECK(false, "errors: builder");
        return;
    }

    // Unknown creation flags are refused.
    size_t mark = gLogger.mark();
    INetworkDefinition* badFlags = builder->createNetworkV2(1U << 5);
    CHECK(badFlags == nullptr, "createNetworkV2 with an unknown flag returns null");
    CHECK(gLogger.errorSince(mark, "NetworkDefinitionCreationFlags"), "...and logs an error naming the flags");
    delete badFlags;

    Ptr<INetworkDefinition> net(builder->createNetworkV2(1U));
    if (!net)
    {
        CHECK(false, "errors: network");
        return;
    }
    ITensor* x = net->addInput("x", DataType::kFLOAT, makeDims({1, 2, 5, 5}));
    CHECK(x != nullptr, "addInput");
    if (!x) return;

    // Convolution with a wrong weight count.
    std::vector<float> w53 = randomValues(53, 51), b3 = randomValues(3, 52);
    mark = gLogger.mark();
    IConvolutionLayer* bad = net->addConvolutionNd(*x, 3, makeDims({3, 3}), weightsOf(w53), weightsOf(b3));
    CHECK(bad == nullptr, "addConvolutionNd with 53 weights (54 needed) returns null");
    CHECK(gLogger.errorSince(mark), "...and the logger got a kERROR message");
    CHECK(net->getNbLayers() == 0, "...and the network has no layer left behind");
    std::vector<float> b2 = randomValues(2, 53), w54 = randomValues(54, 54);
    mark = gLogger.mark();
    CHECK(net->addConvolutionNd(*x, 3, makeDims({3, 3}), weightsOf(w54), weightsOf(b2)) == nullptr, "addConvolutionNd with 2 bias values for 3 maps returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    IConvolutionLayer* noBias = net->addConvolutionNd(*x, 3, makeDims({3, 3}), weightsOf(w54), noWeights());
    CHECK(noBias != nullptr && noBias->getBiasWeights().count == 0, "addConvolutionNd with empty bias weights is accepted");
    // Depthwise: the kernel [2, 1, 3, 3] fits the group count set next; a port adds the
    // layer, then calls setNbGroups (so do deconvolutions; a resize gets its scales next).
    std::vector<float> w18 = randomValues(18, 57);
    IConvolutionLayer* dw = net->addConvolutionNd(*x, 2, makeDims({3, 3}), weightsOf(w18), noWeights());
    CHECK(dw != nullptr, "addConvolutionNd with depthwise weights (18 = 2 maps x 1 channel x 3x3) is accepted before setNbGroups");
    if (dw)
    {
        mark = gLogger.mark();
        CHECK(dw->getOutput(0)->getDimensions().nbDims == -1 && gLogger.errorSince(mark, "18 values"), "...its dims before setNbGroups report the weight count");
        dw->setNbGroups(2);
        CHECK(dimsAre(dw->getOutput(0)->getDimensions(), {1, 2, 3, 3}), "...and are [1,2,3,3] after setNbGroups(2)");
    }
    std::vector<float> w8(w18.begin(), w18.begin() + 8), w17(w18.begin(), w18.begin() + 17);
    IDeconvolutionLayer* dwT = net->addDeconvolutionNd(*x, 2, makeDims({2, 2}), weightsOf(w8), noWeights());
    if (dwT) dwT->setNbGroups(2);
    CHECK(dwT && dimsAre(dwT->getOutput(0)->getDimensions(), {1, 2, 6, 6}), "addDeconvolutionNd with depthwise weights, then setNbGroups(2)");
    IResizeLayer* up = net->addResize(*x);
    float upScales[4] = {1.f, 1.f, 2.f, 2.f};
    if (up) up->setScales(upScales, 4);
    CHECK(up && dimsAre(up->getOutput(0)->getDimensions(), {1, 2, 10, 10}), "addResize, then setScales");
    mark = gLogger.mark();
    CHECK(net->addConvolutionNd(*x, 2, makeDims({3, 3}), weightsOf(w17), noWeights()) == nullptr
            && gLogger.errorSince(mark, "17 values"),
        "addConvolutionNd with 17 weights (no group count fits) returns null");

    // Elementwise inputs that do not broadcast.
    std::vector<float> c6 = randomValues(6, 55), c12 = randomValues(12, 56);
    IConstantLayer* a = net->addConstant(makeDims({1, 2, 3}), weightsOf(c6));
    IConstantLayer* bb = net->addConstant(makeDims({1, 4, 3}), weightsOf(c12));
    CHECK(a && bb, "constants [1,2,3] and [1,4,3]");
    if (!a || !bb) return;
    int32_t layersBefore = net->getNbLayers();
    mark = gLogger.mark();
    CHECK(net->addElementWise(*a->getOutput(0), *bb->getOutput(0), ElementWiseOperation::kSUM) == nullptr, "elementwise [1,2,3] + [1,4,3] returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    CHECK(net->getNbLayers() == layersBefore, "...and no layer is left behind");
    mark = gLogger.mark();
    CHECK(net->addConstant(makeDims({2, 2}), weightsOf(c6)) == nullptr, "addConstant [2,2] with 6 values returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");

    // A tensor of another network is refused, not silently mixed up with one of this network
    // (index 0 of `other` and of `net` would otherwise coincide).
    {
        Ptr<INetworkDefinition> other(builder->createNetworkV2(1U));
        ITensor* foreign = other ? other->addInput("foreign", DataType::kFLOAT, makeDims({1, 2, 5, 5})) : nullptr;
        CHECK(foreign != nullptr, "a second network with an input");
        if (!foreign) return;
        layersBefore = net->getNbLayers();
        mark = gLogger.mark();
        CHECK(net->addActivation(*foreign, ActivationType::kRELU) == nullptr, "addActivation on another network's tensor returns null");
        CHECK(gLogger.errorSince(mark), "...with a kERROR message");
        CHECK(net->addElementWise(*x, *foreign, ElementWiseOperation::kSUM) == nullptr, "addElementWise with another network's tensor returns null");
        CHECK(net->getNbLayers() == layersBefore, "...and no layer is added");
        mark = gLogger.mark();
        net->markOutput(*foreign);
        CHECK(net->getNbOutputs() == 0 && !x->isNetworkOutput(), "markOutput of another network's tensor marks nothing");
        CHECK(gLogger.errorSince(mark), "...with a kERROR message");
        ITensor* foreign2 = other->addInput("foreign2", DataType::kFLOAT, makeDims({1, 2, 5, 5}));
        IActivationLayer* probe = foreign2 ? other->addActivation(*foreign2, ActivationType::kTANH) : nullptr;
        if (probe)
        {
            mark = gLogger.mark();
            probe->setInput(0, *x); // x is tensor 0 of `net`; tensor 0 of `other` is `foreign`
            CHECK(probe->getInput(0) == foreign2, "setInput with another network's tensor leaves the input unchanged");
            CHECK(gLogger.errorSince(mark), "...with a kERROR message");
        }
        else
        {
            CHECK(false, "addActivation in the second network");
        }
    }

    // No outputs: nothing to build.
    IActivationLayer* relu = net->addActivation(*x, ActivationType::kRELU);
    CHECK(relu != nullptr, "a valid layer can still be added after failed ones");
    if (!relu) return;
    mark = gLogger.mark();
    Ptr<IHostMemory> noOut = buildPlan(*builder, *net);
    CHECK(noOut == nullptr, "buildSerializedNetwork of a network without outputs returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");

    // The same network, now with an output, builds and runs: the failures left no damage.
    relu->getOutput(0)->setName("y");
    net->markOutput(*relu->getOutput(0));
    Ptr<IHostMemory> plan = buildPlan(*builder, *net);
    CHECK(plan != nullptr, "after the failures the network builds once an output is marked");
    if (!plan) return;

    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    if (!runtime)
    {
        CHECK(false, "errors: runtime");
        return;
    }

    // Damaged plans.
    std::vector<uint8_t> garbage(512);
    std::mt19937 rng(57);
    for (uint8_t& g : garbage) g = static_cast<uint8_t>(rng());
    mark = gLogger.mark();
    CHECK(runtime->deserializeCudaEngine(garbage.data(), garbage.size()) == nullptr, "deserializeCudaEngine of random bytes returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    mark = gLogger.mark();
    CHECK(runtime->deserializeCudaEngine(plan->data(), plan->size() / 2) == nullptr, "deserializeCudaEngine of a truncated plan returns null");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    CHECK(runtime->deserializeCudaEngine(plan->data(), 0) == nullptr, "deserializeCudaEngine of 0 bytes returns null");
    CHECK(runtime->deserializeCudaEngine(nullptr, 0) == nullptr, "deserializeCudaEngine(nullptr, 0) returns null");
    std::vector<uint8_t> flipped(static_cast<uint8_t const*>(plan->data()), static_cast<uint8_t const*>(plan->data()) + plan->size());
    flipped[0] ^= 0xFF;
    flipped[1] ^= 0xFF;
    CHECK(runtime->deserializeCudaEngine(flipped.data(), flipped.size()) == nullptr, "deserializeCudaEngine of a plan with a damaged header returns null");

    Ptr<ICudaEngine> engine(runtime->deserializeCudaEngine(plan->data(), plan->size()));
    CHECK(engine != nullptr, "the intact plan still deserializes");
    if (!engine) return;
    Ptr<IExecutionContext> ctx(engine->createExecutionContext());
    if (!ctx)
    {
        CHECK(false, "errors: context");
        return;
    }

    mark = gLogger.mark();
    CHECK(!ctx->enqueueV3(nullptr), "enqueueV3 without tensor addresses returns false");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    std::vector<float> in(50, 1.0f), out(50, 0.0f);
    CHECK(ctx->setTensorAddress("x", in.data()), "setTensorAddress(input) alone");
    CHECK(!ctx->enqueueV3(nullptr), "enqueueV3 with the output address missing returns false");
    mark = gLogger.mark();
    CHECK(!ctx->setTensorAddress("no_such_tensor", out.data()), "setTensorAddress of an unknown name returns false");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");

    mark = gLogger.mark();
    CHECK(!ctx->setInputShape("x", makeDims({1, 2, 5, 6})), "setInputShape with a different shape returns false");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    CHECK(!ctx->setInputShape("x", makeDims({1, 2, 5})), "setInputShape with a wrong rank returns false");
    CHECK(!ctx->setInputShape("no_such_tensor", makeDims({1, 2, 5, 5})), "setInputShape of an unknown name returns false");
    CHECK(ctx->setInputShape("x", makeDims({1, 2, 5, 5})), "setInputShape with the engine's own shape returns true");

    CHECK(ctx->getTensorShape("no_such_tensor").nbDims == -1, "context getTensorShape of an unknown name has nbDims == -1");
    CHECK(engine->getTensorShape("no_such_tensor").nbDims == -1, "engine getTensorShape of an unknown name has nbDims == -1");
    CHECK(engine->getTensorIOMode("no_such_tensor") == TensorIOMode::kNONE, "getTensorIOMode of an unknown name is kNONE");
    CHECK(engine->getIOTensorName(2) == nullptr && engine->getIOTensorName(-1) == nullptr, "getIOTensorName out of range is null");

    // Everything still works after all of that.
    CHECK(ctx->setTensorAddress("y", out.data()) && ctx->enqueueV3(nullptr), "the context still runs after the failed calls");
    bool relud = true;
    for (size_t i = 0; i < out.size(); ++i) relud = relud && out[i] == 1.0f;
    CHECK(relud, "...and gives ReLU(1) == 1");

    // An error recorder takes the reports instead of the logger.
    {
        TestRecorder recorder;
        Ptr<IRuntime> rt(createInferRuntime(gLogger));
        if (!rt)
        {
            CHECK(false, "recorder: runtime");
            return;
        }
        rt->setErrorRecorder(&recorder);
        CHECK(rt->getErrorRecorder() == &recorder, "getErrorRecorder returns the recorder set");
        CHECK(recorder.refs() == 1, "setErrorRecorder takes a reference (incRefCount)");
        mark = gLogger.mark();
        CHECK(rt->deserializeCudaEngine(garbage.data(), garbage.size()) == nullptr, "with a recorder: damaged plan still returns null");
        CHECK(recorder.getNbErrors() >= 1, "the IErrorRecorder received the error");
        CHECK(recorder.getNbErrors() >= 1 && recorder.getErrorCode(0) != ErrorCode::kSUCCESS, "the error has a failure ErrorCode");
        CHECK(recorder.getNbErrors() >= 1 && std::strlen(recorder.getErrorDesc(0)) > 0, "the error has a description");
        CHECK(!gLogger.errorSince(mark), "the logger got no kERROR for it");
        rt->setErrorRecorder(nullptr);
        CHECK(recorder.refs() == 0 && rt->getErrorRecorder() == nullptr, "setErrorRecorder(nullptr) releases it (decRefCount)");
        rt->setErrorRecorder(&recorder);
        rt.reset();
        CHECK(recorder.refs() == 0, "deleting the runtime releases its recorder");

        // Engines created after setErrorRecorder report there too.
        TestRecorder engineRecorder;
        Ptr<IRuntime> rt2(createInferRuntime(gLogger));
        if (!rt2) return;
        rt2->setErrorRecorder(&engineRecorder);
        Ptr<ICudaEngine> e2(rt2->deserializeCudaEngine(plan->data(), plan->size()));
        Ptr<IExecutionContext> c2(e2 ? e2->createExecutionContext() : nullptr);
        if (!c2)
        {
            CHECK(false, "recorder: engine and context");
            return;
        }
        engineRecorder.clear();
        mark = gLogger.mark();
        CHECK(!c2->enqueueV3(nullptr), "context of a runtime with a recorder: enqueueV3 without addresses is false");
        CHECK(engineRecorder.getNbErrors() >= 1 && !gLogger.errorSince(mark), "...and the error went to the runtime's recorder");
        TestRecorder ctxRecorder;
        c2->setErrorRecorder(&ctxRecorder);
        CHECK(!c2->enqueueV3(nullptr) && ctxRecorder.getNbErrors() >= 1, "context->setErrorRecorder redirects its errors");
        c2.reset();
        CHECK(ctxRecorder.refs() == 0, "deleting the context releases its recorder");
    }

    // Builder-side recorder.
    {
        TestRecorder recorder;
        builder->setErrorRecorder(&recorder);
        CHECK(builder->getErrorRecorder() == &recorder, "builder getErrorRecorder");
        mark = gLogger.mark();
        INetworkDefinition* n0 = builder->createNetworkV2(1U << 5);
        CHECK(n0 == nullptr && recorder.getNbErrors() >= 1 && !gLogger.errorSince(mark), "builder recorder receives the bad-flags error");
        delete n0;
        builder->setErrorRecorder(nullptr);
    }
}

// ---- engine queries, legacy bindings, executeV2, serialize round trip ------------------------

void testEngineQueries()
{
    if (!gBigPlan)
    {
        CHECK(false, "engine queries: no plan from the first case");
        return;
    }
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(runtime ? runtime->deserializeCudaEngine(gBigPlan->data(), gBigPlan->size()) : nullptr);
    if (!engine)
    {
        CHECK(false, "engine queries: engine");
        return;
    }
    CHECK(engine->getNbIOTensors() == 2, "getNbIOTensors() == 2");
    char const* n0 = engine->getIOTensorName(0);
    char const* n1 = engine->getIOTensorName(1);
    CHECK(n0 && n1 && std::strcmp(n0, "x") == 0 && std::strcmp(n1, "prob") == 0, "getIOTensorName: x, prob");
    CHECK(engine->getTensorIOMode("x") == TensorIOMode::kINPUT && engine->getTensorIOMode("prob") == TensorIOMode::kOUTPUT, "getTensorIOMode");
    CHECK(engine->getTensorDataType("x") == DataType::kFLOAT && engine->getTensorDataType("prob") == DataType::kFLOAT, "getTensorDataType kFLOAT");
    CHECK(engine->getTensorLocation("x") == TensorLocation::kDEVICE && engine->getTensorLocation("prob") == TensorLocation::kDEVICE,
        "getTensorLocation == kDEVICE for execution tensors (TensorRT's meaning, on the CPU backend too)");
    CHECK(dimsAre(engine->getTensorShape("x"), {1, 2, 5, 5}) && dimsAre(engine->getTensorShape("prob"), {1, 6, 4}), "getTensorShape of x and prob");
    CHECK(engine->getTensorBytesPerComponent("x") == 4, "getTensorBytesPerComponent == 4");
    CHECK(!engine->hasImplicitBatchDimension(), "hasImplicitBatchDimension() is false");
    CHECK(engine->getNbLayers() > 0, "getNbLayers() > 0");

    // Legacy binding API.
    CHECK(engine->getNbBindings() == 2, "getNbBindings() == 2");
    CHECK(engine->getBindingIndex("x") == 0 && engine->getBindingIndex("prob") == 1, "getBindingIndex");
    CHECK(engine->getBindingIndex("nope") == -1, "getBindingIndex of an unknown name is -1");
    CHECK(engine->getBindingName(1) && std::strcmp(engine->getBindingName(1), "prob") == 0, "getBindingName(1)");
    CHECK(engine->bindingIsInput(0) && !engine->bindingIsInput(1), "bindingIsInput");
    CHECK(dimsAre(engine->getBindingDimensions(0), {1, 2, 5, 5}) && dimsAre(engine->getBindingDimensions(1), {1, 6, 4}), "getBindingDimensions");
    CHECK(engine->getBindingDataType(1) == DataType::kFLOAT, "getBindingDataType");

    Ptr<IExecutionContext> ctx(engine->createExecutionContext());
    if (!ctx)
    {
        CHECK(false, "engine queries: context");
        return;
    }
    CHECK(dimsAre(ctx->getTensorShape("prob"), {1, 6, 4}), "context getTensorShape(prob)");
    Dims strides = ctx->getTensorStrides("x");
    CHECK(dimsAre(strides, {50, 25, 5, 1}), "context getTensorStrides(x) == [50,25,5,1]: " + dimsStr(strides));
    ctx->setName("ctx0");
    CHECK(ctx->getName() && std::strcmp(ctx->getName(), "ctx0") == 0, "context setName/getName");

    std::vector<float> x = randomValues(BigNet::kInputSize, 61);
    std::vector<float> yV3(BigNet::kOutputSize, -1.0f), yV2(BigNet::kOutputSize, -2.0f), yEnq2(BigNet::kOutputSize, -3.0f);
    bool ran = infer(*ctx, "x", x, "prob", yV3);
    CHECK(ran, "enqueueV3");
    CHECK(ctx->getTensorAddress("x") == x.data() && ctx->getTensorAddress("prob") == yV3.data(), "getTensorAddress returns the addresses set");
    void* bindings[2] = {x.data(), yV2.data()};
    CHECK(ctx->executeV2(bindings), "executeV2 with a bindings array");
    CHECK(bitEqual(yV2, yV3), "executeV2 gives the same result as enqueueV3");
    void* bindings2[2] = {x.data(), yEnq2.data()};
    CHECK(ctx->enqueueV2(bindings2, nullptr, nullptr) && bitEqual(yEnq2, yV3), "enqueueV2 gives the same result as enqueueV3");
    CHECK_CLOSE(ran, yV3, gBig.reference(x), "...which matches the reference");

    // serialize() round trip.
    Ptr<IHostMemory> again(engine->serialize());
    CHECK(again && again->size() == gBigPlan->size() && std::memcmp(again->data(), gBigPlan->data(), again->size()) == 0,
        "engine->serialize() gives the bytes it was loaded from");
    Ptr<ICudaEngine> engine2(again ? runtime->deserializeCudaEngine(again->data(), again->size()) : nullptr);
    Ptr<IHostMemory> third(engine2 ? engine2->serialize() : nullptr);
    CHECK(third && third->size() == again->size() && std::memcmp(third->data(), again->data(), third->size()) == 0,
        "serialize -> deserialize -> serialize gives identical bytes");
    Ptr<IExecutionContext> ctx2(engine2 ? engine2->createExecutionContext() : nullptr);
    std::vector<float> y2(BigNet::kOutputSize, -4.0f);
    CHECK(ctx2 && infer(*ctx2, "x", x, "prob", y2) && bitEqual(y2, yV3), "the re-serialized engine gives identical outputs");

    // buildEngineWithConfig (deprecated) gives an engine that runs too.
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    BigNet copy;
    if (net && copy.define(*net))
    {
        Ptr<IBuilderConfig> config(builder->createBuilderConfig());
        Ptr<ICudaEngine> direct(config ? builder->buildEngineWithConfig(*net, *config) : nullptr);
        Ptr<IExecutionContext> c3(direct ? direct->createExecutionContext() : nullptr);
        std::vector<float> y3(BigNet::kOutputSize, -5.0f);
        CHECK(c3 && infer(*c3, "x", x, "prob", y3) && bitEqual(y3, yV3), "buildEngineWithConfig engine gives the same outputs");
    }
    else
    {
        CHECK(false, "buildEngineWithConfig: network");
    }
}

// ---- threads --------------------------------------------------------------------------

void testThreads()
{
    if (!gBigPlan)
    {
        CHECK(false, "threads: no plan from the first case");
        return;
    }
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(runtime ? runtime->deserializeCudaEngine(gBigPlan->data(), gBigPlan->size()) : nullptr);
    if (!engine)
    {
        CHECK(false, "threads: engine");
        return;
    }
    const int kThreads = 4, kRuns = 50;
    std::vector<std::vector<float>> inputs(kThreads * kRuns), expected(kThreads * kRuns);
    {
        Ptr<IExecutionContext> ctx(engine->createExecutionContext());
        bool ok = ctx != nullptr;
        for (int i = 0; ok && i < kThreads * kRuns; ++i)
        {
            inputs[i] = randomValues(BigNet::kInputSize, 1000 + i);
            expected[i].assign(BigNet::kOutputSize, 0.0f);
            ok = infer(*ctx, "x", inputs[i], "prob", expected[i]);
        }
        CHECK(ok, "200 single-threaded inferences on one context");
        if (!ok) return;
        CHECK_CLOSE(ok, expected[kThreads * kRuns - 1], gBig.reference(inputs[kThreads * kRuns - 1]), "the last of them matches the reference");
    }
    std::vector<Ptr<IExecutionContext>> contexts;
    for (int t = 0; t < kThreads; ++t) contexts.emplace_back(engine->createExecutionContext());
    bool allCreated = true;
    for (auto const& c : contexts) allCreated = allCreated && c != nullptr;
    CHECK(allCreated, "4 execution contexts on one engine");
    if (!allCreated) return;

    std::vector<int> failures(kThreads, 0), mismatches(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t]() {
            std::vector<float> out(BigNet::kOutputSize);
            for (int r = 0; r < kRuns; ++r)
            {
                int i = t * kRuns + r;
                std::fill(out.begin(), out.end(), -9.0f);
                if (!infer(*contexts[t], "x", inputs[i], "prob", out))
                    ++failures[t];
                else if (!bitEqual(out, expected[i]))
                    ++mismatches[t];
            }
        });
    for (std::thread& th : threads) th.join();
    int totalFailures = 0, totalMismatches = 0;
    for (int t = 0; t < kThreads; ++t)
    {
        totalFailures += failures[t];
        totalMismatches += mismatches[t];
    }
    CHECK(totalFailures == 0, "4 threads x 50 inferences: every enqueueV3 succeeds (" + std::to_string(totalFailures) + " failed)");
    CHECK(totalMismatches == 0, "4 threads x 50 inferences: results equal the single-threaded ones (" + std::to_string(totalMismatches) + " differ)");
}

// ---- smaller API surfaces: config, precision, outputs, null names, network recorder, parallel builds

void testMisc()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<IBuilderConfig> config(builder ? builder->createBuilderConfig() : nullptr);
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    if (!config || !net)
    {
        CHECK(false, "misc: builder, config, network");
        return;
    }

    // Builder config.
    config->setFlag(BuilderFlag::kFP16);
    CHECK(config->getFlag(BuilderFlag::kFP16), "config setFlag/getFlag(kFP16)");
    config->clearFlag(BuilderFlag::kFP16);
    CHECK(!config->getFlag(BuilderFlag::kFP16), "config clearFlag(kFP16)");
    BuilderFlags flags = config->getFlags() | (1U << static_cast<uint32_t>(BuilderFlag::kINT8));
    config->setFlags(flags);
    CHECK(config->getFlags() == flags && config->getFlag(BuilderFlag::kINT8), "config setFlags/getFlags");
    config->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, size_t(1) << 24);
    CHECK(config->getMemoryPoolLimit(MemoryPoolType::kWORKSPACE) == (size_t(1) << 24), "config setMemoryPoolLimit/getMemoryPoolLimit");
    config->setAvgTimingIterations(3);
    CHECK(config->getAvgTimingIterations() == 3, "config setAvgTimingIterations/getAvgTimingIterations");
    config->setFlags(0U);

    // Network name, layer precision, output marking.
    net->setName("misc_net");
    CHECK(std::strcmp(net->getName(), "misc_net") == 0, "network setName/getName");
    ITensor* in = net->addInput("in", DataType::kFLOAT, makeDims({2, 3}));
    IActivationLayer* a = in ? net->addActivation(*in, ActivationType::kRELU) : nullptr;
    IActivationLayer* b = a ? net->addActivation(*a->getOutput(0), ActivationType::kCLIP) : nullptr;
    if (!b)
    {
        CHECK(false, "misc: two activations");
        return;
    }
    b->setAlpha(0.0f);
    b->setBeta(5.0f);
    CHECK(!a->precisionIsSet(), "precisionIsSet() is false by default");
    a->setPrecision(DataType::kHALF);
    CHECK(a->precisionIsSet() && a->getPrecision() == DataType::kHALF, "setPrecision/getPrecision/precisionIsSet");
    a->resetPrecision();
    CHECK(!a->precisionIsSet(), "resetPrecision");
    net->markOutput(*a->getOutput(0));
    net->markOutput(*b->getOutput(0));
    CHECK(net->getNbOutputs() == 2, "two outputs marked");
    net->unmarkOutput(*a->getOutput(0));
    CHECK(net->getNbOutputs() == 1 && net->getOutput(0) == b->getOutput(0) && !a->getOutput(0)->isNetworkOutput(), "unmarkOutput");
    in->setDimensions(makeDims({2, 4}));
    CHECK(dimsAre(in->getDimensions(), {2, 4}) && dimsAre(b->getOutput(0)->getDimensions(), {2, 4}), "input setDimensions propagates to outputs");
    b->getOutput(0)->setName("y");

    // A network error recorder takes the add* errors.
    TestRecorder recorder;
    net->setErrorRecorder(&recorder);
    CHECK(net->getErrorRecorder() == &recorder, "network getErrorRecorder");
    std::vector<float> wrong = randomValues(5, 81);
    size_t mark = gLogger.mark();
    CHECK(net->addConstant(makeDims({2, 2}), weightsOf(wrong)) == nullptr, "network with a recorder: bad addConstant returns null");
    CHECK(recorder.getNbErrors() == 1 && !gLogger.errorSince(mark), "...and the error went to the network's recorder, not the logger");
    net->setErrorRecorder(nullptr);
    CHECK(recorder.refs() == 0, "network setErrorRecorder(nullptr) releases it");

    Ptr<IHostMemory> plan = buildPlan(*builder, *net);
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx)
    {
        CHECK(false, "misc: engine and context");
        return;
    }
    CHECK(engine->getNbIOTensors() == 2 && dimsAre(engine->getTensorShape("in"), {2, 4}), "engine sees the one output and the new input shape");
    std::vector<float> x{-1, 2, -3, 4, -5, 6, -7, 8}, y(8, 0.0f);
    CHECK(ctx->setInputTensorAddress("in", x.data()), "setInputTensorAddress(input)");
    mark = gLogger.mark();
    CHECK(!ctx->setInputTensorAddress("y", y.data()), "setInputTensorAddress of an output returns false");
    CHECK(gLogger.errorSince(mark), "...with a kERROR message");
    CHECK(ctx->setTensorAddress("y", y.data()) && ctx->getOutputTensorAddress("y") == y.data(), "getOutputTensorAddress");
    CHECK(ctx->getOutputTensorAddress("in") == nullptr, "getOutputTensorAddress of an input is null");
    bool ran = ctx->enqueueV3(nullptr);
    bool right = ran;
    for (size_t i = 0; i < x.size(); ++i) right = right && y[i] == std::min(std::max(x[i], 0.0f), 5.0f);
    CHECK(right, "relu -> clip(0, 5) network (with an unmarked intermediate) runs and is right");

    // Null names are refused, not dereferenced.
    mark = gLogger.mark();
    CHECK(!ctx->setTensorAddress(nullptr, y.data()), "setTensorAddress(nullptr name) returns false");
    CHECK(engine->getTensorShape(nullptr).nbDims == -1, "getTensorShape(nullptr) has nbDims == -1");
    CHECK(engine->getTensorIOMode(nullptr) == TensorIOMode::kNONE, "getTensorIOMode(nullptr) is kNONE");
    CHECK(engine->getBindingIndex(nullptr) == -1, "getBindingIndex(nullptr) is -1");
    CHECK(!ctx->setInputShape(nullptr, makeDims({2, 4})), "setInputShape(nullptr name) returns false");
    CHECK(!ctx->executeV2(nullptr), "executeV2(nullptr bindings) returns false");
    CHECK(gLogger.errorSince(mark), "...with kERROR messages");

    // Two builders building in parallel threads give identical plans.
    Ptr<IHostMemory> plans[2];
    std::thread builders[2];
    for (int t = 0; t < 2; ++t)
        builders[t] = std::thread([&plans, t]() {
            Ptr<IBuilder> bld(createInferBuilder(gLogger));
            Ptr<INetworkDefinition> n(bld ? bld->createNetworkV2(1U) : nullptr);
            BigNet copy;
            if (!n || !copy.define(*n)) return;
            copy.conv->setName("conv1"); // named as in the first build
            copy.relu->setName("relu1");
            plans[t] = buildPlan(*bld, *n);
        });
    for (std::thread& th : builders) th.join();
    CHECK(plans[0] && plans[1] && plans[0]->size() == plans[1]->size()
            && std::memcmp(plans[0]->data(), plans[1]->data(), plans[0]->size()) == 0,
        "two builders on two threads build identical plans");
    CHECK(plans[0] && gBigPlan && plans[0]->size() == gBigPlan->size() && std::memcmp(plans[0]->data(), gBigPlan->data(), gBigPlan->size()) == 0,
        "...identical to the first build of the same network");
}

// ---- lifetime, entry points, plugins ---------------------------------------------------------

class TinyCreator : public IPluginCreator
{
public:
    AsciiChar const* getPluginName() const noexcept override
    {
        return "CppApiTinyPlugin";
    }
    AsciiChar const* getPluginVersion() const noexcept override
    {
        return "1";
    }
    PluginFieldCollection const* getFieldNames() noexcept override
    {
        return &mFields;
    }
    IPluginV2* createPlugin(AsciiChar const*, PluginFieldCollection const*) noexcept override
    {
        return nullptr;
    }
    IPluginV2* deserializePlugin(AsciiChar const*, void const*, size_t) noexcept override
    {
        return nullptr;
    }
    void setPluginNamespace(AsciiChar const* ns) noexcept override
    {
        mNamespace = ns ? ns : "";
    }
    AsciiChar const* getPluginNamespace() const noexcept override
    {
        return mNamespace.c_str();
    }

private:
    PluginFieldCollection mFields{0, nullptr};
    std::string mNamespace;
};

// A second creator type, registered at static-initialization time by the header's helper.
// A plugin that is never run: addPluginV2 (issue 10) is the one add method still refused.
class InertPlugin : public IPluginV2
{
public:
    AsciiChar const* getPluginType() const noexcept override
    {
        return "CppApiInertPlugin";
    }
    AsciiChar const* getPluginVersion() const noexcept override
    {
        return "1";
    }
    int32_t getNbOutputs() const noexcept override
    {
        return 1;
    }
    Dims getOutputDimensions(int32_t, Dims const* inputs, int32_t) noexcept override
    {
        return inputs[0];
    }
    bool supportsFormat(DataType, PluginFormat) const noexcept override
    {
        return true;
    }
    void configureWithFormat(Dims const*, int32_t, Dims const*, int32_t, DataType, PluginFormat, int32_t) noexcept override {}
    int32_t initialize() noexcept override
    {
        return 0;
    }
    void terminate() noexcept override {}
    size_t getWorkspaceSize(int32_t) const noexcept override
    {
        return 0;
    }
    int32_t enqueue(int32_t, void const* const*, void* const*, void*, cudaStream_t) noexcept override
    {
        return 1;
    }
    size_t getSerializationSize() const noexcept override
    {
        return 0;
    }
    void serialize(void*) const noexcept override {}
    void destroy() noexcept override {}
    IPluginV2* clone() const noexcept override
    {
        return nullptr;
    }
    void setPluginNamespace(AsciiChar const*) noexcept override {}
    AsciiChar const* getPluginNamespace() const noexcept override
    {
        return "";
    }
};

class StaticCreator : public TinyCreator
{
public:
    AsciiChar const* getPluginName() const noexcept override
    {
        return "CppApiStaticPlugin";
    }
};
PluginRegistrar<StaticCreator> gStaticRegistrar;

void testLifetimeAndEntryPoints()
{
    // Deprecated destroy() on every object, in reverse order of creation.
    {
        IBuilder* builder = createInferBuilder(gLogger);
        INetworkDefinition* net = builder ? builder->createNetworkV2(1U) : nullptr;
        IBuilderConfig* config = builder ? builder->createBuilderConfig() : nullptr;
        ITensor* in = net ? net->addInput("in", DataType::kFLOAT, makeDims({1, 4})) : nullptr;
        IActivationLayer* act = in ? net->addActivation(*in, ActivationType::kSIGMOID) : nullptr;
        if (act)
        {
            act->getOutput(0)->setName("out");
            net->markOutput(*act->getOutput(0));
        }
        IHostMemory* plan = act && config ? builder->buildSerializedNetwork(*net, *config) : nullptr;
        IRuntime* runtime = createInferRuntime(gLogger);
        ICudaEngine* engine = plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr;
        IExecutionContext* ctx = engine ? engine->createExecutionContext() : nullptr;
        std::vector<float> x{-2.0f, -0.5f, 0.5f, 2.0f}, y(4, 0.0f);
        bool ran = ctx && infer(*ctx, "in", x, "out", y);
        bool sig = ran;
        for (size_t i = 0; ran && i < 4; ++i) sig = sig && std::fabs(y[i] - 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])))) <= 1e-6;
        CHECK(sig, "sigmoid network for the destroy() case runs and is right");
        if (ctx) ctx->destroy();
        if (engine) engine->destroy();
        if (runtime) runtime->destroy();
        if (plan) plan->destroy();
        if (config) config->destroy();
        if (net) net->destroy();
        if (builder) builder->destroy();
        CHECK(ctx && engine && runtime && plan && config && net && builder,
            "destroy() on context, engine, runtime, host memory, config, network, builder");
    }
    // unique_ptr deletion, engine outliving its runtime and plan (TensorRT 8.6 allows that).
    {
        Ptr<ICudaEngine> engine;
        {
            Ptr<IRuntime> runtime(createInferRuntime(gLogger));
            if (runtime && gBigPlan)
            {
                std::vector<uint8_t> copy(static_cast<uint8_t const*>(gBigPlan->data()),
                    static_cast<uint8_t const*>(gBigPlan->data()) + gBigPlan->size());
                engine.reset(runtime->deserializeCudaEngine(copy.data(), copy.size()));
            }
        }
        Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
        std::vector<float> x = randomValues(BigNet::kInputSize, 71), y(BigNet::kOutputSize);
        bool ran = ctx && infer(*ctx, "x", x, "prob", y);
        CHECK_CLOSE(ran, y, gBig.reference(x), "engine runs after its runtime and plan buffer were deleted");
    }

    CHECK(getInferLibVersion() == 8601, "getInferLibVersion() == 8601");
    CHECK(getInferLibVersion() == NV_TENSORRT_VERSION, "getInferLibVersion() == NV_TENSORRT_VERSION of the headers");
    CHECK(getNvOnnxParserVersion() == 100, "getNvOnnxParserVersion() == 100");
    CHECK(getLogger() == &gLogger, "getLogger() returns the application's logger");
    size_t mark = gLogger.mark();
    CHECK(createInferRuntime_INTERNAL(&gLogger, 7103) == nullptr, "createInferRuntime_INTERNAL for TensorRT 7 headers returns null");
    CHECK(createInferBuilder_INTERNAL(&gLogger, 9000) == nullptr, "createInferBuilder_INTERNAL for TensorRT 9 headers returns null");
    CHECK(gLogger.countSince(mark, ILogger::Severity::kERROR, "version") >= 2, "...each with an error naming the version mismatch");

    IPluginRegistry* registry = getPluginRegistry();
    CHECK(registry != nullptr, "getPluginRegistry() is non-null");
    if (registry)
    {
        Ptr<IBuilder> builder(createInferBuilder(gLogger));
        CHECK(builder && &builder->getPluginRegistry() == registry, "builder->getPluginRegistry() is the global registry");
        TinyCreator creator;
        CHECK(registry->registerCreator(creator, ""), "registerCreator of a new creator returns true");
        CHECK(registry->getPluginCreator("CppApiTinyPlugin", "1", "") == &creator, "getPluginCreator finds it");
        CHECK(registry->getPluginCreator("CppApiTinyPlugin", "1") == &creator, "getPluginCreator with the default namespace finds it");
        CHECK(registry->getPluginCreator("CppApiTinyPlugin", "2", "") == nullptr, "getPluginCreator of another version is null");
        CHECK(registry->getPluginCreator("CppApiTinyPlugin", "1", "other_ns") == nullptr, "getPluginCreator in another namespace is null");
        CHECK(!registry->registerCreator(creator, ""), "registering the same creator twice returns false");
        int32_t n = 0;
        IPluginCreator* const* list = registry->getPluginCreatorList(&n);
        bool listed = false;
        for (int32_t i = 0; list && i < n; ++i) listed = listed || list[i] == &creator;
        CHECK(listed, "getPluginCreatorList contains it");
        CHECK(registry->getPluginCreator("CppApiStaticPlugin", "1", "") != nullptr, "REGISTER-style PluginRegistrar registered its creator before main");
        CHECK(registry->deregisterCreator(creator), "deregisterCreator returns true");
        CHECK(registry->getPluginCreator("CppApiTinyPlugin", "1", "") == nullptr, "after deregisterCreator it is gone");
    }
    mark = gLogger.mark();
    CHECK(initLibNvInferPlugins(&gLogger, ""), "initLibNvInferPlugins returns true");
    CHECK(!gLogger.errorSince(mark), "initLibNvInferPlugins logs no error");
    CHECK(initLibNvInferPlugins(nullptr, "custom_ns"), "initLibNvInferPlugins(nullptr logger, namespace) returns true");
    CHECK(getLogger() == &gLogger, "...and getLogger() still returns the application's logger");

    // Unimplemented methods: a neutral value and a "not implemented" message.
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    if (builder)
    {
        Ptr<IBuilderConfig> cfg(builder->createBuilderConfig());
        mark = gLogger.mark();
        CHECK(cfg && cfg->createTimingCache(nullptr, 0) == nullptr, "unimplemented createTimingCache() returns null");
        CHECK(gLogger.countSince(mark, ILogger::Severity::kWARNING, "not implemented") > 0, "...and logs \"not implemented\"");
        Ptr<INetworkDefinition> net(builder->createNetworkV2(1U));
        ITensor* in = net ? net->addInput("in", DataType::kFLOAT, makeDims({1, 3, 4, 4})) : nullptr;
        mark = gLogger.mark();
        InertPlugin plugin;
        CHECK(in && net->addPluginV2(&in, 1, plugin) == nullptr, "unimplemented addPluginV2 returns null");
        CHECK(gLogger.countSince(mark, ILogger::Severity::kWARNING, "not implemented") > 0, "...and logs \"not implemented\"");
        CHECK(net && net->getNbLayers() == 0, "...and adds nothing");
    }
}

} // namespace

// Dynamic shapes through the C++ API: IOptimizationProfile, two profiles, setInputShape and
// its refusal outside a profile, getTensorShape with -1, the legacy per-profile bindings, a
// shape tensor built with IShapeLayer into a reshape input, and INonZeroLayer's output
// through an IOutputAllocator.
class VectorAllocator : public IOutputAllocator
{
public:
    void* reallocateOutput(char const*, void*, uint64_t size, uint64_t) noexcept override
    {
        mMemory.assign(static_cast<size_t>(size / 4 + 1), 0);
        return mMemory.data();
    }
    void notifyShape(char const*, Dims const& dims) noexcept override { mShape = dims; }
    std::vector<int32_t> mMemory;
    Dims mShape{};
};

void testDynamicShapes()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    Ptr<IBuilderConfig> config(builder ? builder->createBuilderConfig() : nullptr);
    if (!net || !config)
    {
        CHECK(false, "dynamic shapes: builder objects");
        return;
    }
    // y = relu(x + c) with x [-1, 3]; z = x reshaped by Shape(x) * [3, 1] / [1, 3] = [3B, 1].
    ITensor* x = net->addInput("x", DataType::kFLOAT, makeDims({-1, 3}));
    std::vector<float> cv{1.f, -2.f, 0.5f};
    IConstantLayer* c = net->addConstant(makeDims({1, 3}), weightsOf(cv));
    IElementWiseLayer* sum = net->addElementWise(*x, *c->getOutput(0), ElementWiseOperation::kSUM);
    IActivationLayer* relu = net->addActivation(*sum->getOutput(0), ActivationType::kRELU);
    CHECK(dimsAre(relu->getOutput(0)->getDimensions(), {-1, 3}), "getDimensions keeps the dynamic dim as -1");
    relu->getOutput(0)->setName("y");
    net->markOutput(*relu->getOutput(0));
    IShapeLayer* shape = net->addShape(*x);
    CHECK(shape && shape->getOutput(0)->getType() == DataType::kINT32 && dimsAre(shape->getOutput(0)->getDimensions(), {2}), "addShape gives a kINT32 [2] tensor");
    int32_t const twoOne[2] = {3, 1};
    int32_t const oneThree[2] = {1, 3};
    IConstantLayer* k1 = net->addConstant(makeDims({2}), Weights{DataType::kINT32, twoOne, 2});
    IConstantLayer* k2 = net->addConstant(makeDims({2}), Weights{DataType::kINT32, oneThree, 2});
    IElementWiseLayer* doubled = net->addElementWise(*shape->getOutput(0), *k1->getOutput(0), ElementWiseOperation::kPROD);
    IElementWiseLayer* halved = net->addElementWise(*doubled->getOutput(0), *k2->getOutput(0), ElementWiseOperation::kFLOOR_DIV);
    IShuffleLayer* reshape = net->addShuffle(*x);
    reshape->setInput(1, *halved->getOutput(0));
    CHECK(halved->getOutput(0)->isShapeTensor(), "the reshape input is a shape tensor");
    reshape->getOutput(0)->setName("z");
    net->markOutput(*reshape->getOutput(0));
    INonZeroLayer* nz = net->addNonZero(*relu->getOutput(0));
    nz->getOutput(0)->setName("nz");
    net->markOutput(*nz->getOutput(0));

    // Without a profile the build fails with a message naming the input.
    size_t mark = gLogger.mark();
    Ptr<IHostMemory> none(builder->buildSerializedNetwork(*net, *config));
    CHECK(!none && gLogger.countSince(mark, ILogger::Severity::kERROR, "'x'") > 0, "no profile: the build fails naming 'x'");
    IOptimizationProfile* p0 = builder->createOptimizationProfile();
    IOptimizationProfile* p1 = builder->createOptimizationProfile();
    CHECK(p0 && p1 && p0 != p1, "createOptimizationProfile");
    CHECK(p0->setDimensions("x", OptProfileSelector::kMIN, makeDims({1, 3})) && p0->setDimensions("x", OptProfileSelector::kOPT, makeDims({2, 3}))
            && p0->setDimensions("x", OptProfileSelector::kMAX, makeDims({4, 3})),
        "IOptimizationProfile::setDimensions");
    CHECK(dimsAre(p0->getDimensions("x", OptProfileSelector::kOPT), {2, 3}), "IOptimizationProfile::getDimensions");
    CHECK(p0->isValid(), "isValid");
    p1->setDimensions("x", OptProfileSelector::kMIN, makeDims({5, 3}));
    p1->setDimensions("x", OptProfileSelector::kOPT, makeDims({6, 3}));
    p1->setDimensions("x", OptProfileSelector::kMAX, makeDims({8, 3}));
    CHECK(config->addOptimizationProfile(p0) == 0 && config->addOptimizationProfile(p1) == 1 && config->getNbOptimizationProfiles() == 2, "addOptimizationProfile");
    Ptr<IHostMemory> plan(builder->buildSerializedNetwork(*net, *config));
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    if (!engine)
    {
        CHECK(false, "dynamic shapes: engine");
        return;
    }
    CHECK(engine->getNbOptimizationProfiles() == 2, "getNbOptimizationProfiles == 2");
    CHECK(dimsAre(engine->getTensorShape("x"), {-1, 3}) && dimsAre(engine->getTensorShape("y"), {-1, 3}), "engine shapes keep -1");
    CHECK(dimsAre(engine->getProfileShape("x", 1, OptProfileSelector::kMAX), {8, 3}), "getProfileShape(x, 1, kMAX)");
    CHECK(engine->getNbBindings() == 2 * engine->getNbIOTensors(), "legacy bindings: one set per profile");
    int32_t b1 = engine->getBindingIndex("x [profile 1]");
    CHECK(b1 == engine->getNbIOTensors() + engine->getBindingIndex("x"), "getBindingIndex(\"x [profile 1]\")");
    char const* b1name = b1 >= 0 ? engine->getBindingName(b1) : nullptr;
    CHECK(b1name && std::strcmp(b1name, "x [profile 1]") == 0, "getBindingName of profile 1");
    CHECK(dimsAre(engine->getProfileDimensions(b1, 1, OptProfileSelector::kMIN), {5, 3}), "getProfileDimensions");

    Ptr<IExecutionContext> ctx(engine->createExecutionContext());
    CHECK(ctx && ctx->getOptimizationProfile() == 0, "a new context uses profile 0");
    CHECK(!ctx->allInputDimensionsSpecified(), "a dynamic input starts unspecified");
    mark = gLogger.mark();
    CHECK(!ctx->setInputShape("x", makeDims({5, 3})), "setInputShape outside the profile is refused");
    CHECK(gLogger.countSince(mark, ILogger::Severity::kERROR, "outside optimization profile") > 0, "...with a message");
    CHECK(ctx->setInputShape("x", makeDims({3, 3})) && ctx->allInputDimensionsSpecified(), "setInputShape within the profile");
    CHECK(dimsAre(ctx->getTensorShape("y"), {3, 3}) && dimsAre(ctx->getTensorShape("z"), {9, 1}), "getTensorShape follows the input");
    CHECK(dimsAre(ctx->getTensorShape("nz"), {2, -1}), "a data-dependent output is -1 before the run");
    std::vector<float> xs{1.f, 2.f, -3.f, -1.f, 2.f, 0.f, 4.f, -4.f, 0.25f};
    std::vector<float> ys(9, -7.f), zs(9, -7.f);
    VectorAllocator alloc;
    CHECK(ctx->setOutputAllocator("nz", &alloc) && ctx->getOutputAllocator("nz") == &alloc, "setOutputAllocator");
    ctx->setTensorAddress("x", xs.data());
    ctx->setTensorAddress("y", ys.data());
    ctx->setTensorAddress("z", zs.data());
    CHECK(ctx->enqueueV3(nullptr), "enqueueV3 with a dynamic batch of 3");
    std::vector<float> expected(9);
    for (size_t i = 0; i < 9; ++i) expected[i] = std::max(0.f, xs[i] + cv[i % 3]);
    CHECK(ys == expected, "y = relu(x + c) per row");
    CHECK(zs == xs, "z is x reshaped by the shape tensor");
    int32_t count = 0;
    for (float v : expected) count += v != 0.f;
    CHECK(dimsAre(alloc.mShape, {2, count}), "notifyShape gives [2, count]");
    CHECK(dimsAre(ctx->getTensorShape("nz"), {2, count}), "getTensorShape after the run gives the count");
    CHECK(alloc.mMemory.size() >= static_cast<size_t>(2 * count) && alloc.mMemory[0] == 0 && alloc.mMemory[count] == 0,
        "the first non-zero is at (0, 0)");
    // Profile 1 through the legacy API on a second context.
    Ptr<IExecutionContext> ctx1(engine->createExecutionContext());
    CHECK(ctx1 && ctx1->setOptimizationProfileAsync(1, nullptr) && ctx1->getOptimizationProfile() == 1, "setOptimizationProfileAsync(1)");
    CHECK(!ctx1->setBindingDimensions(engine->getBindingIndex("x"), makeDims({6, 3})), "a binding of profile 0 is refused on a profile-1 context");
    CHECK(ctx1->setBindingDimensions(b1, makeDims({6, 3})), "setBindingDimensions with the profile-1 binding");
    CHECK(dimsAre(ctx1->getBindingDimensions(b1), {6, 3}), "getBindingDimensions");
}

// ---- network-level calls: shape outputs, removeTensor, setWeightsName, explicit precision --

void testNetworkLevelCalls()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(1U) : nullptr);
    if (!net)
    {
        CHECK(false, "network-level calls: network");
        return;
    }
    CHECK(!net->hasExplicitPrecision(), "hasExplicitPrecision is false without the flag");
    Ptr<INetworkDefinition> precise(builder->createNetworkV2(3U));
    CHECK(precise && precise->hasExplicitPrecision(), "hasExplicitPrecision with kEXPLICIT_PRECISION");
    ITensor* x = net->addInput("x", DataType::kFLOAT, makeDims({2, 3}));
    ITensor* unused = net->addInput("unused", DataType::kFLOAT, makeDims({1}));
    IShapeLayer* shape = net->addShape(*x);
    IActivationLayer* relu = net->addActivation(*x, ActivationType::kRELU);
    if (!shape || !relu || !unused)
    {
        CHECK(false, "network-level calls: layers");
        return;
    }
    CHECK(net->markOutputForShapes(*shape->getOutput(0)) && net->getNbOutputs() == 1, "markOutputForShapes on a shape tensor");
    size_t mark = gLogger.mark();
    CHECK(!net->markOutputForShapes(*relu->getOutput(0)) && gLogger.errorSince(mark, "not a shape tensor"),
        "markOutputForShapes refuses a float tensor");
    CHECK(net->unmarkOutputForShapes(*shape->getOutput(0)) && net->getNbOutputs() == 0, "unmarkOutputForShapes");
    CHECK(!net->unmarkOutputForShapes(*shape->getOutput(0)), "unmarkOutputForShapes of a tensor that is not an output");
    net->removeTensor(*unused);
    CHECK(net->getNbInputs() == 1 && net->getInput(0) == x, "removeTensor removes an input no layer reads");
    mark = gLogger.mark();
    net->removeTensor(*x);
    CHECK(net->getNbInputs() == 1 && gLogger.errorSince(mark, "cannot be removed"), "removeTensor refuses an input in use");
    float w[2] = {1.f, 2.f};
    CHECK(net->setWeightsName(Weights{DataType::kFLOAT, w, 2}, "conv1.weight"), "setWeightsName");
    CHECK(!net->setWeightsName(Weights{DataType::kFLOAT, nullptr, 0}, "none"), "setWeightsName refuses empty weights");
}

// ---- implicit batch: createNetworkV2(0), deprecated layer forms, execute(batchSize) -----------

void testImplicitBatch()
{
    Ptr<IBuilder> builder(createInferBuilder(gLogger));
    Ptr<INetworkDefinition> net(builder ? builder->createNetworkV2(0U) : nullptr);
    if (!net)
    {
        CHECK(false, "implicit batch: createNetworkV2(0)");
        return;
    }
    CHECK(net->hasImplicitBatchDimension(), "createNetworkV2(0) has an implicit batch dimension");
    // x [2,5,5] per sample -> conv 3 maps 3x3 (DimsHW form) -> [3,3,3] -> max pool 3x3 -> [3,1,1]
    ITensor* x = net->addInput("x", DataType::kFLOAT, Dims3{2, 5, 5});
    std::vector<float> w = randomValues(3 * 2 * 3 * 3, 61), b = randomValues(3, 62);
    IConvolutionLayer* conv = net->addConvolution(*x, 3, DimsHW{3, 3}, weightsOf(w), weightsOf(b));
    CHECK(conv && dimsAre(conv->getOutput(0)->getDimensions(), {3, 3, 3}), "addConvolution on [2,5,5] gives [3,3,3] (no batch)");
    IPoolingLayer* pool = conv ? net->addPooling(*conv->getOutput(0), PoolingType::kMAX, DimsHW{3, 3}) : nullptr;
    if (!pool)
    {
        CHECK(false, "implicit batch: addPooling");
        return;
    }
    pool->getOutput(0)->setName("y");
    net->markOutput(*pool->getOutput(0));
    builder->setMaxBatchSize(4);
    CHECK(builder->getMaxBatchSize() == 4, "IBuilder::setMaxBatchSize / getMaxBatchSize");
    Ptr<IHostMemory> plan(buildPlan(*builder, *net));
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine(plan && runtime ? runtime->deserializeCudaEngine(plan->data(), plan->size()) : nullptr);
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    if (!ctx)
    {
        CHECK(false, "implicit batch: build, load, context");
        return;
    }
    CHECK(engine->hasImplicitBatchDimension() && engine->getMaxBatchSize() == 4, "the engine has an implicit batch of at most 4");
    CHECK(dimsAre(engine->getBindingDimensions(0), {2, 5, 5}) && dimsAre(engine->getBindingDimensions(1), {3, 1, 1}),
        "binding dimensions exclude the batch");
    std::vector<float> xs = randomValues(4 * 50, 63), ys(4 * 3, -7.f);
    void* bindings[2] = {xs.data(), ys.data()};
    CHECK(ctx->execute(3, bindings), "execute(3, bindings)");
    Tensor4 xt{3, 2, 5, 5, std::vector<double>(xs.begin(), xs.begin() + 150)};
    Tensor4 conv3 = refConv(xt, w, b, 3, 3, 3, 1, 1, 0, 0, 1, 1, 1);
    Tensor4 ref = refMaxPool(conv3, 3, 3, 1, 1);
    std::string why;
    CHECK(allClose(std::vector<float>(ys.begin(), ys.begin() + 9), ref.v, &why), "each of the 3 samples is conv + max pool of its input " + why);
    CHECK(ys[9] == -7.f, "nothing is written past the batch");
    size_t mark = gLogger.mark();
    CHECK(!ctx->execute(5, bindings) && gLogger.errorSince(mark, "batch size 5"), "a batch above getMaxBatchSize is refused");
    CHECK(!ctx->executeV2(bindings) && gLogger.errorSince(mark, "implicit batch"), "executeV2 on an implicit-batch engine is refused");
    CHECK(ctx->enqueue(4, bindings, nullptr, nullptr), "enqueue(4, bindings, stream) after the refusals");
}

int main()
{
    testBigNetwork();
    testFullyConnected();
    testSettersAndGroupedConv();
    testShuffleOrder();
    testErrors();
    testEngineQueries();
    testThreads();
    testMisc();
    testLifetimeAndEntryPoints();
    testDynamicShapes();
    testImplicitBatch();
    testNetworkLevelCalls();
    gBigPlan.reset();
    std::printf("network_api: %d passed, %d failed\n", gPassed, gFailed);
    return gFailed == 0 ? 0 : 1;
}
