# Helpers that give every Amend target the same language level and warnings, per target.

include(AmendPrecompiledHeaders)

# -DAMEND_SANITIZE=address,undefined (or thread) builds every Amend target, test and tool with
# those sanitizers (scripts/test.sh: AMEND_SANITIZE=...). Reports abort the process
# (-fno-sanitize-recover), so a test that triggers one fails. Third-party libraries stay as
# Debian built them.
set(AMEND_SANITIZE "" CACHE STRING "Sanitizers for every Amend target: address,undefined or thread")
if(AMEND_SANITIZE AND NOT AMEND_SANITIZE MATCHES "^(address|undefined|thread)(,(address|undefined))*$")
  message(FATAL_ERROR "AMEND_SANITIZE=${AMEND_SANITIZE}: expected address, undefined, "
                      "address,undefined or thread")
endif()

# -DAMEND_LIBFUZZER=ON (with AMEND_SANITIZE=address,undefined) compiles the libraries on the
# EditModel request's path with g++'s trace-pc coverage, for tests/fuzz/edit_request_fuzz.cc
# (scripts/fuzz.sh edit_request). Every executable of such a build links the trace-pc counters;
# CI builds the request path's test binaries there too (scripts/packages.sh).
option(AMEND_LIBFUZZER "Build the g++ libFuzzer target for the EditModel request" OFF)
set(AMEND_FUZZ_COVERAGE_TARGETS amend_server_lib amend_core_mlp amend_core_mlp_format
    amend_core_util amend_core_editor)
if(AMEND_LIBFUZZER)
  # Defines the trace-pc callback the instrumented libraries call; every executable links it.
  add_library(amend_trace_pc_counters STATIC
    ${CMAKE_CURRENT_LIST_DIR}/../tests/fuzz/trace_pc_counters.cc)
endif()

# The language level and warnings alone (also what the precompiled-header hosts are built with).
function(_amend_compile_settings target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  set_target_properties(${target} PROPERTIES CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  # gRPC's targets compile their consumers with -pthread (it defines _REENTRANT); every target
  # does, so that one precompiled LibTorch header is valid for all (AmendPrecompiledHeaders).
  target_compile_options(${target} PRIVATE -pthread)
  # ABSL_GUARDED_BY and friends are checked by clang only (g++ ignores them): a clang build
  # (CXX=clang++) turns a lock-discipline mistake into a warning.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
  if(AMEND_SANITIZE)
    # -g1: line tables, enough for readable reports at a fraction of -g's compile time. -O1 (after
    # the build type's -O3, so it wins): what the sanitizers' authors recommend, and a shorter
    # compile of the instrumented trees CI builds (the kernels' own -O3 comes later still).
    target_compile_options(${target} PRIVATE -fsanitize=${AMEND_SANITIZE}
                           -fno-sanitize-recover=all -fno-omit-frame-pointer -g1 -O1)
    target_link_options(${target} PUBLIC -fsanitize=${AMEND_SANITIZE})
    if(AMEND_LIBFUZZER AND target IN_LIST AMEND_FUZZ_COVERAGE_TARGETS)
      target_compile_options(${target} PRIVATE -fsanitize-coverage=trace-pc)
    endif()
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "EXECUTABLE")
      amend_link_tsan_abseil(${target})
      if(AMEND_LIBFUZZER)
        target_link_libraries(${target} PRIVATE
          "$<LINK_LIBRARY:WHOLE_ARCHIVE,amend_trace_pc_counters>")
      endif()
    endif()
  endif()
endfunction()

# Language level, warnings and precompiled LibTorch headers; every Amend target calls this after
# its sources are listed.
function(amend_target_defaults target)
  _amend_compile_settings(${target})
  amend_precompile_torch_headers(${target})
endfunction()

# amend_library(NAME SOURCES ... DEPS ...): a static library rooted at the source tree, so headers
# are included as "core/mlp/architecture.h".
function(amend_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  amend_target_defaults(${name})
endfunction()

# amend_test(NAME SOURCES ... DEPS ... [LABELS ...] [FIXTURES ...] [COST SECONDS]): one GoogleTest
# binary registered with ctest; FIXTURES are ctest fixtures its tests require. COST, about what
# each of its tests takes, makes a parallel ctest start the long ones first: a clean checkout (CI)
# has no timings from an earlier run, and a long test started last runs alone while the other cores
# idle.
function(amend_test name)
  cmake_parse_arguments(ARG "" "COST" "SOURCES;DEPS;LABELS;FIXTURES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    AMEND_TEST_DATA_DIR="${AMEND_DEFAULT_DATA_DIR}"
    AMEND_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  amend_target_defaults(${name})
  set(labels fast)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  set(properties LABELS "${labels}")
  if(ARG_FIXTURES)
    list(APPEND properties FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  if(ARG_COST)
    list(APPEND properties COST ${ARG_COST})
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
endfunction()
