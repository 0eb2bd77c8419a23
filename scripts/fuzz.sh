#!/bin/bash
# Runs every fuzz target (tests/fuzz) for a given time, from the committed seed corpus plus what
# earlier runs found, and fails on any crash, leak or sanitizer report.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    # default: 60 s, every target
#
# edit_request sends any bytes as the EditModel request of an in-process server; editor_weights
# loads any bytes as an editor checkpoint's weights. Debian's LibTorch headers do not compile with
# clang in C++20, so these two are built with g++, ASan and UBSan in build-fuzz-request (about 7
# minutes on 2 cores the first time), with g++'s trace-pc coverage fed to libFuzzer
# (tests/fuzz/trace_pc_counters.cc); reproduce a crash with build-fuzz-request/tests/<target>_fuzz
# <file>.
#
# Needs clang-14 and libclang-rt-14-dev (scripts/packages.sh installs them). Prints executions
# per target; docs/RELIABILITY.md records long runs. A crashing input is written to
# build-fuzz/crashes/<target>-crash-<sha1>; reproduce with build-fuzz/<target>_fuzz <that file>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(safetensors architecture_json delimited_text task_card editor_manifest receipt
           audit_csv edit_request editor_weights)
fi
build=build-fuzz
CXX=clang++-14 cmake -S tests/fuzz -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$build/crashes"
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  log="$build/$target.log"
  binary="$build/${target}_fuzz"
  options=()
  if [[ $target == edit_request || $target == editor_weights ]]; then
    source scripts/packages.sh
    amend_sanitized_build address,undefined build-fuzz-request "${target}_fuzz" \
      -DAMEND_LIBFUZZER=ON >/dev/null
    binary="build-fuzz-request/tests/${target}_fuzz"
    # A server with LibTorch under ASan holds ~1.5 GB; an edit of a large model takes seconds.
    options=(-rss_limit_mb=6144 -timeout=60)
  fi
  if "$binary" -max_total_time="$seconds" -print_final_stats=1 "${options[@]}" \
      -artifact_prefix="$build/crashes/$target-" "$corpus" "tests/fuzz/corpus/$target" \
      >"$log" 2>&1; then
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz $target: ${executions:-?} executions in ${seconds} s, corpus $(ls "$corpus" | wc -l) inputs, no crash"
  else
    echo "fuzz $target: FAILED (log: $log)" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || tail -20 "$log" >&2
    status=1
  fi
done
exit "$status"
