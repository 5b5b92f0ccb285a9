// classic_cnns.cpp: the classic CNNs built layer by layer through the TensorRT 8.x C++ API, the
// way programs port them by hand: LeNet-5, AlexNet (grouped convolutions, LRN), a VGG-style
// stack (3x3 convolutions, 2x2 max pooling), a ResNet-style network (BatchNorm as an IScaleLayer
// kCHANNEL with scale, shift and power, identity and bottleneck blocks with a 1x1 stride-2
// downsample, kSUM residuals), MobileNet v1/v2 blocks (depthwise convolutions via setNbGroups,
// ReLU6 as kCLIP, SAME_UPPER padding, an inverted residual), SqueezeNet fire modules (1x1 and
// 3x3 expand branches concatenated, ceil-mode pooling), GoogLeNet/Inception modules (four
// branches, 3x3 max and average pooling of stride 1 with padding) and a segmentation head
// (deconvolutions, nearest and bilinear resizes, padding and cropping, an NHWC transpose).
// They end in global average pooling (pooling or reduce), a fully connected layer or a matrix
// multiply and a softmax.
//
// API forms are mixed across the networks: implicit batch (createNetworkV2(0),
// setMaxBatchSize, execute/enqueue(batchSize, ...), batch sizes 3 and 2, and a network run
// with fewer samples than its maximum) and explicit batch (createNetworkV2(1 << kEXPLICIT_BATCH),
// executeV2 with binding indices, enqueueV3 with tensor addresses); the deprecated DimsHW
// forms (addConvolution, addPooling, addDeconvolution, addPadding, setStride/setPadding) and the
// Nd forms (addConvolutionNd, addPoolingNd, addDeconvolutionNd, addPaddingNd,
// setStrideNd/setPaddingNd); buildEngineWithConfig and buildSerializedNetwork.
//
// Each network is built and, alongside, computed by a plain reference in double precision
// written here from TensorRT's documented semantics. Every layer's output dimensions are
// compared with the reference's while the network is built, the engine's binding dimensions
// after, and every output (intermediate feature maps as well as the probabilities) is
// compared with the reference: |got - ref| <= 1e-4 * max |ref| over the output. Weights and
// inputs are deterministic pseudo-random values; this machine's engines run on the CPU
// reference backend.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "checks.h"

using namespace nvinfer1;

namespace
{

// Keeps the errors it is given (shown in a failing check's message).
class Logger : public ILogger
{
public:
    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (severity <= Severity::kERROR) errors.push_back(msg ? msg : "");
    }
    std::string since(size_t from) const
    {
        std::string s;
        for (size_t i = from; i < errors.size(); ++i) s += (s.empty() ? "" : "; ") + errors[i];
        return s;
    }
    std::vector<std::string> errors;
};

Logger gLogger;

template <typename T>
using Ptr = std::unique_ptr<T>;

constexpr double kTolerance = 1e-4;

// ---- the reference: a 4-D array in double precision and the layers over it -----------------

struct T4
{
    T4() = default;
    T4(int n_, int c_, int h_, int w_)
        : n(n_)
        , c(c_)
        , h(h_)
        , w(w_)
        , v(static_cast<size_t>(n_) * c_ * h_ * w_, 0.0)
    {
    }
    double& at(int i, int j, int k, int l)
    {
        return v[((static_cast<size_t>(i) * c + j) * h + k) * w + l];
    }
    double at(int i, int j, int k, int l) const
    {
        return v[((static_cast<size_t>(i) * c + j) * h + k) * w + l];
    }
    int dim(int axis) const
    {
        return axis == 0 ? n : axis == 1 ? c : axis == 2 ? h : w;
    }
    int n{0}, c{0}, h{0}, w{0};
    std::vector<double> v;
};

// Convolution with pre (top, left) and post (bottom, right) padding; weights [K, C/g, kh, kw].
T4 refConv(T4 const& x, std::vector<float> const& wt, std::vector<float> const& b, int K, int kh, int kw, int sh, int sw, int pt,
    int pl, int pb, int pr, int groups)
{
    int oh = (x.h + pt + pb - kh) / sh + 1, ow = (x.w + pl + pr - kw) / sw + 1;
    T4 y(x.n, K, oh, ow);
    int cg = x.c / groups, kg = K / groups;
    for (int n = 0; n < x.n; ++n)
        for (int k = 0; k < K; ++k)
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox)
                {
                    int g = k / kg;
                    double s = b.empty() ? 0.0 : b[k];
                    for (int ci = 0; ci < cg; ++ci)
                        for (int i = 0; i < kh; ++i)
                            for (int j = 0; j < kw; ++j)
                            {
                                int iy = oy * sh - pt + i, ix = ox * sw - pl + j;
                                if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                                s += x.at(n, g * cg + ci, iy, ix) * wt[((static_cast<size_t>(k) * cg + ci) * kh + i) * kw + j];
                            }
                    y.at(n, k, oy, ox) = s;
                }
    return y;
}

// Transposed convolution; weights [C, K/g, kh, kw]; output (in - 1) * stride + kernel - padding.
T4 refDeconv(T4 const& x, std::vector<float> const& wt, std::vector<float> const& b, int K, int kh, int kw, int sh, int sw, int pt,
    int pl, int pb, int pr, int groups)
{
    int oh = (x.h - 1) * sh + kh - pt - pb, ow = (x.w - 1) * sw + kw - pl - pr;
    T4 y(x.n, K, oh, ow);
    int cg = x.c / groups, kg = K / groups;
    for (int n = 0; n < x.n; ++n)
        for (int k = 0; k < K; ++k)
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox) y.at(n, k, oy, ox) = b.empty() ? 0.0 : b[k];
    for (int n = 0; n < x.n; ++n)
        for (int c = 0; c < x.c; ++c)
            for (int iy = 0; iy < x.h; ++iy)
                for (int ix = 0; ix < x.w; ++ix)
                {
                    int g = c / cg;
                    for (int k = 0; k < kg; ++k)
                        for (int i = 0; i < kh; ++i)
                            for (int j = 0; j < kw; ++j)
                            {
                                int oy = iy * sh + i - pt, ox = ix * sw + j - pl;
                                if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
                                y.at(n, g * kg + k, oy, ox)
                                    += x.at(n, c, iy, ix) * wt[((static_cast<size_t>(c) * kg + k) * kh + i) * kw + j];
                            }
                }
    return y;
}

// Max or average pooling to an output of oh x ow; padding is never a maximum; an average
// divides by the elements inside the input (excludePad) or inside the padded input.
T4 refPool(T4 const& x, bool isMax, int kh, int kw, int sh, int sw, int pt, int pl, int pb, int pr, int oh, int ow, bool excludePad)
{
    T4 y(x.n, x.c, oh, ow);
    for (int n = 0; n < x.n; ++n)
        for (int c = 0; c < x.c; ++c)
            for (int oy = 0; oy < oh; ++oy)
                for (int ox = 0; ox < ow; ++ox)
                {
                    double best = -std::numeric_limits<double>::infinity(), sum = 0;
                    int inside = 0, padded = 0;
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                        {
                            int iy = oy * sh - pt + i, ix = ox * sw - pl + j;
                            if (iy >= -pt && iy < x.h + pb && ix >= -pl && ix < x.w + pr) ++padded;
                            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                            ++inside;
                            best = std::max(best, x.at(n, c, iy, ix));
                            sum += x.at(n, c, iy, ix);
                        }
                    y.at(n, c, oy, ox) = isMax ? best : sum / (excludePad ? inside : padded);
                }
    return y;
}

