// IRaggedSoftMaxLayer: one thread per row of `cols` values; the first bounds[row] (clamped
// to [0, cols]) get a softmax (maximum subtracted, float accumulation), the rest 0.
// src/layers/ragged_softmax.rs holds the reference.
template <typename T>
__device__ void ragged_softmax(const T* x, const int* bounds, T* y, long long rows, long long cols)
{
    FOR_EACH_INDEX(r, rows)
    {
        long long len = bounds[r] < 0 ? 0 : (bounds[r] > cols ? cols : bounds[r]);
        const T* src = x + r * cols;
        T* dst = y + r * cols;
        float m = -3.402823466e38f;
        for (long long c = 0; c < len; ++c) m = fmaxf(m, to_float(src[c]));
        float s = 0.f;
        for (long long c = 0; c < len; ++c) s += expf(to_float(src[c]) - m);
        for (long long c = 0; c < cols; ++c) dst[c] = from_float<T>(c < len ? expf(to_float(src[c]) - m) / s : 0.f);
    }
}

extern "C" __global__ void ragged_softmax_f32(const float* x, const int* bounds, float* y, long long rows, long long cols)
{
    ragged_softmax(x, bounds, y, rows, cols);
}
extern "C" __global__ void ragged_softmax_f16(const half_t* x, const int* bounds, half_t* y, long long rows, long long cols)
{
    ragged_softmax(x, bounds, y, rows, cols);
}
