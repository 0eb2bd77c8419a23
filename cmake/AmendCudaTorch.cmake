# AMEND_CUDA=ON: the LibTorch found (Torch_DIR) must be a CUDA build with the C++11 string ABI,
# or configuring stops here, naming what is wrong; a build that says "CUDA" and runs on the CPU
# is what this refuses to make. No CUDA code of ours is compiled: LibTorch's operators run the
# metanetwork on the GPU (docs/OPERATIONS.md, "GPU").
if(NOT C10_CUDA_LIBRARY)
  message(FATAL_ERROR
    "AMEND_CUDA=ON, but the LibTorch found at ${Torch_DIR} has no CUDA (no c10_cuda library; "
    "Debian's libtorch-dev is CPU-only). Point Torch_DIR at a CUDA-enabled LibTorch's "
    "share/cmake/Torch, e.g. python3 -c 'import torch; print(torch.utils.cmake_prefix_path)'.")
endif()
# Debian's Abseil, gRPC and protobuf use the C++11 std::string; a LibTorch built with the old ABI
# would link and then crash on the first string crossing the boundary.
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
  message(FATAL_ERROR
    "AMEND_CUDA=ON: the LibTorch at ${Torch_DIR} uses the pre-C++11 string ABI "
    "(${TORCH_CXX_FLAGS}); use a cxx11-ABI LibTorch (PyTorch >= 2.7 wheels, or the "
    "'cxx11 ABI' LibTorch archive).")
endif()
# Nothing of ours references libtorch_cuda's symbols, so with --as-needed the linker would drop it
# and at::hasCUDA() would say false at run time.
find_library(AMEND_TORCH_CUDA_LIBRARY torch_cuda PATHS "${TORCH_INSTALL_PREFIX}/lib" NO_DEFAULT_PATH)
if(NOT AMEND_TORCH_CUDA_LIBRARY)
  message(FATAL_ERROR "AMEND_CUDA=ON: no libtorch_cuda under ${TORCH_INSTALL_PREFIX}/lib")
endif()
target_link_libraries(amend_torch INTERFACE
  "-Wl,--no-as-needed" "${AMEND_TORCH_CUDA_LIBRARY}" "-Wl,--as-needed")
message(STATUS "Amend: building against the CUDA LibTorch at ${TORCH_INSTALL_PREFIX}")
