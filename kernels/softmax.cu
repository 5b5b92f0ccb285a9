// Softmax over one axis. The tensor is viewed as [outer, axis, inner]; one thread per
// (outer, inner) pair, in a grid-stride loop. Subtracting the maximum keeps expf in range.
extern "C" __global__ void softmax_f32(const float* x, float* y, long long outer, int axis, long long inner)
{
    long long step = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < outer * inner; i += step) {
        long long o = i / inner, in = i % inner;
        const float* src = x + o * axis * inner + in;
        float* dst = y + o * axis * inner + in;
        float m = -3.402823466e38f;
        for (int j = 0; j < axis; ++j) m = fmaxf(m, src[(long long)j * inner]);
        float s = 0.f;
        for (int j = 0; j < axis; ++j) s += expf(src[(long long)j * inner] - m);
        for (int j = 0; j < axis; ++j) dst[(long long)j * inner] = expf(src[(long long)j * inner] - m) / s;
    }
}
