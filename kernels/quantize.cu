// IQuantizeLayer and IDequantizeLayer, symmetric (zero points are 0, checked at build time):
// quantize y = clamp(rint(x / scale), -128, 127) (rint rounds half to even), dequantize
// y = x * scale; per-channel scales index (i / inner) % channels.
// src/layers/quantize.rs holds the reference.
__device__ __forceinline__ long long quant_index(const QuantDesc& d, long long i)
{
    return d.per_channel ? (i / (d.inner > 0 ? d.inner : 1)) % (d.channels > 0 ? d.channels : 1) : 0;
}

template <typename T>
__device__ void quantize(const T* x, const float* scale, signed char* y, QuantDesc d)
{
    FOR_EACH_INDEX(i, d.n)
    {
        float q = rintf(to_float(x[i]) / scale[quant_index(d, i)]);
        y[i] = (signed char)fminf(fmaxf(q, -128.f), 127.f);
    }
}

extern "C" __global__ void quantize_f32(const float* x, const float* scale, signed char* y, QuantDesc d) { quantize(x, scale, y, d); }
extern "C" __global__ void quantize_f16(const half_t* x, const float* scale, signed char* y, QuantDesc d) { quantize(x, scale, y, d); }

extern "C" __global__ void dequantize_f32(const signed char* x, const float* scale, float* y, QuantDesc d)
{
    FOR_EACH_INDEX(i, d.n) { y[i] = (float)x[i] * scale[quant_index(d, i)]; }
}
