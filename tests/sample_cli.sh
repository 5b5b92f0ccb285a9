#!/usr/bin/env bash
# Runs the built C++ sample (build/samples/bin/sample_onnx_mnist) through the whole stack and
# through its failure paths. Each case must give the expected exit status and never crash
# (a signal gives status >= 128). Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/.."
bin=${SAMPLE_BIN:-build/samples/bin/sample_onnx_mnist}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

# expect NAME STATUS PATTERN -- ARGS...: run, check exit status and that output matches PATTERN.
expect() {
  local name=$1 want=$2 pattern=$3
  shift 4
  local out status
  out=$("$bin" "$@" 2>&1)
  status=$?
  if [ "$status" -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"; then
    pass=$((pass + 1))
    echo "ok   $name"
  else
    fail=$((fail + 1))
    echo "FAIL $name (status $status, wanted $want; pattern '$pattern')"
    tail -n 15 <<<"$out" | sed 's/^/     | /'
  fi
}

expect "classifies all ten digits" 0 '&&&& PASSED' -- --datadir=data/mnist --saveEngine="$tmp/mnist.plan" --dumpOutput="$tmp/a.bin"
expect "saved engine in a fresh process" 0 '&&&& PASSED' -- --datadir=data/mnist --loadEngine="$tmp/mnist.plan" --dumpOutput="$tmp/b.bin"
if cmp -s "$tmp/a.bin" "$tmp/b.bin" && [ -s "$tmp/a.bin" ]; then
  pass=$((pass + 1)); echo "ok   reloaded engine gives bit-identical outputs"
else
  fail=$((fail + 1)); echo "FAIL reloaded engine gives bit-identical outputs"
fi

mkdir -p "$tmp/bad"
cp data/mnist/*.pgm "$tmp/bad/"
head -c 300 data/mnist/mnist.onnx >"$tmp/bad/mnist.onnx"
expect "malformed ONNX is refused" 1 'not a valid ONNX model' -- --datadir="$tmp/bad"
expect "missing data folder is refused" 1 'FAILED' -- --datadir="$tmp/none"
size=$(stat -c %s "$tmp/mnist.plan")
head -c $((size / 2)) "$tmp/mnist.plan" >"$tmp/truncated.plan"
expect "truncated engine is refused" 1 'truncated or damaged' -- --datadir=data/mnist --loadEngine="$tmp/truncated.plan"
cp "$tmp/mnist.plan" "$tmp/corrupt.plan"
printf '\xff' | dd of="$tmp/corrupt.plan" bs=1 seek=$((size - 100)) conv=notrunc status=none
expect "corrupted engine is refused" 1 'checksum|damaged' -- --datadir=data/mnist --loadEngine="$tmp/corrupt.plan"
head -c 4096 /dev/urandom >"$tmp/garbage.plan"
expect "a file that is not a plan is refused" 1 'not a plan' -- --datadir=data/mnist --loadEngine="$tmp/garbage.plan"
expect "missing engine file is refused" 1 'FAILED' -- --datadir=data/mnist --loadEngine="$tmp/nothing.plan"

echo "sample: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