// LRN across channels: x / (k + alpha / window * sum of squares over the window) ^ beta.
T4 refLRN(T4 const& x, int window, double alpha, double beta, double k)
{
    T4 y(x.n, x.c, x.h, x.w);
    int half = (window - 1) / 2;
    for (int n = 0; n < x.n; ++n)
        for (int c = 0; c < x.c; ++c)
            for (int i = 0; i < x.h; ++i)
                for (int j = 0; j < x.w; ++j)
                {
                    double sq = 0;
                    for (int cc = std::max(0, c - half); cc <= std::min(x.c - 1, c + half); ++cc) sq += x.at(n, cc, i, j) * x.at(n, cc, i, j);
                    y.at(n, c, i, j) = x.at(n, c, i, j) / std::pow(k + alpha / window * sq, beta);
                }
    return y;
}

// IScaleLayer kCHANNEL on axis 1: (x * scale + shift) ^ power.
T4 refScale(T4 const& x, std::vector<float> const& shift, std::vector<float> const& scale, std::vector<float> const& power)
{
    T4 y = x;
    for (int n = 0; n < x.n; ++n)
        for (int c = 0; c < x.c; ++c)
            for (int i = 0; i < x.h; ++i)
                for (int j = 0; j < x.w; ++j)
                    y.at(n, c, i, j) = std::pow(x.at(n, c, i, j) * scale[c] + shift[c], static_cast<double>(power[c]));
    return y;
}

T4 refClamp(T4 x, double lo, double hi)
{
    for (double& e : x.v) e = std::min(std::max(e, lo), hi);
    return x;
}

T4 refAdd(T4 a, T4 const& b)
{
    for (size_t i = 0; i < a.v.size(); ++i) a.v[i] += b.v[i];
    return a;
}

// Concatenation on axis 1.
T4 refConcat(std::vector<T4 const*> const& parts)
{
    int c = 0;
    for (T4 const* p : parts) c += p->c;
    T4 y(parts[0]->n, c, parts[0]->h, parts[0]->w);
    for (int n = 0; n < y.n; ++n)
    {
        int base = 0;
        for (T4 const* p : parts)
        {
            for (int k = 0; k < p->c; ++k)
                for (int i = 0; i < y.h; ++i)
                    for (int j = 0; j < y.w; ++j) y.at(n, base + k, i, j) = p->at(n, k, i, j);
            base += p->c;
        }
    }
    return y;
}

// y[n, k] = b[k] + sum_f W[k, f] x[n, f], x flattened per sample; the result is [N, K, 1, 1].
T4 refFullyConnected(T4 const& x, std::vector<float> const& wt, std::vector<float> const& b, int K)
{
    size_t f = static_cast<size_t>(x.c) * x.h * x.w;
    T4 y(x.n, K, 1, 1);
    for (int n = 0; n < x.n; ++n)
        for (int k = 0; k < K; ++k)
        {
            double s = b[k];
            for (size_t i = 0; i < f; ++i) s += wt[k * f + i] * x.v[n * f + i];
            y.at(n, k, 0, 0) = s;
        }
    return y;
}

T4 refSoftmax(T4 const& x, int axis)
{
    T4 y = x;
    int dims[4] = {x.n, x.c, x.h, x.w};
    int len = dims[axis];
    int idx[4];
    for (idx[0] = 0; idx[0] < x.n; ++idx[0])
        for (idx[1] = 0; idx[1] < x.c; ++idx[1])
            for (idx[2] = 0; idx[2] < x.h; ++idx[2])
                for (idx[3] = 0; idx[3] < x.w; ++idx[3])
                {
                    if (idx[axis] != 0) continue;
                    int p[4] = {idx[0], idx[1], idx[2], idx[3]};
                    double mx = -std::numeric_limits<double>::infinity(), sum = 0;
                    for (p[axis] = 0; p[axis] < len; ++p[axis]) mx = std::max(mx, x.at(p[0], p[1], p[2], p[3]));
                    for (p[axis] = 0; p[axis] < len; ++p[axis]) sum += std::exp(x.at(p[0], p[1], p[2], p[3]) - mx);
                    for (p[axis] = 0; p[axis] < len; ++p[axis])
                        y.at(p[0], p[1], p[2], p[3]) = std::exp(x.at(p[0], p[1], p[2], p[3]) - mx) / sum;
                }
    return y;
}

T4 refGlobalAverage(T4 const& x)
{
    T4 y(x.n, x.c, 1, 1);
    for (int n = 0; n < x.n; ++n)
        for (int c = 0; c < x.c; ++c)
        {
            double s = 0;
            for (int i = 0; i < x.h; ++i)
                for (int j = 0; j < x.w; ++j) s += x.at(n, c, i, j);
            y.at(n, c, 0, 0) = s / (x.h * x.w);
        }
    return y;
}

// Zero padding of H and W; negative amounts crop.
T4 refPad(T4 const& x, int pt, int pl, int pb, int pr)
{
    T4 y(x.n, x.c, x.h + pt + pb, x.w + pl + pr);
    for (int n = 0; n < y.n; ++n)
        for (int c = 0; c < y.c; ++c)
            for (int i = 0; i < y.h; ++i)
                for (int j = 0; j < y.w; ++j)
                {
                    int iy = i - pt, ix = j - pl;
                    y.at(n, c, i, j) = (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) ? x.at(n, c, iy, ix) : 0.0;
                }
    return y;
}

// Nearest resize by an integer factor with kASYMMETRIC coordinates and kFLOOR rounding.
T4 refUpsampleNearest(T4 const& x, int f)
{
    T4 y(x.n, x.c, x.h * f, x.w * f);
    for (int n = 0; n < y.n; ++n)
        for (int c = 0; c < y.c; ++c)
            for (int i = 0; i < y.h; ++i)
                for (int j = 0; j < y.w; ++j) y.at(n, c, i, j) = x.at(n, c, i / f, j / f);
    return y;
}

// Bilinear resize with kALIGN_CORNERS coordinates: the corners of input and output coincide.
T4 refResizeAlignCorners(T4 const& x, int oh, int ow)
{
    T4 y(x.n, x.c, oh, ow);
    for (int n = 0; n < y.n; ++n)
        for (int c = 0; c < y.c; ++c)
            for (int i = 0; i < oh; ++i)
                for (int j = 0; j < ow; ++j)
                {
                    double sy = oh > 1 ? i * double(x.h - 1) / (oh - 1) : 0, sx = ow > 1 ? j * double(x.w - 1) / (ow - 1) : 0;
                    int y0 = static_cast<int>(std::floor(sy)), x0 = static_cast<int>(std::floor(sx));
                    int y1 = std::min(y0 + 1, x.h - 1), x1 = std::min(x0 + 1, x.w - 1);
                    double fy = sy - y0, fx = sx - x0;
                    y.at(n, c, i, j) = (1 - fy) * ((1 - fx) * x.at(n, c, y0, x0) + fx * x.at(n, c, y0, x1))
                        + fy * ((1 - fx) * x.at(n, c, y1, x0) + fx * x.at(n, c, y1, x1));
                }
    return y;
}

