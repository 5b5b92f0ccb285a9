// Batched matrix product C[b] = op(A[b]) * op(B[b]) (+ bias[n]), row-major, 16x16
// shared-memory tiles, float accumulation. Batch index b runs over d.batch_dims; each
// operand moves by its batch strides (0: broadcast); C is dense.
#define TILE 16

template <typename T>
__device__ void matmul(const T* a, const T* b, const float* bias, T* c, GemmDesc d)
{
    __shared__ float ta[TILE][TILE];
    __shared__ float tb[TILE][TILE];
    long long batch = blockIdx.z, rem = batch, oa = 0, ob = 0;
    for (int k = d.batch_rank - 1; k >= 0; --k) {
        long long coord = rem % d.batch_dims[k];
        rem /= d.batch_dims[k];
        oa += coord * d.a_strides[k];
        ob += coord * d.b_strides[k];
    }
    a += oa;
    b += ob;
    c += batch * (long long)d.m * d.n;
    int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.f;
    for (int t = 0; t < d.k; t += TILE) {
        int ka = t + threadIdx.x, kb = t + threadIdx.y;
        ta[threadIdx.y][threadIdx.x] = (row < d.m && ka < d.k) ? to_float(d.trans_a ? a[(long long)ka * d.m + row] : a[(long long)row * d.k + ka]) : 0.f;
        tb[threadIdx.y][threadIdx.x] = (col < d.n && kb < d.k) ? to_float(d.trans_b ? b[(long long)col * d.k + kb] : b[(long long)kb * d.n + col]) : 0.f;
        __syncthreads();
        for (int i = 0; i < TILE; ++i) acc = fmaf(ta[threadIdx.y][i], tb[i][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < d.m && col < d.n) c[(long long)row * d.n + col] = from_float<T>(acc + (bias ? bias[col] : 0.f));
}

extern "C" __global__ void matmul_f32(const float* a, const float* b, const float* bias, float* c, GemmDesc d)
{
    matmul(a, b, bias, c, d);
}
extern "C" __global__ void matmul_f16(const half_t* a, const half_t* b, const float* bias, half_t* c, GemmDesc d)
{
    matmul(a, b, bias, c, d);
}
