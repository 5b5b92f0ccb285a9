// Small helpers shared by the samples: error-check macros that return false instead of
// aborting, ownership of TensorRT objects, tensor sizes, file I/O and a PGM reader.
#ifndef SAMPLES_COMMON_COMMON_H
#define SAMPLES_COMMON_COMMON_H

#include "NvInfer.h"
#include "logger.h"

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

//! Log "[E] <message>" and make the enclosing function return false when cond is false.
//! The samples report every failure and unwind normally; they never abort.
#define SAMPLE_CHECK(cond, message)                                                                \
    do                                                                                             \
    {                                                                                              \
        if (!(cond))                                                                               \
        {                                                                                          \
            samples::logError() << message;                                                        \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

//! Same for CUDA runtime calls: name the call, the error and where it happened.
#define SAMPLE_CUDA_CHECK(call)                                                                    \
    do                                                                                             \
    {                                                                                              \
        cudaError_t const sampleCudaStatus_ = (call);                                              \
        if (sampleCudaStatus_ != cudaSuccess)                                                      \
        {                                                                                          \
            samples::logError() << "CUDA error " << cudaGetErrorName(sampleCudaStatus_) << " ("    \
                                << cudaGetErrorString(sampleCudaStatus_) << ") in " << #call       \
                                << " at " << __FILE__ << ":" << __LINE__;                          \
            return false;                                                                          \
        }                                                                                          \
    } while (0)

namespace samples
{

//! TensorRT 8.x objects are released with plain delete, so std::unique_ptr's default deleter
//! is the right owner. infer_object adopts a pointer returned by a factory (null stays null).
template <typename T>
std::unique_ptr<T> infer_object(T* object)
{
    return std::unique_ptr<T>(object);
}

constexpr std::size_t mebibytes(std::size_t n)
{
    return n << 20U;
}

//! Number of elements of a tensor shape; -1 when a dimension is unknown (dynamic) or the
//! shape is invalid, so callers can refuse it instead of allocating garbage.
inline int64_t volume(nvinfer1::Dims const& dims)
{
    if (dims.nbDims < 0 || dims.nbDims > nvinfer1::Dims::MAX_DIMS)
    {
        return -1;
    }
    int64_t count = 1;
    for (int32_t i = 0; i < dims.nbDims; ++i)
    {
        if (dims.d[i] < 0)
        {
            return -1;
        }
        count *= dims.d[i];
    }
    return count;
}

//! "[1,1,28,28]"
inline std::string dimsToString(nvinfer1::Dims const& dims)
{
    std::ostringstream out;
    out << "[";
    for (int32_t i = 0; i < dims.nbDims && i < nvinfer1::Dims::MAX_DIMS; ++i)
    {
        out << (i == 0 ? "" : ",") << dims.d[i];
    }
    out << "]";
    return out.str();
}

inline bool dimsEqual(nvinfer1::Dims const& dims, std::vector<int32_t> const& expected)
{
    if (dims.nbDims != static_cast<int32_t>(expected.size()))
    {
        return false;
    }
    for (int32_t i = 0; i < dims.nbDims; ++i)
    {
        if (dims.d[i] != expected[static_cast<std::size_t>(i)])
        {
            return false;
        }
    }
    return true;
}

//! Bytes per element for linear (non-vectorized) tensors; 0 for a type we do not know.
inline std::size_t dataTypeSize(nvinfer1::DataType type)
{
    switch (type)
    {
    case nvinfer1::DataType::kFLOAT:
    case nvinfer1::DataType::kINT32: return 4;
    case nvinfer1::DataType::kHALF: return 2;
    case nvinfer1::DataType::kINT8:
    case nvinfer1::DataType::kBOOL:
    case nvinfer1::DataType::kUINT8:
    case nvinfer1::DataType::kFP8: return 1;
    }
    return 0;
}

inline bool fileExists(std::string const& path)
{
    std::ifstream file(path, std::ios::binary);
    return file.good();
}

//! First <dir>/<name> that exists; empty (with an error listing every place tried) otherwise.
inline std::string locateFile(std::string const& name, std::vector<std::string> const& dirs)
{
    std::string tried;
    for (auto const& dir : dirs)
    {
        std::string path = dir;
        if (!path.empty() && path.back() != '/')
        {
            path += '/';
        }
        path += name;
        if (fileExists(path))
        {
            return path;
        }
        tried += "\n    " + path;
    }
    logError() << "Could not find " << name << "; looked at:" << (tried.empty() ? " (no data dirs)" : tried)
               << "\n    Pass the folder that holds it with --datadir=<dir>.";
    return std::string();
}

inline bool readBinaryFile(std::string const& path, std::vector<char>& contents)
{
    std::ifstream file(path, std::ios::binary);
    SAMPLE_CHECK(file.is_open(), "Cannot open " << path);
    // Read in chunks instead of trusting tellg(): a directory or pipe "opens" fine on Linux
    // but reports a nonsense size, and the read itself is what fails.
    contents.clear();
    std::vector<char> chunk(1U << 20U);
    while (file)
    {
        file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        contents.insert(contents.end(), chunk.data(), chunk.data() + file.gcount());
    }
    SAMPLE_CHECK(file.eof() && !file.bad(), "Cannot read " << path << " (not a regular file?)");
    return true;
}

inline bool writeBinaryFile(std::string const& path, void const* data, std::size_t size)
{
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    SAMPLE_CHECK(file.is_open(), "Cannot create " << path);
    file.write(static_cast<char const*>(data), static_cast<std::streamsize>(size));
    file.flush();
    SAMPLE_CHECK(file.good(), "Write error in " << path);
    return true;
}

//! Append floats as little-endian IEEE-754 bytes, whatever the host byte order.
inline void appendFloatsLE(std::vector<unsigned char>& out, float const* values, std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i)
    {
        uint32_t bits = 0;
        static_assert(sizeof(bits) == sizeof(float), "float must be 32-bit");
        std::memcpy(&bits, &values[i], sizeof(bits));
        for (int shift = 0; shift < 32; shift += 8)
        {
            out.push_back(static_cast<unsigned char>((bits >> shift) & 0xFFU));
        }
    }
}

//! Grayscale image read from a binary PGM ("P5"); pixel values are in [0, maxValue].
struct PgmImage
{
    int32_t width{0};
    int32_t height{0};
    int32_t maxValue{0};
    std::vector<uint16_t> pixels; // row-major, width * height
};

namespace detail
{
// PGM headers allow any whitespace and '#' comments to end of line between fields.
inline bool pgmSkipSpaceAndComments(std::istream& in)
{
    for (;;)
    {
        int const c = in.peek();
        if (c == EOF)
        {
            return false;
        }
        if (c == '#')
        {
            std::string comment;
            std::getline(in, comment);
        }
        else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        {
            in.get();
        }
        else
        {
            return true;
        }
    }
}

inline bool pgmReadField(std::istream& in, int32_t& value)
{
    if (!pgmSkipSpaceAndComments(in))
    {
        return false;
    }
    int64_t v = 0;
    bool any = false;
    while (in.peek() >= '0' && in.peek() <= '9')
    {
        v = v * 10 + (in.get() - '0');
        any = true;
        if (v > 1000000)
        {
            return false; // absurd size: refuse instead of allocating it
        }
    }
    value = static_cast<int32_t>(v);
    return any;
}
} // namespace detail

//! Reads a binary PGM. A missing, truncated or malformed file is reported and gives false.
inline bool readPgm(std::string const& path, PgmImage& image)
{
    std::ifstream in(path, std::ios::binary);
    SAMPLE_CHECK(in.is_open(), "Cannot open image " << path);

    char magic[2] = {0, 0};
    in.read(magic, 2);
    SAMPLE_CHECK(in.good() && magic[0] == 'P' && magic[1] == '5',
        path << " is not a binary PGM file (expected magic 'P5')");

    PgmImage img;
    SAMPLE_CHECK(detail::pgmReadField(in, img.width) && detail::pgmReadField(in, img.height)
            && detail::pgmReadField(in, img.maxValue),
        path << ": malformed PGM header");
    SAMPLE_CHECK(img.width > 0 && img.height > 0 && img.width <= 16384 && img.height <= 16384,
        path << ": bad PGM size " << img.width << "x" << img.height);
    SAMPLE_CHECK(img.maxValue > 0 && img.maxValue <= 65535, path << ": bad PGM maxval " << img.maxValue);

    // Exactly one whitespace byte separates the header from the raster.
    int const separator = in.get();
    SAMPLE_CHECK(separator == ' ' || separator == '\t' || separator == '\n' || separator == '\r',
        path << ": malformed PGM header (no whitespace before the pixels)");

    std::size_t const count = static_cast<std::size_t>(img.width) * static_cast<std::size_t>(img.height);
    std::size_t const bytesPerPixel = img.maxValue > 255 ? 2 : 1;
    std::vector<unsigned char> raw(count * bytesPerPixel);
    in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()));
    SAMPLE_CHECK(static_cast<std::size_t>(in.gcount()) == raw.size(),
        path << ": truncated PGM (" << in.gcount() << " of " << raw.size() << " pixel bytes)");

    img.pixels.resize(count);
    for (std::size_t i = 0; i < count; ++i)
    {
        // 16-bit samples are big-endian in PGM.
        uint16_t const v = bytesPerPixel == 1 ? raw[i]
                                              : static_cast<uint16_t>((raw[2 * i] << 8) | raw[2 * i + 1]);
        SAMPLE_CHECK(v <= img.maxValue, path << ": pixel " << i << " exceeds maxval");
        img.pixels[i] = v;
    }
    image = std::move(img);
    return true;
}

} // namespace samples

#endif // SAMPLES_COMMON_COMMON_H
