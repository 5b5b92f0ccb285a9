// IRNNv2Layer: one launch per time step of each stacked layer (both directions at once),
// one thread per (sequence, direction, hidden unit). Everything inside is f32: the layer's
// input and initial states are widened first, its outputs narrowed last. A thread owns
// its unit's cell state; the previous hidden state (which every unit of a sequence reads)
// is the layer's output at the previous step, written by the launch before.

__device__ __forceinline__ float rnn_sigmoid(float x) { return 1.f / (1.f + expf(-x)); }

__device__ __forceinline__ float rnn_dot(const float* row, const float* v, int n)
{
    float s = 0.f;
    for (int k = 0; k < n; ++k) s += row[k] * v[k];
    return s;
}

// Step d.step of one layer: x [batch, seq, in_size] is the layer's input, y [batch, seq,
// dirs * hidden] its output, h0 and c [batch, states, hidden] the initial hidden states and
// the cell states (updated in place), lengths [batch] each sequence's length, w the packed
// weights (a block per sub-layer: every gate's W (none when skip), then R, W bias, R bias).
extern "C" __global__ void rnn_step(const float* x, float* y, const float* h0, float* c, const int* lengths, const float* w, RnnDesc d)
{
    FOR_EACH_INDEX(i, d.batch * d.dirs * d.hidden)
    {
        const int H = d.hidden;
        const int j = (int)(i % H);
        const int dir = (int)((i / H) % d.dirs);
        const long long b = i / ((long long)H * d.dirs);
        const int len = lengths[b];
        if (d.step >= len) continue;
        // The backward direction starts at the sequence's last valid step.
        const int t = dir == 0 ? d.step : len - 1 - d.step;
        const int width = d.dirs * H;
        const float* xt = x + (b * d.seq + t) * d.in_size;
        const long long state = (b * d.states + d.state0 + dir) * H;
        const float* h = d.step == 0 ? h0 + state : y + (b * d.seq + (dir == 0 ? t - 1 : t + 1)) * width + (long long)dir * H;

        const int G = d.gates;
        const int w_cols = d.skip ? 0 : d.in_size;
        const float* W = w + d.w_offset[dir];
        const float* R = W + (long long)G * H * w_cols;
        const float* Wb = R + (long long)G * H * H;
        const float* Rb = Wb + (long long)G * H;
        // Per gate: the input half W[g].x + Wb[g] and the recurrent half R[g].h + Rb[g].
        float in[4], rec[4];
        for (int g = 0; g < G; ++g) {
            const long long row = (long long)g * H + j;
            in[g] = Wb[row] + (d.skip ? xt[j] : rnn_dot(W + row * w_cols, xt, w_cols));
            rec[g] = Rb[row] + rnn_dot(R + row * H, h, H);
        }
        float out;
        if (d.operation == 0) { // kRELU
            out = fmaxf(in[0] + rec[0], 0.f);
        } else if (d.operation == 1) { // kTANH
            out = tanhf(in[0] + rec[0]);
        } else if (d.operation == 2) { // kLSTM, gates i, f, c, o
            const float ig = rnn_sigmoid(in[0] + rec[0]);
            const float fg = rnn_sigmoid(in[1] + rec[1]);
            const float cg = tanhf(in[2] + rec[2]);
            const float og = rnn_sigmoid(in[3] + rec[3]);
            const float cell = fg * c[state + j] + ig * cg;
            c[state + j] = cell;
            out = og * tanhf(cell);
        } else { // kGRU, gates z, r, h: the reset gate scales R[h].h + Rb[h] only
            const float z = rnn_sigmoid(in[0] + rec[0]);
            const float r = rnn_sigmoid(in[1] + rec[1]);
            const float candidate = tanhf(in[2] + r * rec[2]);
            out = (1.f - z) * candidate + z * h[j];
        }
        y[(b * d.seq + t) * width + (long long)dir * H + j] = out;
    }
}

// Each sequence's length clamped to [0, seq]; every sequence is seq long without lengths.
extern "C" __global__ void rnn_lengths(const int* given, int* lengths, long long batch, int seq)
{
    FOR_EACH_INDEX(b, batch)
    {
        lengths[b] = given ? min(max(given[b], 0), seq) : seq;
    }
}

// After a layer: each sub-layer's final hidden state (its output at the last step it ran,
// or the initial state for an empty sequence) into out [batch, states, hidden].
template <typename T>
__device__ void rnn_final_hidden(const float* y, const float* h0, const int* lengths, T* out, RnnDesc d)
{
    FOR_EACH_INDEX(i, d.batch * d.dirs * d.hidden)
    {
        const int H = d.hidden;
        const int j = (int)(i % H);
        const int dir = (int)((i / H) % d.dirs);
        const long long b = i / ((long long)H * d.dirs);
        const int len = lengths[b];
        const long long state = (b * d.states + d.state0 + dir) * H + j;
        float v = h0[state];
        if (len > 0) {
            const int t = dir == 0 ? len - 1 : 0;
            v = y[(b * d.seq + t) * d.dirs * H + (long long)dir * H + j];
        }
        out[state] = from_float<T>(v);
    }
}

// The last layer's output [batch, seq, width] into the layer's output, zero past each
// sequence's length.
template <typename T>
__device__ void rnn_output(const float* y, const int* lengths, T* out, long long batch, int seq, int width)
{
    FOR_EACH_INDEX(i, batch * seq * width)
    {
        const long long row = i / width;
        const int t = (int)(row % seq);
        out[i] = from_float<T>(t < lengths[row / seq] ? y[i] : 0.f);
    }
}

// A tensor widened to f32 (zeros for an absent one), and f32 narrowed to the output type.
template <typename T>
__device__ void rnn_widen(const T* src, float* dst, long long n)
{
    FOR_EACH_INDEX(i, n) dst[i] = src ? to_float(src[i]) : 0.f;
}

template <typename T>
__device__ void rnn_narrow(const float* src, T* dst, long long n)
{
    FOR_EACH_INDEX(i, n) dst[i] = from_float<T>(src[i]);
}

extern "C" __global__ void rnn_final_hidden_f32(const float* y, const float* h0, const int* l, float* out, RnnDesc d) { rnn_final_hidden(y, h0, l, out, d); }
extern "C" __global__ void rnn_final_hidden_f16(const float* y, const float* h0, const int* l, half_t* out, RnnDesc d) { rnn_final_hidden(y, h0, l, out, d); }
extern "C" __global__ void rnn_output_f32(const float* y, const int* l, float* out, long long batch, int seq, int width) { rnn_output(y, l, out, batch, seq, width); }
extern "C" __global__ void rnn_output_f16(const float* y, const int* l, half_t* out, long long batch, int seq, int width) { rnn_output(y, l, out, batch, seq, width); }
extern "C" __global__ void rnn_widen_f32(const float* src, float* dst, long long n) { rnn_widen(src, dst, n); }
extern "C" __global__ void rnn_widen_f16(const half_t* src, float* dst, long long n) { rnn_widen(src, dst, n); }
extern "C" __global__ void rnn_narrow_f32(const float* src, float* dst, long long n) { rnn_narrow(src, dst, n); }
extern "C" __global__ void rnn_narrow_f16(const float* src, half_t* dst, long long n) { rnn_narrow(src, dst, n); }
