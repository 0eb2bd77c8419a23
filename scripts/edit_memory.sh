#!/bin/bash
# Peak memory of one edit per weight, over model sizes from the zoo's to the
# server's per-request budget: the measurements behind core/editor/edit_cost.h
# and the budgets in docs/OPERATIONS.md.
#
#   scripts/edit_memory.sh [BUILD_DIR]        # default: build
#
# One process per size (a peak is per process), two hidden layers of WIDTH
# (weights ~ WIDTH^2), then a deeper and a batched case. Prints one JSON line
# per run (bench/edit_memory.cc explains the fields).
set -euo pipefail
build="${1:-build}"
tool="$build/bench/edit_memory"
if [[ ! -x "$tool" ]]; then
  echo "edit_memory.sh: $tool is missing; build first (cmake --build $build --target edit_memory)" >&2
  exit 1
fi
export AMEND_THREADS=1 OPENBLAS_NUM_THREADS=1
# Each size through the inference kernels (the default) and through LibTorch's
# operators, one after the other.
for width in 32 128 256 512 1024; do
  "$tool" "$width" 2
  "$tool" "$width" 2 1 libtorch
done
"$tool" 256 4      # deeper: more nodes per weight
"$tool" 256 4 1 libtorch
"$tool" 128 2 8    # a batch of 8 models in one pass
"$tool" 128 2 8 libtorch
