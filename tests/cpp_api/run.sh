#!/usr/bin/env bash
# C++ and C API tests against the installed prefix dist/ (run `SKIP_SAMPLES=1 scripts/build.sh`
# first): compiles network_api.cpp (C++14), parser_api.cpp (C++14: the IParser beyond
# parse, external data), every layers_*.cpp (C++14, one per group of layer kinds), c_api.c (C99, nvinfer_c.h only) and leak_cycles.cpp (create/destroy cycles of
# every object, zero heap growth) with warnings as errors, classic_cnns.cpp (C++14: classic CNNs
# built layer by layer, checked against a reference computed in the test), links them with -lnvinfer -lnvonnxparser -lnvinfer_plugin (rpath dist/lib), runs
# them, and, where valgrind is installed, runs them again under memcheck (memory errors or
# definite leaks fail; CPP_API_VALGRIND=0 skips that). Every "ok"/"FAIL" line counts as one
# check; a compile failure or a crash counts as a failure. Prints "cpp_api: N passed, N
# failed" last and exits non-zero if anything failed.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DIST="$ROOT/dist"
CXX="${CXX:-g++}"
CC="${CC:-gcc}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

if [ ! -f "$DIST/include/NvInfer.h" ] || [ ! -f "$DIST/include/nvinfer_c.h" ] || [ ! -e "$DIST/lib/libnvinfer.so" ]; then
  echo "FAIL dist/ is missing or incomplete: run 'SKIP_SAMPLES=1 scripts/build.sh' first"
  echo "cpp_api: 0 passed, 1 failed"
  exit 1
fi

LINK=(-L "$DIST/lib" "-Wl,-rpath,$DIST/lib" -lnvinfer -lnvonnxparser -lnvinfer_plugin)

# compile NAME COMMAND...: one check; shows the compiler's output on failure.
compile() {
  local name=$1
  shift
  if "$@" >"$TMP/$name.compile.log" 2>&1; then
    passed=$((passed + 1))
    echo "ok   $name compiles with -Wall -Wextra -Werror"
    return 0
  fi
  failed=$((failed + 1))
  echo "FAIL $name compiles with -Wall -Wextra -Werror"
  head -n 40 "$TMP/$name.compile.log" | sed 's/^/     | /'
  return 1
}

# run NAME COMMAND...: shows the program's lines, counts its ok/FAIL lines, and counts a
# non-zero exit without any FAIL line (a crash) as one more failure.
run() {
  local name=$1 status ok bad
  shift
  "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  status=$?
  cat "$TMP/$name.out"
  ok=$(grep -c '^ok ' "$TMP/$name.out")
  bad=$(grep -c '^FAIL' "$TMP/$name.out")
  passed=$((passed + ok))
  failed=$((failed + bad))
  if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
    failed=$((failed + 1))
    echo "FAIL $name exited with status $status"
  fi
  if [ "$status" -ne 0 ]; then
    tail -n 20 "$TMP/$name.err" | sed 's/^/     | stderr: /'
  fi
}

# memcheck NAME BINARY [ARGS...]: one check; the program under valgrind must pass with no
# memory error and no definitely lost block.
memcheck() {
  local name=$1 status
  shift
  valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite "$@" >"$TMP/$name.vg.out" 2>"$TMP/$name.vg.err"
  status=$?
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    echo "ok   $name under valgrind: no memory errors, no leaks"
  else
    failed=$((failed + 1))
    echo "FAIL $name under valgrind (status $status)"
    grep -E '^FAIL' "$TMP/$name.vg.out" | head -n 10 | sed 's/^/     | /'
    head -n 40 "$TMP/$name.vg.err" | sed 's/^/     | /'
  fi
}

if compile network_api "$CXX" -std=c++14 -Wall -Wextra -Werror -Wno-deprecated-declarations -pthread \
  -I "$DIST/include" "$HERE/network_api.cpp" -o "$TMP/network_api" "${LINK[@]}"; then
  run network_api "$TMP/network_api"
fi

if compile parser_api "$CXX" -std=c++14 -Wall -Wextra -Werror -Wno-deprecated-declarations \
  -I "$DIST/include" "$HERE/parser_api.cpp" -o "$TMP/parser_api" "${LINK[@]}"; then
  run parser_api "$TMP/parser_api"
fi

if compile c_api "$CC" -std=c99 -pedantic -Wall -Wextra -Werror \
  -I "$DIST/include" "$HERE/c_api.c" -o "$TMP/c_api" "${LINK[@]}"; then
  run c_api "$TMP/c_api"
fi

# Layer groups' API tests: every layers_*.cpp here, and the classic CNNs (classic_cnns.cpp),
# built and run like network_api.cpp.
LAYER_TESTS=()
for src in "$HERE"/layers_*.cpp "$HERE"/classic_cnns.cpp; do
  [ -e "$src" ] || continue
  name=$(basename "$src" .cpp)
  if compile "$name" "$CXX" -std=c++14 -Wall -Wextra -Werror -Wno-deprecated-declarations -pthread \
    -I "$DIST/include" "$src" -o "$TMP/$name" "${LINK[@]}"; then
    run "$name" "$TMP/$name"
    LAYER_TESTS+=("$name")
  fi
done

# Create/destroy cycles of every object: zero heap growth after warm-up (thread caches off
# for an exact count; see the program's header).
MODEL="$ROOT/data/mnist/mnist.onnx"
if compile leak_cycles "$CXX" -std=c++14 -Wall -Wextra -Werror -Wno-deprecated-declarations \
  -I "$DIST/include" "$HERE/leak_cycles.cpp" -o "$TMP/leak_cycles" "${LINK[@]}"; then
  run leak_cycles env GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$TMP/leak_cycles" "$MODEL"
fi

if [ "${CPP_API_VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null 2>&1; then
  [ -x "$TMP/network_api" ] && memcheck network_api "$TMP/network_api"
  [ -x "$TMP/c_api" ] && memcheck c_api "$TMP/c_api"
  [ -x "$TMP/parser_api" ] && memcheck parser_api "$TMP/parser_api"
  for name in "${LAYER_TESTS[@]}"; do
    memcheck "$name" "$TMP/$name"
  done
  # Bash exports assignments before a function call to the commands it runs.
  [ -x "$TMP/leak_cycles" ] && LEAK_CYCLES=2 GLIBC_TUNABLES=glibc.malloc.tcache_count=0 \
    memcheck leak_cycles "$TMP/leak_cycles" "$MODEL"
else
  echo "note: valgrind runs skipped (not installed, or CPP_API_VALGRIND=0)"
fi

echo "cpp_api: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