// out[i0, i1, i2, i3] = x[i_perm...]: output axis a is input axis perm[a].
T4 refTranspose(T4 const& x, int const perm[4])
{
    int d[4] = {x.n, x.c, x.h, x.w};
    T4 y(d[perm[0]], d[perm[1]], d[perm[2]], d[perm[3]]);
    int o[4];
    for (o[0] = 0; o[0] < y.n; ++o[0])
        for (o[1] = 0; o[1] < y.c; ++o[1])
            for (o[2] = 0; o[2] < y.h; ++o[2])
                for (o[3] = 0; o[3] < y.w; ++o[3])
                {
                    int i[4];
                    for (int a = 0; a < 4; ++a) i[perm[a]] = o[a];
                    y.at(o[0], o[1], o[2], o[3]) = x.at(i[0], i[1], i[2], i[3]);
                }
    return y;
}

// ---- a network built through the API and computed by the reference side by side ------------

// A tensor of the network and its reference value. `rank` is the explicit-batch rank the
// tensor has (4, or 2 for [N, F] after a flatten); implicit-batch tensors leave N out.
struct Val
{
    ITensor* t{nullptr};
    T4 r;
    int rank{4};
};

struct Model
{
    Model(std::string name_, bool implicitBatch_, bool legacyForms_)
        : name(std::move(name_))
        , implicitBatch(implicitBatch_)
        , legacy(legacyForms_)
    {
        builder.reset(createInferBuilder(gLogger));
        uint32_t flags = implicitBatch ? 0U : 1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
        if (builder) net.reset(builder->createNetworkV2(flags));
        if (!net) broken = "createNetworkV2 failed";
    }

    std::string name;
    bool implicitBatch;
    bool legacy; // the deprecated DimsHW forms (addConvolution, addPooling, setStride, ...)
    Ptr<IBuilder> builder;
    Ptr<INetworkDefinition> net;
    std::deque<std::vector<float>> store; // weights live until the engine is built
    uint32_t seed{1};
    std::string broken;                   // the first refused layer
    int layers{0};
    std::vector<std::string> badDims;     // layers whose output dims differ from the reference
    std::vector<std::pair<std::string, Val>> inputs, outputs;

    // Deterministic values in [-scale, scale], kept alive for the build.
    std::vector<float> const& values(size_t count, float scale, float offset = 0.f)
    {
        std::vector<float> v(count);
        uint32_t s = (seed++) * 2654435761u + 12345u;
        for (float& x : v)
        {
            s = s * 1664525u + 1013904223u;
            x = offset + scale * (static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f);
        }
        store.push_back(std::move(v));
        return store.back();
    }
    std::vector<float> const& keep(std::vector<float> v)
    {
        store.push_back(std::move(v));
        return store.back();
    }

    // Channel and spatial axes of the network's tensors (an implicit batch leaves N out).
    int axis(int refAxis) const
    {
        return implicitBatch ? refAxis - 1 : refAxis;
    }

    std::vector<int> expectedDims(Val const& v) const
    {
        std::vector<int> d;
        for (int a = implicitBatch ? 1 : 0; a < v.rank; ++a) d.push_back(v.r.dim(a));
        return d;
    }

    static std::string str(Dims const& d)
    {
        std::string s = "[";
        for (int i = 0; i < d.nbDims; ++i) s += (i ? "," : "") + std::to_string(d.d[i]);
        return s + "]";
    }
    static std::string str(std::vector<int> const& d)
    {
        std::string s = "[";
        for (size_t i = 0; i < d.size(); ++i) s += (i ? "," : "") + std::to_string(d[i]);
        return s + "]";
    }
    static bool same(Dims const& d, std::vector<int> const& e)
    {
        if (d.nbDims != static_cast<int>(e.size())) return false;
        for (int i = 0; i < d.nbDims; ++i)
            if (d.d[i] != e[i]) return false;
        return true;
    }

    // Takes a layer's output and its reference; compares the dims.
    Val take(ILayer* layer, T4 ref, int rank, std::string const& what)
    {
        Val out;
        out.r = std::move(ref);
        out.rank = rank;
        ++layers;
        if (!layer || !layer->getOutput(0))
        {
            if (broken.empty()) broken = what + " was refused: " + gLogger.since(0);
            return out;
        }
        layer->setName((name + "." + what + "." + std::to_string(layers)).c_str());
        out.t = layer->getOutput(0);
        Dims d = out.t->getDimensions();
        if (!same(d, expectedDims(out))) badDims.push_back(what + " " + str(d) + " expected " + str(expectedDims(out)));
        return out;
    }
    bool ok(std::initializer_list<Val const*> vs) const
    {
        if (!broken.empty()) return false;
        for (Val const* v : vs)
            if (!v->t) return false;
        return true;
    }

    Val input(char const* tensorName, int n, int c, int h, int w)
    {
        Val v;
        v.r = T4(n, c, h, w);
        std::vector<float> const& data = values(v.r.v.size(), 1.f);
        std::copy(data.begin(), data.end(), v.r.v.begin());
        if (net)
            v.t = implicitBatch ? net->addInput(tensorName, DataType::kFLOAT, Dims3{c, h, w})
                                : net->addInput(tensorName, DataType::kFLOAT, Dims4{n, c, h, w});
        if (!v.t && broken.empty()) broken = "addInput refused";
        inputs.emplace_back(tensorName, v);
        return v;
    }

    void output(Val const& v, char const* tensorName)
    {
        if (!v.t) return;
        v.t->setName(tensorName);
        net->markOutput(*v.t);
        outputs.emplace_back(tensorName, v);
    }

    // ---- layers ----

