// Direct convolution of N,C,D,H,W input (1-D and 2-D padded to 3-D), one thread per output
// element; grouped, strided, padded and dilated. Weights are in the tensor's type, the bias
// (may be null) in float; accumulation in float.
template <typename T>
__device__ void conv3d(const T* x, const T* w, const float* bias, T* y, ConvDesc d)
{
    long long od = d.out_size[0], oh = d.out_size[1], ow = d.out_size[2];
    long long id = d.in_size[0], ih = d.in_size[1], iw = d.in_size[2];
    int kd = d.kernel[0], kh = d.kernel[1], kw = d.kernel[2];
    long long total = (long long)d.n * d.k * od * oh * ow;
    int cpg = d.c / d.groups, kpg = d.k / d.groups;
    FOR_EACH_INDEX(idx, total)
    {
        long long r = idx;
        int ox = (int)(r % ow); r /= ow;
        int oy = (int)(r % oh); r /= oh;
        int oz = (int)(r % od); r /= od;
        int oc = (int)(r % d.k);
        long long b = r / d.k;
        int g = oc / kpg;
        float acc = bias ? bias[oc] : 0.f;
        for (int ic = 0; ic < cpg; ++ic) {
            const T* xin = x + ((b * d.c + (long long)g * cpg + ic) * id) * ih * iw;
            const T* wk = w + (((long long)oc * cpg + ic) * kd) * kh * kw;
            for (int dz = 0; dz < kd; ++dz) {
                long long iz = (long long)oz * d.stride[0] - d.pad[0] + (long long)dz * d.dilation[0];
                if (iz < 0 || iz >= id) continue;
                for (int dy = 0; dy < kh; ++dy) {
                    long long iy = (long long)oy * d.stride[1] - d.pad[1] + (long long)dy * d.dilation[1];
                    if (iy < 0 || iy >= ih) continue;
                    for (int dx = 0; dx < kw; ++dx) {
                        long long ix = (long long)ox * d.stride[2] - d.pad[2] + (long long)dx * d.dilation[2];
                        if (ix < 0 || ix >= iw) continue;
                        acc = fmaf(to_float(xin[(iz * ih + iy) * iw + ix]), to_float(wk[(dz * kh + dy) * kw + dx]), acc);
                    }
                }
            }
        }
        y[idx] = from_float<T>(acc);
    }
}

extern "C" __global__ void conv_f32(const float* x, const float* w, const float* bias, float* y, ConvDesc d)
{
    conv3d(x, w, bias, y, d);
}
extern "C" __global__ void conv_f16(const half_t* x, const half_t* w, const float* bias, half_t* y, ConvDesc d)
{
    conv3d(x, w, bias, y, d);
}
