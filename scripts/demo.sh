#!/usr/bin/env bash
# The main job of Amend, end to end on the bundled data. For now (foundation + zoo stage) it:
#   1. installs what is missing and builds (like scripts/test.sh, without the tests),
#   2. shows both tasks' data (rows per split, positive rates per sensitive group),
#   3. creates an MLP in the Amend contract, inspects it with the `amend` CLI and runs
#      `amend-trainer forward` on a few rows,
#   4. trains a small Adult zoo (16 runs, 10 epochs) and prints its test accuracies.
# Later stages grow it into: zoo -> editors -> amend-server -> edits through the CLI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh
amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
amend_build >/dev/null
build=${AMEND_BUILD_DIR:-build}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for task in adult bank; do
  echo "== data: $task"
  "$build/trainer/amend-trainer" data --task "$task" --format text
done

echo "== model contract"
"$build/trainer/amend-trainer" init --architecture \
  '{"input_dim": 14, "num_classes": 2, "layers": [{"width": 16, "activation": "relu", "norm": "none", "dropout": 0.0, "skip_from": []}, {"width": 32, "activation": "gelu", "norm": "layernorm", "dropout": 0.1, "skip_from": [0]}]}' \
  --seed 7 --out "$work/model.safetensors"
"$build/client/amend" inspect "$work/model.safetensors"
printf '0,0,0,0,0,0,0,0,0,0,0,0,0,0\n1,-1,0.5,0,2,0,0,1,0,1,3,0,1,0\n' > "$work/x.csv"
"$build/trainer/amend-trainer" forward --model "$work/model.safetensors" --input "$work/x.csv" --out "$work/p.csv"
echo "== class probabilities of an untrained model on two rows"
cat "$work/p.csv"

echo "== a small zoo: 16 Adult MLPs sampled from the paper's Table 2, 10 epochs each"
"$build/trainer/amend-trainer" zoo --task adult --runs 16 --epochs 10 --seed 1 --out "$work/zoo"
final=$(ls "$work"/zoo/models/*-e010.safetensors | head -1)
echo "== one of its final checkpoints"
"$build/client/amend" inspect "$final"
