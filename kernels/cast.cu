// Type conversion with ICastLayer's rules: floats to integers truncate toward zero
// (saturating), integers narrow by wrapping, anything to bool is != 0. Also the identity
// copy for every element size.
__device__ __forceinline__ float as_float(float v) { return v; }
__device__ __forceinline__ float as_float(half_t v) { return to_float(v); }
__device__ __forceinline__ float as_float(int v) { return (float)v; }
__device__ __forceinline__ float as_float(signed char v) { return (float)v; }
__device__ __forceinline__ float as_float(unsigned char v) { return (float)v; }

template <typename From, typename To> struct Convert
{
    static __device__ To apply(From v) { return (To)v; }
};
template <typename From> struct Convert<From, float>
{
    static __device__ float apply(From v) { return as_float(v); }
};
template <typename From> struct Convert<From, half_t>
{
    static __device__ half_t apply(From v) { return from_float<half_t>(as_float(v)); }
};
template <> struct Convert<half_t, int>
{
    static __device__ int apply(half_t v)
    {
        float f = to_float(v);
        return f != f ? 0 : f >= 2147483647.f ? 2147483647 : f <= -2147483648.f ? (-2147483647 - 1) : (int)f;
    }
};
template <> struct Convert<float, int>
{
    static __device__ int apply(float f) { return f != f ? 0 : f >= 2147483647.f ? 2147483647 : f <= -2147483648.f ? (-2147483647 - 1) : (int)f; }
};
template <typename From> struct Convert<From, signed char>
{
    static __device__ signed char apply(From v) { return (signed char)Convert<From, int>::apply(v); }
};
template <> struct Convert<int, signed char>
{
    static __device__ signed char apply(int v) { return (signed char)v; }
};
template <typename From> struct Convert<From, unsigned char>
{
    static __device__ unsigned char apply(From v) { return (unsigned char)Convert<From, int>::apply(v); }
};
template <> struct Convert<int, unsigned char>
{
    static __device__ unsigned char apply(int v) { return (unsigned char)v; }
};
template <> struct Convert<signed char, int>
{
    static __device__ int apply(signed char v) { return v; }
};
template <> struct Convert<unsigned char, int>
{
    static __device__ int apply(unsigned char v) { return v; }
};
template <> struct Convert<int, int>
{
    static __device__ int apply(int v) { return v; }
};

template <typename From, typename To>
__device__ void cast(const From* x, To* y, long long n, int to_bool)
{
    FOR_EACH_INDEX(i, n)
    {
        if (to_bool)
            ((unsigned char*)y)[i] = as_float(x[i]) != 0.f;
        else
            y[i] = Convert<From, To>::apply(x[i]);
    }
}

// cast_<from>_<to>: bool is read as u8 (0/1) and written through to_bool.
#define CAST(FN, TN, F, T)                                                                               \
    extern "C" __global__ void cast_##FN##_##TN(const F* x, T* y, long long n, int to_bool) { cast(x, y, n, to_bool); }
#define CAST_FROM(FN, F)                                  \
    CAST(FN, f32, F, float)                               \
    CAST(FN, f16, F, half_t)                              \
    CAST(FN, i32, F, int)                                 \
    CAST(FN, i8, F, signed char)                          \
    CAST(FN, u8, F, unsigned char)
CAST_FROM(f32, float)
CAST_FROM(f16, half_t)
CAST_FROM(i32, int)
CAST_FROM(i8, signed char)
CAST_FROM(u8, unsigned char)

extern "C" __global__ void fill_i32(int* y, FillDesc d)
{
    if (threadIdx.x < d.count) y[d.offset + threadIdx.x] = d.values[threadIdx.x];
}
