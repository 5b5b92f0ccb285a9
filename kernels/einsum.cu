// IEinsumLayer: one thread per output element sums, over every combination of the summed
// labels, the product of the operands (one or two) at that position. Labels 0..out_rank-1
// are the output's, the next sum_rank the summed ones; an operand's stride is 0 along a
// label it lacks. Float accumulation. src/layers/einsum.rs holds the reference.
__device__ __forceinline__ long long einsum_offset(long long i, const EinsumDesc& d, int first, int count, const long long* strides)
{
    long long off = 0;
    for (int k = first + count - 1; k >= first; --k) {
        long long c = i % d.sizes[k];
        i /= d.sizes[k];
        off += c * strides[k];
    }
    return off;
}

template <typename T>
__device__ void einsum(const T* a, const T* b, T* y, EinsumDesc d)
{
    FOR_EACH_INDEX(o, d.n_out)
    {
        long long oa = einsum_offset(o, d, 0, d.out_rank, d.a_strides);
        long long ob = b ? einsum_offset(o, d, 0, d.out_rank, d.b_strides) : 0;
        float acc = 0.f;
        for (long long s = 0; s < d.n_sum; ++s) {
            float v = to_float(a[oa + einsum_offset(s, d, d.out_rank, d.sum_rank, d.a_strides)]);
            if (b) v *= to_float(b[ob + einsum_offset(s, d, d.out_rank, d.sum_rank, d.b_strides)]);
            acc += v;
        }
        y[o] = from_float<T>(acc);
    }
}

extern "C" __global__ void einsum_f32(const float* a, const float* b, float* y, EinsumDesc d) { einsum(a, b, y, d); }
extern "C" __global__ void einsum_f16(const half_t* a, const half_t* b, half_t* y, EinsumDesc d) { einsum(a, b, y, d); }
