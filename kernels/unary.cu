// Pointwise unary operations, numbered as nvinfer1::UnaryOperation; src/layers/unary.rs
// holds the reference formulas. Floats compute in float; kISINF (23) writes bytes (kBOOL);
// kINT32 has kABS, kNEG, kSIGN (wrapping like int32 arithmetic); kBOOL has kNOT.
__device__ __forceinline__ float unary_float(int op, float v)
{
    switch (op) {
    case 0: return expf(v);
    case 1: return logf(v);
    case 2: return sqrtf(v);
    case 3: return 1.f / v;
    case 4: return fabsf(v);
    case 5: return -v;
    case 6: return sinf(v);
    case 7: return cosf(v);
    case 8: return tanf(v);
    case 9: return sinhf(v);
    case 10: return coshf(v);
    case 11: return asinf(v);
    case 12: return acosf(v);
    case 13: return atanf(v);
    case 14: return asinhf(v);
    case 15: return acoshf(v);
    case 16: return atanhf(v);
    case 17: return ceilf(v);
    case 18: return floorf(v);
    case 19: return erff(v);
    case 21: return v != v ? v : (v > 0.f ? 1.f : (v < 0.f ? -1.f : 0.f));
    case 22: return rintf(v); // round half to even in the default rounding mode
    default: return v;
    }
}

template <typename T>
__device__ void unary_floats(const T* x, void* y, long long n, int op)
{
    FOR_EACH_INDEX(i, n)
    {
        float v = to_float(x[i]);
        if (op == 23)
            ((unsigned char*)y)[i] = fabsf(v) > 3.402823466e38f; // only ±inf exceed FLT_MAX
        else
            ((T*)y)[i] = from_float<T>(unary_float(op, v));
    }
}

extern "C" __global__ void unary_f32(const float* x, void* y, long long n, int op) { unary_floats(x, y, n, op); }
extern "C" __global__ void unary_f16(const half_t* x, void* y, long long n, int op) { unary_floats(x, y, n, op); }

extern "C" __global__ void unary_i32(const int* x, int* y, long long n, int op)
{
    FOR_EACH_INDEX(i, n)
    {
        // Through unsigned arithmetic so that INT32_MIN wraps instead of overflowing.
        unsigned int u = (unsigned int)x[i];
        int v = x[i];
        int r = v;
        if (op == 4) r = v < 0 ? (int)(0u - u) : v;
        if (op == 5) r = (int)(0u - u);
        if (op == 21) r = v > 0 ? 1 : (v < 0 ? -1 : 0);
        y[i] = r;
    }
}

extern "C" __global__ void unary_bool(const unsigned char* x, unsigned char* y, long long n, int op)
{
    FOR_EACH_INDEX(i, n) { y[i] = op == 20 ? (x[i] == 0) : (x[i] != 0); }
}
