// IReduceLayer: one warp per output element; its lanes stride over the reduced positions,
// then combine with shuffles. `kept` walks the output positions (input strides of the kept
// axes), `red` the reduced positions. Operations as nvinfer1::ReduceOperation: 0 sum,
// 1 product, 2 max, 3 min, 4 average. Floats accumulate in float; kINT32 wraps like int32
// arithmetic (through unsigned), its average truncates toward zero.
// src/layers/reduce.rs holds the reference.
__device__ __forceinline__ float reduce_identity_f(int op)
{
    return op == 1 ? 1.f : op == 2 ? -__int_as_float(0x7f800000) : op == 3 ? __int_as_float(0x7f800000) : 0.f;
}
__device__ __forceinline__ float reduce_step_f(int op, float a, float v)
{
    return op == 1 ? a * v : op == 2 ? fmaxf(a, v) : op == 3 ? fminf(a, v) : a + v;
}

__device__ __forceinline__ int reduce_identity_i(int op)
{
    return op == 1 ? 1 : op == 2 ? (-2147483647 - 1) : op == 3 ? 2147483647 : 0;
}
__device__ __forceinline__ int reduce_step_i(int op, int a, int v)
{
    if (op == 1) return (int)((unsigned int)a * (unsigned int)v);
    if (op == 2) return a > v ? a : v;
    if (op == 3) return a < v ? a : v;
    return (int)((unsigned int)a + (unsigned int)v);
}

// Warp w of the grid handles outputs w, w + warps, ...; every lane of a warp takes the same
// outputs, so the shuffles see all 32 lanes.
#define FOR_EACH_WARP_ITEM(o, n)                                                                              \
    for (long long o = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5; o < (n);                    \
         o += ((long long)gridDim.x * blockDim.x) >> 5)

template <typename T>
__device__ void reduce_floats(const T* x, T* y, TensorGeom kept, TensorGeom red, long long n_out, long long n_red, int op)
{
    int lane = threadIdx.x & 31;
    FOR_EACH_WARP_ITEM(o, n_out)
    {
        const T* base = x + geom_offset(o, kept, kept);
        float acc = reduce_identity_f(op);
        for (long long j = lane; j < n_red; j += 32) acc = reduce_step_f(op, acc, to_float(base[geom_offset(j, red, red)]));
        for (int s = 16; s > 0; s >>= 1) acc = reduce_step_f(op, acc, __shfl_down_sync(0xffffffffu, acc, s));
        if (lane == 0) y[o] = from_float<T>(op == 4 ? acc / (float)n_red : acc);
    }
}

extern "C" __global__ void reduce_f32(const float* x, float* y, TensorGeom kept, TensorGeom red, long long n_out, long long n_red, int op)
{
    reduce_floats(x, y, kept, red, n_out, n_red, op);
}
extern "C" __global__ void reduce_f16(const half_t* x, half_t* y, TensorGeom kept, TensorGeom red, long long n_out, long long n_red, int op)
{
    reduce_floats(x, y, kept, red, n_out, n_red, op);
}
extern "C" __global__ void reduce_i32(const int* x, int* y, TensorGeom kept, TensorGeom red, long long n_out, long long n_red, int op)
{
    int lane = threadIdx.x & 31;
    FOR_EACH_WARP_ITEM(o, n_out)
    {
        const int* base = x + geom_offset(o, kept, kept);
        int acc = reduce_identity_i(op);
        for (long long j = lane; j < n_red; j += 32) acc = reduce_step_i(op, acc, base[geom_offset(j, red, red)]);
        for (int s = 16; s > 0; s >>= 1) acc = reduce_step_i(op, acc, __shfl_down_sync(0xffffffffu, acc, s));
        if (lane == 0) y[o] = op == 4 ? (n_red == 0 ? 0 : (int)((long long)acc / n_red)) : acc;
    }
}
