#!/usr/bin/env bash
# Builds libnvinfer (release), stages an install prefix in dist/ laid out like a TensorRT
# install, and builds the C++ samples against it with CMake (find_package(TensorRT)).
#   dist/include/      NvInfer*.h, NvOnnx*.h, nvinfer_c.h
#   dist/lib/          libnvinfer.so.8.6.1 (+ .so.8, .so), libnvonnxparser.so*, libnvinfer_plugin.so*
#   dist/lib/cmake/TensorRT/   the CMake package
# CUDA_RUNTIME_ROOT (see scripts/deps.sh) or a CUDA toolkit provides cudart for the samples.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release
rm -rf dist
mkdir -p dist/include dist/lib/cmake/TensorRT
cp include/*.h dist/include/
cp target/release/include/nvinfer_c.h dist/include/
cp target/release/libnvinfer.so dist/lib/libnvinfer.so.8.6.1
# The parser and plugin entry points live in libnvinfer; their library names point there.
for lib in nvinfer nvonnxparser nvinfer_plugin; do
  [ "$lib" = nvinfer ] || ln -sf libnvinfer.so.8.6.1 "dist/lib/lib$lib.so.8.6.1"
  ln -sf "lib$lib.so.8.6.1" "dist/lib/lib$lib.so.8"
  ln -sf "lib$lib.so.8" "dist/lib/lib$lib.so"
done
cp cmake/TensorRTConfig.cmake cmake/TensorRTConfigVersion.cmake dist/lib/cmake/TensorRT/

if [ -n "${SKIP_SAMPLES:-}" ]; then
  echo "[build] staged dist/ (samples skipped)"
  exit 0
fi
cmake -S cpp_samples -B build/samples -DTensorRT_DIR="$PWD/dist/lib/cmake/TensorRT" \
  ${CUDA_RUNTIME_ROOT:+-DCUDA_RUNTIME_ROOT="$CUDA_RUNTIME_ROOT"} >/dev/null
cmake --build build/samples -j 2
echo "[build] library in dist/lib, samples in build/samples/bin"
