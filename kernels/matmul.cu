// Batched matrix product C[b] = op(A[b]) * op(B[b]), row-major FP32, 16x16 shared-memory tiles.
// A fallback beside cuBLASLt; the builder times both and keeps the faster.
#define TILE 16

extern "C" __global__ void matmul_f32(const float* a, const float* b, float* c, int m, int n, int k,
                                      int trans_a, int trans_b, long long a_batch, long long b_batch, long long c_batch)
{
    __shared__ float ta[TILE][TILE];
    __shared__ float tb[TILE][TILE];
    int batch = blockIdx.z;
    const float* A = a + batch * a_batch;
    const float* B = b + batch * b_batch;
    float* C = c + batch * c_batch;
    int row = blockIdx.y * TILE + threadIdx.y;
    int col = blockIdx.x * TILE + threadIdx.x;
    float acc = 0.f;
    for (int t = 0; t < k; t += TILE) {
        int ak = t + threadIdx.x;
        int bk = t + threadIdx.y;
        ta[threadIdx.y][threadIdx.x] = (row < m && ak < k) ? (trans_a ? A[(long long)ak * m + row] : A[(long long)row * k + ak]) : 0.f;
        tb[threadIdx.y][threadIdx.x] = (col < n && bk < k) ? (trans_b ? B[(long long)col * k + bk] : B[(long long)bk * n + col]) : 0.f;
        __syncthreads();
        for (int i = 0; i < TILE; ++i) acc = fmaf(ta[threadIdx.y][i], tb[i][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < m && col < n) C[(long long)row * n + col] = acc;
}
