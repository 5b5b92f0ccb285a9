// Scattering (IScatterLayer): the output already holds a copy of the data (copied on the
// stream first); these kernels write each update where its index says. src/layers/scatter.rs
// is the reference. A negative index counts from the end of its axis once; an update whose
// index stays outside is dropped. Elements move as 1, 2 or 4 bytes; indices are int32.

__device__ __forceinline__ bool scatter_wrap(long long v, long long d, long long* at)
{
    if (v < 0) v += d;
    *at = v;
    return v >= 0 && v < d;
}

// kELEMENT: update i (coordinates over updates.dims) goes to the same coordinates with the
// axis one replaced by its index.
template <typename T>
__device__ void scatter_element(const T* updates, const int* idx, T* y, long long n, TensorGeom upd, TensorGeom data, int axis)
{
    FOR_EACH_INDEX(i, n)
    {
        long long rem = i, off = 0;
        bool inside = true;
        for (int k = upd.rank - 1; k >= 0; --k) {
            long long c = rem % upd.dims[k];
            rem /= upd.dims[k];
            if (k == axis)
                inside = scatter_wrap(idx[i], data.dims[k], &c) && inside;
            else
                inside = inside && c < data.dims[k];
            off += c * data.strides[k];
        }
        if (inside) y[off] = updates[i];
    }
}

// kND: update i is element i % inner of the slice that tuple i / inner addresses.
template <typename T>
__device__ void scatter_nd(const T* updates, const int* idx, T* y, long long n, NdIndexDesc d)
{
    FOR_EACH_INDEX(i, n)
    {
        long long q = i / d.inner, s = i % d.inner;
        long long off = 0;
        bool inside = true;
        for (int t = 0; t < d.k; ++t) {
            long long a;
            inside = scatter_wrap(idx[q * d.k + t], d.dims[t], &a) && inside;
            off += a * d.strides[t];
        }
        if (inside) y[off + s] = updates[i];
    }
}

#define SCATTER(SUFFIX, T)                                                                                           \
    extern "C" __global__ void scatter_element_##SUFFIX(const T* updates, const int* idx, T* y, long long n,         \
        TensorGeom upd, TensorGeom data, int axis)                                                                   \
    {                                                                                                                \
        scatter_element(updates, idx, y, n, upd, data, axis);                                                        \
    }                                                                                                                \
    extern "C" __global__ void scatter_nd_##SUFFIX(const T* updates, const int* idx, T* y, long long n, NdIndexDesc d) \
    {                                                                                                                \
        scatter_nd(updates, idx, y, n, d);                                                                           \
    }
SCATTER(b1, unsigned char)
SCATTER(b2, unsigned short)
SCATTER(b4, unsigned int)
