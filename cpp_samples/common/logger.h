// Logging for the samples: one ILogger that TensorRT reports through, the same prefixes for the
// sample's own messages, and the "&&&& RUNNING / PASSED / FAILED" lines that test drivers grep.
#ifndef SAMPLES_COMMON_LOGGER_H
#define SAMPLES_COMMON_LOGGER_H

#include "NvInfer.h"

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>

namespace samples
{

using Severity = nvinfer1::ILogger::Severity;

//! Short tag printed in front of every line of the given severity.
inline char const* severityTag(Severity severity)
{
    switch (severity)
    {
    case Severity::kINTERNAL_ERROR: return "[F] ";
    case Severity::kERROR: return "[E] ";
    case Severity::kWARNING: return "[W] ";
    case Severity::kINFO: return "[I] ";
    case Severity::kVERBOSE: return "[V] ";
    }
    return "[?] ";
}

//! ILogger with a severity threshold. Messages from TensorRT carry an extra "[TRT] " so that
//! they can be told apart from the sample's own output. Everything goes to stdout, line by
//! line under a lock, so that the order stays readable when stdout is a pipe.
class Logger : public nvinfer1::ILogger
{
public:
    explicit Logger(Severity threshold = Severity::kINFO) : mThreshold(threshold) {}

    void log(Severity severity, nvinfer1::AsciiChar const* msg) noexcept override
    {
        write(severity, "[TRT] ", msg != nullptr ? msg : "(null)");
    }

    //! Lower severities are more severe; a message is shown when severity <= threshold.
    void setThreshold(Severity threshold) noexcept { mThreshold = threshold; }
    Severity threshold() const noexcept { return mThreshold; }
    bool enabled(Severity severity) const noexcept
    {
        return static_cast<int32_t>(severity) <= static_cast<int32_t>(mThreshold);
    }

    //! Print a line written by the sample itself (no "[TRT]" tag).
    void write(Severity severity, char const* origin, std::string const& msg) noexcept
    {
        if (!enabled(severity))
        {
            return;
        }
        try
        {
            std::lock_guard<std::mutex> lock(mMutex);
            std::cout << severityTag(severity) << origin << msg << std::endl;
        }
        catch (...)
        {
            // Logging must never throw into TensorRT; a lost line is the lesser evil.
        }
    }

private:
    Severity mThreshold;
    std::mutex mMutex;
};

//! The process-wide logger handed to TensorRT (the samples' "gLogger").
inline Logger& sampleLogger()
{
    static Logger logger;
    return logger;
}

//! Collects one message with operator<< and prints it when the statement ends:
//!     samples::logError() << "cannot open " << path;
class LogStream
{
public:
    explicit LogStream(Severity severity) : mSeverity(severity) {}
    // Only the last owner prints: a moved-from stream must not emit an empty line.
    LogStream(LogStream&& other) : mSeverity(other.mSeverity), mBuffer(std::move(other.mBuffer))
    {
        other.mActive = false;
    }
    LogStream(LogStream const&) = delete;
    LogStream& operator=(LogStream const&) = delete;
    ~LogStream()
    {
        if (mActive)
        {
            sampleLogger().write(mSeverity, "", mBuffer.str());
        }
    }

    template <typename T>
    LogStream& operator<<(T const& value)
    {
        mBuffer << value;
        return *this;
    }

private:
    Severity mSeverity;
    std::ostringstream mBuffer;
    bool mActive{true};
};

inline LogStream logError() { return LogStream(Severity::kERROR); }
inline LogStream logWarning() { return LogStream(Severity::kWARNING); }
inline LogStream logInfo() { return LogStream(Severity::kINFO); }
inline LogStream logVerbose() { return LogStream(Severity::kVERBOSE); }

//! The "&&&& RUNNING name # command" ... "&&&& PASSED name # command" protocol of TensorRT's
//! samples, so that existing scripts which grep for these lines keep working.
class TestReport
{
public:
    TestReport(std::string name, int argc, char const* const* argv) : mName(std::move(name))
    {
        std::ostringstream cmd;
        for (int i = 0; i < argc; ++i)
        {
            cmd << (i == 0 ? "" : " ") << argv[i];
        }
        mCommand = cmd.str();
    }

    void start() const { line("RUNNING"); }
    int pass() const { line("PASSED"); return EXIT_SUCCESS; }
    int fail() const { line("FAILED"); return EXIT_FAILURE; }
    //! Use when the sample cannot run here at all (not a failure of the library).
    int waive() const { line("WAIVED"); return EXIT_SUCCESS; }
    int report(bool ok) const { return ok ? pass() : fail(); }

private:
    void line(char const* status) const
    {
        int32_t const v = getInferLibVersion();
        std::cout << "&&&& " << status << " " << mName << " [TensorRT v" << v << "] # " << mCommand
                  << std::endl;
    }

    std::string mName;
    std::string mCommand;
};

} // namespace samples

#endif // SAMPLES_COMMON_LOGGER_H
