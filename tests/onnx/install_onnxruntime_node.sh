#!/usr/bin/env bash
# Installs the pinned onnxruntime-node from the npm registry into DIR (a folder
# of the build tree), for the ONNX export's end-to-end test:
#   tests/onnx/install_onnxruntime_node.sh DIR
# --ignore-scripts: the package's postinstall only fetches CUDA binaries from
# GitHub; its CPU binaries are in the npm tarball itself. Does nothing when
# the pinned version is already there. Fails with the reason (no npm, no
# registry) rather than leaving the test to pass without a runtime.
set -euo pipefail
readonly version=1.20.1
dir=$1
installed=$dir/node_modules/onnxruntime-node
if [[ -f $installed/package.json ]] &&
  grep -q "\"version\": \"$version\"" "$installed/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install_onnxruntime_node: npm is missing (Debian: apt-get install nodejs npm," \
    "scripts/packages.sh)" >&2
  exit 1
fi
mkdir -p "$dir"
if ! npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --no-save \
  --loglevel=error "onnxruntime-node@$version"; then
  echo "install_onnxruntime_node: npm could not install onnxruntime-node@$version" \
    "from the registry into $dir" >&2
  exit 1
fi
if ! compgen -G "$installed/bin/napi-v3/linux/*/onnxruntime_binding.node" >/dev/null; then
  echo "install_onnxruntime_node: no Linux binding under $installed/bin" >&2
  exit 1
fi
