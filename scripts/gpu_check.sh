#!/usr/bin/env bash
# Every GPU check in one run, on a GPU machine, from artifacts built elsewhere
# (scripts/gpu_artifacts.sh): the Rust GPU tests (CUDA kernels against the CPU reference),
# the C++ samples built with CMake against the staged library, GPU-vs-CPU agreement of the
# sample's outputs (FP32 without TF32, and with FP16 allowed), plan reload in a fresh process,
# the failure cases, the MNIST latency benchmark against PyTorch, and the ONNX backend node tests
# on CUDA and on the CPU backend. Prints a summary last.
#   scripts/gpu_check.sh            (needs nvidia-smi, a CUDA toolkit, cmake, python3 with torch)
set -u
cd "$(dirname "$0")/.."
art=${ARTIFACTS:-.device-artifacts}
logs=${OUT:-/tmp}/gpu-check
mkdir -p "$logs"
cuda_lib=$(dirname "$(find /usr/local/cuda/lib64 /usr/local/cuda/targets/*/lib -name 'libcublasLt.so*' 2>/dev/null | head -1)" 2>/dev/null)
export LD_LIBRARY_PATH="$PWD/$art/dist/lib:${cuda_lib:-/usr/local/cuda/lib64}:${LD_LIBRARY_PATH:-}"
export NVINFER_KERNEL_CACHE=/tmp/nvinfer-kernel-cache
rows=()
fails=0
row() { # row STATUS NAME DETAIL
  rows+=("$(printf '%-5s %-44s %s' "$1" "$2" "$3")")
  [ "$1" = PASS ] || fails=$((fails + 1))
}

gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
echo "GPU: ${gpu:-none}"

# 1. Rust tests (the GPU oracle tests run their CUDA paths here), packed by gpu_artifacts.sh.
if [ -f "$art/tests.tar.xz" ]; then
  rm -rf /tmp/gpu-tests && mkdir -p /tmp/gpu-tests && tar xJf "$art/tests.tar.xz" -C /tmp/gpu-tests
  art_tests=/tmp/gpu-tests/tests
else
  art_tests=$art/tests
fi
for t in "$art_tests"/*; do
  name=$(basename "$t")
  "$t" --test-threads=1 >"$logs/rust-$name.log" 2>&1
  st=$?
  res=$(grep -E '^test result' "$logs/rust-$name.log" | tail -1 | sed -E 's/^test result: //; s/; finished.*//')
  skipped=$(grep -c 'skipped' "$logs/rust-$name.log")
  [ "$st" -eq 0 ] && row PASS "rust test $name" "$res${skipped:+ (skip lines: $skipped)}" || { row FAIL "rust test $name" "$res"; tail -30 "$logs/rust-$name.log"; }
