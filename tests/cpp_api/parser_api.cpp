// parser_api.cpp: nvonnxparser::IParser beyond parse(): supportsModel's subgraphs,
// parseWithWeightDescriptors, the parser flags, getUsedVCPluginLibraries, and weights kept in
// a side file (ONNX external data) read through parseFromFile. The models are written here
// with a few lines of protobuf encoding, so the test needs no ONNX tooling.
//
// Prints one "ok   ..." or "FAIL ..." line per check and exits non-zero if any failed.
// Built and run by run.sh (C++14, -Wall -Wextra -Werror -Wno-deprecated-declarations).

#include "NvInfer.h"
#include "NvOnnxParser.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "checks.h"

using namespace nvinfer1;

namespace
{

class Logger : public ILogger
{
public:
    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (severity <= Severity::kERROR) ++errors;
        if (std::getenv("CPP_API_VERBOSE")) std::fprintf(stderr, "[log %d] %s\n", static_cast<int>(severity), msg);
    }
    int errors{0};
} gLogger;

template <typename T>
struct Deleter
{
    void operator()(T* p) const { delete p; }
};
template <typename T>
using Ptr = std::unique_ptr<T, Deleter<T>>;

// ---- protobuf encoding of the few ONNX messages used here ---------------------------------

using Bytes = std::string;

