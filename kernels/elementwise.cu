// Binary elementwise operations with broadcasting, numbered as nvinfer1::ElementWiseOperation.
// Strides of a broadcast (size-1) dimension are 0.
struct Broadcast {
    long long out_dims[8];
    long long a_strides[8];
    long long b_strides[8];
    int rank;
};

extern "C" __global__ void elementwise_f32(const float* a, const float* b, float* y, long long n, int op, Broadcast d)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long step = (long long)gridDim.x * blockDim.x;
    for (; i < n; i += step) {
        long long rem = i, ai = 0, bi = 0;
        for (int k = d.rank - 1; k >= 0; --k) {
            long long coord = rem % d.out_dims[k];
            rem /= d.out_dims[k];
            ai += coord * d.a_strides[k];
            bi += coord * d.b_strides[k];
        }
        float p = a[ai], q = b[bi], r;
        switch (op) {
        case 0: r = p + q; break;                  // kSUM
        case 1: r = p * q; break;                  // kPROD
        case 2: r = fmaxf(p, q); break;            // kMAX
        case 3: r = fminf(p, q); break;            // kMIN
        case 4: r = p - q; break;                  // kSUB
        case 5: r = p / q; break;                  // kDIV
        case 6: r = powf(p, q); break;             // kPOW
        case 7: r = floorf(p / q); break;          // kFLOOR_DIV
        default: r = p; break;
        }
        y[i] = r;
    }
}
