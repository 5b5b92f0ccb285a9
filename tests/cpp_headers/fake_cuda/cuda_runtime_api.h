// Minimal stand-in for the CUDA runtime header: declares the stream/event handle types the
// same way CUDA's driver_types.h does, plus two prototypes, to prove that our headers can be
// combined with the real CUDA header in either include order.
#ifndef NVTRT_TEST_FAKE_CUDA_RUNTIME_API_H
#define NVTRT_TEST_FAKE_CUDA_RUNTIME_API_H

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;
struct CUevent_st;
typedef struct CUevent_st* cudaEvent_t;

typedef int cudaError_t;
extern "C" cudaError_t cudaStreamCreate(cudaStream_t* stream);
extern "C" cudaError_t cudaEventCreate(cudaEvent_t* event);

#endif
