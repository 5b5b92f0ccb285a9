#!/usr/bin/env bash
# Header checks: regenerate (must be up to date), compile every header alone and all together in
# several orders and C++ standards, build+run the stub-completeness test, compile the sample.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CXX="${CXX:-g++}"
WARN=(-Wall -Wextra -Werror)
INC=(-I "$ROOT/include")
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fails=0
pass() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
run() { # run <label> <command...>
    local label="$1"; shift
    if "$@" >"$TMP/out" 2>&1; then pass "$label"; else bad "$label"; sed 's/^/     /' "$TMP/out" | head -40; fi
}

run "generator is deterministic and headers are up to date" python3 "$ROOT/scripts/gen_headers.py" --check

for std in c++14 c++17; do
    for h in "$ROOT"/include/*.h; do
        name="$(basename "$h")"
        printf '#include "%s"\n#include "%s"\n' "$name" "$name" >"$TMP/one.cpp"
        run "[$std] $name alone (twice)" "$CXX" -std=$std "${WARN[@]}" -Wpedantic -fsyntax-only "${INC[@]}" "$TMP/one.cpp"
    done
    for order in 1 2 3 4; do
        run "[$std] compile_all order $order" "$CXX" -std=$std "${WARN[@]}" -Wpedantic -fsyntax-only "${INC[@]}" \
            -DNVTRT_ORDER=$order "$HERE/compile_all.cpp"
    done
    run "[$std] compile_all with cuda_runtime_api.h first" "$CXX" -std=$std "${WARN[@]}" -fsyntax-only "${INC[@]}" \
        -I "$HERE" -DNVTRT_ORDER=1 -DNVTRT_FAKE_CUDA_FIRST "$HERE/compile_all.cpp"
    run "[$std] compile_all with cuda_runtime_api.h last" "$CXX" -std=$std "${WARN[@]}" -fsyntax-only "${INC[@]}" \
        -I "$HERE" -DNVTRT_ORDER=2 -DNVTRT_FAKE_CUDA_LAST "$HERE/compile_all.cpp"
    run "[$std] sample_like" "$CXX" -std=$std "${WARN[@]}" -fsyntax-only "${INC[@]}" "$HERE/sample_like.cpp"
    run "[$std] defaults_complete build" "$CXX" -std=$std "${WARN[@]}" -O0 "${INC[@]}" \
        -I "$ROOT/src/bridge/generated" "$HERE/defaults_complete.cpp" -o "$TMP/defaults_complete"
    if [ -x "$TMP/defaults_complete" ]; then
        run "[$std] defaults_complete run" "$TMP/defaults_complete"
        cat "$TMP/out" | sed 's/^/     /'
        rm -f "$TMP/defaults_complete"
    fi
done

if [ "$fails" -ne 0 ]; then
    echo "cpp_headers: $fails check(s) failed"
    exit 1
fi
echo "cpp_headers: all checks passed"
