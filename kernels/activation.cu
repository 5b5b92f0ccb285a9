// Pointwise activations, numbered as nvinfer1::ActivationType.
extern "C" __global__ void activation_f32(const float* x, float* y, long long n, int type, float alpha, float beta)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    long long step = (long long)gridDim.x * blockDim.x;
    for (; i < n; i += step) {
        float v = x[i];
        float r;
        switch (type) {
        case 0: r = v > 0.f ? v : 0.f; break;                                  // kRELU
        case 1: r = 1.f / (1.f + expf(-v)); break;                             // kSIGMOID
        case 2: r = tanhf(v); break;                                           // kTANH
        case 3: r = v >= 0.f ? v : alpha * v; break;                           // kLEAKY_RELU
        case 4: r = v >= 0.f ? v : alpha * (expf(v) - 1.f); break;             // kELU
        case 5: r = beta * (v >= 0.f ? v : alpha * (expf(v) - 1.f)); break;    // kSELU
        case 6: r = v / (1.f + fabsf(v)); break;                               // kSOFTSIGN
        case 7: r = alpha * log1pf(expf(beta * v)); break;                     // kSOFTPLUS
        case 8: r = fminf(fmaxf(v, alpha), beta); break;                       // kCLIP
        case 9: r = fmaxf(0.f, fminf(1.f, alpha * v + beta)); break;           // kHARD_SIGMOID
        case 10: r = alpha * tanhf(beta * v); break;                           // kSCALED_TANH
        case 11: r = v > alpha ? v : 0.f; break;                               // kTHRESHOLDED_RELU
        default: r = v; break;
        }
        y[i] = r;
    }
}
