// Concatenation (IConcatenationLayer), one launch per input: input x, seen as [outer, row]
// (row = its axis dim times the inner elements), lands in the output [outer, out_row] from
// column `offset`. Elements move as 1, 2 or 4 bytes.
template <typename T>
__device__ void concat_copy(const T* x, T* y, long long n, long long row, long long out_row, long long offset)
{
    FOR_EACH_INDEX(i, n) { y[(i / row) * out_row + offset + i % row] = x[i]; }
}

#define CONCAT(SUFFIX, T)                                                                                            \
    extern "C" __global__ void concat_##SUFFIX(const T* x, T* y, long long n, long long row, long long out_row,      \
        long long offset)                                                                                            \
    {                                                                                                                \
        concat_copy(x, y, n, row, out_row, offset);                                                                  \
    }
CONCAT(b1, unsigned char)
CONCAT(b2, unsigned short)
CONCAT(b4, unsigned int)
