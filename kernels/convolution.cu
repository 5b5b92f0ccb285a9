// Direct 2-D convolution, NCHW, FP32, one thread per output element. Grouped, strided,
// padded and dilated; the bias pointer may be null.
struct ConvDesc {
    int n, c, h, w;      // input
    int k, r, s;         // output channels, kernel height, kernel width
    int oh, ow;          // output spatial size
    int sh, sw, ph, pw;  // stride and leading padding
    int dh, dw, groups;
};

extern "C" __global__ void conv2d_f32(const float* x, const float* wgt, const float* bias, float* y, ConvDesc d)
{
    long long total = (long long)d.n * d.k * d.oh * d.ow;
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long step = (long long)gridDim.x * blockDim.x;
    int cpg = d.c / d.groups;  // input channels per group
    int kpg = d.k / d.groups;  // output channels per group
    for (; idx < total; idx += step) {
        int ox = (int)(idx % d.ow);
        int oy = (int)((idx / d.ow) % d.oh);
        int oc = (int)((idx / ((long long)d.ow * d.oh)) % d.k);
        int b = (int)(idx / ((long long)d.ow * d.oh * d.k));
        int g = oc / kpg;
        float acc = bias ? bias[oc] : 0.f;
        for (int ic = 0; ic < cpg; ++ic) {
            const float* xin = x + (((long long)b * d.c + g * cpg + ic) * d.h) * d.w;
            const float* wk = wgt + (((long long)oc * cpg + ic) * d.r) * d.s;
            for (int ky = 0; ky < d.r; ++ky) {
                int iy = oy * d.sh - d.ph + ky * d.dh;
                if (iy < 0 || iy >= d.h) continue;
                for (int kx = 0; kx < d.s; ++kx) {
                    int ix = ox * d.sw - d.pw + kx * d.dw;
                    if (ix < 0 || ix >= d.w) continue;
                    acc = fmaf(xin[(long long)iy * d.w + ix], wk[ky * d.s + kx], acc);
                }
            }
        }
        y[idx] = acc;
    }
}