    // Convolution with He-scaled weights; `sameUpper` uses PaddingMode::kSAME_UPPER instead of `pad`.
    Val conv(Val const& x, int K, int k, int s = 1, int p = 0, int groups = 1, bool sameUpper = false, bool bias = true)
    {
        int cin = x.r.c;
        int fanIn = cin / groups * k * k;
        std::vector<float> const& w = values(static_cast<size_t>(K) * fanIn, std::sqrt(6.f / fanIn));
        std::vector<float> const& b = bias ? values(K, 0.1f) : keep({});
        int pt = p, pl = p, pb = p, pr = p;
        if (sameUpper)
        {
            int oh = (x.r.h + s - 1) / s, ow = (x.r.w + s - 1) / s;
            int th = std::max(0, (oh - 1) * s + k - x.r.h), tw = std::max(0, (ow - 1) * s + k - x.r.w);
            pt = th / 2;
            pb = th - pt;
            pl = tw / 2;
            pr = tw - pl;
        }
        T4 ref = refConv(x.r, w, b, K, k, k, s, s, pt, pl, pb, pr, groups);
        if (!ok({&x})) return take(nullptr, ref, 4, "conv");
        Weights kw{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())};
        Weights bw{DataType::kFLOAT, b.empty() ? nullptr : b.data(), static_cast<int64_t>(b.size())};
        IConvolutionLayer* l = nullptr;
        if (legacy)
        {
            l = net->addConvolution(*x.t, K, DimsHW{k, k}, kw, bw);
            if (l)
            {
                l->setStride(DimsHW{s, s});
                l->setPadding(DimsHW{p, p});
            }
        }
        else
        {
            l = net->addConvolutionNd(*x.t, K, DimsHW{k, k}, kw, bw);
            if (l)
            {
                l->setStrideNd(DimsHW{s, s});
                l->setPaddingNd(DimsHW{p, p});
            }
        }
        if (l && groups != 1) l->setNbGroups(groups);
        if (l && sameUpper) l->setPaddingMode(PaddingMode::kSAME_UPPER);
        return take(l, ref, 4, "conv");
    }

    Val deconv(Val const& x, int K, int k, int s, int p, int groups = 1)
    {
        int fan = x.r.c / groups * k * k;
        std::vector<float> const& w = values(static_cast<size_t>(x.r.c) * (K / groups) * k * k, std::sqrt(6.f / fan));
        std::vector<float> const& b = values(K, 0.1f);
        T4 ref = refDeconv(x.r, w, b, K, k, k, s, s, p, p, p, p, groups);
        if (!ok({&x})) return take(nullptr, ref, 4, "deconv");
        Weights kw{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())};
        Weights bw{DataType::kFLOAT, b.data(), static_cast<int64_t>(b.size())};
        IDeconvolutionLayer* l = nullptr;
        if (legacy)
        {
            l = net->addDeconvolution(*x.t, K, DimsHW{k, k}, kw, bw);
            if (l)
            {
                l->setStride(DimsHW{s, s});
                l->setPadding(DimsHW{p, p});
            }
        }
        else
        {
            l = net->addDeconvolutionNd(*x.t, K, DimsHW{k, k}, kw, bw);
            if (l)
            {
                l->setStrideNd(DimsHW{s, s});
                l->setPaddingNd(DimsHW{p, p});
            }
        }
        if (l && groups != 1) l->setNbGroups(groups);
        return take(l, ref, 4, "deconv");
    }

    // BatchNorm folded into an IScaleLayer kCHANNEL the way ports do it: scale = gamma /
    // sqrt(var + eps), shift = beta - mean * scale, power (ones unless given).
    Val batchNorm(Val const& x, float gain = 1.f, std::vector<float> power = {})
    {
        int c = x.r.c;
        std::vector<float> const& gamma = values(c, 0.5f, gain);
        std::vector<float> const& beta = values(c, 0.2f);
        std::vector<float> const& mean = values(c, 0.2f);
        std::vector<float> const& var = values(c, 0.5f, 1.f);
        std::vector<float> scale(c), shift(c);
        for (int i = 0; i < c; ++i)
        {
            scale[i] = gamma[i] / std::sqrt(var[i] + 1e-5f);
            shift[i] = beta[i] - mean[i] * scale[i];
        }
        if (power.empty()) power.assign(c, 1.f);
        std::vector<float> const& sc = keep(scale);
        std::vector<float> const& sh = keep(shift);
        std::vector<float> const& pw = keep(power);
        T4 ref = refScale(x.r, sh, sc, pw);
        if (!ok({&x})) return take(nullptr, ref, 4, "batchnorm");
        IScaleLayer* l = net->addScale(*x.t, ScaleMode::kCHANNEL, Weights{DataType::kFLOAT, sh.data(), c},
            Weights{DataType::kFLOAT, sc.data(), c}, Weights{DataType::kFLOAT, pw.data(), c});
        return take(l, ref, 4, "batchnorm");
    }

    Val relu(Val const& x)
    {
        T4 ref = refClamp(x.r, 0.0, std::numeric_limits<double>::infinity());
        if (!ok({&x})) return take(nullptr, ref, x.rank, "relu");
        return take(net->addActivation(*x.t, ActivationType::kRELU), ref, x.rank, "relu");
    }

    // ReLU6 as kCLIP with alpha 0 and beta 6.
    Val relu6(Val const& x)
    {
        T4 ref = refClamp(x.r, 0.0, 6.0);
        if (!ok({&x})) return take(nullptr, ref, x.rank, "relu6");
        IActivationLayer* l = net->addActivation(*x.t, ActivationType::kCLIP);
        if (l)
        {
            l->setAlpha(0.f);
            l->setBeta(6.f);
        }
        return take(l, ref, x.rank, "relu6");
    }

    // Pooling; `roundUp` uses PaddingMode::kEXPLICIT_ROUND_UP (Caffe's ceil mode).
    Val pool(Val const& x, PoolingType type, int k, int s, int p = 0, bool roundUp = false, bool excludePad = true)
    {
        int span = x.r.h + 2 * p - k;
        int oh = (roundUp ? (span + s - 1) / s : span / s) + 1;
        span = x.r.w + 2 * p - k;
        int ow = (roundUp ? (span + s - 1) / s : span / s) + 1;
        T4 ref = refPool(x.r, type == PoolingType::kMAX, k, k, s, s, p, p, p, p, oh, ow, excludePad);
        if (!ok({&x})) return take(nullptr, ref, 4, "pool");
        IPoolingLayer* l = nullptr;
        if (legacy)
        {
            l = net->addPooling(*x.t, type, DimsHW{k, k});
            if (l)
            {
                l->setStride(DimsHW{s, s});
                l->setPadding(DimsHW{p, p});
            }
        }
        else
        {
            l = net->addPoolingNd(*x.t, type, DimsHW{k, k});
            if (l)
            {
                l->setStrideNd(DimsHW{s, s});
                l->setPaddingNd(DimsHW{p, p});
            }
        }
        if (l && roundUp) l->setPaddingMode(PaddingMode::kEXPLICIT_ROUND_UP);
        if (l && !excludePad) l->setAverageCountExcludesPadding(false);
        return take(l, ref, 4, "pool");
    }

    // Global average pooling as a pooling layer over the whole plane.
    Val globalAveragePool(Val const& x)
    {
        T4 ref = refGlobalAverage(x.r);
        if (!ok({&x})) return take(nullptr, ref, 4, "gap-pool");
        IPoolingLayer* l = legacy ? net->addPooling(*x.t, PoolingType::kAVERAGE, DimsHW{x.r.h, x.r.w})
                                  : net->addPoolingNd(*x.t, PoolingType::kAVERAGE, DimsHW{x.r.h, x.r.w});
        return take(l, ref, 4, "gap-pool");
    }

    // Global average pooling as a kAVG reduce over H and W.
    Val globalAverageReduce(Val const& x, bool keepDims)
    {
        T4 ref = refGlobalAverage(x.r);
        int rank = keepDims ? 4 : 2;
        if (!ok({&x})) return take(nullptr, ref, rank, "gap-reduce");
        uint32_t axes = (1U << axis(2)) | (1U << axis(3));
        return take(net->addReduce(*x.t, ReduceOperation::kAVG, axes, keepDims), ref, rank, "gap-reduce");
    }

    Val lrn(Val const& x, int window, float alpha, float beta, float k)
    {
        T4 ref = refLRN(x.r, window, alpha, beta, k);
        if (!ok({&x})) return take(nullptr, ref, 4, "lrn");
        return take(net->addLRN(*x.t, window, alpha, beta, k), ref, 4, "lrn");
    }

    Val add(Val const& a, Val const& b)
    {
        T4 ref = refAdd(a.r, b.r);
        if (!ok({&a, &b})) return take(nullptr, ref, a.rank, "sum");
        return take(net->addElementWise(*a.t, *b.t, ElementWiseOperation::kSUM), ref, a.rank, "sum");
    }

    // Concatenation on the channel axis: the layer's default axis for both batch modes.
    Val concat(std::vector<Val const*> const& parts)
    {
        std::vector<T4 const*> refs;
        std::vector<ITensor*> ts;
        bool all = ok({});
        for (Val const* p : parts)
        {
            refs.push_back(&p->r);
            ts.push_back(p->t);
            all = all && p->t;
        }
        T4 ref = refConcat(refs);
        if (!all) return take(nullptr, ref, 4, "concat");
        IConcatenationLayer* l = net->addConcatenation(ts.data(), static_cast<int32_t>(ts.size()));
        if (l && l->getAxis() != axis(1) && broken.empty()) broken = "concatenation's default axis is not the channel axis";
        return take(l, ref, 4, "concat");
    }

    // IFullyConnectedLayer: [N, C, H, W] (or [C, H, W]) to [N, K, 1, 1].
    Val fullyConnected(Val const& x, int K, float gain = 1.f)
    {
        int f = x.r.c * x.r.h * x.r.w;
        std::vector<float> const& w = values(static_cast<size_t>(K) * f, gain * std::sqrt(6.f / f));
        std::vector<float> const& b = values(K, 0.1f);
        T4 ref = refFullyConnected(x.r, w, b, K);
        if (!ok({&x})) return take(nullptr, ref, 4, "fc");
        return take(net->addFullyConnected(*x.t, K, Weights{DataType::kFLOAT, w.data(), static_cast<int64_t>(w.size())},
                        Weights{DataType::kFLOAT, b.data(), K}),
            ref, 4, "fc");
    }

    // Explicit batch: [N, C, H, W] flattened to [N, C*H*W] by a shuffle (reshape {0, -1}).
    Val flatten(Val const& x)
    {
        T4 ref = x.r;
        ref.c = x.r.c * x.r.h * x.r.w;
        ref.h = ref.w = 1;
        if (!ok({&x})) return take(nullptr, ref, 2, "flatten");
        IShuffleLayer* l = net->addShuffle(*x.t);
        Dims d{};
        d.nbDims = 2;
        d.d[0] = 0;
        d.d[1] = -1;
        if (l) l->setReshapeDimensions(d);
        return take(l, ref, 2, "flatten");
    }

    // A dense layer as a matrix multiply by constant weights plus a broadcast bias: [N, F] to
    // [N, K]. `transposed` keeps the weights as [K, F] and multiplies with kTRANSPOSE.
    Val matmulDense(Val const& x, int K, bool transposed, float gain = 1.f)
    {
        int f = x.r.c;
        std::vector<float> const& wkf = values(static_cast<size_t>(K) * f, gain * std::sqrt(6.f / f)); // [K, F]
        std::vector<float> const& b = values(K, 0.1f);
        T4 ref = refFullyConnected(x.r, wkf, b, K);
        ref.h = ref.w = 1;
        if (!ok({&x})) return take(nullptr, ref, 2, "matmul");
        std::vector<float> const* w = &wkf;
        if (!transposed)
        {
            std::vector<float> wfk(wkf.size());
            for (int k = 0; k < K; ++k)
                for (int i = 0; i < f; ++i) wfk[static_cast<size_t>(i) * K + k] = wkf[static_cast<size_t>(k) * f + i];
            w = &keep(wfk);
        }
        Dims wd{};
        wd.nbDims = 2;
        wd.d[0] = transposed ? K : f;
        wd.d[1] = transposed ? f : K;
        IConstantLayer* wc = net->addConstant(wd, Weights{DataType::kFLOAT, w->data(), static_cast<int64_t>(w->size())});
        Dims bd{};
        bd.nbDims = 2;
        bd.d[0] = 1;
        bd.d[1] = K;
        IConstantLayer* bc = net->addConstant(bd, Weights{DataType::kFLOAT, b.data(), K});
        if (!wc || !bc) return take(nullptr, ref, 2, "matmul weights");
        IMatrixMultiplyLayer* mm = net->addMatrixMultiply(
            *x.t, MatrixOperation::kNONE, *wc->getOutput(0), transposed ? MatrixOperation::kTRANSPOSE : MatrixOperation::kNONE);
        T4 noBias = ref; // the dims check of the product
        Val prod = take(mm, noBias, 2, "matmul");
        if (!prod.t) return take(nullptr, ref, 2, "matmul bias");
        return take(net->addElementWise(*prod.t, *bc->getOutput(0), ElementWiseOperation::kSUM), ref, 2, "bias");
    }

    // Softmax over reference axis `refAxis`; `setAxes` false relies on the layer's default.
    Val softmax(Val const& x, int refAxis, bool setAxes)
    {
        T4 ref = refSoftmax(x.r, refAxis);
        if (!ok({&x})) return take(nullptr, ref, x.rank, "softmax");
        ISoftMaxLayer* l = net->addSoftMax(*x.t);
        if (l && setAxes) l->setAxes(1U << axis(refAxis));
        if (l && !setAxes && l->getAxes() != 1U << axis(refAxis) && broken.empty())
            broken = "softmax's default axes " + std::to_string(l->getAxes()) + " are not the channel axis";
        return take(l, ref, x.rank, "softmax");
    }

    // Padding of H and W (negative amounts crop): addPadding (DimsHW) or addPaddingNd.
    Val pad(Val const& x, int pt, int pl, int pb, int pr)
    {
        T4 ref = refPad(x.r, pt, pl, pb, pr);
        if (!ok({&x})) return take(nullptr, ref, 4, "pad");
        IPaddingLayer* l = legacy ? net->addPadding(*x.t, DimsHW{pt, pl}, DimsHW{pb, pr})
                                  : net->addPaddingNd(*x.t, DimsHW{pt, pl}, DimsHW{pb, pr});
        return take(l, ref, 4, "pad");
    }

    // Nearest upsampling by `f` through setScales.
    Val upsampleNearest(Val const& x, int f)
    {
        T4 ref = refUpsampleNearest(x.r, f);
        if (!ok({&x})) return take(nullptr, ref, 4, "resize-nearest");
        IResizeLayer* l = net->addResize(*x.t);
        if (l)
        {
            float scales[4] = {1.f, 1.f, float(f), float(f)};
            l->setResizeMode(ResizeMode::kNEAREST);
            l->setScales(implicitBatch ? scales + 1 : scales, implicitBatch ? 3 : 4);
        }
        return take(l, ref, 4, "resize-nearest");
    }

    // Bilinear resize to oh x ow through setOutputDimensions, corners aligned.
    Val resizeBilinear(Val const& x, int oh, int ow)
    {
        T4 ref = refResizeAlignCorners(x.r, oh, ow);
        if (!ok({&x})) return take(nullptr, ref, 4, "resize-bilinear");
        IResizeLayer* l = net->addResize(*x.t);
        if (l)
        {
            l->setResizeMode(ResizeMode::kLINEAR);
            l->setCoordinateTransformation(ResizeCoordinateTransformation::kALIGN_CORNERS);
            l->setOutputDimensions(implicitBatch ? Dims(Dims3{x.r.c, oh, ow}) : Dims(Dims4{x.r.n, x.r.c, oh, ow}));
        }
        return take(l, ref, 4, "resize-bilinear");
    }

    // Explicit batch: a shuffle's first transpose.
    Val transpose(Val const& x, int const perm[4])
    {
        T4 ref = refTranspose(x.r, perm);
        if (!ok({&x})) return take(nullptr, ref, 4, "transpose");
        IShuffleLayer* l = net->addShuffle(*x.t);
        if (l)
        {
            Permutation p{};
            for (int a = 0; a < 4; ++a) p.order[a] = perm[a];
            l->setFirstTranspose(p);
        }
        return take(l, ref, 4, "transpose");
    }
};

