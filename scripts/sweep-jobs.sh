#!/usr/bin/env bash
# Prints one Kubernetes Job per lambda of a sweep, from deploy/k8s/training/editor-job.yaml:
#   scripts/sweep-jobs.sh adult pruning 0.003 0.01 0.03 0.1 | kubectl apply -f -
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
task=$1 requirement=$2; shift 2
template=deploy/k8s/training/editor-job.yaml
for lambda in "$@"; do
  name="amend-editor-$task-${requirement//_/-}-${lambda//./-}"
  echo "---"
  sed -e "s/name: amend-editor-adult-pruning-0.01/name: $name/" \
      -e "s/\"--task\", \"adult\"/\"--task\", \"$task\"/" \
      -e "s/\"--requirement\", \"pruning\"/\"--requirement\", \"$requirement\"/" \
      -e "s/\"--lambda\", \"0.01\"/\"--lambda\", \"$lambda\"/" \
      -e "s#/work/zoo/adult#/work/zoo/$task#" \
      -e "s#/work/editors/adult/pruning/0.01#/work/editors/$task/$requirement/$lambda#" \
      -e "s#/work/editors/<task>#/work/editors/<task>#" "$template" | grep -v '^#'
done
