// compile_all.cpp: every public header compiles, in several include orders, alone or together
// with the CUDA runtime header; key enum values, constants and object layouts are as in
// TensorRT 8.6.  Syntax-only test (see run.sh); select the order with -DNVTRT_ORDER=1..4.

#if defined(NVTRT_FAKE_CUDA_FIRST)
#include "fake_cuda/cuda_runtime_api.h"
#endif

#if NVTRT_ORDER == 1 // top-level headers first
#include "NvInfer.h"
#include "NvInferPlugin.h"
#include "NvOnnxParser.h"
#include "NvOnnxConfig.h"
#include "NvInferRuntime.h"
#include "NvInferRuntimeCommon.h"
#include "NvInferRuntimeBase.h"
#include "NvInferRuntimePlugin.h"
#include "NvInferLegacyDims.h"
#include "NvInferImpl.h"
#include "NvInferPluginUtils.h"
#include "NvInferVersion.h"
#elif NVTRT_ORDER == 2 // dependencies first
#include "NvInferVersion.h"
#include "NvInferRuntimeBase.h"
#include "NvInferRuntimePlugin.h"
#include "NvInferRuntimeCommon.h"
#include "NvInferLegacyDims.h"
#include "NvInferImpl.h"
#include "NvInferRuntime.h"
#include "NvInfer.h"
#include "NvInferPluginUtils.h"
#include "NvInferPlugin.h"
#include "NvOnnxConfig.h"
#include "NvOnnxParser.h"
#elif NVTRT_ORDER == 3 // parser and plugin headers first
#include "NvOnnxParser.h"
#include "NvOnnxConfig.h"
#include "NvInferPluginUtils.h"
#include "NvInferPlugin.h"
#include "NvInferImpl.h"
#include "NvInferLegacyDims.h"
#include "NvInferRuntime.h"
#include "NvInfer.h"
#include "NvInferRuntimeCommon.h"
#include "NvInferRuntimePlugin.h"
#include "NvInferRuntimeBase.h"
#include "NvInferVersion.h"
#elif NVTRT_ORDER == 4 // runtime-only program
#include "NvInferRuntime.h"
#include "NvInferRuntime.h"
#include "NvInferPluginUtils.h"
#include "NvInfer.h"
#else
#error "define NVTRT_ORDER to 1..4"
#endif

#if defined(NVTRT_FAKE_CUDA_LAST)
#include "fake_cuda/cuda_runtime_api.h"
#endif

#include <cstdint>
#include <type_traits>

#if NVTRT_ORDER != 4
#include "NvInfer.h"
#include "NvOnnxParser.h"
#endif

using namespace nvinfer1;

// ---- versions -----------------------------------------------------------------------------------
static_assert(NV_TENSORRT_MAJOR == 8 && NV_TENSORRT_MINOR == 6 && NV_TENSORRT_PATCH == 1, "version");
static_assert(NV_TENSORRT_BUILD == 5, "build");
static_assert(NV_TENSORRT_RELEASE_TYPE == NV_TENSORRT_RELEASE_TYPE_GENERAL_AVAILABILITY, "GA");
static_assert(NV_TENSORRT_VERSION == 8601, "NV_TENSORRT_VERSION");
static_assert(kNV_TENSORRT_VERSION_IMPL == 8601, "kNV_TENSORRT_VERSION_IMPL");
#if NVTRT_ORDER != 4
static_assert(NV_ONNX_PARSER_MAJOR == 0 && NV_ONNX_PARSER_MINOR == 1 && NV_ONNX_PARSER_PATCH == 0, "onnx");
static_assert(NV_ONNX_PARSER_VERSION == 100, "NV_ONNX_PARSER_VERSION");
#endif

