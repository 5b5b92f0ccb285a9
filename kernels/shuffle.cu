// Axis permutation for elements of 1, 2 or 4 bytes: output element i (row-major over
// out.dims) reads the input at offset geom_offset(i, out, in), where in.strides are the
// input's strides in output axis order.
template <typename T>
__device__ void transpose(const T* x, T* y, long long n, TensorGeom out, TensorGeom in)
{
    FOR_EACH_INDEX(i, n) { y[i] = x[geom_offset(i, out, in)]; }
}

extern "C" __global__ void transpose_b1(const unsigned char* x, unsigned char* y, long long n, TensorGeom out, TensorGeom in)
{
    transpose(x, y, n, out, in);
}
extern "C" __global__ void transpose_b2(const unsigned short* x, unsigned short* y, long long n, TensorGeom out, TensorGeom in)
{
    transpose(x, y, n, out, in);
}
extern "C" __global__ void transpose_b4(const unsigned int* x, unsigned int* y, long long n, TensorGeom out, TensorGeom in)
{
    transpose(x, y, n, out, in);
}
