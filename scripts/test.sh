#!/usr/bin/env bash
# Runs every test that needs no GPU: Rust unit and integration tests (every kernel in kernels/
# compiled by NVRTC; load, scaling and hostile-input tests), the header compile checks, the C++
# sample build and its CLI cases, the C++/C API tests with the leak check, and a minute of
# fuzzing per fuzz target.
# GPU checks are scripts/gpu_check.sh, run on a GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/deps.sh)"
export NVINFER_REQUIRE_NVRTC=1

mkdir -p target
echo "== cargo test"
cargo test 2>&1 | tee target/cargo-test.log | grep -E '^(test result|running|error|warning: unused)|FAILED|panicked' || true
if grep -qE '^test result: FAILED|^error' target/cargo-test.log || ! grep -q '^test result: ok' target/cargo-test.log; then
  echo "cargo test failed; see target/cargo-test.log"
  exit 1
fi
echo "== generated files match their sources (api/, scripts/gen_*.py)"
python3 scripts/gen_headers.py --check
python3 scripts/gen_layers.py --check
python3 scripts/api_coverage.py
echo "== C++ headers"
tests/cpp_headers/run.sh | tail -n 3
echo "== build library and samples"
scripts/build.sh
echo "== C++ API and C ABI"
if ! tests/cpp_api/run.sh >target/cpp-api.log 2>&1; then
  grep -v '^ok ' target/cpp-api.log
  exit 1
fi
tail -n 1 target/cpp-api.log
echo "== samples"
tests/sample_cli.sh
build/samples/bin/sample_mnist_api --datadir=data/mnist | tail -n 1
echo "== fuzzing (60 s per target; scripts/fuzz.sh HOURS*3600 for a campaign)"
scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
