// Max / average / blended pooling over up to three trailing spatial dimensions (padded to
// three), numbered as nvinfer1::PoolingType. With padding counted, the average divides by
// the window positions inside the padded extent.
template <typename T>
__device__ void pool3d(const T* x, T* y, PoolDesc d)
{
    long long od = d.out_size[0], oh = d.out_size[1], ow = d.out_size[2];
    long long id = d.in_size[0], ih = d.in_size[1], iw = d.in_size[2];
    long long total = d.planes * od * oh * ow;
    FOR_EACH_INDEX(idx, total)
    {
        long long r = idx;
        long long ox = r % ow; r /= ow;
        long long oy = r % oh; r /= oh;
        long long oz = r % od;
        long long plane = r / od;
        const T* xin = x + plane * id * ih * iw;
        long long sz = oz * d.stride[0] - d.pad[0], sy = oy * d.stride[1] - d.pad[1], sx = ox * d.stride[2] - d.pad[2];
        float best = -3.402823466e38f, sum = 0.f;
        int valid = 0, counted = 0;
        for (int dz = 0; dz < d.window[0]; ++dz) {
            long long z = sz + dz;
            for (int dy = 0; dy < d.window[1]; ++dy) {
                long long yy = sy + dy;
                for (int dx = 0; dx < d.window[2]; ++dx) {
                    long long xx = sx + dx;
                    if (z >= -d.pad[0] && z < id + d.post[0] && yy >= -d.pad[1] && yy < ih + d.post[1] && xx >= -d.pad[2] && xx < iw + d.post[2])
                        ++counted;
                    if (z < 0 || z >= id || yy < 0 || yy >= ih || xx < 0 || xx >= iw) continue;
                    float v = to_float(xin[(z * ih + yy) * iw + xx]);
                    best = fmaxf(best, v);
                    sum += v;
                    ++valid;
                }
            }
        }
        int count = d.exclude_padding ? valid : counted;
        float avg = sum / (float)(count > 0 ? count : 1);
        float out = d.pooling_type == 0 ? best : d.pooling_type == 1 ? avg : (1.f - d.blend_factor) * best + d.blend_factor * avg;
        y[idx] = from_float<T>(out);
    }
}

extern "C" __global__ void pool_f32(const float* x, float* y, PoolDesc d) { pool3d(x, y, d); }
extern "C" __global__ void pool_f16(const half_t* x, half_t* y, PoolDesc d) { pool3d(x, y, d); }
