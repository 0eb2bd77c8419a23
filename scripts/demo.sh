#!/usr/bin/env bash
# The main job of Amend, end to end on the bundled data, at demo size (about 6 minutes on
# 2 cores):
#   1. installs what is missing and builds (like scripts/test.sh, without the tests),
#   2. shows the Adult data and the MLP contract,
#   3. trains a small Adult zoo (40 runs of the paper's Table 2, 10 epochs each),
#   4. trains pruning editors for two lambdas and a data-minimisation editor on it, each printed
#      beside the matched baseline (magnitude pruning, permutation-importance feature selection),
#   5. makes a task of a user's CSV (a synthetic one with planted features) and runs its whole
#      quick pipeline (zoo, editors, reports) in one command,
#   6. starts amend-server on all these editors and edits held-out models through the `amend` CLI
#      by target: "keep at most 60% of the weights", "use at most 10 of 14 features", and a model
#      of the user's task.
# The full-size zoo and editors are in README.md ("The zoos", "The editors").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh
amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
amend_build >/dev/null
build=${AMEND_BUILD_DIR:-build}
export OPENBLAS_NUM_THREADS=1
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trainer="$build/trainer/amend-trainer"

echo "== data: adult"
"$trainer" data --task adult --format text

echo "== the MLP contract: a model, inspected"
"$trainer" init --architecture \
  '{"input_dim": 14, "num_classes": 2, "layers": [{"width": 16, "activation": "relu", "norm": "none", "dropout": 0.0, "skip_from": []}, {"width": 32, "activation": "gelu", "norm": "layernorm", "dropout": 0.1, "skip_from": [0]}]}' \
  --seed 7 --out "$work/model.safetensors"
"$build/client/amend" inspect "$work/model.safetensors"

echo "== a small zoo: 40 Adult MLPs, 10 epochs each (3 checkpoints per run, split 80/10/10 by run)"
"$trainer" zoo --task adult --runs 40 --epochs 10 --seed 1 --out "$work/zoo"

echo "== pruning editors for lambda 0.02 and 0.1, and a data-minimisation editor"
# Demo size: 300 steps at a higher learning rate, masks starting near undecided (full size: 1,500
# steps from "keep everything", docs/EDITOR_FORMAT.md).
common=(--task adult --zoo "$work/zoo" --steps 300 --eval_every 100 --seed 1
        --learning_rate 3e-3 --mask_logit_init 1 --models_per_step 4)
"$trainer" sweep "${common[@]}" --requirement pruning --lambdas 0.02,0.1 \
  --out "$work/editors/adult/pruning"
"$trainer" train "${common[@]}" --requirement data_minimisation --lambda 0.02 \
  --out "$work/editors/adult/data_minimisation/0.02"

echo "== your own data: a CSV becomes a task, and one command builds its zoo, editors and reports"
"$trainer" task synth --rows 3000 --seed 7 --out "$work/credit.csv"
"$trainer" task create --data "$work/credit.csv" --label label --positive yes \
  --sensitive group --privileged A --out "$work/tasks/credit"
"$trainer" pipeline --task "$work/tasks/credit" --size quick \
  --requirements data_minimisation,pruning --out "$work/credit" --editors_out "$work/editors" |
  tail -n 5

echo "== amend-server on these editors"
port=$(( 20000 + RANDOM % 20000 ))
"$build/server/amend-server" --editors "$work/editors" --host 127.0.0.1 --port "$port" \
  --metrics_port -1 --drain_seconds 0 2> "$work/server.log" &
server_pid=$!
export AMEND_SERVER="127.0.0.1:$port"
for _ in $(seq 100); do "$build/client/amend" health >/dev/null 2>&1 && break; sleep 0.2; done
"$build/client/amend" health
"$build/client/amend" editors

model=$(grep '"split":"test"' "$work/zoo/manifest.jsonl" | grep '"stage":"final"' | head -1 |
        sed 's/.*"file":"\([^"]*\)".*/\1/')
echo "== edit a held-out model: keep at most 60% of the weights"
"$build/client/amend" edit --task adult --requirement pruning --max-weights 0.6 \
  "$work/zoo/$model" -o "$work/pruned.safetensors" ||
  echo "(no demo-size editor reaches 60% on validation; the full-size editors do: README.md)"
echo "== edit it again: use at most 10 of the 14 features"
"$build/client/amend" edit --task adult --requirement data_minimisation --max-features 10 \
  "$work/zoo/$model" -o "$work/minimised.safetensors" ||
  echo "(no demo-size editor reaches 10 features; the full-size editors do: README.md)"
echo "== the edited model file carries its masks"
"$build/client/amend" inspect "$work/minimised.safetensors" 2>/dev/null | grep -E "architecture|mask" ||
  "$build/client/amend" inspect "$work/pruned.safetensors" | grep -E "architecture|mask"
echo "== a model of your own task, through the same server"
credit_model=$(grep '"split":"test"' "$work/credit/zoo/manifest.jsonl" | grep '"stage":"final"' |
               head -1 | sed 's/.*"file":"\([^"]*\)".*/\1/')
"$build/client/amend" edit --task credit --requirement pruning --lambda 0.03 \
  "$work/credit/zoo/$credit_model" -o "$work/credit-pruned.safetensors"