done
# Lines the GPU-aware tests print: per-layer case counts, MNIST agreement, dynamic shapes.
# (Unanchored: the test harness may have printed "test name ... " on the same line first.)
grep -ohE '(LAYER-CASES|MNIST|DYNAMIC|PROFILES|SHAPE-TENSOR|SHAPE-INPUT|NONZERO|HALF-IO|LOAD|OOM|SCALING|IMPLICIT-BATCH|NMS|GPU-CHECK) .*' "$logs"/rust-*.log | sort >"$logs/gpu-checks.txt"
# Layer cases per backend x type: how many ran (every one must have passed for its test to pass).
layer_table=$(grep '^LAYER-CASES' "$logs/gpu-checks.txt" | python3 -c '
import sys, re, collections
n = collections.Counter(); worst = collections.defaultdict(float)
for line in sys.stdin:
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    key = (f["backend"], f["type"]); n[key] += int(f["cases"]); worst[key] = max(worst[key], float(f["max_rel_err"]))
for (b, t) in sorted(n): print(f"{b:5} {t:7} {n[(b, t)]:4} cases  worst rel err {worst[(b, t)]:.1e}")
')
cuda_cases=$(grep -c '^LAYER-CASES backend=cuda' "$logs/gpu-checks.txt")
[ "$cuda_cases" -gt 0 ] && row PASS "layer cases ran on CUDA" "$cuda_cases (layer, type) groups" || row FAIL "layer cases ran on CUDA" "none: no GPU seen by the tests?"

# 2. Samples, built as a user would against the staged install.
if cmake -S cpp_samples -B /tmp/samples -DTensorRT_DIR="$PWD/$art/dist/lib/cmake/TensorRT" >"$logs/cmake.log" 2>&1 &&
  cmake --build /tmp/samples -j 8 >>"$logs/cmake.log" 2>&1; then
  row PASS "samples build (cmake, find_package)" ""
else
  row FAIL "samples build (cmake, find_package)" "see cmake.log"
  tail -30 "$logs/cmake.log"
fi
bin=/tmp/samples/bin/sample_onnx_mnist
sample() { # sample NAME ARGS... ; runs sample_onnx_mnist, records pass/fail
  sample_with "$bin" "$@"
}
sample_with() { # sample_with BINARY NAME ARGS... ; runs a sample, records pass/fail
  local exe=$1 name=$2
  shift 2
  "$exe" --datadir=data/mnist "$@" >"$logs/$name.log" 2>&1
  local st=$?
  local where=$(grep -oE 'Engine I/O in [A-Za-z]+ memory' "$logs/$name.log" | head -1)
  if [ "$st" -eq 0 ] && grep -q '&&&& PASSED' "$logs/$name.log"; then row PASS "sample $name" "$where"; else
    row FAIL "sample $name" "exit $st"
    grep -vE '^    ' "$logs/$name.log" | tail -20
  fi
}
sample gpu-default --dumpOutput=/tmp/gpu-default.bin
sample gpu-notf32 --notf32 --saveEngine=/tmp/gpu-notf32.plan --dumpOutput=/tmp/gpu-notf32.bin
sample gpu-reload --loadEngine=/tmp/gpu-notf32.plan --dumpOutput=/tmp/gpu-reload.bin
# The plan's kernel images, checked against the library's own NVRTC build of each.
NVINFER_VERIFY_PLAN_KERNELS=1 sample gpu-reload-verified-kernels --loadEngine=/tmp/gpu-notf32.plan
sample gpu-fp16 --fp16 --dumpOutput=/tmp/gpu-fp16.bin
NVINFER_BACKEND=cpu sample cpu-forced --dumpOutput=/tmp/cpu.bin
# MNIST defined layer by layer, implicit batch of ten (sampleMNISTAPI).
sample_with /tmp/samples/bin/sample_mnist_api mnist-api-gpu --notf32
NVINFER_BACKEND=cpu sample_with /tmp/samples/bin/sample_mnist_api mnist-api-cpu

compare() { # compare NAME A B TOLERANCE: max|a-b| / max|b| over all logits
  local out
  out=$(python3 -c '
import sys, numpy as np
a = np.fromfile(sys.argv[1], dtype="<f4"); b = np.fromfile(sys.argv[2], dtype="<f4")
if a.size == 0 or a.size != b.size: print("sizes", a.size, b.size); sys.exit(1)
err = float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(b))), 1e-30))
print(f"max_rel_err={err:.3e} (tol {float(sys.argv[3]):.0e})"); sys.exit(0 if err <= float(sys.argv[3]) else 1)
' "$2" "$3" "$4" 2>&1)
  [ $? -eq 0 ] && row PASS "$1" "$out" || row FAIL "$1" "$out"
}
compare "GPU (kTF32 cleared) vs CPU" /tmp/gpu-notf32.bin /tmp/cpu.bin 1e-5
compare "GPU (kFP16 set) vs CPU" /tmp/gpu-fp16.bin /tmp/cpu.bin 1e-2
compare "GPU (default, TF32 allowed) vs CPU" /tmp/gpu-default.bin /tmp/cpu.bin 1e-2
if cmp -s /tmp/gpu-notf32.bin /tmp/gpu-reload.bin && [ -s /tmp/gpu-reload.bin ]; then
  row PASS "GPU plan reloaded in a fresh process" "bit-identical outputs"
else
  row FAIL "GPU plan reloaded in a fresh process" "outputs differ"
fi

# 3. Failure paths on the GPU machine.
if SAMPLE_BIN=$bin tests/sample_cli.sh >"$logs/sample-cli.log" 2>&1; then row PASS "sample failure cases" "$(tail -1 "$logs/sample-cli.log")"; else
  row FAIL "sample failure cases" "$(tail -1 "$logs/sample-cli.log")"
  cat "$logs/sample-cli.log"
