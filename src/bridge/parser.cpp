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
    bool supportsOperator(char const* op) const override { return nvt_parser_supports_operator(mHandle, op); }
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
