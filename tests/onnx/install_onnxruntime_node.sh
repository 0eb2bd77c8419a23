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
rm -f "$dir/unavailable.txt"
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
# Node trusts its own bundled roots, not the machine's: a registry reached
# through a TLS proxy whose root the machine trusts needs the system bundle.
if [[ -z ${NODE_EXTRA_CA_CERTS:-} && -f /etc/ssl/certs/ca-certificates.crt ]]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
if ! npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --no-save \
  --loglevel=error "onnxruntime-node@$version" 2>"$dir/npm.log"; then
  # A machine that cannot reach the registry is not a defect of the build:
  # say why, and the ONNX tests run the checker and report themselves
  # skipped instead of evaluating (tests/integration/onnx_runtime_test.cc).
  reason=$(grep -m1 -E "(ERR!|error) (code|request)" "$dir/npm.log" || tail -1 "$dir/npm.log")
  echo "npm could not install onnxruntime-node@$version from the registry: $reason" |
    tee "$dir/unavailable.txt" >&2
  exit 0
fi
if ! compgen -G "$installed/bin/napi-v3/linux/*/onnxruntime_binding.node" >/dev/null; then
  echo "install_onnxruntime_node: no Linux binding under $installed/bin" >&2
  exit 1
fi
