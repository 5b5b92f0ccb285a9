#!/usr/bin/env bash
# Builds, on a machine with Rust (no GPU needed), what scripts/gpu_check.sh runs on a GPU
# machine: the staged library (dist/), the Rust test binaries and the prepared ONNX node-test
# cases, into .device-artifacts/
# (git-ignored; carried to the GPU machine, under 64 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
SKIP_SAMPLES=1 scripts/build.sh
art=.device-artifacts
rm -rf "$art"
mkdir -p "$art/tests"
cp -a dist "$art/dist"
cargo test --release --no-run --message-format=json 2>/dev/null \
  | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(m["target"]["name"], m["executable"])
' | while read -r name exe; do
  strip -o "$art/tests/$name" "$exe"
done
# The ONNX backend node-test cases, prepared here where onnx is installed (the GPU machine has
# no network): packed, about 6 MB.
eval "$(scripts/deps.sh)"
PYTHONPATH="$NVINFER_ONNX_PYTHONPATH" python3 tests/onnx_node/prepare.py build/onnx-node/cases
tar czf "$art/onnx-node-cases.tar.gz" -C build/onnx-node cases
# The test binaries each link the whole library: packed, they fit the carry limit.
tar cJf "$art/tests.tar.xz" -C "$art" tests && rm -rf "$art/tests"
du -sh "$art"