// ---- enum values ----------------------------------------------------------------------------------
static_assert(static_cast<int32_t>(DataType::kFLOAT) == 0, "");
static_assert(static_cast<int32_t>(DataType::kFP8) == 6, "");
static_assert(static_cast<int32_t>(LayerType::kCAST) == 47, "");
static_assert(static_cast<int32_t>(LayerType::kPLUGIN_V2) == 22, "");
static_assert(static_cast<int32_t>(BuilderFlag::kTF32) == 7, "");
static_assert(static_cast<int32_t>(BuilderFlag::kFP8) == 17, "");
static_assert(static_cast<int32_t>(ILogger::Severity::kVERBOSE) == 4, "");
static_assert(static_cast<int32_t>(ErrorCode::kUNSUPPORTED_STATE) == 10, "");
static_assert(static_cast<int32_t>(TensorFormat::kDHWC) == 12, "");
static_assert(static_cast<int32_t>(UnaryOperation::kISINF) == 23, "");
static_assert(static_cast<int32_t>(ElementWiseOperation::kLESS) == 13, "");
static_assert(static_cast<int32_t>(MemoryPoolType::kTACTIC_DRAM) == 4, "");
static_assert(static_cast<int32_t>(ProfilingVerbosity::kDETAILED) == 2, "");
static_assert(static_cast<int32_t>(SampleMode::kREFLECT) == 4, "");
static_assert(static_cast<int32_t>(PluginVersion::kV2_DYNAMICEXT) == 3, "");
static_assert(static_cast<int32_t>(TensorIOMode::kOUTPUT) == 2, "");
static_assert(static_cast<int32_t>(TacticSource::kJIT_CONVOLUTIONS) == 4, "");
static_assert(static_cast<int32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH) == 0, "");
static_assert(static_cast<int32_t>(plugin::CodeTypeSSD::TF_CENTER) == 3, "");

// ---- EnumMax --------------------------------------------------------------------------------------
static_assert(EnumMax<LayerType>() == 48, "");
static_assert(EnumMax<DataType>() == 7, "");
static_assert(EnumMax<ILogger::Severity>() == 5, "");
static_assert(EnumMax<ErrorCode>() == 11, "");
static_assert(EnumMax<BuilderFlag>() == 18, "");
static_assert(EnumMax<EngineCapability>() == 3, "");
static_assert(EnumMax<ProfilingVerbosity>() == 3, "");
static_assert(EnumMax<SampleMode>() == 5, "");
static_assert(EnumMax<UnaryOperation>() == 24, "");
static_assert(impl::EnumMaxImpl<TensorFormat>::kVALUE == 13, "");
#if NVTRT_ORDER != 4
static_assert(nvonnxparser::EnumMax<nvonnxparser::OnnxParserFlag>() == 1, "");
static_assert(static_cast<int>(nvonnxparser::ErrorCode::kUNSUPPORTED_NODE) == 8, "");
#endif

// ---- underlying types and aliases ----------------------------------------------------------------
static_assert(std::is_same<std::underlying_type<PluginVersion>::type, uint8_t>::value, "");
static_assert(std::is_same<std::underlying_type<DataType>::type, int32_t>::value, "");
static_assert(std::is_same<Dims, Dims32>::value, "");
static_assert(std::is_same<AsciiChar, char>::value, "");
static_assert(std::is_same<PluginFormat, TensorFormat>::value, "");
static_assert(std::is_same<ResizeMode, InterpolationMode>::value, "");
static_assert(std::is_same<SliceMode, SampleMode>::value, "");
static_assert(std::is_same<TacticSources, uint32_t>::value, "");
static_assert(std::is_same<TensorFormats, uint32_t>::value, "");
static_assert(std::is_same<BuilderFlags, uint32_t>::value, "");
static_assert(std::is_same<NetworkDefinitionCreationFlags, uint32_t>::value, "");
static_assert(std::is_same<QuantizationFlags, uint32_t>::value, "");
static_assert(std::is_same<TempfileControlFlags, uint32_t>::value, "");
static_assert(std::is_same<AllocatorFlags, uint32_t>::value, "");
#if NVTRT_ORDER != 4
static_assert(std::is_same<std::underlying_type<nvonnxparser::ErrorCode>::type, int>::value, "");
static_assert(std::is_same<nvonnxparser::OnnxParserFlags, uint32_t>::value, "");
static_assert(std::is_same<SubGraph_t, std::pair<std::vector<size_t>, bool>>::value, "");
#endif

