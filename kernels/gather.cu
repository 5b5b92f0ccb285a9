// Gathering (IGatherLayer) in its three modes; src/layers/gather.rs is the reference. An
// index counts from the end of its axis when negative (once); one still outside reads zero.
// Elements move as 1, 2 or 4 bytes; indices are int32.

// Index v into an axis of d elements; false when it stays outside.
__device__ __forceinline__ bool gather_wrap(long long v, long long d, long long* at)
{
    if (v < 0) v += d;
    *at = v;
    return v >= 0 && v < d;
}

// kDEFAULT: output [batch, pre, count, post] reads data [batch, pre, axis, post].
template <typename T>
__device__ void gather_default(const T* x, const int* idx, T* y, long long n, GatherDesc g)
{
    FOR_EACH_INDEX(i, n)
    {
        long long s = i % g.post, rest = i / g.post;
        long long j = rest % g.count;
        rest /= g.count;
        long long p = rest % g.pre, b = rest / g.pre;
        long long a;
        bool inside = gather_wrap(idx[b * g.indices_batch + j], g.axis, &a);
        y[i] = inside ? x[b * g.data_batch + (p * g.axis + a) * g.post + s] : (T)0;
    }
}

// kELEMENT: output element i (coordinates over indices.dims) reads the data at the same
// coordinates with the axis one replaced by the index.
template <typename T>
__device__ void gather_element(const T* x, const int* idx, T* y, long long n, TensorGeom indices, TensorGeom data, int axis)
{
    FOR_EACH_INDEX(i, n)
    {
        long long rem = i, off = 0;
        bool inside = true;
        for (int k = indices.rank - 1; k >= 0; --k) {
            long long c = rem % indices.dims[k];
            rem /= indices.dims[k];
            if (k == axis)
                inside = gather_wrap(idx[i], data.dims[k], &c) && inside;
            else
                inside = inside && c < data.dims[k];
            off += c * data.strides[k];
        }
        y[i] = inside ? x[off] : (T)0;
    }
}

// kND: output element i is element i % inner of the slice that tuple i / inner addresses.
template <typename T>
__device__ void gather_nd(const T* x, const int* idx, T* y, long long n, NdIndexDesc d)
{
    FOR_EACH_INDEX(i, n)
    {
        long long q = i / d.inner, s = i % d.inner;
        long long off = (q / d.per_batch) * d.batch_stride;
        bool inside = true;
        for (int t = 0; t < d.k; ++t) {
            long long a;
            inside = gather_wrap(idx[q * d.k + t], d.dims[t], &a) && inside;
            off += a * d.strides[t];
        }
        y[i] = inside ? x[off + s] : (T)0;
    }
}

#define GATHER(SUFFIX, T)                                                                                            \
    extern "C" __global__ void gather_default_##SUFFIX(const T* x, const int* idx, T* y, long long n, GatherDesc g)  \
    {                                                                                                                \
        gather_default(x, idx, y, n, g);                                                                             \
    }                                                                                                                \
    extern "C" __global__ void gather_element_##SUFFIX(const T* x, const int* idx, T* y, long long n,                \
        TensorGeom indices, TensorGeom data, int axis)                                                               \
    {                                                                                                                \
        gather_element(x, idx, y, n, indices, data, axis);                                                           \
    }                                                                                                                \
    extern "C" __global__ void gather_nd_##SUFFIX(const T* x, const int* idx, T* y, long long n, NdIndexDesc d)     \
    {                                                                                                                \
        gather_nd(x, idx, y, n, d);                                                                                  \
    }
GATHER(b1, unsigned char)
GATHER(b2, unsigned short)
GATHER(b4, unsigned int)
