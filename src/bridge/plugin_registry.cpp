// The process-wide plugin registry: stores creators by (namespace, name, version). Plugins
// cannot be added to networks yet (INetworkDefinition::addPluginV2 is not implemented), but
// registration and lookup work as TensorRT documents them.
#include "objects.h"

#include <cstring>
#include <mutex>

namespace nvtrt
{
namespace
{

class PluginRegistryObj final : public PluginRegistryDefaults
{
public:
    bool registerCreator(nvinfer1::IPluginCreator& creator, nvinfer1::AsciiChar const* const ns) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        char const* space = ns ? ns : "";
        try
        {
            for (Entry const& e : mEntries)
                if (e.ns == space && same(e.creator, &creator)) return false;
            mEntries.push_back(Entry{space, &creator});
            mList.push_back(&creator);
        }
        catch (...)
        {
            return false;
        }
        return true;
    }

    nvinfer1::IPluginCreator* const* getPluginCreatorList(int32_t* const numCreators) const noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        if (numCreators) *numCreators = static_cast<int32_t>(mList.size());
        return mList.empty() ? nullptr : mList.data();
    }

    nvinfer1::IPluginCreator* getPluginCreator(nvinfer1::AsciiChar const* const name, nvinfer1::AsciiChar const* const version,
        nvinfer1::AsciiChar const* const ns) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        char const* space = ns ? ns : "";
        for (Entry const& e : mEntries)
            if (e.ns == space && eq(e.creator->getPluginName(), name) && eq(e.creator->getPluginVersion(), version))
                return e.creator;
        return nullptr;
    }

    bool deregisterCreator(nvinfer1::IPluginCreator const& creator) noexcept override
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (size_t i = 0; i < mEntries.size(); ++i)
            if (mEntries[i].creator == &creator)
            {
                mEntries.erase(mEntries.begin() + i);
                mList.erase(mList.begin() + i);
                return true;
            }
        return false;
    }

    void setErrorRecorder(nvinfer1::IErrorRecorder* const recorder) noexcept override { mRecorder.set(recorder); }
    nvinfer1::IErrorRecorder* getErrorRecorder() const noexcept override { return mRecorder.get(); }
    bool isParentSearchEnabled() const override { return mParentSearch; }
    void setParentSearchEnabled(bool const enabled) override { mParentSearch = enabled; }

private:
    struct Entry
    {
        std::string ns;
        nvinfer1::IPluginCreator* creator;
    };
    static bool eq(char const* a, char const* b) { return a && b && std::strcmp(a, b) == 0; }
    static bool same(nvinfer1::IPluginCreator* a, nvinfer1::IPluginCreator* b)
    {
        return eq(a->getPluginName(), b->getPluginName()) && eq(a->getPluginVersion(), b->getPluginVersion());
    }

    mutable std::mutex mMutex;
    std::vector<Entry> mEntries;
    std::vector<nvinfer1::IPluginCreator*> mList;
    RecorderRef mRecorder;
    bool mParentSearch{true};
};

} // namespace

nvinfer1::IPluginRegistry& pluginRegistry() noexcept
{
    // Never destroyed: creators registered from static initializers may outlive main().
    static PluginRegistryObj* registry = new PluginRegistryObj();
    return *registry;
}

} // namespace nvtrt
