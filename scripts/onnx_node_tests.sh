#!/usr/bin/env bash
# Runs the ONNX backend node tests of onnx==1.16.2 (onnx/backend/test/data/node) through the
# public C++ API: tests/onnx_node/runner.cpp parses, builds and runs each case in its own process
# (a crash or a hang is counted, not fatal), run_cases.py compares the outputs with the ONNX
# tolerance and checks every case's status against tests/onnx_node/expected.tsv.
#   scripts/onnx_node_tests.sh                  CPU backend, checked (what CI runs)
#   scripts/onnx_node_tests.sh --update         rewrite expected.tsv and docs/onnx-operators.md
#   scripts/onnx_node_tests.sh --backend cuda|both [--cases DIR] [--dist DIR] [--jobs N]
# --cases DIR uses cases prepared elsewhere (tests/onnx_node/prepare.py; how a GPU machine
# without onnx or network runs them) instead of preparing them from the onnx wheel. On CUDA,
# every case expected to pass (on the CPU) must pass and none may crash.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=cpu
update=
cases=
dist=dist
jobs=${ONNX_NODE_JOBS:-2}
while [ $# -gt 0 ]; do
  case $1 in
    --update) update=1 ;;
    --backend) backend=$2; shift ;;
    --cases) cases=$2; shift ;;
    --dist) dist=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
  shift
done
case $backend in cpu | cuda | both) ;; *) echo "--backend cpu|cuda|both" >&2; exit 2 ;; esac
work=build/onnx-node
mkdir -p "$work"

if [ -z "$cases" ]; then
  eval "$(scripts/deps.sh)"
  export PYTHONPATH="$NVINFER_ONNX_PYTHONPATH${PYTHONPATH:+:$PYTHONPATH}"
  cases=$work/cases
  python3 tests/onnx_node/prepare.py "$cases"
fi

# numpy: the system's (GPU machine) or the one scripts/deps.sh installed.
if ! python3 -c 'import numpy' 2>/dev/null && [ -d .deps/onnx-python/numpy ]; then
  export PYTHONPATH="$PWD/.deps/onnx-python${PYTHONPATH:+:$PYTHONPATH}"
fi

# The CUDA runtime the runner links, as the samples: CUDA_RUNTIME_ROOT (the pip wheel of
# scripts/deps.sh), else a toolkit, else that wheel where an earlier run installed it.
cudart_root=${CUDA_RUNTIME_ROOT:-/usr/local/cuda}
if [ -z "${CUDA_RUNTIME_ROOT:-}" ] && [ ! -d "$cudart_root" ] && [ -d .deps/python/nvidia/cu13 ]; then
  cudart_root=$PWD/.deps/python/nvidia/cu13
fi
# (-H: a toolkit's include/ and lib64/ are often links; find fails on the folders that do not
# exist, what it finds in the others is what counts.)
cudart_inc=$(dirname "$( (find -H "$cudart_root/include" "$cudart_root"/targets/*/include -maxdepth 1 -name cuda_runtime_api.h 2>/dev/null || true) | head -1)")
cudart_lib=$( (find -H "$cudart_root/lib" "$cudart_root/lib64" "$cudart_root"/targets/*/lib -maxdepth 1 -name 'libcudart.so*' 2>/dev/null || true) | sort | head -1)
if [ ! -f "$dist/include/NvInfer.h" ] || [ -z "$cudart_lib" ] || [ "$cudart_inc" = . ]; then
  echo "onnx node tests: need $dist (SKIP_SAMPLES=1 scripts/build.sh) and the CUDA runtime in $cudart_root (scripts/deps.sh)" >&2
  exit 1
fi
dist=$(cd "$dist" && pwd)
runner=$work/onnx_node_runner
g++ -std=c++14 -O1 -Wall -Wextra -Wno-deprecated-declarations -I "$dist/include" -I "$cudart_inc" \
  tests/onnx_node/runner.cpp -o "$runner" -L "$dist/lib" "-Wl,-rpath,$dist/lib" -lnvinfer -lnvonnxparser \
  "$cudart_lib" "-Wl,-rpath,$(dirname "$cudart_lib")"

# The checks of the comparison and of the expectations must be able to fail: self-test first.
python3 tests/onnx_node/selftest.py

status=0
for b in $([ "$backend" = both ] && echo cpu cuda || echo "$backend"); do
  args=(--cases "$cases" --runner "$runner" --backend "$b" --jobs "$jobs" --results "$work/results-$b.tsv")
  if [ -n "$update" ] && [ "$b" = cpu ]; then
    args+=(--update tests/onnx_node/expected.tsv)
  else
    args+=(--expected tests/onnx_node/expected.tsv --check "$([ "$b" = cpu ] && echo exact || echo passes)")
  fi
  python3 tests/onnx_node/run_cases.py "${args[@]}" || status=1
  # One engine, two batch sizes (the runner's several-manifest mode).
  NVINFER_BACKEND=$b python3 tests/onnx_node/dynamic_batch.py "$runner" "$work/dynamic-batch-$b" || status=1
done
if [ -n "$update" ]; then
  python3 scripts/gen_onnx_ops_doc.py
fi
exit $status