// ---- constants --------------------------------------------------------------------------------------
static_assert(Dims::MAX_DIMS == 8, "");
static_assert(IErrorRecorder::kMAX_DESC_LENGTH == 127, "");
static_assert(IPluginV2DynamicExt::kFORMAT_COMBINATION_LIMIT == 100, "");

// ---- layouts -----------------------------------------------------------------------------------------
constexpr size_t kPtr = sizeof(void*);
static_assert(sizeof(IBuilder) == 2 * kPtr, "shell = vptr + mImpl");
static_assert(sizeof(ICudaEngine) == 2 * kPtr, "");
static_assert(sizeof(IExecutionContext) == 2 * kPtr, "");
static_assert(sizeof(ITensor) == 2 * kPtr, "");
static_assert(sizeof(ILayer) == 2 * kPtr, "vptr + mLayer");
static_assert(sizeof(IConvolutionLayer) == 3 * kPtr, "vptr + mLayer + mImpl");
static_assert(sizeof(IOneHotLayer) == 3 * kPtr, "");
static_assert(sizeof(IRecurrenceLayer) == 4 * kPtr, "vptr + mLayer + mBoundary + mImpl");
static_assert(sizeof(IConditionLayer) == 4 * kPtr, "");
static_assert(sizeof(apiv::VRoot) == kPtr, "");
static_assert(sizeof(Dims) == 36, "");
static_assert(sizeof(Dims4) == sizeof(Dims), "");
static_assert(sizeof(Permutation) == 32, "");
static_assert(std::is_standard_layout<Dims>::value && std::is_trivially_copyable<Dims>::value, "");
static_assert(std::is_standard_layout<Weights>::value, "");

// ---- object model -----------------------------------------------------------------------------------
static_assert(!std::is_copy_constructible<IBuilder>::value && !std::is_move_constructible<IBuilder>::value, "");
static_assert(!std::is_copy_assignable<ICudaEngine>::value, "");
static_assert(std::has_virtual_destructor<IBuilder>::value, "");
static_assert(std::is_destructible<IBuilder>::value && std::is_destructible<IRuntime>::value, "public dtor");
static_assert(std::is_destructible<IHostMemory>::value && std::is_destructible<ITimingCache>::value, "");
static_assert(!std::is_destructible<ITensor>::value && !std::is_destructible<ILayer>::value, "protected dtor");
static_assert(!std::is_destructible<IConvolutionLayer>::value && !std::is_destructible<IRecurrenceLayer>::value, "");
// IOneHotLayer does not re-declare its destructor (as in TensorRT 8.6), so its implicit one is public.
static_assert(!std::is_destructible<IOptimizationProfile>::value && !std::is_destructible<ILoop>::value, "");
static_assert(!std::is_destructible<IPluginRegistry>::value, "");
static_assert(!std::is_destructible<IPluginV2DynamicExt>::value, "");
static_assert(std::is_base_of<ILoopBoundaryLayer, IIteratorLayer>::value, "");
static_assert(std::is_base_of<IIfConditionalBoundaryLayer, IConditionLayer>::value, "");
static_assert(std::is_base_of<IPluginV2Ext, IPluginV2DynamicExt>::value, "");
static_assert(std::is_abstract<ILogger>::value && std::is_abstract<IGpuAllocator>::value, "");
static_assert(std::is_abstract<apiv::VBuilder>::value, "");
#if NVTRT_ORDER != 4
static_assert(std::is_destructible<nvonnxparser::IParser>::value, "");
static_assert(!std::is_destructible<nvonnxparser::IParserError>::value, "");
#endif

// The CUDA handle types are exactly CUDA's.
static_assert(std::is_same<cudaStream_t, CUstream_st*>::value, "");
static_assert(std::is_same<cudaEvent_t, CUevent_st*>::value, "");

int main()
{
    return 0;
}
