# Debian 12 packages Amend needs to build and test; sourced by scripts/test.sh and scripts/demo.sh.
# The six product packages, header-only helpers, the toolchain, and OpenBLAS: without
# libopenblas0-pthread Debian's LibTorch falls back to reference BLAS (matrix products ~9x slower).
AMEND_BUILD_PACKAGES=(
  g++ make cmake pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev
  libtorch-dev libabsl-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev zlib1g-dev libssl-dev
  libopenblas0-pthread
  # tests: certificates for the TLS tests, the Python client's runtime, the deployment checks
  openssl python3 python3-grpcio python3-protobuf python3-yaml prometheus
  # the Python client's wheel, its install test in a virtual environment, nn.Sequential conversion
  python3-setuptools python3-wheel python3-venv python3-pip python3-torch
  # fuzzing the parsers (scripts/fuzz.sh): clang and its libFuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

# Installs whatever in "$@" is missing; does not touch apt when everything is present.
amend_install_missing() {
  local missing=() package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "[amend] all ${#@} Debian packages present"
    return 0
  fi
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  echo "[amend] installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures and builds into build/ (or $AMEND_BUILD_DIR) with every core.
# A sanitizer build: amend_sanitized_build SANITIZERS DIR [TARGET...] configures DIR with
# -DAMEND_SANITIZE=SANITIZERS (cmake/AmendTargets.cmake), builds the targets (default: all) and
# exports AMEND_BUILD_DIR, the sanitizers' options and ctest's selection for scripts/test.sh.
amend_sanitized_build() {
  local sanitizers=$1 dir=$2
  shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DAMEND_SANITIZE="$sanitizers" \
    -DAMEND_BUILD_BENCHMARKS=OFF
  if (($# == 0)); then
    cmake --build "$dir" -j"$(nproc)"
  else
    cmake --build "$dir" -j"$(nproc)" --target "$@"
  fi
  export AMEND_BUILD_DIR=$dir
  local suppressions
  suppressions=$(pwd)/tests/sanitizers
  # Reports abort (-fno-sanitize-recover at compile time, halt_on_error here) with a stack.
  export ASAN_OPTIONS="halt_on_error=1:detect_stack_use_after_return=0:suppressions=$suppressions/asan.supp"
  export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$suppressions/ubsan.supp"
  # The two end-to-end trainings run 9x to 15x slower instrumented (reproduce_quick_test 845 s,
  # SyntheticTaskTest.EditorsActOnTheKnownTruth unfinished after 43 minutes; docs/RELIABILITY.md):
  # left out unless AMEND_CTEST_ARGS says otherwise. Their code paths run in the other tests.
  export AMEND_CTEST_ARGS="${AMEND_CTEST_ARGS:--E ^(reproduce_quick_test|SyntheticTaskTest.EditorsActOnTheKnownTruth)\$}"
}

amend_build() {
  local build_dir=${AMEND_BUILD_DIR:-build}
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${AMEND_BUILD_TYPE:-Release}"
  cmake --build "$build_dir" -j"$(nproc)"
}
