// Binary elementwise operations with broadcasting, numbered as nvinfer1::ElementWiseOperation;
// src/layers/elementwise.rs holds the reference formulas. Floats compute in float, kINT32 in
// 64-bit integers (wrapping on store), kBOOL (as bytes) logically; comparisons write bytes.
__device__ __forceinline__ float ew_float(int op, float p, float q)
{
    switch (op) {
    case 0: return p + q;
    case 1: return p * q;
    case 2: return fmaxf(p, q);
    case 3: return fminf(p, q);
    case 4: return p - q;
    case 5: return p / q;
    case 6: return powf(p, q);
    case 7: return floorf(p / q);
    case 11: return p == q;
    case 12: return p > q;
    case 13: return p < q;
    default: return p;
    }
}

__device__ __forceinline__ long long ew_int(int op, long long p, long long q)
{
    switch (op) {
    case 0: return p + q;
    case 1: return p * q;
    case 2: return p > q ? p : q;
    case 3: return p < q ? p : q;
    case 4: return p - q;
    case 5: return q == 0 ? 0 : p / q;
    case 6: {
        if (q < 0) return p == 1 ? 1 : p == -1 ? ((q & 1) ? -1 : 1) : 0;
        long long r = 1;
        for (long long e = 0; e < q && e < 64; ++e) r *= p;
        return r;
    }
    case 7: {
        if (q == 0) return 0;
        long long d = p / q;
        return (p % q != 0 && ((p < 0) != (q < 0))) ? d - 1 : d;
    }
    case 8: return (p != 0) && (q != 0);
    case 9: return (p != 0) || (q != 0);
    case 10: return (p != 0) != (q != 0);
    case 11: return p == q;
    case 12: return p > q;
    case 13: return p < q;
    default: return p;
    }
}

template <typename T>
__device__ void ew_floats(const T* a, const T* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    bool to_bool = op >= 11;
    FOR_EACH_INDEX(i, n)
    {
        float r = ew_float(op, to_float(a[geom_offset(i, out, ga)]), to_float(b[geom_offset(i, out, gb)]));
        if (to_bool)
            ((unsigned char*)y)[i] = r != 0.f;
        else
            ((T*)y)[i] = from_float<T>(r);
    }
}

template <typename T>
__device__ void ew_ints(const T* a, const T* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    bool to_bool = op >= 8;
    FOR_EACH_INDEX(i, n)
    {
        long long r = ew_int(op, (long long)a[geom_offset(i, out, ga)], (long long)b[geom_offset(i, out, gb)]);
        if (to_bool)
            ((unsigned char*)y)[i] = r != 0;
        else
            ((T*)y)[i] = (T)r;
    }
}

extern "C" __global__ void elementwise_f32(const float* a, const float* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    ew_floats(a, b, y, n, op, out, ga, gb);
}
extern "C" __global__ void elementwise_f16(const half_t* a, const half_t* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    ew_floats(a, b, y, n, op, out, ga, gb);
}
extern "C" __global__ void elementwise_i32(const int* a, const int* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    ew_ints(a, b, y, n, op, out, ga, gb);
}
extern "C" __global__ void elementwise_bool(const unsigned char* a, const unsigned char* b, void* y, long long n, int op, TensorGeom out, TensorGeom ga, TensorGeom gb)
{
    ew_ints(a, b, y, n, op, out, ga, gb);
}
