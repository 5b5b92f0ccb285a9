// Data movement of the control-flow executor (src/control/exec.rs): an IIteratorLayer's
// slice of one iteration, an ILoopOutputLayer's slot written per iteration, and the final
// copy of staged concatenations (in order or reversed). Tensors are seen as
// [outer, slots, inner] elements of 1, 2 or 4 bytes; src/backend/cpu/flow.rs does the same
// on the host.
template <typename T>
__device__ void slots_copy(T* dst, const T* src, SlotCopyDesc d)
{
    FOR_EACH_INDEX(i, d.outer * d.count * d.inner)
    {
        long long e = i % d.inner;
        long long k = (i / d.inner) % d.count;
        long long o = i / (d.inner * d.count);
        long long from = d.reverse ? d.src_first + d.count - 1 - k : d.src_first + k;
        dst[(o * d.dst_slots + d.dst_first + k) * d.inner + e] = src[(o * d.src_slots + from) * d.inner + e];
    }
}

#define SLOTS_COPY(SUFFIX, T)                                                                    \
    extern "C" __global__ void slots_copy_##SUFFIX(T* dst, const T* src, SlotCopyDesc d)        \
    {                                                                                            \
        slots_copy(dst, src, d);                                                                 \
    }
SLOTS_COPY(b1, unsigned char)
SLOTS_COPY(b2, unsigned short)
SLOTS_COPY(b4, unsigned int)
