// ITopKLayer along the middle dimension of [outer, n, inner]: one block per slice picks the
// k elements in order, one per round: each thread finds, among its positions, the first one
// (in output order) that comes after the previous pick, and a block reduction takes the
// first of those. Output order: larger (kMAX) or smaller (kMIN) first, NaN above every
// number, the lower index among equal values. O(k * n) per slice, without scratch memory.
// src/layers/top_k.rs holds the reference.
#define TOPK_THREADS 256

template <typename K>
__device__ __forceinline__ bool topk_before(int largest, K a, long long i, K b, long long j)
{
    bool an = a != a, bn = b != b; // NaN (never for integers)
    if (an != bn) return largest ? an : bn;
    if (!an && a != b) return largest ? a > b : a < b;
    return i < j;
}

__device__ __forceinline__ float topk_key(float v) { return v; }
__device__ __forceinline__ float topk_key(half_t v) { return to_float(v); }
__device__ __forceinline__ int topk_key(int v) { return v; }

template <typename T, typename K>
__device__ void top_k(const T* x, T* values, int* indices, TopKDesc d)
{
    __shared__ K best_v[TOPK_THREADS];
    __shared__ long long best_i[TOPK_THREADS];
    for (long long s = blockIdx.x; s < d.outer * d.inner; s += gridDim.x) {
        long long o = s / d.inner, in = s % d.inner;
        const T* src = x + o * d.n * d.inner + in;
        K prev_v = K(0);
        long long prev_i = -1; // no pick yet
        for (int r = 0; r < d.k; ++r) {
            K bv = K(0);
            long long bi = -1;
            for (long long j = threadIdx.x; j < d.n; j += blockDim.x) {
                K v = topk_key(src[j * d.inner]);
                if (prev_i >= 0 && !topk_before<K>(d.largest, prev_v, prev_i, v, j)) continue; // picked already
                if (bi < 0 || topk_before<K>(d.largest, v, j, bv, bi)) {
                    bv = v;
                    bi = j;
                }
            }
            best_v[threadIdx.x] = bv;
            best_i[threadIdx.x] = bi;
            __syncthreads();
            for (int step = blockDim.x / 2; step > 0; step >>= 1) {
                if (threadIdx.x < step) {
                    K ov = best_v[threadIdx.x + step];
                    long long oi = best_i[threadIdx.x + step];
                    if (oi >= 0 && (best_i[threadIdx.x] < 0 || topk_before<K>(d.largest, ov, oi, best_v[threadIdx.x], best_i[threadIdx.x]))) {
                        best_v[threadIdx.x] = ov;
                        best_i[threadIdx.x] = oi;
                    }
                }
                __syncthreads();
            }
            prev_v = best_v[0];
            prev_i = best_i[0];
            if (threadIdx.x == 0 && prev_i >= 0) {
                long long dst = (o * d.k + r) * d.inner + in;
                values[dst] = src[prev_i * d.inner];
                indices[dst] = (int)prev_i;
            }
            __syncthreads(); // everyone has read best_*[0] before the next round writes them
        }
    }
}

extern "C" __global__ void top_k_f32(const float* x, float* values, int* indices, TopKDesc d) { top_k<float, float>(x, values, indices, d); }
extern "C" __global__ void top_k_f16(const half_t* x, half_t* values, int* indices, TopKDesc d) { top_k<half_t, float>(x, values, indices, d); }
extern "C" __global__ void top_k_i32(const int* x, int* values, int* indices, TopKDesc d) { top_k<int, int>(x, values, indices, d); }
