#!/usr/bin/env bash
# Coverage-guided fuzzing of the ONNX parser + builder and of the plan loader + runtime, with
# libFuzzer (through the libfuzzer-sys crate) on the stable toolchain. See fuzz/README.md.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET ...]
#   SECONDS_PER_TARGET  default 60 (CI); hours for a campaign: scripts/fuzz.sh 14400
#   TARGET              onnx_build, plan_load (default: both, one after the other)
# Environment:
#   FUZZ_KEEP_GOING=1   do not stop at the first crash: save it and restart the fuzzer on the
#                       kept corpus until the time is up (one crasher saved per panic location)
#   FUZZ_JOBS=N         N fuzzing processes per target (libFuzzer's fork mode, which also goes
#                       on after crashes; fewer runs per process than plain mode)
#   FUZZ_TIMEOUT=S      an input running longer than S seconds is a hang (default 25)
#   FUZZ_RSS_MB=M       a process over M MiB is out of memory (default 4096)
#   FUZZ_MAX_LEN=B      largest input the fuzzer makes (default 131072)
#   FUZZ_ARGS="..."     more libFuzzer flags (e.g. -use_value_profile=1)
#
# Prints per target: runs, coverage (libFuzzer's cov = edges, ft = features), corpus size, how
# far inputs got (outcomes) and crashes with their panic location and message. A crash, hang
# or out-of-memory is copied to fuzz/regressions/<target>/ (replayed by
# tests/fuzz_regressions.rs) and the script exits 1.
# The growing corpus is kept in fuzz/target/corpus/<target>/ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${1:-60}
[ $# -gt 0 ] && shift
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [onnx_build|plan_load ...]" >&2
  exit 2
fi
all_targets=(onnx_build plan_load)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (known: ${all_targets[*]})" >&2; exit 2; }
done
jobs=${FUZZ_JOBS:-1}
keep_going=${FUZZ_KEEP_GOING:-0}
timeout=${FUZZ_TIMEOUT:-25}
rss=${FUZZ_RSS_MB:-4096}
max_len=${FUZZ_MAX_LEN:-131072}

# ---- what a fresh Debian machine lacks: a C++ compiler for libFuzzer's runtime (g++ or clang++)
if ! command -v cargo >/dev/null 2>&1; then
  echo "fuzz: cargo is missing: install Rust with rustup" >&2
  exit 1
fi
if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz: installing g++ (libFuzzer's runtime is C++)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq g++ >/dev/null
fi

# ---- build: SanitizerCoverage through stable -C flags (no nightly, no RUSTC_BOOTSTRAP)
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR="$root/fuzz/target"
# An explicit --target keeps these flags off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks \
-Cforce-frame-pointers=yes"
mkdir -p fuzz/target/logs
start=$(date +%s)
echo "== fuzz: build ($(rustc --version | cut -d' ' -f1-2), libFuzzer via libfuzzer-sys, target $host)"
if ! (cd fuzz && cargo build --release --target "$host" --bins) >fuzz/target/logs/build.log 2>&1; then
  tail -n 40 fuzz/target/logs/build.log
  echo "fuzz: build failed; see fuzz/target/logs/build.log"
  exit 1
fi
bin="$root/fuzz/target/$host/release"
rm -rf fuzz/target/seeds
"$bin/make_seeds" "$root" "$root/fuzz/target/seeds" >fuzz/target/logs/seeds.log 2>&1 || { cat fuzz/target/logs/seeds.log; exit 1; }
echo "   built in $(($(date +%s) - start)) s; $(tail -n 1 fuzz/target/logs/seeds.log)"

# ---- run
export NVINFER_BACKEND=cpu RUST_BACKTRACE=1
status=0
field() { sed -n "s/.*$1: \([0-9]*\).*/\1/p" <<<"$2"; }
for t in "${targets[@]}"; do
  corpus=fuzz/target/corpus/$t
  artifacts=fuzz/artifacts/$t
  log=fuzz/target/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "fuzz/regressions/$t"
  : >"$log"
  args=(-timeout="$timeout" -rss_limit_mb="$rss" -max_len="$max_len" -print_final_stats=1
    -artifact_prefix="$root/$artifacts/")
  [ "$jobs" -gt 1 ] && args+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  # shellcheck disable=SC2206
  args+=(${FUZZ_ARGS:-})
  echo "== fuzz $t: ${secs} s"
  t0=$(date +%s)
  deadline=$((t0 + secs))
  runs=0 rounds=0 status_line="" outcomes="" failed=0
  declare -A seen=()
  while left=$((deadline - $(date +%s))); [ "$left" -ge 1 ]; do
    rounds=$((rounds + 1))
    stamp=$(mktemp)
    round_log=$(mktemp)
    rc=0
    # A hard limit over libFuzzer's own, in case a hang is not caught by -timeout.
    timeout -k 10 $((left + timeout + 120)) "$bin/$t" -max_total_time="$left" "${args[@]}" \
      "$corpus" "fuzz/corpus/$t" "fuzz/target/seeds/$t" >"$round_log" 2>&1 || rc=$?
    cat "$round_log" >>"$log"
    # libFuzzer's numbers: runs, and the last status line's cov (edges) and ft (features).
    r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$round_log" | tail -n 1)
    [ -n "$r" ] || r=$(sed -n 's/^#\([0-9][0-9]*\)[:\t ].*cov: .*/\1/p' "$round_log" | tail -n 1)
    runs=$((runs + ${r:-0}))
    l=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$round_log" | tail -n 1 || true)
    [ -n "$l" ] && status_line=$l
    o=$(grep '^outcomes: ' "$round_log" | tail -n 1 | sed 's/^outcomes: [0-9]* runs: //' || true)
    [ -n "$o" ] && outcomes=$o
    new=$(find "$artifacts" -type f -newer "$stamp" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | sort)
    rm -f "$stamp" "$round_log"
    while IFS= read -r a; do
      [ -n "$a" ] || continue
      failed=$((failed + 1))
      # Replay it for the reason: the panic location and message, or the hang / OOM report.
      why=$(timeout -k 5 $((timeout + 60)) "$bin/$t" -timeout="$timeout" -rss_limit_mb="$rss" "$a" 2>&1 |
        awk '/panicked at/ {loc=$NF; getline msg; print loc " " msg; exit}
             /ALARM: working on the last Unit/ {print "hang: " $0; exit}
             /out-of-memory/ {print "out of memory: " $0; exit}
             /deadly signal/ {print "crash without a panic (signal)"; exit}' || true)
      [ -n "$why" ] || why="(did not reproduce on replay)"
      sig=${why%% *}
      if [ -z "${seen[$sig]:-}" ]; then
        seen[$sig]=1
        cp "$a" "fuzz/regressions/$t/"
        echo "   FOUND: $why"
        echo "      saved fuzz/regressions/$t/$(basename "$a")"
      fi
    done <<<"$new"
    if [ -z "$new" ]; then
      if [ "$rc" -ne 0 ]; then
        failed=$((failed + 1))
        tail -n 20 "$log"
        echo "fuzz $t: the fuzzer exited with status $rc without a crash file; see $log"
      fi
      break
    fi
    [ "$keep_going" = 1 ] || break
  done
  elapsed=$(($(date +%s) - t0))
  unset seen
  restarts=""
  [ "$rounds" -gt 1 ] && restarts=" (fuzzer restarted $((rounds - 1)) times)"
  echo "$t: $runs runs in ${elapsed} s ($((runs / (elapsed > 0 ? elapsed : 1)))/s), cov $(field cov "$status_line") edges," \
    "ft $(field ft "$status_line") features, corpus $(field corp "$status_line"); crashes/hangs/ooms: $failed$restarts"
  [ -n "$outcomes" ] && echo "   how far inputs got (counts of the last run): $outcomes"
  if [ "$failed" -gt 0 ]; then
    status=1
    echo "   log: $log; replay: $bin/$t fuzz/regressions/$t/<file>"
  fi
done
echo "== fuzz: done in $(($(date +%s) - start)) s"
exit "$status"
