// Softmax over the middle dimension of [outer, axis, inner]: one thread per (outer, inner)
// pair; subtracting the maximum keeps expf in range; float accumulation.
template <typename T>
__device__ void softmax(const T* x, T* y, SoftmaxDesc d)
{
    FOR_EACH_INDEX(i, d.outer * d.inner)
    {
        long long o = i / d.inner, in = i % d.inner;
        const T* src = x + o * d.axis * d.inner + in;
        T* dst = y + o * d.axis * d.inner + in;
        float m = -3.402823466e38f;
        for (int j = 0; j < d.axis; ++j) m = fmaxf(m, to_float(src[(long long)j * d.inner]));
        float s = 0.f;
        for (int j = 0; j < d.axis; ++j) s += expf(to_float(src[(long long)j * d.inner]) - m);
        for (int j = 0; j < d.axis; ++j) dst[(long long)j * d.inner] = from_float<T>(expf(to_float(src[(long long)j * d.inner]) - m) / s);
    }
}

extern "C" __global__ void softmax_f32(const float* x, float* y, SoftmaxDesc d) { softmax(x, y, d); }
extern "C" __global__ void softmax_f16(const half_t* x, half_t* y, SoftmaxDesc d) { softmax(x, y, d); }
