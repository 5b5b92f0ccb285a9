// IParametricReLULayer: y = x >= 0 ? x : slope * x, the slope read through its broadcast
// geometry (stride 0 on its size-1 dims). src/layers/parametric_relu.rs holds the reference.
template <typename T>
__device__ void prelu(const T* x, const T* slope, T* y, long long n, TensorGeom out, TensorGeom gs)
{
    FOR_EACH_INDEX(i, n)
    {
        float v = to_float(x[i]);
        y[i] = from_float<T>(v >= 0.f ? v : v * to_float(slope[geom_offset(i, out, gs)]));
    }
}

extern "C" __global__ void prelu_f32(const float* x, const float* slope, float* y, long long n, TensorGeom out, TensorGeom gs)
{
    prelu(x, slope, y, n, out, gs);
}
extern "C" __global__ void prelu_f16(const half_t* x, const half_t* slope, half_t* y, long long n, TensorGeom out, TensorGeom gs)
{
    prelu(x, slope, y, n, out, gs);
}
