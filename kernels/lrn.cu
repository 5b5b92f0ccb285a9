// Cross-channel LRN over [outer, channels, inner]: one thread per element sums the squares
// of its window of channels (at most 15) in float. src/layers/lrn.rs holds the reference.
template <typename T>
__device__ void lrn(const T* x, T* y, LrnDesc d)
{
    long long half = (d.window - 1) / 2;
    FOR_EACH_INDEX(i, d.outer * d.channels * d.inner)
    {
        long long in = i % d.inner, c = (i / d.inner) % d.channels, o = i / (d.inner * d.channels);
        long long lo = c - half < 0 ? 0 : c - half, hi = c + half > d.channels - 1 ? d.channels - 1 : c + half;
        float sum = 0.f;
        for (long long ch = lo; ch <= hi; ++ch) {
            float v = to_float(x[(o * d.channels + ch) * d.inner + in]);
            sum += v * v;
        }
        float norm = powf(d.k + d.alpha / (float)d.window * sum, d.beta);
        y[i] = from_float<T>(to_float(x[i]) / norm);
    }
}

extern "C" __global__ void lrn_f32(const float* x, float* y, LrnDesc d) { lrn(x, y, d); }
extern "C" __global__ void lrn_f16(const half_t* x, half_t* y, LrnDesc d) { lrn(x, y, d); }