// ---- building and running -------------------------------------------------------------------

enum class Exec
{
    kEXECUTE,    // implicit batch: execute(batchSize, bindings)
    kENQUEUE,    // implicit batch: enqueue(batchSize, bindings, stream, nullptr)
    kEXECUTE_V2, // explicit batch: executeV2(bindings), bindings by getBindingIndex
    kENQUEUE_V3, // explicit batch: setTensorAddress + enqueueV3
};

size_t volumeOf(std::vector<int> const& d)
{
    size_t v = 1;
    for (int x : d) v *= static_cast<size_t>(x);
    return v;
}

// |got - ref| <= kTolerance * max |ref| for every element.
bool matches(float const* got, std::vector<double> const& ref, std::string* why)
{
    double maxRef = 0, maxErr = 0;
    size_t worst = 0;
    bool finite = true;
    for (size_t i = 0; i < ref.size(); ++i)
    {
        maxRef = std::max(maxRef, std::fabs(ref[i]));
        if (!std::isfinite(got[i])) finite = false;
        double e = std::fabs(double(got[i]) - ref[i]);
        if (e > maxErr || !std::isfinite(e))
        {
            maxErr = e;
            worst = i;
        }
    }
    char buf[200];
    std::snprintf(buf, sizeof buf, "(max |err| %.3g, max |ref| %.3g, worst at %zu: got %.6g want %.6g)", maxErr, maxRef, worst,
        ref.empty() ? 0.0 : double(got[worst]), ref.empty() ? 0.0 : ref[worst]);
    *why = buf;
    return finite && maxRef > 0 && maxErr <= kTolerance * maxRef;
}

