#!/bin/bash
# Data minimisation over one-hot attributes, end to end (docs/TASK_FORMAT.md, "Inputs you already
# preprocessed"): the synthetic data set (task synth) one-hot encoded by hand as a user's own
# pipeline would, made a task with --inputs_as_is, a 300-run zoo, a data-minimisation editor at
# lambda 0.05, and three edits. About 3 minutes on 2 cores.
#
# usage: scripts/onehot_example.sh [WORK_DIR]   (default /var/tmp/amend-onehot; build/ must exist)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
T=${AMEND_TRAINER:-$root/build/trainer/amend-trainer}
work=${1:-/var/tmp/amend-onehot}
mkdir -p "$work"
cd "$work"
export OPENBLAS_NUM_THREADS=1
[[ -f credit.csv ]] || "$T" task synth --rows 3000 --seed 7 --out credit.csv
python3 - <<'PY'
import csv, random
rows = list(csv.DictReader(open("credit.csv")))
regions = sorted({r["region"] for r in rows})
colours = sorted({r["colour"] for r in rows if r["colour"] not in ("", "?")})
random.seed(1)
random.shuffle(rows)
head = (["income", "debt", "tenure"] + ["region=" + v for v in regions] +
        ["noise%d" % i for i in range(1, 5)] + ["colour=" + c for c in colours] +
        ["group", "label"])
def number(v):
    try:
        return float(v)
    except ValueError:
        return 0.0  # the user's own imputation
def write(path, part):
    with open(path, "w") as f:
        w = csv.writer(f)
        w.writerow(head)
        for r in part:
            w.writerow([number(r[k]) for k in ("income", "debt", "tenure")] +
                       [int(r["region"] == v) for v in regions] +
                       [number(r["noise%d" % i]) for i in range(1, 5)] +
                       [int(r["colour"] == c) for c in colours] +
                       [r["group"], r["label"]])
write("oh-train.csv", rows[:1800])
write("oh-validation.csv", rows[1800:2400])
write("oh-test.csv", rows[2400:])
PY
[[ -d tasks/onehot ]] || "$T" task create --data oh-train.csv --validation oh-validation.csv \
  --test oh-test.csv --inputs_as_is --label label --positive yes --sensitive group \
  --privileged A --ignore group --out tasks/onehot
"$T" zoo --task tasks/onehot --runs 300 --seed 1 --out zoo 2>&1 | grep -v '\[#*\.*\]'
editor=editors/onehot/data_minimisation/0.05
"$T" train --task tasks/onehot --zoo zoo --requirement data_minimisation --lambda 0.05 \
  --steps 300 --out "$editor" 2>&1 | grep -v '\[#*\.*\]'
for run in 000000 000007 000100; do
  "$T" edit --editor "$editor" --model "zoo/models/r$run-e060.safetensors" \
    --out "edited-$run.safetensors" | sed -n 1,2p
done
