// Grid sample of an N,C,H,W input at the normalized points of an N,Ho,Wo,2 grid, one thread
// per output element, following the CPU reference (src/layers/grid_sample.rs) step for step:
// nearest (ties to even), bilinear, bicubic (A = -0.75); padding 2 clamp, 3 zeros, 4 reflect.

__device__ __forceinline__ float gs_reflect(float v, float lo2, float hi2)
{
    if (lo2 == hi2) return 0.f;
    float mn = lo2 / 2.f, span = (hi2 - lo2) / 2.f;
    float d = fabsf(v - mn);
    float extra = fmodf(d, span);
    long long flips = (long long)floorf(d / span);
    return (flips % 2 == 0) ? extra + mn : span - extra + mn;
}

__device__ __forceinline__ float gs_unnormalize(float v, long long size, int align)
{
    float s = (float)size;
    return align ? (v + 1.f) / 2.f * (s - 1.f) : ((v + 1.f) * s - 1.f) / 2.f;
}

__device__ __forceinline__ float gs_pad(float c, long long size, int padding, int align)
{
    float mx = (float)(size - 1);
    if (padding == 2) return fminf(fmaxf(c, 0.f), mx);
    if (padding == 4) {
        float r = align ? gs_reflect(c, 0.f, 2.f * mx) : gs_reflect(c, -1.f, 2.f * (float)size - 1.f);
        return fminf(fmaxf(r, 0.f), mx);
    }
    return c;
}

__device__ __forceinline__ float gs_cubic_near(float x) { return ((-0.75f + 2.f) * x - (-0.75f + 3.f)) * x * x + 1.f; }
__device__ __forceinline__ float gs_cubic_far(float x)
{
    return ((-0.75f * x - 5.f * -0.75f) * x + 8.f * -0.75f) * x - 4.f * -0.75f;
}

template <typename T>
__device__ __forceinline__ float gs_at(const T* plane, long long h, long long w, long long y, long long x)
{
    return (y >= 0 && y < h && x >= 0 && x < w) ? to_float(plane[y * w + x]) : 0.f;
}

template <typename T>
__device__ float gs_sample(const T* plane, long long h, long long w, float gx, float gy, const GridSampleDesc& d)
{
    if (!isfinite(gx) || !isfinite(gy) || h <= 0 || w <= 0) return 0.f;
    if (d.mode == 2) {
        float x = gs_unnormalize(gx, w, d.align_corners), y = gs_unnormalize(gy, h, d.align_corners);
        float x0 = floorf(x), y0 = floorf(y), tx = x - x0, ty = y - y0;
        float wx[4] = {gs_cubic_far(tx + 1.f), gs_cubic_near(tx), gs_cubic_near(1.f - tx), gs_cubic_far(2.f - tx)};
        float wy[4] = {gs_cubic_far(ty + 1.f), gs_cubic_near(ty), gs_cubic_near(1.f - ty), gs_cubic_far(2.f - ty)};
        float acc = 0.f;
        for (int j = 0; j < 4; ++j) {
            long long yy = (long long)gs_pad(y0 - 1.f + (float)j, h, d.padding, d.align_corners);
            for (int i = 0; i < 4; ++i) {
                long long xx = (long long)gs_pad(x0 - 1.f + (float)i, w, d.padding, d.align_corners);
                acc += wy[j] * wx[i] * gs_at(plane, h, w, yy, xx);
            }
        }
        return acc;
    }
    float x = gs_pad(gs_unnormalize(gx, w, d.align_corners), w, d.padding, d.align_corners);
    float y = gs_pad(gs_unnormalize(gy, h, d.align_corners), h, d.padding, d.align_corners);
    if (d.mode == 1) {
        float x0 = floorf(x), y0 = floorf(y), tx = x - x0, ty = y - y0;
        long long xi = (long long)x0, yi = (long long)y0;
        return gs_at(plane, h, w, yi, xi) * (1.f - tx) * (1.f - ty) + gs_at(plane, h, w, yi, xi + 1) * tx * (1.f - ty)
            + gs_at(plane, h, w, yi + 1, xi) * (1.f - tx) * ty + gs_at(plane, h, w, yi + 1, xi + 1) * tx * ty;
    }
    return gs_at(plane, h, w, (long long)rintf(y), (long long)rintf(x));
}

template <typename T>
__device__ void grid_sample(const T* x, const T* grid, T* y, GridSampleDesc d)
{
    long long per_batch = d.c * d.ho * d.wo, points = d.ho * d.wo;
    FOR_EACH_INDEX(i, d.n * per_batch)
    {
        long long b = i / per_batch, ch = (i / points) % d.c, p = i % points;
        const T* g = grid + (b * points + p) * 2;
        const T* plane = x + (b * d.c + ch) * d.h * d.w;
        y[i] = from_float<T>(gs_sample(plane, d.h, d.w, to_float(g[0]), to_float(g[1]), d));
    }
}

extern "C" __global__ void grid_sample_f32(const float* x, const float* g, float* y, GridSampleDesc d) { grid_sample(x, g, y, d); }
extern "C" __global__ void grid_sample_f16(const half_t* x, const half_t* g, half_t* y, GridSampleDesc d) { grid_sample(x, g, y, d); }
