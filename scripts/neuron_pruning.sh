#!/usr/bin/env bash
# Pruning by whole neurons on adult (docs/RESULTS.md, "Pruning by whole neurons"): a 400-run zoo,
# neuron editors (variant prune_neurons_and_edit) at four lambdas, the pruning panel with every
# baseline (neuron magnitude pruning among them), and the forward time of the editors' edits
# before and after compaction (bench/compaction_bench.cc).
#   scripts/neuron_pruning.sh            # about an hour on 2 cores (zoo 20 min); every step resumes
# Work lands under $AMEND_WORK (default work/neuron-pruning): zoo/adult, editors/<lambda>,
# reports/pruning-neurons/{summary.md, report.json, points.csv, plot.svg}, compaction.txt.
# $AMEND_ZOO reuses a zoo built elsewhere with the same command (zoo --runs 400 --seed 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh
amend_prepare_experiment
build=${AMEND_BUILD_DIR:-build}
trainer="$build/trainer/amend-trainer"
work=${AMEND_WORK:-work/neuron-pruning}
zoo=${AMEND_ZOO:-$work/zoo/adult}
editors="$work/editors"
lambdas=0.001,0.003,0.01,0.015,0.02,0.03
export OPENBLAS_NUM_THREADS=1
mkdir -p "$work/reports"

echo "== zoo: adult, 400 runs"
"$trainer" zoo --task adult --runs 400 --seed 1 --out "$zoo" | tail -n 2
echo "== editors: adult pruning by neurons (lambdas $lambdas)"
"$trainer" sweep --task adult --requirement pruning --variant prune_neurons_and_edit \
  --lambdas "$lambdas" --zoo "$zoo" --out "$editors" --seed 0 | tail -n 6
echo "== eval: the pruning panel"
"$trainer" eval --task adult --requirement pruning --zoo "$zoo" --editors "$editors" \
  --out "$work/reports/pruning-neurons" --seed 0 --threads 1 --max_test_models 100 \
  > "$work/reports/pruning-neurons.log"
grep -E "hypervolume|dominat" "$work/reports/pruning-neurons/summary.md" || true
echo "== forward time of the edits, masked and compacted"
: > "$work/compaction.txt"
for lambda in ${lambdas//,/ }; do
  echo "editor lambda $lambda" | tee -a "$work/compaction.txt"
  AMEND_BENCH_EDITOR="$editors/$lambda" AMEND_BENCH_ZOO="$zoo" "$build/bench/compaction_bench" \
    --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_counters_tabular=true 2>&1 | grep -E "median|Benchmark|ERROR" |
    tee -a "$work/compaction.txt"
  if grep -q ERROR "$work/compaction.txt"; then exit 1; fi
done
