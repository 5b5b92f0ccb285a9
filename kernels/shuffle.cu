// Permutes the axes of a tensor: y[out index] = x[sum(coord_k * in_strides[k])], where
// in_strides are the input strides reordered by the permutation.
struct Permute {
    long long out_dims[8];
    long long in_strides[8];
    int rank;
};

extern "C" __global__ void transpose_f32(const float* x, float* y, long long n, Permute d)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long step = (long long)gridDim.x * blockDim.x;
    for (; i < n; i += step) {
        long long rem = i, src = 0;
        for (int k = d.rank - 1; k >= 0; --k) {
            src += (rem % d.out_dims[k]) * d.in_strides[k];
            rem /= d.out_dims[k];
        }
        y[i] = x[src];
    }
}
