#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Amend and runs its test suite:
#   scripts/test.sh                 everything (what CI runs)
#   AMEND_CTEST_ARGS="-L fast" scripts/test.sh   only the fast tests
#   AMEND_FUZZ_SECONDS=0 scripts/test.sh          without the short fuzz runs
#   AMEND_REQUEST_PATH_SANITIZED=0 scripts/test.sh   without the request path's ASan/UBSan tests
#   AMEND_SANITIZE=address,undefined scripts/test.sh   the suite under AddressSanitizer and
#                                   UndefinedBehaviorSanitizer, built in build-asan
#   AMEND_SANITIZE=thread scripts/test.sh   the server, batcher and registry tests under
#                                   ThreadSanitizer, built in build-tsan (fetches Abseil's source)
# Installs missing Debian packages with apt-get (as root, or through sudo), then cmake + ctest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/packages.sh

start=$(date +%s)
amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
case "${AMEND_SANITIZE:-}" in
  "") amend_build ;;
  thread)
    # The threaded code: the server, its batcher and registry (server_test). The fuzz targets are
    # single-threaded and run under ASan in the other modes.
    export AMEND_CTEST_ARGS="${AMEND_CTEST_ARGS:--R ^(ServerTest|EditBatcherTest|RequestMutationTest)\.}"
    AMEND_FUZZ_SECONDS=0
    amend_sanitized_build thread build-tsan server_test
    ;;
  *) amend_sanitized_build "$AMEND_SANITIZE" build-asan ;;
esac
built=$(date +%s)

# One BLAS thread: the tests' matrices are tiny, and OpenBLAS threads on top of LibTorch's
# oversubscribe the cores (docs/BENCHMARKS.md).
export OPENBLAS_NUM_THREADS=1
# shellcheck disable=SC2086
(cd "${AMEND_BUILD_DIR:-build}" && ctest --output-on-failure -j"$(nproc)" ${AMEND_CTEST_ARGS:-})
# CI's sanitizer pass (AMEND_REQUEST_PATH_SANITIZED=0 skips it): the request, parsing and serving
# tests under ASan + UBSan. The whole suite under the sanitizers is over CI's time budget
# (docs/RELIABILITY.md); AMEND_SANITIZE=address,undefined runs it.
if [[ -z "${AMEND_SANITIZE:-}" && "${AMEND_REQUEST_PATH_SANITIZED:-1}" != 0 ]]; then
  amend_request_path_sanitized_tests
fi
tested=$(date +%s)
# A short run of every fuzz target (AMEND_FUZZ_SECONDS=0 skips it): enough to catch a parser
# change that crashes on the seed corpus or near it (15 s per target, 7 targets: CI budget);
# docs/RELIABILITY.md has the long runs.
if [[ "${AMEND_FUZZ_SECONDS:-15}" != 0 ]]; then
  scripts/fuzz.sh "${AMEND_FUZZ_SECONDS:-15}"
fi
echo "[amend] install+build $((built - start)) s, tests $((tested - built)) s, fuzz $(($(date +%s) - tested)) s"
