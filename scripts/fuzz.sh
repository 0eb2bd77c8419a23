#!/bin/bash
# Runs every fuzz target (tests/fuzz) for a given time, from the committed seed corpus plus what
# earlier runs found, and fails on any crash, leak or sanitizer report.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]    # default: 60 s, every parser target
#
# The parser targets (tests/fuzz) build in seconds into build-fuzz. The in-process target
# edit_request (tests/fuzz/in_process: request bytes into a live amend-server) needs the whole
# server, LibTorch included, compiled by clang into build-fuzz-server (about 15 minutes on 2 cores
# the first time), so it runs only when named: scripts/fuzz.sh 600 edit_request.
#
# Needs clang-14 and libclang-rt-14-dev (scripts/packages.sh installs them). Prints executions
# per target; docs/RELIABILITY.md records long runs. A crashing input is written to
# build-fuzz/crashes/<target>-crash-<sha1>; reproduce with the target's binary and that file.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(safetensors architecture_json delimited_text task_card editor_manifest); fi
build=build-fuzz
CXX=clang++-14 cmake -S tests/fuzz -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
mkdir -p "$build/crashes"
binary_of() {
  if [[ $1 == edit_request ]]; then
    CXX=clang++-14 cmake -S . -B build-fuzz-server -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DAMEND_SANITIZE=address,undefined -DAMEND_BUILD_FUZZERS=ON -DAMEND_BUILD_TESTS=OFF \
      -DAMEND_BUILD_BENCHMARKS=OFF >/dev/null
    cmake --build build-fuzz-server --target edit_request_fuzz -j"$(nproc)" >/dev/null
    echo build-fuzz-server/tests/fuzz/in_process/edit_request_fuzz
  else
    echo "$build/${1}_fuzz"
  fi
}
status=0
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  log="$build/$target.log"
  binary=$(binary_of "$target")
  if "$binary" -max_total_time="$seconds" -print_final_stats=1 \
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
