#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Amend and runs its test suite:
#   scripts/test.sh                 everything (what CI runs)
#   AMEND_CTEST_ARGS="-L fast" scripts/test.sh   only the fast tests
# Installs missing Debian packages with apt-get (as root, or through sudo), then cmake + ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

start=$(date +%s)
amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
amend_build
built=$(date +%s)

# One BLAS thread: the tests' matrices are tiny, and OpenBLAS threads on top of LibTorch's
# oversubscribe the cores (docs/BENCHMARKS.md).
export OPENBLAS_NUM_THREADS=1
# shellcheck disable=SC2086
(cd "${AMEND_BUILD_DIR:-build}" && ctest --output-on-failure -j"$(nproc)" ${AMEND_CTEST_ARGS:-})
echo "[amend] install+build $((built - start)) s, tests $(($(date +%s) - built)) s"
