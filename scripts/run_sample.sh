#!/usr/bin/env bash
# The main job: installs what is missing, builds everything, and runs sampleOnnxMNIST on the
# shipped model and digits (on the GPU when there is one, on the CPU otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/deps.sh)"
scripts/build.sh
build/samples/bin/sample_onnx_mnist --datadir=data/mnist "$@"
