#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test everything without a GPU:
#   - cmake (Debian package) for the C++ samples;
#   - CUDA runtime headers + libcudart (pip wheels nvidia-cuda-runtime, nvidia-cuda-crt) so the
#     samples compile and link against cudart as TensorRT samples do;
#   - NVRTC (pip wheel nvidia-cuda-nvrtc) so the tests compile every kernel in kernels/;
#   - onnx==1.16.2 with numpy (into .deps/onnx-python): its backend node tests are what
#     scripts/onnx_node_tests.sh runs.
# The wheels go into .deps/python (nothing global). Prints the environment to use.
set -euo pipefail
cd "$(dirname "$0")/.."

CUDA_WHEEL_VERSION="${CUDA_WHEEL_VERSION:-13.0.*}"

if ! command -v cmake >/dev/null 2>&1; then
  echo "[deps] installing cmake" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq cmake >&2
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "[deps] cargo is missing: install Rust with rustup (https://rustup.rs)" >&2
  exit 1
fi

site=.deps/python
if [ ! -f "$site/nvidia/cu13/include/crt/host_defines.h" ] || [ ! -e "$site/nvidia/cu13/lib/libnvrtc.so.13" ]; then
  echo "[deps] installing CUDA runtime, crt and NVRTC wheels ($CUDA_WHEEL_VERSION) into $site" >&2
  python3 -m pip install -q --disable-pip-version-check --target "$site" --upgrade \
    "nvidia-cuda-runtime==$CUDA_WHEEL_VERSION" "nvidia-cuda-crt==$CUDA_WHEEL_VERSION" "nvidia-cuda-nvrtc==$CUDA_WHEEL_VERSION" >&2
fi
# Its own folder: numpy and protobuf must not shadow anything the CUDA wheels' users import.
onnx_site=.deps/onnx-python
if [ ! -d "$onnx_site/onnx-1.16.2.dist-info" ]; then
  echo "[deps] installing onnx 1.16.2 and numpy into $onnx_site" >&2
  python3 -m pip install -q --disable-pip-version-check --target "$onnx_site" --upgrade \
    "onnx==1.16.2" "numpy==2.2.6" "protobuf==7.36.2" >&2
fi
echo "export NVINFER_ONNX_PYTHONPATH=$PWD/$onnx_site"
echo "export CUDA_RUNTIME_ROOT=$PWD/$site/nvidia/cu13"
echo "export LD_LIBRARY_PATH=$PWD/$site/nvidia/cu13/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
