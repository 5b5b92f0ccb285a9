// IScaleLayer: y = (x * scale + shift) ^ power with per-tensor, per-channel or per-element
// coefficients (ScaleDesc says which index element i uses). A null coefficient pointer is
// the identity (shift 0, scale 1, power 1); a set of one coefficient applies to every
// element. src/layers/scale.rs holds the reference.
__device__ __forceinline__ long long scale_index(const ScaleDesc& d, long long i)
{
    long long c = d.channels > 0 ? d.channels : 1, inner = d.inner > 0 ? d.inner : 1;
    if (d.mode == 1) return (i / inner) % c;
    if (d.mode == 2) return i % (c * inner);
    return 0;
}

template <typename T>
__device__ void scale(const T* x, T* y, const float* shift, const float* scl, const float* power, int single_shift,
                      int single_scale, int single_power, ScaleDesc d)
{
    FOR_EACH_INDEX(i, d.n)
    {
        long long c = scale_index(d, i);
        float a = to_float(x[i]) * (scl ? scl[single_scale ? 0 : c] : 1.f) + (shift ? shift[single_shift ? 0 : c] : 0.f);
        if (power) a = powf(a, power[single_power ? 0 : c]);
        y[i] = from_float<T>(a);
    }
}

extern "C" __global__ void scale_f32(const float* x, float* y, const float* shift, const float* scl, const float* power,
                                     int ss, int sc, int sp, ScaleDesc d)
{
    scale(x, y, shift, scl, power, ss, sc, sp, d);
}
extern "C" __global__ void scale_f16(const half_t* x, half_t* y, const float* shift, const float* scl, const float* power,
                                     int ss, int sc, int sp, ScaleDesc d)
{
    scale(x, y, shift, scl, power, ss, sc, sp, d);
}
