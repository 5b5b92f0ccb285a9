// Command-line options shared by the samples (the usual TensorRT sample flags).
#ifndef SAMPLES_COMMON_ARGS_PARSER_H
#define SAMPLES_COMMON_ARGS_PARSER_H

#include "logger.h"

#include <iostream>
#include <string>
#include <vector>

namespace samples
{

struct SampleArgs
{
    std::vector<std::string> dataDirs; //!< searched in order for model and image files
    bool fp16{false};                  //!< allow FP16 kernels
    bool int8{false};                  //!< allow INT8 kernels (placeholder dynamic ranges)
    bool noTF32{false};                //!< clear BuilderFlag::kTF32 (bit-exact FP32 math)
    bool verbose{false};               //!< show TensorRT's kVERBOSE messages
    bool help{false};
    std::string saveEngine;            //!< write the serialized engine here after building
    std::string loadEngine;            //!< skip parse/build and deserialize this plan instead
    std::string dumpOutput;            //!< write the raw output logits here (little-endian f32)
};

namespace detail
{
//! Matches "--name=value" and returns value; false for anything else.
inline bool takeValue(std::string const& arg, char const* name, std::string& value)
{
    std::string const prefix = std::string(name) + "=";
    if (arg.compare(0, prefix.size(), prefix) != 0)
    {
        return false;
    }
    value = arg.substr(prefix.size());
    return true;
}
} // namespace detail

//! Fills args from argv. Unknown options and missing values are reported and give false.
inline bool parseArgs(SampleArgs& args, int argc, char const* const* argv)
{
    for (int i = 1; i < argc; ++i)
    {
        std::string const arg = argv[i];
        std::string value;
        if (arg == "-h" || arg == "--help")
        {
            args.help = true;
        }
        else if (arg == "--fp16")
        {
            args.fp16 = true;
        }
        else if (arg == "--int8")
        {
            args.int8 = true;
        }
        else if (arg == "--notf32" || arg == "--noTF32")
        {
            args.noTF32 = true;
        }
        else if (arg == "-v" || arg == "--verbose")
        {
            args.verbose = true;
        }
        else if (detail::takeValue(arg, "--datadir", value) || detail::takeValue(arg, "-d", value))
        {
            args.dataDirs.push_back(value);
        }
        else if (arg == "-d" || arg == "--datadir")
        {
            // "-d <dir>": the value is the next argument.
            if (i + 1 >= argc)
            {
                logError() << arg << " needs a folder";
                return false;
            }
            args.dataDirs.push_back(argv[++i]);
        }
        else if (arg.size() > 2 && arg.compare(0, 2, "-d") == 0 && arg[2] != '-')
        {
            args.dataDirs.push_back(arg.substr(2)); // "-d<dir>"
        }
        else if (detail::takeValue(arg, "--saveEngine", args.saveEngine)
            || detail::takeValue(arg, "--loadEngine", args.loadEngine)
            || detail::takeValue(arg, "--dumpOutput", args.dumpOutput))
        {
            if (arg.back() == '=')
            {
                logError() << arg << " needs a file name";
                return false;
            }
        }
        else
        {
            logError() << "Unknown argument: " << arg << " (see --help)";
            return false;
        }
    }

    if (!args.saveEngine.empty() && !args.loadEngine.empty())
    {
        logError() << "--saveEngine and --loadEngine cannot be combined";
        return false;
    }
    for (auto const& dir : args.dataDirs)
    {
        if (dir.empty())
        {
            logError() << "--datadir needs a non-empty folder";
            return false;
        }
    }
    return true;
}

inline void printUsage(char const* program, char const* description)
{
    std::cout << description << "\n\n"
              << "Usage: " << program << " [options]\n"
              << "  -d <dir>, --datadir=<dir>  folder with the model and images (repeatable; searched in order)\n"
              << "  --fp16                     allow FP16 precision where the GPU supports it\n"
              << "  --int8                     allow INT8 precision (placeholder ranges, no calibration)\n"
              << "  --notf32                   disable TF32 (clear BuilderFlag::kTF32)\n"
              << "  --saveEngine=<file>        write the built engine to <file>\n"
              << "  --loadEngine=<file>        run a saved engine instead of parsing and building\n"
              << "  --dumpOutput=<file>        write the output logits as raw little-endian float32\n"
              << "  -v, --verbose              show verbose TensorRT messages\n"
              << "  -h, --help                 show this help" << std::endl;
}

} // namespace samples

#endif // SAMPLES_COMMON_ARGS_PARSER_H
