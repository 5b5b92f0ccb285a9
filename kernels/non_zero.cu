// Coordinates of the non-zero elements, row-major [rank, count], in element order. One block:
// each thread counts its chunk, a block-wide prefix sum gives every thread its first output
// column and the total count, then each thread writes its chunk's coordinates. The count
// goes to *count for the host.
#define NZ_THREADS 1024

__device__ __forceinline__ bool is_nonzero(float v) { return v != 0.f; }
__device__ __forceinline__ bool is_nonzero(half_t v) { return (v & 0x7fff) != 0; }
__device__ __forceinline__ bool is_nonzero(int v) { return v != 0; }
__device__ __forceinline__ bool is_nonzero(signed char v) { return v != 0; }
__device__ __forceinline__ bool is_nonzero(unsigned char v) { return v != 0; }

template <typename T>
__device__ void non_zero(const T* x, int* y, long long* count, long long n, TensorGeom g)
{
    __shared__ long long prefix[NZ_THREADS];
    long long chunk = (n + NZ_THREADS - 1) / NZ_THREADS;
    long long start = threadIdx.x * chunk, end = start + chunk < n ? start + chunk : n;
    long long local = 0;
    for (long long i = start; i < end; ++i) local += is_nonzero(x[i]);
    prefix[threadIdx.x] = local;
    __syncthreads();
    for (int step = 1; step < NZ_THREADS; step <<= 1) {
        long long add = threadIdx.x >= step ? prefix[threadIdx.x - step] : 0;
        __syncthreads();
        prefix[threadIdx.x] += add;
        __syncthreads();
    }
    long long total = prefix[NZ_THREADS - 1];
    long long column = prefix[threadIdx.x] - local;
    for (long long i = start; i < end; ++i) {
        if (!is_nonzero(x[i])) continue;
        long long rem = i;
        for (int d = g.rank - 1; d >= 0; --d) {
            y[d * total + column] = (int)(rem % g.dims[d]);
            rem /= g.dims[d];
        }
        ++column;
    }
    if (threadIdx.x == 0) *count = total;
}

extern "C" __global__ void non_zero_f32(const float* x, int* y, long long* count, long long n, TensorGeom g) { non_zero(x, y, count, n, g); }
extern "C" __global__ void non_zero_f16(const half_t* x, int* y, long long* count, long long n, TensorGeom g) { non_zero(x, y, count, n, g); }
extern "C" __global__ void non_zero_i32(const int* x, int* y, long long* count, long long n, TensorGeom g) { non_zero(x, y, count, n, g); }
extern "C" __global__ void non_zero_i8(const signed char* x, int* y, long long* count, long long n, TensorGeom g) { non_zero(x, y, count, n, g); }
extern "C" __global__ void non_zero_u8(const unsigned char* x, int* y, long long* count, long long n, TensorGeom g) { non_zero(x, y, count, n, g); }
