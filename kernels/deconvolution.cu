// Direct transposed convolution of N,C,D,H,W input (1-D and 2-D padded to 3-D), one thread
// per output element gathering the input elements whose kernel windows cover it; grouped,
// strided, padded and dilated. Weights [C, K/groups, kd, kh, kw] in the tensor's type, the
// bias (may be null) in float; accumulation in float.

// The input index tap `t` feeds output `o` from on one axis, or -1.
__device__ __forceinline__ long long deconv_source(long long o, int t, int stride, int pad, int dilation, long long size)
{
    long long at = o + pad - (long long)t * dilation;
    if (at < 0 || at % stride != 0) return -1;
    long long i = at / stride;
    return i < size ? i : -1;
}

template <typename T>
__device__ void deconv3d(const T* x, const T* w, const float* bias, T* y, ConvDesc d)
{
    long long od = d.out_size[0], oh = d.out_size[1], ow = d.out_size[2];
    long long id = d.in_size[0], ih = d.in_size[1], iw = d.in_size[2];
    int kd = d.kernel[0], kh = d.kernel[1], kw = d.kernel[2];
    long long total = (long long)d.n * d.k * od * oh * ow;
    int cpg = d.c / d.groups, kpg = d.k / d.groups;
    FOR_EACH_INDEX(idx, total)
    {
        long long r = idx;
        long long ox = r % ow; r /= ow;
        long long oy = r % oh; r /= oh;
        long long oz = r % od; r /= od;
        int oc = (int)(r % d.k);
        long long b = r / d.k;
        int g = oc / kpg, m = oc % kpg;
        float acc = bias ? bias[oc] : 0.f;
        for (int ic = g * cpg; ic < (g + 1) * cpg; ++ic) {
            const T* xin = x + ((b * d.c + ic) * id) * ih * iw;
            const T* wk = w + (((long long)ic * kpg + m) * kd) * kh * kw;
            for (int tz = 0; tz < kd; ++tz) {
                long long iz = deconv_source(oz, tz, d.stride[0], d.pad[0], d.dilation[0], id);
                if (iz < 0) continue;
                for (int ty = 0; ty < kh; ++ty) {
                    long long iy = deconv_source(oy, ty, d.stride[1], d.pad[1], d.dilation[1], ih);
                    if (iy < 0) continue;
                    for (int tx = 0; tx < kw; ++tx) {
                        long long ix = deconv_source(ox, tx, d.stride[2], d.pad[2], d.dilation[2], iw);
                        if (ix < 0) continue;
                        acc = fmaf(to_float(xin[(iz * ih + iy) * iw + ix]), to_float(wk[((long long)tz * kh + ty) * kw + tx]), acc);
                    }
                }
            }
        }
        y[idx] = from_float<T>(acc);
    }
}

extern "C" __global__ void deconv_f32(const float* x, const float* w, const float* bias, float* y, ConvDesc d)
{
    deconv3d(x, w, bias, y, d);
}
extern "C" __global__ void deconv_f16(const half_t* x, const half_t* w, const float* bias, half_t* y, ConvDesc d)
{
    deconv3d(x, w, bias, y, d);
}
