// One-hot encoding (IOneHotLayer): output [pre, depth, post] from indices [pre, post]; element
// (p, d, s) is values[1] where the index (negative counts from depth's end once) equals d,
// values[0] elsewhere. Elements move as 1, 2 or 4 bytes; indices are int32.
template <typename T>
__device__ void one_hot(const int* idx, const T* values, T* y, long long n, long long depth, long long post)
{
    T off = values[0], on = values[1];
    FOR_EACH_INDEX(i, n)
    {
        long long s = i % post, rest = i / post;
        long long d = rest % depth, p = rest / depth;
        long long v = idx[p * post + s];
        if (v < 0) v += depth;
        y[i] = v == d ? on : off;
    }
}

#define ONE_HOT(SUFFIX, T)                                                                                           \
    extern "C" __global__ void one_hot_##SUFFIX(const int* idx, const T* values, T* y, long long n, long long depth, \
        long long post)                                                                                              \
    {                                                                                                                \
        one_hot(idx, values, y, n, depth, post);                                                                     \
    }
ONE_HOT(b1, unsigned char)
ONE_HOT(b2, unsigned short)
ONE_HOT(b4, unsigned int)
