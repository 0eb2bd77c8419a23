#!/usr/bin/env bash
# The paper's experiments, one command each, at full size or at a quick size for CI:
#   scripts/reproduce.sh [--quick] [EXPERIMENT ...]
# EXPERIMENTS (default: all, in this order)
#   minimisation  data minimisation on adult and bank: editors vs FS, FS & Retrain   (figs. 1, 6)
#   fairness      equalised odds on adult and bank: editors vs ThresholdOptimizer,
#                 RejectOption, CalibratedEqOdds, FairCls                            (fig. 2)
#   pruning       pruning on adult and bank: editors vs Random, Magnitude, Gradient,
#                 SNIP, neuron magnitude, Lottery Ticket                             (figs. 3, 7)
#   ablation      pruning editors trained on 10/25/50/75/100% of the training zoo    (fig. 4)
#   composition   a data-minimisation editor, then pruning editors, vs FS then
#                 magnitude or SNIP pruning                                          (fig. 8)
#   epo           fairness editors trained with EPO vs linear scalarisation          (fig. 9)
#   time          time per edit of every method, from the reports above              (table 1)
# Everything lands under $AMEND_WORK (default work/reproduce or work/reproduce-quick):
#   zoo/<task>, editors/<task>/<requirement>/<lambda>, reports/<task>/<panel>/{points.csv,
#   report.json, summary.md, plot.svg, labels_changed/}, reports/index.md, reports/time.md.
# $AMEND_ZOO_ROOT and $AMEND_EDITOR_ROOT reuse zoos and editors made elsewhere. Every step resumes:
# zoos, editor training and eval all continue where they stopped, and finished work is reused.
# Full size takes days on 2 cores (the zoos: hours each; 40 editors: 10-20 minutes each); quick
# size takes a few minutes. docs/RESULTS.md reads the full-size reports.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
quick=0
if [[ "${1:-}" == "--quick" ]]; then quick=1; shift; fi
experiments=("$@")
if ((${#experiments[@]} == 0)); then
  experiments=(minimisation fairness pruning ablation composition epo time)
fi
source scripts/packages.sh
amend_prepare_experiment
build=${AMEND_BUILD_DIR:-build}
trainer="$build/trainer/amend-trainer"
export OPENBLAS_NUM_THREADS=1
if ((quick)); then work=${AMEND_WORK:-work/reproduce-quick}; else work=${AMEND_WORK:-work/reproduce}; fi
zoo_root=${AMEND_ZOO_ROOT:-$work/zoo}
editor_root=${AMEND_EDITOR_ROOT:-$work/editors}
reports="$work/reports"
mkdir -p "$reports"

if ((quick)); then
  zoo_size=(--runs 30 --epochs 5 --max_rows 2000)
  train_size=(--steps 40 --eval_every 20 --models_per_step 4 --points_per_step 128 --hidden 16
              --layers 2 --learning_rate 3e-3 --mask_logit_init 1 --max_validation_models 6
              --max_test_models 6 --max_test_rows 1000)
  eval_size=(--max_test_models 6 --max_test_rows 1000 --max_fit_rows 1000 --retrain_epochs 3
             --lottery_levels 3 --lottery_epochs 1)
  lambdas_pruning_adult=0.03,0.3;  lambdas_pruning_bank=0.03,0.3
  lambdas_minimisation_adult=0.01,0.1; lambdas_minimisation_bank=0.01,0.1
  lambdas_fairness_adult=0.1,1;    lambdas_fairness_bank=0.1,1
  lambdas_epo=0.1
  ablation_percents=(25 100)
else
  zoo_size=(--runs 1000)
  train_size=()
  eval_size=(--retrain_models 100)
  lambdas_pruning_adult=0.003,0.01,0.03,0.1,0.3,1;  lambdas_pruning_bank=0.01,0.03,0.1
  lambdas_minimisation_adult=0.003,0.01,0.03,0.1,0.3,1; lambdas_minimisation_bank=0.003,0.01,0.03,0.05,0.1
  lambdas_fairness_adult=0.03,0.1,0.3,1;          lambdas_fairness_bank=0.1,0.3
  lambdas_epo=0.03,0.1,0.3
  ablation_percents=(10 25 50 75 100)
fi
seed=0

zoo() {  # task
  if [[ ! -f "$zoo_root/$1/manifest.jsonl" ]]; then
    echo "== zoo: $1"
    "$trainer" zoo --task "$1" "${zoo_size[@]}" --seed 1 --out "$zoo_root/$1"
  fi
}

sweep() {  # task requirement lambdas [extra flags...]
  local task=$1 requirement=$2 lambdas=$3; shift 3
  # The full-size bank fairness editors of docs/RESULTS.md were trained with seed 1.
  local train_seed=$seed
  if ((!quick)) && [[ $task == bank && $requirement == fairness ]]; then train_seed=1; fi
  echo "== editors: $task $requirement (lambdas $lambdas)"
  "$trainer" sweep --task "$task" --requirement "$requirement" --lambdas "$lambdas" \
    --zoo "$zoo_root/$task" --out "$editor_root/$task/$requirement" --seed "$train_seed" \
    "${train_size[@]}" "$@" | tail -n 4
}

evaluate() {  # task requirement panel [extra flags...]
  local task=$1 requirement=$2 panel=$3; shift 3
  echo "== eval: $task $panel"
  mkdir -p "$reports/$task"
  "$trainer" eval --task "$task" --requirement "$requirement" --zoo "$zoo_root/$task" \
    --out "$reports/$task/$panel" --seed "$seed" --threads 1 "${eval_size[@]}" "$@" \
    > "$reports/$task/$panel.log"
  grep -E "^editor.*hypervolume" "$reports/$task/$panel/summary.md" || true
}

lambdas_for() { local name="lambdas_${1}_${2}"; echo "${!name}"; }

for experiment in "${experiments[@]}"; do
  case "$experiment" in
    minimisation|fairness|pruning)
      requirement=$experiment
      [[ $experiment == minimisation ]] && requirement=data_minimisation
      for task in adult bank; do
        zoo "$task"
        sweep "$task" "$requirement" "$(lambdas_for "$experiment" "$task")"
        evaluate "$task" "$requirement" "$requirement" --editors "$editor_root/$task/$requirement"
      done
      ;;
    ablation)
      zoo adult
      train_models=$(grep -c '"split":"train"' "$zoo_root/adult/manifest.jsonl")
      entries=()
      for percent in "${ablation_percents[@]}"; do
        # 100% is the main sweep's lambda-0.03 editor (same settings: trained once).
        out="$editor_root/adult/pruning-ablation/${percent}pct"
        cap=$((train_models * percent / 100))
        if ((percent == 100)); then out="$editor_root/adult/pruning/0.03"; cap=0; fi
        echo "== editor: adult pruning, lambda 0.03, ${percent}% of $train_models training models"
        "$trainer" train --task adult --requirement pruning --lambda 0.03 --seed "$seed" \
          --zoo "$zoo_root/adult" --out "$out" --max_train_models "$cap" "${train_size[@]}" |
          tail -n 3
        entries+=("editor_${percent}pct=$out")
      done
      evaluate adult pruning pruning-ablation --editors "$(IFS=,; echo "${entries[*]}")"
      ;;
    composition)
      zoo adult
      sweep adult data_minimisation "$(lambdas_for minimisation adult)"
      sweep adult pruning "$(lambdas_for pruning adult)"
      minimiser=$(find "$editor_root/adult/data_minimisation" -name editor.json -printf '%h\n' |
                  sort | head -n 2 | tail -n 1)
      evaluate adult pruning composition --editors "$editor_root/adult/pruning" \
        --compose_after "$minimiser"
      ;;
    epo)
      zoo adult
      sweep adult fairness "$(lambdas_for fairness adult)"
      echo "== editors: adult fairness, EPO (lambdas $lambdas_epo)"
      "$trainer" sweep --task adult --requirement fairness --lambdas "$lambdas_epo" \
        --scalarisation epo --zoo "$zoo_root/adult" --out "$editor_root/adult/fairness-epo" \
        --seed "$seed" "${train_size[@]}" | tail -n 4
      evaluate adult fairness fairness-epo --baselines=false \
        --editors "editor_linear=$editor_root/adult/fairness,editor_epo=$editor_root/adult/fairness-epo"
      ;;
    time)
      /usr/bin/python3 scripts/results_tables.py "$reports"
      ;;
    *)
      echo "scripts/reproduce.sh: unknown experiment \"$experiment\"" >&2
      exit 2
      ;;
  esac
done
echo "[reproduce] reports under $reports"
