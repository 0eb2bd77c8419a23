#!/usr/bin/env bash
# The hostile mix against a real amend-server on loopback for a given time (issue "Hardening"):
#   scripts/soak.sh [SECONDS] [REPORT_DIR]     # default: 300 s, a temporary folder
# Trains three small Adult editors (pruning λ 0.02, data minimisation λ 0.02, fairness λ 0.1),
# makes models of five sizes up to the per-request budget (512 to 1.6M weights) plus bad ones,
# starts amend-server with its default flags, and runs scripts/soak.py: valid edits, bad
# requests, mutated files, unparseable bytes, clients that give up, reloads (RPC, corrupt editor,
# SIGHUP), and a SIGTERM under load at the end. Prints requests by code, p50/p99, RSS per minute;
# exits 1 on a lost request, a crash, a slow exit or growth of the quiet RSS (clients paused, the
# server idle; every 300 s, or a fifth of a shorter run) over 5% after warm-up. docs/RELIABILITY.md
# records the one-hour runs. SOAK_CLIENTS (6), SOAK_SEED (1) and SOAK_QUIET_EVERY override.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-300}
source scripts/packages.sh
build=${AMEND_BUILD_DIR:-build}
if [[ ! -x "$build/server/amend-server" || ! -x "$build/trainer/amend-trainer" ]]; then
  amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
  amend_build >/dev/null
fi
work=${2:-$(mktemp -d)}
mkdir -p "$work"
trainer="$build/trainer/amend-trainer"
export OPENBLAS_NUM_THREADS=1

if [[ ! -f "$work/editors/.done" ]]; then
  echo "[soak] small Adult zoo and three editors in $work"
  "$trainer" zoo --task adult --runs 12 --epochs 2 --seed 1 --out "$work/zoo" >/dev/null
  common=(--task adult --zoo "$work/zoo" --steps 40 --eval_every 40 --seed 1
          --models_per_step 2)
  "$trainer" train "${common[@]}" --requirement pruning --lambda 0.02 \
    --out "$work/editors/adult/pruning/0.02" >/dev/null
  "$trainer" train "${common[@]}" --requirement data_minimisation --lambda 0.02 \
    --out "$work/editors/adult/data_minimisation/0.02" >/dev/null
  "$trainer" train "${common[@]}" --requirement fairness --lambda 0.1 \
    --out "$work/editors/adult/fairness/0.1" >/dev/null
  touch "$work/editors/.done"
fi

models="$work/models"
mkdir -p "$models"
architecture() {  # input width, then hidden widths
  local input=$1 layers="" width
  shift
  for width in "$@"; do
    layers+="${layers:+, }{\"width\": $width, \"activation\": \"relu\", \"norm\": \"none\", \"dropout\": 0.0, \"skip_from\": []}"
  done
  echo "{\"input_dim\": $input, \"num_classes\": 2, \"layers\": [$layers]}"
}
# Size classes (weights) and their share of the valid edits: most traffic is small models.
classes='[{"name": "w512", "share": 0.5}, {"name": "w3k", "share": 0.35},
          {"name": "w26k", "share": 0.12}, {"name": "w270k", "share": 0.025},
          {"name": "w1600k", "share": 0.005}]'
"$trainer" init --architecture "$(architecture 14 16 16)" --seed 1 --out "$models/w512.safetensors"
"$trainer" init --architecture "$(architecture 14 48 48)" --seed 2 --out "$models/w3k.safetensors"
"$trainer" init --architecture "$(architecture 14 128 128 64)" --seed 3 \
  --out "$models/w26k.safetensors"
"$trainer" init --architecture "$(architecture 14 512 512)" --seed 4 \
  --out "$models/w270k.safetensors"
"$trainer" init --architecture "$(architecture 14 1024 1024 512)" --seed 5 \
  --out "$models/w1600k.safetensors"
echo "$classes" > "$models/classes.json"
"$trainer" init --architecture "$(architecture 10 16 16)" --seed 6 \
  --out "$models/wrong_width.safetensors"
"$trainer" init --architecture "$(architecture 14 2048 2048)" --seed 7 \
  --out "$models/over_budget.safetensors"
# The first weight of the small model set to 1e20 and to NaN: valid files, invalid models.
/usr/bin/python3 - "$models" <<'PY'
import json, struct, sys
folder = sys.argv[1]
data = open(f"{folder}/w512.safetensors", "rb").read()
header_length = struct.unpack("<Q", data[:8])[0]
first = 8 + header_length + min(t["data_offsets"][0] for k, t in
                                json.loads(data[8:8 + header_length]).items()
                                if k != "__metadata__")
for name, value in (("huge_weights", 1e20), ("nan_weights", float("nan"))):
    open(f"{folder}/{name}.safetensors", "wb").write(
        data[:first] + struct.pack("<f", value) + data[first + 4:])
PY

port=$(( 20000 + RANDOM % 20000 ))
echo "[soak] amend-server on 127.0.0.1:$port for $seconds s, ${SOAK_CLIENTS:-6} clients"
PYTHONPATH="$build/python:client/python" /usr/bin/python3 scripts/soak.py \
  --address "127.0.0.1:$port" --editors "$work/editors" --models "$models" \
  --seconds "$seconds" --clients "${SOAK_CLIENTS:-6}" --seed "${SOAK_SEED:-1}" \
  --quiet_every "${SOAK_QUIET_EVERY:-$(( seconds >= 1500 ? 300 : seconds / 5 ))}" \
  --report "$work/soak-report.json" --server_log "$work/server.log" -- \
  "$build/server/amend-server" --editors "$work/editors" --host 127.0.0.1 --port "$port" \
  --metrics_port -1
