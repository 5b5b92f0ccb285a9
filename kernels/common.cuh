// Helpers every kernel file shares (prepended to each by the builder, after the generated
// descriptors). kHALF tensors are stored as 16-bit patterns (half_t) and converted with PTX
// instructions, so no CUDA header is needed at compile time.
typedef unsigned short half_t;

__device__ __forceinline__ float to_float(float v) { return v; }
__device__ __forceinline__ float to_float(half_t h)
{
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
    return f;
}

template <typename T> __device__ __forceinline__ T from_float(float v);
template <> __device__ __forceinline__ float from_float<float>(float v) { return v; }
template <> __device__ __forceinline__ half_t from_float<half_t>(float v)
{
    half_t h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(v));
    return h;
}

// Grid-stride loop over [0, n).
#define FOR_EACH_INDEX(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)gridDim.x * blockDim.x)

// Offset into a tensor of geometry g for the row-major index i of a tensor with dims out.
__device__ __forceinline__ long long geom_offset(long long i, const TensorGeom& out, const TensorGeom& g)
{
    long long off = 0;
    for (int k = out.rank - 1; k >= 0; --k) {
        long long c = i % out.dims[k];
        i /= out.dims[k];
        off += c * g.strides[k];
    }
    return off;
}
