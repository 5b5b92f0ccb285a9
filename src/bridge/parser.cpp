// nvonnxparser::IParser and IParserError over the C ABI.
#include "objects.h"

namespace nvtrt
{
namespace
{

class ParserErrorObj final : public ParserErrorDefaults
{
public:
    nvonnxparser::ErrorCode code() const override { return mCode; }
    char const* desc() const override { return mDesc; }
    char const* file() const override { return "nvinfer-rs onnx parser"; }
    int line() const override { return 0; }
    char const* func() const override { return mFunc ? mFunc : ""; }
    int node() const override { return mNode; }

    nvonnxparser::ErrorCode mCode{nvonnxparser::ErrorCode::kSUCCESS};
    char const* mDesc{""};
    char const* mFunc{""};
    int mNode{-1};
};

class ParserObj final : public ParserDefaults
{
public:
    ParserObj(NvtParser* handle) noexcept
        : mHandle(handle)
    {
    }
    ~ParserObj() override { nvt_parser_destroy(mHandle); }

    bool parse(void const* model, size_t size, char const* modelPath) override
    {
        return nvt_parser_parse(mHandle, model, size, modelPath);
    }
    bool parseFromFile(char const* file, int verbosity) override
    {
        return nvt_parser_parse_from_file(mHandle, file, verbosity);
    }
    bool supportsModel(void const* model, size_t size, SubGraphCollection_t& subGraphs, char const* modelPath) override
    {
        bool const whole = nvt_parser_supports_model(mHandle, model, size, modelPath);
        try
        {
            subGraphs.clear();
            int32_t const n = nvt_parser_node_support(mHandle, nullptr, 0);
            std::vector<uint8_t> support(static_cast<size_t>(n > 0 ? n : 0));
            nvt_parser_node_support(mHandle, support.data(), n);
            // Consecutive nodes of the same support state form one subgraph, in node order.
            for (size_t i = 0; i < support.size(); ++i)
            {
                bool const supported = support[i] != 0;
                if (subGraphs.empty() || subGraphs.back().second != supported)
                    subGraphs.emplace_back(std::vector<size_t>{}, supported);
                subGraphs.back().first.push_back(i);
            }
        }
        catch (...)
        {
            subGraphs.clear();
            logError("IParser::supportsModel: out of memory while listing the subgraphs");
            return false;
        }
        return whole;
    }
    // TensorRT keeps references into the caller's buffer here; this parser copies the model's
    // weights (as parse does), so the buffer may be freed after the call.
    bool parseWithWeightDescriptors(void const* model, size_t size) override
    {
        return nvt_parser_parse(mHandle, model, size, nullptr);
    }
    bool supportsOperator(char const* op) const override { return nvt_parser_supports_operator(mHandle, op); }
    // No plugin library is ever needed: every importer builds native layers.
    char const* const* getUsedVCPluginLibraries(int64_t& nbPluginLibs) const noexcept override
    {
        nbPluginLibs = 0;
        return nullptr;
    }
    void setFlags(nvonnxparser::OnnxParserFlags flags) noexcept override { nvt_parser_set_flags(mHandle, flags); }
    nvonnxparser::OnnxParserFlags getFlags() const noexcept override { return nvt_parser_get_flags(mHandle); }
    void clearFlag(nvonnxparser::OnnxParserFlag flag) noexcept override
    {
        nvt_parser_set_flag(mHandle, static_cast<int32_t>(flag), false);
    }
    void setFlag(nvonnxparser::OnnxParserFlag flag) noexcept override
    {
        nvt_parser_set_flag(mHandle, static_cast<int32_t>(flag), true);
    }
    bool getFlag(nvonnxparser::OnnxParserFlag flag) const noexcept override
    {
        return nvt_parser_get_flag(mHandle, static_cast<int32_t>(flag));
    }
    int getNbErrors() const override { return nvt_parser_nb_errors(mHandle); }
    nvonnxparser::IParserError const* getError(int index) const override
    {
        if (index < 0 || index >= getNbErrors()) return nullptr;
        try
        {
            if (mErrors.size() < static_cast<size_t>(getNbErrors())) mErrors.resize(getNbErrors());
        }
        catch (...)
        {
            return nullptr;
        }
        ParserErrorObj& e = mErrors[index];
        e.mCode = static_cast<nvonnxparser::ErrorCode>(nvt_parser_error_code(mHandle, index));
        e.mDesc = nvt_parser_error_desc(mHandle, index);
        e.mFunc = nvt_parser_error_func(mHandle, index);
        e.mNode = nvt_parser_error_node(mHandle, index);
        return &e;
    }
    void clearErrors() override
    {
        nvt_parser_clear_errors(mHandle);
        mErrors.clear();
    }
    void destroy() override { delete this; }

private:
    NvtParser* mHandle;
    mutable std::vector<ParserErrorObj> mErrors;
};

} // namespace

nvonnxparser::IParser* createParser(nvinfer1::INetworkDefinition* network, nvinfer1::ILogger* logger) noexcept
{
    if (!network)
    {
        logError("nvonnxparser::createParser: the network is null");
        return nullptr;
    }
    NvtParser* p = nvt_parser_create(static_cast<NetworkObj*>(network)->handle(), cLogger(logger));
    if (!p) return nullptr;
    ParserObj* obj = make<ParserObj>(p);
    if (!obj) nvt_parser_destroy(p);
    return obj;
}

} // namespace nvtrt
