// Slices (ISliceLayer, and IPaddingLayer as a kFILL slice with zeros): output element i at
// coordinates c reads the input at start + c * stride on each axis, mapped into the input
// by the slice mode as src/layers/slice.rs (`source`) does; kFILL writes *fill (or zero
// without a fill input) where a coordinate falls outside. Elements move as 1, 2 or 4 bytes.

// The input coordinate for x on an axis of d elements; false where it is outside (kFILL,
// or kSTRICT_BOUNDS, which inference keeps inside). The wrapping modes need d > 0.
__device__ __forceinline__ bool slice_source(int mode, long long x, long long d, long long* at)
{
    switch (mode) {
    case 1: { // kWRAP
        long long m = x % d;
        *at = m < 0 ? m + d : m;
        return true;
    }
    case 2: // kCLAMP
        *at = x < 0 ? 0 : (x >= d ? d - 1 : x);
        return true;
    case 4: { // kREFLECT
        if (d == 1) {
            *at = 0;
            return true;
        }
        long long period = 2 * d - 2;
        long long c = (x < 0 ? -x : x) % period;
        *at = c >= d ? period - c : c;
        return true;
    }
    default: // kSTRICT_BOUNDS, kFILL
        *at = x;
        return x >= 0 && x < d;
    }
}

template <typename T>
__device__ void slice(const T* x, T* y, const T* fill, long long n, SliceDesc d)
{
    T outside = fill ? fill[0] : (T)0;
    FOR_EACH_INDEX(i, n)
    {
        long long rem = i, off = 0;
        bool inside = true;
        for (int k = d.rank - 1; k >= 0; --k) {
            long long c = rem % d.out_dims[k];
            rem /= d.out_dims[k];
            long long at;
            inside = slice_source(d.mode, d.start[k] + c * d.stride[k], d.in_dims[k], &at) && inside;
            off += at * d.in_strides[k];
        }
        y[i] = inside ? x[off] : outside;
    }
}

#define SLICE(SUFFIX, T)                                                                                             \
    extern "C" __global__ void slice_##SUFFIX(const T* x, T* y, const T* fill, long long n, SliceDesc d)             \
    {                                                                                                                \
        slice(x, y, fill, n, d);                                                                                     \
    }
SLICE(b1, unsigned char)
SLICE(b2, unsigned short)
SLICE(b4, unsigned int)