// Builds the model (buildEngineWithConfig when `legacyBuild`, else buildSerializedNetwork and
// deserialize), checks the network and binding dims, runs it once and compares the outputs.
void buildAndRun(Model& m, Exec exec, bool legacyBuild, int maxBatch = 0)
{
    std::string const& nm = m.name;
    CHECK(m.broken.empty(), nm + ": every layer is accepted " + m.broken);
    if (!m.broken.empty()) return;
    std::string bad;
    for (std::string const& b : m.badDims) bad += " " + b + ";";
    CHECK(m.badDims.empty(), nm + ": all " + std::to_string(m.layers) + " layers' output dims match the reference" + bad);
    CHECK(m.net->getNbInputs() == static_cast<int>(m.inputs.size()) && m.net->getNbOutputs() == static_cast<int>(m.outputs.size()),
        nm + ": network inputs and outputs counted");

    int batch = m.inputs[0].second.r.n;
    if (m.implicitBatch) m.builder->setMaxBatchSize(maxBatch);
    Ptr<IBuilderConfig> config(m.builder->createBuilderConfig());
    size_t mark = gLogger.errors.size();
    Ptr<IRuntime> runtime(createInferRuntime(gLogger));
    Ptr<ICudaEngine> engine;
    if (legacyBuild)
    {
        config->setMaxWorkspaceSize(16U << 20);
        engine.reset(m.builder->buildEngineWithConfig(*m.net, *config));
    }
    else
    {
        config->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, 16U << 20);
        Ptr<IHostMemory> plan(m.builder->buildSerializedNetwork(*m.net, *config));
        if (plan && runtime) engine.reset(runtime->deserializeCudaEngine(plan->data(), plan->size()));
    }
    Ptr<IExecutionContext> ctx(engine ? engine->createExecutionContext() : nullptr);
    CHECK(ctx != nullptr, nm + (legacyBuild ? ": buildEngineWithConfig" : ": buildSerializedNetwork + deserializeCudaEngine")
            + " and createExecutionContext " + gLogger.since(mark));
    if (!ctx) return;
    m.store.clear(); // the engine owns its weights now

    // Bindings: inputs then outputs, dims without the batch for an implicit batch.
    int nb = engine->getNbBindings();
    bool bindingsOk = nb == static_cast<int>(m.inputs.size() + m.outputs.size()) && engine->hasImplicitBatchDimension() == m.implicitBatch
        && (!m.implicitBatch || engine->getMaxBatchSize() == maxBatch);
    std::string why;
    std::vector<std::vector<float>> buffers(nb);
    std::vector<void*> bindings(nb, nullptr);
    int perSample = m.implicitBatch ? maxBatch : 1;
    auto prepare = [&](std::string const& tensorName, Val const& v, bool isInput) {
        int idx = engine->getBindingIndex(tensorName.c_str());
        std::vector<int> want = m.expectedDims(v);
        if (idx < 0 || idx >= nb || engine->bindingIsInput(idx) != isInput || !Model::same(engine->getBindingDimensions(idx), want))
        {
            bindingsOk = false;
            why += " " + tensorName + (idx < 0 ? " missing" : " is " + Model::str(engine->getBindingDimensions(idx))) + " want " + Model::str(want);
            return;
        }
        size_t vol = volumeOf(want) * perSample;
        buffers[idx].assign(vol, -7.f);
        if (isInput)
            for (size_t i = 0; i < v.r.v.size(); ++i) buffers[idx][i] = static_cast<float>(v.r.v[i]);
        bindings[idx] = buffers[idx].data();
        if (exec == Exec::kENQUEUE_V3) ctx->setTensorAddress(tensorName.c_str(), buffers[idx].data());
    };
    for (auto const& in : m.inputs) prepare(in.first, in.second, true);
    for (auto const& out : m.outputs) prepare(out.first, out.second, false);
    CHECK(bindingsOk, nm + ": engine bindings (names, directions, dims" + std::string(m.implicitBatch ? " without the batch" : "") + ")" + why);
    if (!bindingsOk) return;

    mark = gLogger.errors.size();
    bool ran = false;
    std::string how;
    switch (exec)
    {
    case Exec::kEXECUTE:
        ran = ctx->execute(batch, bindings.data());
        how = "execute(" + std::to_string(batch) + ", bindings)";
        break;
    case Exec::kENQUEUE:
        ran = ctx->enqueue(batch, bindings.data(), nullptr, nullptr);
        how = "enqueue(" + std::to_string(batch) + ", bindings, stream)";
        break;
    case Exec::kEXECUTE_V2:
        ran = ctx->executeV2(bindings.data());
        how = "executeV2(bindings)";
        break;
    case Exec::kENQUEUE_V3:
        ran = ctx->enqueueV3(nullptr);
        how = "enqueueV3";
        break;
    }
    CHECK(ran, nm + ": " + how + " " + gLogger.since(mark));
    if (!ran) return;
    for (auto const& out : m.outputs)
    {
        std::vector<float> const& got = buffers[engine->getBindingIndex(out.first.c_str())];
        bool same = matches(got.data(), out.second.r.v, &why);
        CHECK(same, nm + ": output " + out.first + " matches the reference " + why);
        if (m.implicitBatch && batch < maxBatch)
        {
            bool untouched = true;
            for (size_t i = out.second.r.v.size(); i < got.size(); ++i) untouched = untouched && got[i] == -7.f;
            CHECK(untouched, nm + ": nothing is written to " + out.first + " past the batch of " + std::to_string(batch));
        }
    }
}

// ---- the networks ---------------------------------------------------------------------------

