// Elementwise choice (ISelectLayer): y = condition ? a : b, the three inputs broadcast to the
// output (geometries with stride 0 on broadcast axes). The condition is bytes (kBOOL);
// branch elements move as 1, 2 or 4 bytes.
template <typename T>
__device__ void select(const unsigned char* c, const T* a, const T* b, T* y, long long n, TensorGeom out, TensorGeom gc,
    TensorGeom ga, TensorGeom gb)
{
    FOR_EACH_INDEX(i, n) { y[i] = c[geom_offset(i, out, gc)] ? a[geom_offset(i, out, ga)] : b[geom_offset(i, out, gb)]; }
}

#define SELECT(SUFFIX, T)                                                                                            \
    extern "C" __global__ void select_##SUFFIX(const unsigned char* c, const T* a, const T* b, T* y, long long n,    \
        TensorGeom out, TensorGeom gc, TensorGeom ga, TensorGeom gb)                                                 \
    {                                                                                                                \
        select(c, a, b, y, n, out, gc, ga, gb);                                                                      \
    }
SELECT(b1, unsigned char)
SELECT(b2, unsigned short)
SELECT(b4, unsigned int)
