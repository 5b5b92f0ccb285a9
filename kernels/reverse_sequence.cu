// Reversing sequences (IReverseSequenceLayer): element i, at batch index b and sequence
// index s, reads sequence index len - 1 - s when s < len (len = lens[b] clamped to
// [0, seq_dim]) and s otherwise, as src/layers/reverse_sequence.rs (`source`) does.
// Elements move as 1, 2 or 4 bytes; lengths are int32.
template <typename T>
__device__ void reverse_sequence(const T* x, const int* lens, T* y, long long n, long long batch_dim, long long batch_stride,
    long long seq_dim, long long seq_stride)
{
    FOR_EACH_INDEX(i, n)
    {
        long long b = (i / batch_stride) % batch_dim, s = (i / seq_stride) % seq_dim;
        long long len = lens[b];
        len = len < 0 ? 0 : (len > seq_dim ? seq_dim : len);
        long long from = s < len ? len - 1 - s : s;
        y[i] = x[i + (from - s) * seq_stride];
    }
}

#define REVERSE_SEQUENCE(SUFFIX, T)                                                                                  \
    extern "C" __global__ void reverse_sequence_##SUFFIX(const T* x, const int* lens, T* y, long long n,             \
        long long batch_dim, long long batch_stride, long long seq_dim, long long seq_stride)                        \
    {                                                                                                                \
        reverse_sequence(x, lens, y, n, batch_dim, batch_stride, seq_dim, seq_stride);                               \
    }
REVERSE_SEQUENCE(b1, unsigned char)
REVERSE_SEQUENCE(b2, unsigned short)
REVERSE_SEQUENCE(b4, unsigned int)
