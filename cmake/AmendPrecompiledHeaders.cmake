# Precompiled LibTorch headers. Parsing ATen costs 8 s per translation unit and torch/nn 11 s,
# about half of a clean build (docs/BENCHMARKS.md, "Clean build"); two precompiled headers, built
# once each, serve every target: "aten" (ATen, the CPU generator, at::parallel) and "nn" (those
# plus torch::nn modules). A target gets "nn" when one of its sources includes torch/ (directly
# or through a header of ours), "aten" when one includes ATen or c10, nothing otherwise; its
# sources that include no LibTorch header skip the precompiled header, which would only slow
# them down. The lists are read from the #include lines when the build is configured, so they
# never go stale.
#
# -DAMEND_PRECOMPILED_HEADERS=OFF turns this off (e.g. with ccache older than 4.0, or to check
# that every file includes what it uses). ccache caches these compiles only with
# CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime.

option(AMEND_PRECOMPILED_HEADERS "Precompile the LibTorch headers" ON)

set(_AMEND_PCH_ATEN_HEADERS <ATen/ATen.h> <ATen/CPUGeneratorImpl.h> <ATen/Parallel.h>)
set(_AMEND_PCH_NN_HEADERS ${_AMEND_PCH_ATEN_HEADERS} <torch/nn/module.h>
    <torch/nn/modules/linear.h> <torch/nn/modules/normalization.h>
    <torch/nn/modules/embedding.h> <torch/nn/modules/container/modulelist.h>)

# Sets ${out} to "nn", "aten" or "" for what LibTorch `file` includes, directly or through the
# project's own headers (memoised per file for the whole configure run).
function(_amend_torch_level file out)
  get_property(known GLOBAL PROPERTY "_AMEND_TORCH_LEVEL:${file}" SET)
  if(known)
    get_property(level GLOBAL PROPERTY "_AMEND_TORCH_LEVEL:${file}")
    set(${out} "${level}" PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "_AMEND_TORCH_LEVEL:${file}" "")  # guards include cycles
  set(level "")
  if(EXISTS "${file}")
    file(STRINGS "${file}" includes REGEX "^#include [<\"]")
    foreach(line IN LISTS includes)
      if(line MATCHES "^#include <torch/")
        set(level "nn")
        break()
      elseif(line MATCHES "^#include <(ATen|c10)/")
        set(level "aten")
      elseif(line MATCHES "^#include \"([^\"]+)\"")
        _amend_torch_level("${PROJECT_SOURCE_DIR}/${CMAKE_MATCH_1}" included)
        if(included STREQUAL "nn")
          set(level "nn")
          break()
        elseif(included STREQUAL "aten")
          set(level "aten")
        endif()
      endif()
    endforeach()
  endif()
  set_property(GLOBAL PROPERTY "_AMEND_TORCH_LEVEL:${file}" "${level}")
  set(${out} "${level}" PARENT_SCOPE)
endfunction()

# The object library that builds the precompiled header of `level`, created on first use.
function(_amend_pch_host level out)
  set(host amend_pch_${level})
  if(NOT TARGET ${host})
    set(source "${PROJECT_BINARY_DIR}/pch/${level}.cc")
    file(WRITE "${source}" "// Builds the precompiled LibTorch headers (cmake/AmendPrecompiledHeaders.cmake).\n")
    add_library(${host} OBJECT "${source}")
    target_link_libraries(${host} PRIVATE amend_torch)
    _amend_compile_settings(${host})
    if(level STREQUAL "nn")
      target_precompile_headers(${host} PRIVATE ${_AMEND_PCH_NN_HEADERS})
    else()
      target_precompile_headers(${host} PRIVATE ${_AMEND_PCH_ATEN_HEADERS})
    endif()
  endif()
  set(${out} ${host} PARENT_SCOPE)
endfunction()

# Gives `target` the precompiled header its sources need (see the top of this file). Call from
# the directory that created the target: source paths are relative to it.
function(amend_precompile_torch_headers target)
  if(NOT AMEND_PRECOMPILED_HEADERS OR NOT TARGET amend_torch)
    return()
  endif()
  get_target_property(sources ${target} SOURCES)
  set(target_level "")
  set(plain_sources "")
  foreach(source IN LISTS sources)
    get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    _amend_torch_level("${path}" level)
    if(level STREQUAL "")
      list(APPEND plain_sources "${source}")
    elseif(level STREQUAL "nn" OR target_level STREQUAL "")
      set(target_level "${level}")  # "nn" wins over "aten"
    endif()
  endforeach()
  if(target_level STREQUAL "")
    return()
  endif()
  _amend_pch_host(${target_level} host)
  target_precompile_headers(${target} REUSE_FROM ${host})
  # A precompiled header built with other flags is ignored silently, and the build is slow again.
  target_compile_options(${target} PRIVATE -Winvalid-pch)
  if(plain_sources)
    set_source_files_properties(${plain_sources} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
  endif()
endfunction()