Bytes varint(uint64_t v)
{
    Bytes out;
    while (v >= 0x80)
    {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
    return out;
}

Bytes intField(int field, uint64_t v) { return varint(static_cast<uint64_t>(field) << 3) + varint(v); }

Bytes lenField(int field, Bytes const& payload)
{
    return varint((static_cast<uint64_t>(field) << 3) | 2) + varint(payload.size()) + payload;
}

Bytes node(char const* op, std::vector<char const*> const& inputs, char const* output)
{
    Bytes n;
    for (char const* i : inputs) n += lenField(1, i);
    return n + lenField(2, output) + lenField(3, std::string(op) + "_node") + lenField(4, op);
}

// A float ValueInfoProto of shape dims.
Bytes valueInfo(char const* name, std::vector<int64_t> const& dims)
{
    Bytes shape;
    for (int64_t d : dims) shape += lenField(1, intField(1, static_cast<uint64_t>(d)));
    Bytes tensorType = intField(1, 1) + lenField(2, shape);
    return lenField(1, name) + lenField(2, lenField(1, tensorType));
}

// A float TensorProto whose data is in `location` at `offset` (`length` bytes).
Bytes externalTensor(char const* name, std::vector<int64_t> const& dims, char const* location, size_t offset, size_t length)
{
    Bytes t;
    for (int64_t d : dims) t += intField(1, static_cast<uint64_t>(d));
    t += intField(2, 1) + lenField(8, name);
    t += lenField(13, lenField(1, "location") + lenField(2, location));
    t += lenField(13, lenField(1, "offset") + lenField(2, std::to_string(offset)));
    t += lenField(13, lenField(1, "length") + lenField(2, std::to_string(length)));
    return t + intField(14, 1);
}

// ModelProto (opset 13) of one graph.
Bytes model(std::vector<Bytes> const& nodes, std::vector<Bytes> const& initializers, Bytes const& input, Bytes const& output)
{
    Bytes g;
    for (Bytes const& n : nodes) g += lenField(1, n);
    g += lenField(2, "g");
    for (Bytes const& t : initializers) g += lenField(5, t);
    g += lenField(11, input) + lenField(12, output);
    return intField(1, 8) + lenField(7, g) + lenField(8, intField(2, 13));
}

// X[2,3] → Relu → `middle` → Sigmoid → Y.
Bytes chain(char const* middle)
{
    return model({node("Relu", {"X"}, "A"), node(middle, {"A"}, "B"), node("Sigmoid", {"B"}, "Y")}, {},
        valueInfo("X", {2, 3}), valueInfo("Y", {2, 3}));
}

struct Parser
{
    Ptr<IBuilder> builder{createInferBuilder(gLogger)};
    Ptr<INetworkDefinition> network{builder ? builder->createNetworkV2(1U) : nullptr};
    Ptr<nvonnxparser::IParser> parser{network ? nvonnxparser::createParser(*network, gLogger) : nullptr};
};

// ---- tests ---------------------------------------------------------------------------------

void testSupportsModel()
{
    Parser p;
    if (!p.parser)
    {
        CHECK(false, "createParser");
        return;
    }
    Bytes const unknownMiddle = chain("NoSuchOperator");
    SubGraphCollection_t subGraphs;
    bool const whole = p.parser->supportsModel(unknownMiddle.data(), unknownMiddle.size(), subGraphs);
    CHECK(!whole, "supportsModel is false for a model with an unknown operator");
    bool const shape = subGraphs.size() == 3 && subGraphs[0].first == std::vector<size_t>{0} && subGraphs[0].second
        && subGraphs[1].first == std::vector<size_t>{1} && !subGraphs[1].second
        && subGraphs[2].first == std::vector<size_t>{2} && subGraphs[2].second;
    CHECK(shape, "...three subgraphs: {0} supported, {1} not, {2} supported");
    CHECK(p.parser->getNbErrors() == 1 && p.parser->getError(0)->node() == 1
            && p.parser->getError(0)->code() == nvonnxparser::ErrorCode::kUNSUPPORTED_NODE,
        "...and records the unknown operator's error at node 1");
    CHECK(p.network->getNbLayers() == 0 && p.network->getNbInputs() == 0, "...and leaves the user's network untouched");

    p.parser->clearErrors();
    Bytes const supported = chain("Tanh");
    subGraphs.clear();
    CHECK(p.parser->supportsModel(supported.data(), supported.size(), subGraphs), "supportsModel is true for a supported model");
    CHECK(subGraphs.size() == 1 && subGraphs[0].second && subGraphs[0].first == (std::vector<size_t>{0, 1, 2}),
        "...one supported subgraph of nodes 0, 1, 2");
    CHECK(p.parser->getNbErrors() == 0, "...and no error");

    char const junk[] = "not an onnx model";
    CHECK(!p.parser->supportsModel(junk, sizeof junk, subGraphs) && subGraphs.empty(),
        "supportsModel of bytes that are no model: false, no subgraphs");
    CHECK(p.parser->getNbErrors() == 1 && p.parser->getError(0)->code() == nvonnxparser::ErrorCode::kMODEL_DESERIALIZE_FAILED,
        "...and a deserialization error");
    CHECK(!p.parser->supportsModel(nullptr, 16, subGraphs) && subGraphs.empty(), "supportsModel(nullptr, 16) is false, no crash");
}

void testParseWithWeightDescriptors()
{
    Parser p;
    if (!p.parser) return;
    {
        // The parser copies what it keeps: the buffer may go right after the call.
        Bytes bytes = chain("Tanh");
        CHECK(p.parser->parseWithWeightDescriptors(bytes.data(), bytes.size()), "parseWithWeightDescriptors parses a model");
    }
    CHECK(p.network->getNbLayers() == 3 && p.network->getNbOutputs() == 1, "...into the network: 3 layers, 1 output");
    Parser q;
    if (!q.parser) return;
    char const junk[] = "xx";
    CHECK(!q.parser->parseWithWeightDescriptors(junk, 2) && q.parser->getNbErrors() == 1,
        "parseWithWeightDescriptors of junk: false and one error");
}

void testFlagsAndPlugins()
{
    Parser p;
    if (!p.parser) return;
    using nvonnxparser::OnnxParserFlag;
    nvonnxparser::IParser& parser = *p.parser;
    CHECK(parser.getFlags() == 0 && !parser.getFlag(OnnxParserFlag::kNATIVE_INSTANCENORM), "parser flags default to 0");
    parser.setFlag(OnnxParserFlag::kNATIVE_INSTANCENORM);
    CHECK(parser.getFlag(OnnxParserFlag::kNATIVE_INSTANCENORM) && parser.getFlags() == 1U, "setFlag(kNATIVE_INSTANCENORM)");
    parser.clearFlag(OnnxParserFlag::kNATIVE_INSTANCENORM);
    CHECK(!parser.getFlag(OnnxParserFlag::kNATIVE_INSTANCENORM) && parser.getFlags() == 0, "clearFlag(kNATIVE_INSTANCENORM)");
    parser.setFlags(1U << static_cast<uint32_t>(OnnxParserFlag::kNATIVE_INSTANCENORM));
    CHECK(parser.getFlags() == 1U && parser.getFlag(OnnxParserFlag::kNATIVE_INSTANCENORM), "setFlags/getFlags");
    int const errors = gLogger.errors;
    parser.setFlags(0x10U);
    CHECK(parser.getFlags() == 1U && gLogger.errors > errors, "setFlags with an unknown bit is refused with an error");
    parser.setFlag(static_cast<OnnxParserFlag>(31));
    parser.clearFlag(static_cast<OnnxParserFlag>(-1));
    CHECK(parser.getFlags() == 1U && !parser.getFlag(static_cast<OnnxParserFlag>(40)), "unknown flags change nothing, no crash");

    int64_t n = -1;
    char const* const* libs = parser.getUsedVCPluginLibraries(n);
    CHECK(n == 0 && libs == nullptr, "getUsedVCPluginLibraries: no plugin libraries");
}

bool writeFile(std::string const& path, Bytes const& bytes)
{
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    bool const ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    return std::fclose(f) == 0 && ok;
}

// Y = X + W with W[2,3] in weights.bin next to model.onnx (at offset 8).
void testExternalData()
{
    char folder[] = "/tmp/nvinfer-parser-api-XXXXXX";
    if (!mkdtemp(folder))
    {
        CHECK(false, "mkdtemp");
        return;
    }
    std::string const dir(folder);
    float const w[6] = {1.5F, -2.F, 3.F, 0.25F, 8.F, -0.5F};
    Bytes weights(8, '\0');
    weights.append(reinterpret_cast<char const*>(w), sizeof w);
    CHECK(writeFile(dir + "/weights.bin", weights), "wrote weights.bin");
    auto addModel = [](char const* location, size_t offset) {
        return model({node("Add", {"X", "W"}, "Y")}, {externalTensor("W", {2, 3}, location, offset, 24)}, valueInfo("X", {2, 3}),
            valueInfo("Y", {2, 3}));
    };
    std::string const good = dir + "/model.onnx";
    CHECK(writeFile(good, addModel("weights.bin", 8)), "wrote model.onnx");
    {
        Parser p;
        bool const parsed = p.parser && p.parser->parseFromFile(good.c_str(), 0);
        CHECK(parsed, "parseFromFile reads weights from the side file");
        bool same = false;
        for (int i = 0; parsed && i < p.network->getNbLayers(); ++i)
        {
            ILayer* layer = p.network->getLayer(i);
            if (layer->getType() != LayerType::kCONSTANT) continue;
            Weights const got = static_cast<IConstantLayer*>(layer)->getWeights();
            same = got.count == 6 && got.type == DataType::kFLOAT && std::memcmp(got.values, w, sizeof w) == 0;
        }
        CHECK(same, "...and the constant holds the file's values");
    }
    {
        // The same bytes through parse(): found through model_path's folder, refused without it.
        Bytes const bytes = addModel("weights.bin", 8);
        Parser p;
        CHECK(p.parser && p.parser->parse(bytes.data(), bytes.size(), good.c_str()), "parse(model_path) finds the side file");
        Parser q;
        CHECK(q.parser && !q.parser->parse(bytes.data(), bytes.size()) && q.parser->getNbErrors() >= 1
                && std::strstr(q.parser->getError(0)->desc(), "'W'") != nullptr,
            "parse without model_path: an error naming the tensor");
    }
    std::string const bad = dir + "/escape.onnx";
    CHECK(writeFile(bad, addModel("../weights.bin", 8)), "wrote escape.onnx");
    {
        Parser p;
        CHECK(p.parser && !p.parser->parseFromFile(bad.c_str(), 0) && p.parser->getNbErrors() == 1
                && std::strstr(p.parser->getError(0)->desc(), "'..'") != nullptr,
            "a location with '..' is refused");
    }
    std::string const shortFile = dir + "/short.onnx";
    CHECK(writeFile(shortFile, addModel("weights.bin", 16)), "wrote short.onnx");
    {
        Parser p;
        CHECK(p.parser && !p.parser->parseFromFile(shortFile.c_str(), 0) && p.parser->getNbErrors() == 1
                && std::strstr(p.parser->getError(0)->desc(), "weights.bin") != nullptr,
            "data past the end of the file is refused, naming the file");
    }
    for (char const* name : {"/weights.bin", "/model.onnx", "/escape.onnx", "/short.onnx"}) std::remove((dir + name).c_str());
    rmdir(folder);
}

} // namespace

int main()
{
    testSupportsModel();
    testParseWithWeightDescriptors();
    testFlagsAndPlugins();
    testExternalData();
    return finish("parser_api");
}