// LeNet-5: implicit batch, DimsHW forms, batch 3 of at most 4, buildEngineWithConfig, execute.
void testLeNet()
{
    Model m("lenet5", true, true);
    Val x = m.input("data", 3, 1, 32, 32);
    Val c1 = m.relu(m.conv(x, 6, 5));                  // [6,28,28]
    Val p1 = m.pool(c1, PoolingType::kMAX, 2, 2);      // [6,14,14]
    Val c2 = m.relu(m.conv(p1, 16, 5));                // [16,10,10]
    Val p2 = m.pool(c2, PoolingType::kMAX, 2, 2);      // [16,5,5]
    Val f1 = m.relu(m.fullyConnected(p2, 120));        // [120,1,1]
    Val f2 = m.relu(m.fullyConnected(f1, 84));         // [84,1,1]
    Val logits = m.fullyConnected(f2, 10, 2.f);        // [10,1,1]
    Val prob = m.softmax(logits, 1, false);            // default axes: the channel
    m.output(p2, "pool2");
    m.output(logits, "logits");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kEXECUTE, true, 4);
}

// AlexNet: implicit batch, DimsHW forms, 11x11 stride-4 convolution, LRN, overlapping 3x3
// stride-2 max pooling, two-group convolutions, batch 2, enqueue(batchSize).
void testAlexNet()
{
    Model m("alexnet", true, true);
    Val x = m.input("data", 2, 3, 63, 63);
    Val c1 = m.relu(m.conv(x, 16, 11, 4, 2));               // [16,15,15]
    Val n1 = m.lrn(c1, 5, 0.5f, 0.75f, 2.f);
    Val p1 = m.pool(n1, PoolingType::kMAX, 3, 2);           // [16,7,7]
    Val c2 = m.relu(m.conv(p1, 32, 5, 1, 2, 2));            // groups 2: [32,7,7]
    Val n2 = m.lrn(c2, 3, 0.3f, 0.5f, 1.f);
    Val p2 = m.pool(n2, PoolingType::kMAX, 3, 2);           // [32,3,3]
    Val c3 = m.relu(m.conv(p2, 48, 3, 1, 1));
    Val c4 = m.relu(m.conv(c3, 48, 3, 1, 1, 2));
    Val c5 = m.relu(m.conv(c4, 32, 3, 1, 1, 2));
    Val p5 = m.pool(c5, PoolingType::kMAX, 3, 2);           // [32,1,1]
    Val f6 = m.relu(m.fullyConnected(p5, 64));
    Val f7 = m.relu(m.fullyConnected(f6, 64));
    Val logits = m.fullyConnected(f7, 10, 2.f);
    Val prob = m.softmax(logits, 1, false);
    m.output(n1, "lrn1");
    m.output(c5, "conv5");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kENQUEUE, false, 2);
}

// VGG-style: explicit batch with the DimsHW forms, stacked 3x3 convolutions and 2x2 max pools,
// flatten, dense layers as matrix multiplies by [F, K] weights, softmax on axis 1, executeV2.
void testVgg()
{
    Model m("vgg", false, true);
    Val x = m.input("data", 2, 3, 32, 32);
    Val a = m.relu(m.conv(m.relu(m.conv(x, 8, 3, 1, 1)), 8, 3, 1, 1));
    Val pa = m.pool(a, PoolingType::kMAX, 2, 2);            // [2,8,16,16]
    Val b = m.relu(m.conv(m.relu(m.conv(pa, 16, 3, 1, 1)), 16, 3, 1, 1));
    Val pb = m.pool(b, PoolingType::kMAX, 2, 2);            // [2,16,8,8]
    Val flat = m.flatten(pb);                                // [2,1024]
    Val d1 = m.relu(m.matmulDense(flat, 32, false));
    Val logits = m.matmulDense(d1, 10, false, 2.f);
    Val prob = m.softmax(logits, 1, true);
    m.output(pb, "pool2");
    m.output(logits, "logits");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kEXECUTE_V2, false);
}

// ResNet-style: explicit batch, Nd forms; conv-BN-ReLU stem (the BN with a power of 2 on odd
// channels), 3x3 stride-2 max pool with padding, a basic block with an identity shortcut, a
// bottleneck block with a 1x1 stride-2 projection shortcut, global average by reduce (dims
// kept), IFullyConnectedLayer, softmax on axis 1; enqueueV3.
void testResNet()
{
    Model m("resnet", false, false);
    Val x = m.input("data", 2, 3, 32, 32);
    std::vector<float> power(16);
    for (int c = 0; c < 16; ++c) power[c] = c % 2 ? 2.f : 1.f;
    Val stem = m.relu(m.batchNorm(m.conv(x, 16, 3, 1, 1, 1, false, false), 1.f, power));
    Val p = m.pool(stem, PoolingType::kMAX, 3, 2, 1);                 // [2,16,16,16]
    // Basic block.
    Val b1 = m.relu(m.batchNorm(m.conv(p, 16, 3, 1, 1, 1, false, false)));
    Val b2 = m.batchNorm(m.conv(b1, 16, 3, 1, 1, 1, false, false));
    Val basic = m.relu(m.add(b2, p));
    // Bottleneck with a projection shortcut.
    Val r1 = m.relu(m.batchNorm(m.conv(basic, 8, 1, 1, 0, 1, false, false)));
    Val r2 = m.relu(m.batchNorm(m.conv(r1, 8, 3, 2, 1, 1, false, false)));      // [2,8,8,8]
    Val r3 = m.batchNorm(m.conv(r2, 32, 1, 1, 0, 1, false, false));             // [2,32,8,8]
    Val down = m.batchNorm(m.conv(basic, 32, 1, 2, 0, 1, false, false));        // [2,32,8,8]
    Val bottleneck = m.relu(m.add(r3, down));
    Val gap = m.globalAverageReduce(bottleneck, true);                          // [2,32,1,1]
    Val logits = m.fullyConnected(gap, 10, 3.f);                                // [2,10,1,1]
    Val prob = m.softmax(logits, 1, true);
    m.output(stem, "stem");
    m.output(bottleneck, "block2");
    m.output(logits, "logits");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kENQUEUE_V3, false);
}

// MobileNet v1/v2: explicit batch, Nd forms; a stride-2 SAME_UPPER stem, a depthwise-separable
// block (setNbGroups = channels), inverted residual blocks (1x1 expand, depthwise 3x3, linear
// 1x1 projection; a residual sum at stride 1), ReLU6 as kCLIP (BN gains large enough that it
// clips), global average pooling, a dense layer by a kTRANSPOSE matrix multiply; enqueueV3.
void testMobileNet()
{
    Model m("mobilenet", false, false);
    Val x = m.input("data", 1, 3, 32, 32);
    Val stem = m.relu6(m.batchNorm(m.conv(x, 16, 3, 2, 0, 1, true, false), 4.f));    // [1,16,16,16]
    Val dw = m.relu6(m.batchNorm(m.conv(stem, 16, 3, 1, 1, 16, false, false), 2.f));
    Val pw = m.relu6(m.batchNorm(m.conv(dw, 16, 1, 1, 0, 1, false, false), 2.f));
    // Inverted residual, stride 1, expansion 4.
    Val e1 = m.relu6(m.batchNorm(m.conv(pw, 64, 1, 1, 0, 1, false, false), 2.f));
    Val d1 = m.relu6(m.batchNorm(m.conv(e1, 64, 3, 1, 1, 64, false, false), 2.f));
    Val j1 = m.batchNorm(m.conv(d1, 16, 1, 1, 0, 1, false, false));
    Val ir1 = m.add(pw, j1);
    // Inverted residual, stride 2.
    Val e2 = m.relu6(m.conv(ir1, 48, 1));
    Val d2 = m.relu6(m.conv(e2, 48, 3, 2, 1, 48));                                   // [1,48,8,8]
    Val ir2 = m.batchNorm(m.conv(d2, 24, 1, 1, 0, 1, false, false));                // [1,24,8,8]
    Val gap = m.globalAveragePool(ir2);                                              // [1,24,1,1]
    Val logits = m.matmulDense(m.flatten(gap), 10, true, 3.f);
    Val prob = m.softmax(logits, 1, true);
    size_t clipped = 0, total = stem.r.v.size();
    for (double v : stem.r.v) clipped += v == 6.0;
    CHECK(clipped > total / 50 && clipped < total, "mobilenet: ReLU6 clips part of the stem's outputs at 6 (" + std::to_string(clipped) + " of " + std::to_string(total) + ")");
    m.output(stem, "stem");
    m.output(ir1, "block1");
    m.output(logits, "logits");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kENQUEUE_V3, false);
}

