// Pointwise activations, numbered as nvinfer1::ActivationType; src/layers/activation.rs
// holds the reference formulas.
template <typename T>
__device__ void activation(const T* x, T* y, long long n, int type, float alpha, float beta)
{
    FOR_EACH_INDEX(i, n)
    {
        float v = to_float(x[i]), r;
        switch (type) {
        case 0: r = fmaxf(v, 0.f); break;                                   // kRELU
        case 1: r = 1.f / (1.f + expf(-v)); break;                          // kSIGMOID
        case 2: r = tanhf(v); break;                                        // kTANH
        case 3: r = v >= 0.f ? v : alpha * v; break;                        // kLEAKY_RELU
        case 4: r = v >= 0.f ? v : alpha * (expf(v) - 1.f); break;          // kELU
        case 5: r = beta * (v >= 0.f ? v : alpha * (expf(v) - 1.f)); break; // kSELU
        case 6: r = v / (1.f + fabsf(v)); break;                            // kSOFTSIGN
        case 7: r = alpha * log1pf(expf(beta * v)); break;                  // kSOFTPLUS
        case 8: r = fminf(fmaxf(v, alpha), beta); break;                    // kCLIP
        case 9: r = fminf(fmaxf(alpha * v + beta, 0.f), 1.f); break;        // kHARD_SIGMOID
        case 10: r = alpha * tanhf(beta * v); break;                        // kSCALED_TANH
        case 11: r = v > alpha ? v : 0.f; break;                            // kTHRESHOLDED_RELU
        default: r = v; break;
        }
        y[i] = from_float<T>(r);
    }
}

extern "C" __global__ void activation_f32(const float* x, float* y, long long n, int type, float alpha, float beta)
{
    activation(x, y, n, type, alpha, beta);
}
extern "C" __global__ void activation_f16(const half_t* x, half_t* y, long long n, int type, float alpha, float beta)
{
    activation(x, y, n, type, alpha, beta);
}
