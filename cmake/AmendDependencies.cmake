# The six packages of the product, all from Debian 12, plus header-only helpers.
find_package(Threads REQUIRED)
find_package(absl REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
# libcrypto for SHA-256 (core/util/sha256.h).
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)

# Debian's TorchConfig.cmake exports `torch` plus include dirs through variables; wrap it in one
# interface target so consumers link a target and inherit nothing global.
find_package(Torch REQUIRED)
if(NOT TARGET amend_torch)
  add_library(amend_torch INTERFACE)
  target_link_libraries(amend_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(amend_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  if(AMEND_CUDA)
    include(AmendCudaTorch)
  endif()
endif()

# gRPC and Protocol Buffers for the wire contract, prometheus-cpp for metrics.
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
# The ONNX protobuf schema (libonnx-dev, ONNX 1.12) for `amend export --onnx`; its onnx_proto target
# links the protobuf above.
find_package(ONNX 1.12 CONFIG REQUIRED)

if(AMEND_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(AMEND_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