// SqueezeNet: implicit batch with the Nd forms, batch 2 of at most 3; fire modules (1x1 squeeze,
// 1x1 and 3x3 expands concatenated), ceil-mode (kEXPLICIT_ROUND_UP) max pooling, a 1x1
// classifier convolution, global average pooling, softmax by default axes; execute.
void testSqueezeNet()
{
    Model m("squeezenet", true, false);
    Val x = m.input("data", 2, 3, 33, 33);
    Val c1 = m.relu(m.conv(x, 16, 3, 2));                           // [16,16,16]
    Val p1 = m.pool(c1, PoolingType::kMAX, 3, 2, 0, true);           // ceil: [16,8,8]
    auto fire = [&](Val const& in, int squeeze, int e1, int e3) {
        Val s = m.relu(m.conv(in, squeeze, 1));
        Val a = m.relu(m.conv(s, e1, 1));
        Val b = m.relu(m.conv(s, e3, 3, 1, 1));
        return m.concat({&a, &b});
    };
    Val f2 = fire(p1, 4, 8, 8);                                       // [16,8,8]
    Val f3 = fire(f2, 4, 8, 8);
    Val p3 = m.pool(f3, PoolingType::kMAX, 3, 2, 0, true);            // ceil: [16,4,4]
    Val f4 = fire(p3, 8, 16, 16);                                     // [32,4,4]
    Val c10 = m.relu(m.conv(f4, 10, 1));                              // [10,4,4]
    Val gap = m.globalAveragePool(c10);                               // [10,1,1]
    Val prob = m.softmax(gap, 1, false);
    m.output(f2, "fire2");
    m.output(f4, "fire4");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kEXECUTE, false, 3);
}

// GoogLeNet/Inception: explicit batch, Nd forms; two modules of four branches (1x1; 1x1 then
// 3x3; 1x1 then 5x5; 3x3 stride-1 padded max pool, or average pool counting the padding, then
// 1x1) concatenated, a padded 3x3 stride-2 max pool between, global average by reduce without
// kept dims, a dense layer by matrix multiply, softmax on axis 1; executeV2.
void testInception()
{
    Model m("inception", false, false);
    Val x = m.input("data", 2, 3, 32, 32);
    Val stem = m.relu(m.conv(x, 16, 3, 1, 1));
    Val p0 = m.pool(stem, PoolingType::kMAX, 3, 2, 1);              // [2,16,16,16]
    auto module = [&](Val const& in, int b1, int b2r, int b2, int b3r, int b3, int b4, bool maxPoolBranch) {
        Val a = m.relu(m.conv(in, b1, 1));
        Val b = m.relu(m.conv(m.relu(m.conv(in, b2r, 1)), b2, 3, 1, 1));
        Val c = m.relu(m.conv(m.relu(m.conv(in, b3r, 1)), b3, 5, 1, 2));
        Val pooled = maxPoolBranch ? m.pool(in, PoolingType::kMAX, 3, 1, 1) : m.pool(in, PoolingType::kAVERAGE, 3, 1, 1, false, false);
        Val d = m.relu(m.conv(pooled, b4, 1));
        return m.concat({&a, &b, &c, &d});
    };
    Val i3a = module(p0, 8, 8, 12, 4, 4, 4, true);                    // [2,28,16,16]
    Val p3 = m.pool(i3a, PoolingType::kMAX, 3, 2, 1);                 // [2,28,8,8]
    Val i4a = module(p3, 12, 8, 16, 4, 8, 8, false);                  // [2,44,8,8]
    Val gap = m.globalAverageReduce(i4a, false);                      // [2,44]
    Val logits = m.matmulDense(gap, 10, false, 3.f);
    Val prob = m.softmax(logits, 1, true);
    m.output(i3a, "inception3a");
    m.output(i4a, "inception4a");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kEXECUTE_V2, false);
}

// A segmentation head: explicit batch, Nd forms except the last deconvolution and the crop;
// addPaddingNd before a valid 5x5 convolution, a strided encoder, a 4x4 stride-2
// addDeconvolutionNd, nearest (setScales) and bilinear align-corners (setOutputDimensions)
// resizes, a four-way concatenation, a 1x1 classifier, a depthwise 2x2 stride-2 addDeconvolution
// (DimsHW), a negative addPadding crop, an NHWC transpose and a softmax over the last axis;
// enqueueV3.
void testSegmentationHead()
{
    Model m("segmentation", false, false);
    Val x = m.input("image", 1, 3, 16, 16);
    Val padded = m.pad(x, 2, 2, 2, 2);                                 // [1,3,20,20]
    Val a = m.relu(m.conv(padded, 8, 5));                              // [1,8,16,16]
    Val b = m.relu(m.conv(a, 16, 3, 2, 1));                            // [1,16,8,8]
    Val c = m.relu(m.deconv(b, 8, 4, 2, 1));                           // [1,8,16,16]
    Val d = m.upsampleNearest(b, 2);                                   // [1,16,16,16]
    Val e = m.resizeBilinear(b, 16, 16);                               // [1,16,16,16]
    Val cat = m.concat({&a, &c, &d, &e});                              // [1,48,16,16]
    Val cls = m.conv(cat, 5, 1);                                       // [1,5,16,16]
    m.legacy = true;
    Val up = m.deconv(cls, 5, 2, 2, 0, 5);                             // depthwise: [1,5,32,32]
    Val crop = m.pad(up, 0, 0, -2, -2);                                // [1,5,30,30]
    m.legacy = false;
    int nhwc[4] = {0, 2, 3, 1};
    Val t = m.transpose(crop, nhwc);                                   // [1,30,30,5]
    Val prob = m.softmax(t, 3, true);
    m.output(c, "deconv");
    m.output(d, "nearest");
    m.output(e, "bilinear");
    m.output(crop, "crop");
    m.output(prob, "prob");
    buildAndRun(m, Exec::kENQUEUE_V3, false);
}

} // namespace

int main()
{
    testLeNet();
    testAlexNet();
    testVgg();
    testResNet();
    testMobileNet();
    testSqueezeNet();
    testInception();
    testSegmentationHead();
    return finish("classic_cnns");
}
