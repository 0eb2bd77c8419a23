#!/bin/bash
# The third public data set: Fair's extramarital-affairs survey (Fair 1978, Journal of Political
# Economy; 6,366 rows) as Debian ships it in python3-statsmodels. Not bundled: its terms ("included
# with permission of the author") do not clearly allow redistribution, so this script takes it from
# Debian's package (apt-get download; nothing is installed), checks its sha256, derives the binary
# label had_affair = (affairs > 0) and runs the whole chain at standard size:
#   task create -> pipeline (zoo of 1,000 runs, editors for data minimisation, pruning and
#   fairness at four lambdas each, every baseline) -> reports (docs/RESULTS.md, "Affairs").
# Sensitive attribute: age, privileged "under 30" (17..29.99; the survey's age codes are 17.5, 22,
# 27, 32, 37, 42). Hours on 2 cores; rerun to resume after an interruption.
#
# usage: scripts/affairs.sh [WORK_DIR] [--size quick|standard|full]   (default /var/tmp/amend-affairs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
T=${AMEND_TRAINER:-$root/build/trainer/amend-trainer}
work=${1:-/var/tmp/amend-affairs}
size=standard
if [[ ${2:-} == --size ]]; then size=${3:?--size needs a value}; fi
readonly fair_sha256=fd5f3f094a34fc35ca346a14c359e046ed27843038d6921efcd50a7ab21f6af0
mkdir -p "$work"
cd "$work"
if [[ ! -f affairs.csv ]]; then
  rm -rf deb && mkdir deb
  (cd deb && apt-get download python3-statsmodels >/dev/null)
  dpkg-deb -x deb/python3-statsmodels_*.deb deb/root
  fair=deb/root/usr/lib/python3/dist-packages/statsmodels/datasets/fair/fair.csv
  echo "$fair_sha256  $fair" | sha256sum -c --quiet
  awk -F, 'NR == 1 { print $0 ",\"had_affair\""; next } { print $0 "," ($9 > 0 ? "yes" : "no") }' \
    "$fair" > affairs.csv.tmp
  mv affairs.csv.tmp affairs.csv
  rm -rf deb
fi
[[ -d tasks/affairs ]] || "$T" task create --data affairs.csv --label had_affair --positive yes \
  --sensitive age --privileged 17..29.99 --ignore affairs \
  --categorical occupation,occupation_husb --split 60/20/20 --out tasks/affairs
OPENBLAS_NUM_THREADS=1 "$T" pipeline --task tasks/affairs --out run --size "$size" --seed 0 \
  --workers 2
