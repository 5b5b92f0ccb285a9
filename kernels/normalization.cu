// INormalizationLayer: one block per normalized instance. `kept` walks the instances and
// `red` the elements of one (offsets into the input's view, which is contiguous, so an
// offset is also the element's index in `view`); scale and bias are read through their
// broadcast geometry over the view. Mean, then the population variance around it, each a
// block reduction in float; then every element is written.
// src/layers/normalization.rs holds the reference.
#define NORM_THREADS 256

__device__ float norm_block_sum(float v, float* shared)
{
    shared[threadIdx.x] = v;
    __syncthreads();
    for (int step = blockDim.x / 2; step > 0; step >>= 1) {
        if (threadIdx.x < step) shared[threadIdx.x] += shared[threadIdx.x + step];
        __syncthreads();
    }
    float total = shared[0];
    __syncthreads(); // everyone has read shared[0] before it is reused
    return total;
}

template <typename T>
__device__ void normalization(const T* x, const T* scale, const T* bias, T* y, TensorGeom view, TensorGeom kept, TensorGeom red,
                              TensorGeom gs, TensorGeom gb, long long n_inst, long long n_red, float eps)
{
    __shared__ float partial[NORM_THREADS];
    for (long long inst = blockIdx.x; inst < n_inst; inst += gridDim.x) {
        long long base = geom_offset(inst, kept, kept);
        float sum = 0.f;
        for (long long j = threadIdx.x; j < n_red; j += blockDim.x) sum += to_float(x[base + geom_offset(j, red, red)]);
        float mean = norm_block_sum(sum, partial) / (float)n_red;
        float sq = 0.f;
        for (long long j = threadIdx.x; j < n_red; j += blockDim.x) {
            float dv = to_float(x[base + geom_offset(j, red, red)]) - mean;
            sq += dv * dv;
        }
        float inv = rsqrtf(norm_block_sum(sq, partial) / (float)n_red + eps);
        for (long long j = threadIdx.x; j < n_red; j += blockDim.x) {
            long long e = base + geom_offset(j, red, red);
            float s = to_float(scale[geom_offset(e, view, gs)]), b = to_float(bias[geom_offset(e, view, gb)]);
            y[e] = from_float<T>((to_float(x[e]) - mean) * inv * s + b);
        }
    }
}

extern "C" __global__ void normalization_f32(const float* x, const float* scale, const float* bias, float* y, TensorGeom view, TensorGeom kept,
                                             TensorGeom red, TensorGeom gs, TensorGeom gb, long long n_inst, long long n_red, float eps)
{
    normalization(x, scale, bias, y, view, kept, red, gs, gb, n_inst, n_red, eps);
}
extern "C" __global__ void normalization_f16(const half_t* x, const half_t* scale, const half_t* bias, half_t* y, TensorGeom view,
                                             TensorGeom kept, TensorGeom red, TensorGeom gs, TensorGeom gb, long long n_inst, long long n_red,
                                             float eps)
{
    normalization(x, scale, bias, y, view, kept, red, gs, gb, n_inst, n_red, eps);
}
