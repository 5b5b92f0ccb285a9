// 2-D max/average pooling, NCHW, FP32; type numbered as nvinfer1::PoolingType.
struct PoolDesc {
    int n, c, h, w;
    int oh, ow;
    int kh, kw, sh, sw, ph, pw;
    int type;                // 0 max, 1 average
    int exclude_padding;     // average over the valid elements only
};

extern "C" __global__ void pool2d_f32(const float* x, float* y, PoolDesc d)
{
    long long total = (long long)d.n * d.c * d.oh * d.ow;
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long step = (long long)gridDim.x * blockDim.x;
    for (; idx < total; idx += step) {
        int ox = (int)(idx % d.ow);
        int oy = (int)((idx / d.ow) % d.oh);
        long long plane = idx / ((long long)d.ow * d.oh);
        const float* xin = x + plane * d.h * d.w;
        float best = -3.402823466e38f, sum = 0.f;
        int valid = 0;
        for (int ky = 0; ky < d.kh; ++ky) {
            int iy = oy * d.sh - d.ph + ky;
            if (iy < 0 || iy >= d.h) continue;
            for (int kx = 0; kx < d.kw; ++kx) {
                int ix = ox * d.sw - d.pw + kx;
                if (ix < 0 || ix >= d.w) continue;
                float v = xin[(long long)iy * d.w + ix];
                best = fmaxf(best, v);
                sum += v;
                ++valid;
            }
        }
        float avg = sum / (float)(d.exclude_padding ? (valid > 0 ? valid : 1) : d.kh * d.kw);
        y[idx] = d.type == 0 ? best : avg;
    }
}
