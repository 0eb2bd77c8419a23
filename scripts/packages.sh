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
  # amend export --onnx: the ONNX protobuf schema, and its test's checker (python3-onnx)
  libonnx-dev python3-onnx
)
# The ONNX export's test evaluates models with onnxruntime-node, which npm installs from the npm
# registry into the build tree (tests/onnx/install_onnxruntime_node.sh). Debian's nodejs and npm
# unless a node with its own npm is already there: NodeSource's nodejs bundles npm and conflicts
# with Debian's npm package.
if ! command -v npm >/dev/null; then
  AMEND_BUILD_PACKAGES+=(nodejs npm)
fi

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
# amend_abseil_source DIR prints the path of the Abseil source tree of the installed libabsl-dev,
# fetching it into DIR the first time with apt-get source. The ThreadSanitizer build compiles its
# synchronization code (cmake/AmendTsanAbseil.cmake). apt runs on a private configuration under
# DIR: the machine's own sources lists are neither read for deb-src lines nor changed.
amend_abseil_source() {
  local dir=$1 version upstream
  version=$(dpkg-query -W -f='${Version}' libabsl-dev)
  upstream=${version%-*}
  local tree="$dir/abseil-$upstream"
  if [[ ! -f "$tree/absl/synchronization/mutex.cc" ]]; then
    local apt="$dir/apt" codename
    codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
    printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
      "Suites: $codename $codename-updates" "Components: main" \
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
      >"$apt/sources.list.d/debian-source.sources"
    local options=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "APT::Sandbox::User=root")
    apt-get "${options[@]}" update -qq >&2
    # Any Debian revision of the same upstream release has the same tarball.
    (cd "$dir" && apt-get "${options[@]}" source --download-only -qq abseil >&2)
    local tarball="$dir/abseil_$upstream.orig.tar.gz"
    if [[ ! -f "$tarball" ]]; then
      echo "[amend] no $tarball: the archive's abseil source is not release $upstream" >&2
      return 1
    fi
    tar -xzf "$tarball" -C "$dir"
  fi
  echo "$tree"
}

# A sanitizer build: amend_sanitized_build SANITIZERS DIR [TARGET|-DSETTING...] configures DIR with
# -DAMEND_SANITIZE=SANITIZERS and the settings (cmake/AmendTargets.cmake), builds the targets
# (default: all) and exports AMEND_BUILD_DIR, the sanitizers' options and ctest's selection for
# scripts/test.sh.
amend_sanitized_build() {
  local sanitizers=$1 dir=$2
  shift 2
  local settings=() targets=() argument
  for argument in "$@"; do
    if [[ $argument == -D* ]]; then settings+=("$argument"); else targets+=("$argument"); fi
  done
  if [[ $sanitizers == thread ]]; then
    mkdir -p "$dir/abseil"
    settings+=(-DAMEND_ABSEIL_SOURCE_DIR="$(amend_abseil_source "$(realpath "$dir/abseil")")")
  fi
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DAMEND_SANITIZE="$sanitizers" \
    -DAMEND_BUILD_BENCHMARKS=OFF "${settings[@]}"
  if ((${#targets[@]} == 0)); then
    cmake --build "$dir" -j"$(nproc)"
  else
    cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}"
  fi
  export AMEND_BUILD_DIR=$dir
  local suppressions
  suppressions=$(pwd)/tests/sanitizers
  # Reports abort (-fno-sanitize-recover at compile time, halt_on_error here) with a stack.
  export ASAN_OPTIONS="halt_on_error=1:detect_stack_use_after_return=0:suppressions=$suppressions/asan.supp"
  export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$suppressions/ubsan.supp"
  # gRPC, protobuf and LibTorch are not instrumented: their own accesses are invisible to TSan, and
  # ignore_noninstrumented_modules makes the memcpy and free they call invisible too (otherwise
  # every reference count they drop reads as a race). Races in Amend code are still reported.
  export TSAN_OPTIONS="halt_on_error=1:ignore_noninstrumented_modules=1:suppressions=$suppressions/tsan.supp"
  # The two end-to-end trainings run 9x to 15x slower instrumented (reproduce_quick_test 845 s,
  # SyntheticTaskTest.EditorsActOnTheKnownTruth unfinished after 43 minutes; docs/RELIABILITY.md):
  # left out unless AMEND_CTEST_ARGS says otherwise. Their code paths run in the other tests.
  export AMEND_CTEST_ARGS="${AMEND_CTEST_ARGS:--E ^(reproduce_quick_test|SyntheticTaskTest.EditorsActOnTheKnownTruth)\$}"
}

# CI's sanitizer pass: the test binaries of the request, parsing and serving path under ASan +
# UBSan, built in build-fuzz-request, the tree the edit_request fuzz target uses, so
# scripts/fuzz.sh reuses its libraries. A subshell: the sanitizer settings do not leak into the
# caller. As many at a time as there are cores; server_test, much the longest, is split into that
# many GoogleTest shards. A failing binary's output is printed whole.
AMEND_REQUEST_PATH_TESTS=(util_test mlp_format_test mlp_test data_test editor_format_test server_test)
amend_request_path_sanitized_tests() (
  amend_sanitized_build address,undefined build-fuzz-request -DAMEND_LIBFUZZER=ON \
    "${AMEND_REQUEST_PATH_TESTS[@]}"
  local cores binary shard jobs=()
  cores=$(nproc)
  for binary in "${AMEND_REQUEST_PATH_TESTS[@]}"; do
    if [[ $binary == server_test ]]; then
      for ((shard = 0; shard < cores; shard++)); do jobs+=("$binary $shard $cores"); done
    else
      jobs+=("$binary 0 1")
    fi
  done
  # shellcheck disable=SC2016
  printf '%s\n' "${jobs[@]}" | xargs -P "$cores" -L 1 bash -c '
    log=build-fuzz-request/$0-$1.log
    if (cd build-fuzz-request/tests &&
        OMP_NUM_THREADS=1 GTEST_SHARD_INDEX=$1 GTEST_TOTAL_SHARDS=$2 "./$0" --gtest_brief=1) \
        >"$log" 2>&1; then
      echo "[amend] $0 (shard $(($1 + 1)) of $2) passed under ASan + UBSan"
    else
      echo "[amend] $0 (shard $(($1 + 1)) of $2) FAILED under ASan + UBSan:"; cat "$log"; exit 1
    fi'
)

# What an experiment script needs before it runs: the packages and the build, unless
# AMEND_SKIP_BUILD=1 says the caller built already (the tests that run the scripts do).
amend_prepare_experiment() {
  if [[ "${AMEND_SKIP_BUILD:-0}" != 1 ]]; then
    amend_install_missing "${AMEND_BUILD_PACKAGES[@]}"
    amend_build >/dev/null
  fi
}

amend_build() {
  local build_dir=${AMEND_BUILD_DIR:-build}
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${AMEND_BUILD_TYPE:-Release}"
  cmake --build "$build_dir" -j"$(nproc)"
}
