// Generated tensors (IFillLayer); src/layers/fill.rs is the reference. kLINSPACE computes in
// double; the random fills in float from a counter-based generator (the splitmix64
// finalizer of a fixed seed plus the element index times the golden ratio), the same
// generator as the reference, so both produce the same values. Alpha and beta come from
// the arguments, or from tensors (alpha_in[0], beta_in[k]) when those are given.
#define FILL_SEED 0x5EED000800060001ULL

__device__ __forceinline__ unsigned long long fill_random_bits(unsigned long long i)
{
    unsigned long long z = FILL_SEED + i * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// A float in [0, 1) from the top 24 of 64 random bits.
__device__ __forceinline__ float fill_unit(unsigned long long bits) { return (float)(bits >> 40) * (1.0f / 16777216.0f); }

__device__ __forceinline__ double fill_as_double(float v) { return v; }
__device__ __forceinline__ double fill_as_double(half_t v) { return to_float(v); }
__device__ __forceinline__ double fill_as_double(int v) { return v; }

template <typename T> __device__ __forceinline__ T fill_from_double(double v);
template <> __device__ __forceinline__ float fill_from_double<float>(double v) { return (float)v; }
template <> __device__ __forceinline__ half_t fill_from_double<half_t>(double v) { return from_float<half_t>((float)v); }
template <> __device__ __forceinline__ int fill_from_double<int>(double v) { return (int)(long long)v; }

// kLINSPACE: element i at coordinates c (over d.dims) is alpha + sum_k c_k * beta[k].
template <typename T>
__device__ void linspace(T* y, long long n, LinspaceDesc d, const T* alpha_in, const T* beta_in)
{
    double alpha = alpha_in ? fill_as_double(alpha_in[0]) : d.alpha;
    FOR_EACH_INDEX(i, n)
    {
        double v = alpha;
        long long rem = i;
        for (int k = d.rank - 1; k >= 0; --k) {
            long long c = rem % d.dims[k];
            rem /= d.dims[k];
            v += (double)c * (beta_in ? fill_as_double(beta_in[k]) : d.beta[k]);
        }
        y[i] = fill_from_double<T>(v);
    }
}

// kRANDOM_UNIFORM (op 1): uniform in [alpha, beta); kRANDOM_NORMAL (op 2): mean alpha,
// standard deviation beta, by Box-Muller (1 - u is in (0, 1], so the logarithm is finite).
template <typename T>
__device__ void random_fill(T* y, long long n, int op, float alpha, float beta, const T* alpha_in, const T* beta_in)
{
    float a = alpha_in ? to_float(alpha_in[0]) : alpha;
    float b = beta_in ? to_float(beta_in[0]) : beta;
    FOR_EACH_INDEX(i, n)
    {
        unsigned long long u = (unsigned long long)i;
        float v;
        if (op == 1) {
            v = a + (b - a) * fill_unit(fill_random_bits(u));
        } else {
            float u1 = 1.f - fill_unit(fill_random_bits(2 * u));
            float u2 = fill_unit(fill_random_bits(2 * u + 1));
            v = a + b * sqrtf(-2.f * logf(u1)) * cosf(6.28318530717958647692f * u2);
        }
        y[i] = from_float<T>(v);
    }
}

extern "C" __global__ void linspace_f32(float* y, long long n, LinspaceDesc d, const float* alpha_in, const float* beta_in)
{
    linspace(y, n, d, alpha_in, beta_in);
}
extern "C" __global__ void linspace_f16(half_t* y, long long n, LinspaceDesc d, const half_t* alpha_in, const half_t* beta_in)
{
    linspace(y, n, d, alpha_in, beta_in);
}
extern "C" __global__ void linspace_i32(int* y, long long n, LinspaceDesc d, const int* alpha_in, const int* beta_in)
{
    linspace(y, n, d, alpha_in, beta_in);
}
extern "C" __global__ void random_f32(float* y, long long n, int op, float alpha, float beta, const float* alpha_in,
    const float* beta_in)
{
    random_fill(y, n, op, alpha, beta, alpha_in, beta_in);
}
extern "C" __global__ void random_f16(half_t* y, long long n, int op, float alpha, float beta, const half_t* alpha_in,
    const half_t* beta_in)
{
    random_fill(y, n, op, alpha, beta, alpha_in, beta_in);
}
