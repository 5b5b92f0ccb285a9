// Resampling of a tensor of rank <= 8 (nearest on elements of 1, 2 or 4 bytes; linear and
// cubic on floats), one thread per output element. The source coordinate on each axis is
// fmaf(x_out, a, b), exactly as the CPU reference computes it, so both pick the same source
// pixels; an axis with a == 1, b == 0 and equal sizes reads its own coordinate.

__device__ __forceinline__ float resize_cubic_weight(float d, float a)
{
    d = fabsf(d);
    if (d <= 1.f) return ((a + 2.f) * d - (a + 3.f)) * d * d + 1.f;
    if (d < 2.f) return ((a * d - 5.f * a) * d + 8.f * a) * d - 4.f * a;
    return 0.f;
}

__device__ __forceinline__ long long resize_clamp(long long i, long long n)
{
    return i < 0 ? 0 : (i >= n ? n - 1 : i);
}

// The taps (index, weight) of output coordinate `o` on axis `ax`; returns their count.
__device__ int resize_taps(const ResizeDesc& d, int ax, long long o, long long* idx, float* w)
{
    long long n = d.in_dims[ax];
    if (n == d.out_dims[ax] && d.a[ax] == 1.f && d.b[ax] == 0.f) {
        idx[0] = o;
        w[0] = 1.f;
        return 1;
    }
    float x = fmaf((float)o, d.a[ax], d.b[ax]);
    if (d.mode == 1) {
        x = fmaxf(x, 0.f);
        float lo = floorf(x), frac = x - lo;
        idx[0] = resize_clamp((long long)lo, n);
        idx[1] = resize_clamp((long long)lo + 1, n);
        w[0] = 1.f - frac;
        w[1] = frac;
        return 2;
    }
    if (d.mode == 2) {
        float lo = floorf(x), frac = x - lo;
        float sum = 0.f;
        int count = 0;
        for (int k = -1; k <= 2; ++k) {
            long long i = (long long)lo + k;
            if (d.exclude_outside && (i < 0 || i >= n)) continue;
            idx[count] = resize_clamp(i, n);
            w[count] = resize_cubic_weight(frac - (float)k, d.cubic);
            sum += w[count];
            ++count;
        }
        if (d.exclude_outside)
            for (int k = 0; k < count; ++k) w[k] /= sum;
        return count;
    }
    float r;
    switch (d.rounding) {
    case 0: r = floorf(x + 0.5f); break;
    case 1: r = ceilf(x - 0.5f); break;
    case 3: r = ceilf(x); break;
    default: r = floorf(x);
    }
    idx[0] = resize_clamp((long long)r, n);
    w[0] = 1.f;
    return 1;
}

template <typename T>
__device__ void resize_nearest(const T* x, T* y, long long total, ResizeDesc d)
{
    FOR_EACH_INDEX(i, total)
    {
        long long rest = i, src = 0, stride = 1;
        for (int ax = d.rank - 1; ax >= 0; --ax) {
            long long o = rest % d.out_dims[ax];
            rest /= d.out_dims[ax];
            long long idx[4];
            float w[4];
            resize_taps(d, ax, o, idx, w);
            src += idx[0] * stride;
            stride *= d.in_dims[ax];
        }
        y[i] = x[src];
    }
}

template <typename T>
__device__ void resize_interp(const T* x, T* y, long long total, ResizeDesc d)
{
    FOR_EACH_INDEX(i, total)
    {
        long long idx[8][4];
        float w[8][4];
        int count[8];
        long long in_stride[8];
        long long rest = i, stride = 1;
        for (int ax = d.rank - 1; ax >= 0; --ax) {
            long long o = rest % d.out_dims[ax];
            rest /= d.out_dims[ax];
            count[ax] = resize_taps(d, ax, o, idx[ax], w[ax]);
            in_stride[ax] = stride;
            stride *= d.in_dims[ax];
        }
        // Every combination of one tap per axis (at most 3 axes have more than one).
        int pick[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        float acc = 0.f;
        for (;;) {
            long long src = 0;
            float weight = 1.f;
            for (int ax = 0; ax < d.rank; ++ax) {
                src += idx[ax][pick[ax]] * in_stride[ax];
                weight *= w[ax][pick[ax]];
            }
            acc += weight * to_float(x[src]);
            int ax = d.rank - 1;
            while (ax >= 0 && ++pick[ax] == count[ax]) pick[ax--] = 0;
            if (ax < 0) break;
        }
        y[i] = from_float<T>(acc);
    }
}

extern "C" __global__ void nearest_b1(const unsigned char* x, unsigned char* y, long long n, ResizeDesc d) { resize_nearest(x, y, n, d); }
extern "C" __global__ void nearest_b2(const unsigned short* x, unsigned short* y, long long n, ResizeDesc d) { resize_nearest(x, y, n, d); }
extern "C" __global__ void nearest_b4(const unsigned int* x, unsigned int* y, long long n, ResizeDesc d) { resize_nearest(x, y, n, d); }
extern "C" __global__ void interp_f32(const float* x, float* y, long long n, ResizeDesc d) { resize_interp(x, y, n, d); }
extern "C" __global__ void interp_f16(const half_t* x, half_t* y, long long n, ResizeDesc d) { resize_interp(x, y, n, d); }