fi

# 4. Benchmark: our engine vs PyTorch, same model, batch 1, same run.
ours=$(/tmp/samples/bin/benchmark_mnist data/mnist/mnist.onnx 2000 2>>"$logs/bench.log" | grep '^BENCH')
torch_line=$(python3 scripts/bench_torch_mnist.py data/mnist/mnist.onnx 2000 2>>"$logs/bench.log" | grep '^BENCH')
echo "$ours" ; echo "$torch_line"
if [ -n "$ours" ] && [ -n "$torch_line" ]; then
  ratio() { python3 -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
  field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
  e1=$(field enqueueV3_ms "$ours"); e2=$(field enqueueV3_ms "$torch_line")
  g1=$(field graph_replay_ms "$ours"); g2=$(field graph_replay_ms "$torch_line")
  row PASS "benchmark mnist b1 eager (ours/torch ms)" "$e1 / $e2 = $(ratio "$e1" "$e2")x time"
  row PASS "benchmark mnist b1 CUDA graph (ours/torch ms)" "$g1 / $g2 = $(ratio "$g1" "$g2")x time"
else
  row FAIL "benchmark mnist" "see bench.log"
  tail -20 "$logs/bench.log"
fi

# 5. ONNX backend node tests (onnx==1.16.2) through the C++ API, prepared by gpu_artifacts.sh:
# the runner is built here against the staged library and this machine's CUDA runtime. On
# CUDA every case expected to pass (tests/onnx_node/expected.tsv, CPU results) must pass and
# none may crash; the CPU backend on this machine must match the file exactly.
if [ -f "$art/onnx-node-cases.tar.gz" ]; then
  rm -rf /tmp/onnx-node && mkdir -p /tmp/onnx-node && tar xzf "$art/onnx-node-cases.tar.gz" -C /tmp/onnx-node
  scripts/onnx_node_tests.sh --backend both --cases /tmp/onnx-node/cases --dist "$art/dist" --jobs 8 \
    >"$logs/onnx-node.log" 2>&1
  for b in cpu cuda; do
    counts=$(grep -E "^onnx node tests \($b\): [0-9]+ representable" "$logs/onnx-node.log" | tail -1 | sed -E 's/^[^:]*: //')
    if grep -qE "^onnx node tests \($b\): every case as expected" "$logs/onnx-node.log"; then
      row PASS "onnx node tests on $b" "$counts"
    else
      row FAIL "onnx node tests on $b" "${counts:-did not run: see onnx-node.log}"
    fi
  done
  grep -E '^  test_|^onnx node|rror' "$logs/onnx-node.log" | head -40
else
  row FAIL "onnx node tests" "$art/onnx-node-cases.tar.gz missing: rerun scripts/gpu_artifacts.sh"
fi

# 6. Real models: PyTorch exports (ResNet-50, MobileNetV2, BERT-base; opsets 13 and 17) through
# the same runner on CUDA, against PyTorch's FP32 outputs (scripts/real_models.py).
if [ -x build/onnx-node/onnx_node_runner ] && [ "${SKIP_REAL_MODELS:-0}" != 1 ]; then
  python3 scripts/real_models.py --runner build/onnx-node/onnx_node_runner --work /tmp/real-models >"$logs/real-models.log" 2>&1 || true
  while read -r _ model opset precision verdict detail; do
    row "$verdict" "real model $model $opset $precision" "$detail"
  done < <(grep '^REAL-MODEL' "$logs/real-models.log")
  grep -q '^REAL-MODEL' "$logs/real-models.log" || row FAIL "real models" "no result: see real-models.log ($(tail -n 1 "$logs/real-models.log"))"
fi

echo
echo "GPU-aware test lines:"
grep -v '^LAYER-CASES' "$logs/gpu-checks.txt" | sed 's/^/  /'
echo
echo "Layer cases per backend x type (each against its f64 reference):"
echo "$layer_table" | sed 's/^/  /'
echo
echo "==================== GPU check summary (${gpu:-no GPU}) ===================="
printf '%s\n' "${rows[@]}"
echo "gpu-check: $(( ${#rows[@]} - fails )) passed, $fails failed"
[ "$fails" -eq 0 ]
