# ThreadSanitizer only sees a lock hand-off inside instrumented code, and Debian's Abseil is not
# instrumented: every access made under an absl::Mutex (ours and gRPC's, whose gpr_mu is one) looked
# like a race. Under -DAMEND_SANITIZE=thread, Abseil's synchronization sources, from the Debian
# source package of the installed version (scripts/packages.sh: amend_abseil_source), are compiled
# with -fsanitize=thread against the installed headers and linked whole into every executable.
# The executable's definitions of absl::Mutex, CondVar, Notification and the SpinLock and
# LowLevelAlloc beneath them then take precedence over
# libabsl_synchronization.so's for every caller, gRPC included (ELF symbol interposition), and carry
# Abseil's own TSan annotations.
set(AMEND_ABSEIL_SOURCE_DIR "" CACHE PATH
    "Abseil source tree of the installed version (for -DAMEND_SANITIZE=thread)")

if(AMEND_SANITIZE STREQUAL "thread")
  set(_sync "${AMEND_ABSEIL_SOURCE_DIR}/absl/synchronization")
  if(NOT EXISTS "${_sync}/mutex.cc")
    message(FATAL_ERROR
      "AMEND_SANITIZE=thread needs AMEND_ABSEIL_SOURCE_DIR, the Abseil ${absl_VERSION} source "
      "tree (found no ${_sync}/mutex.cc); AMEND_SANITIZE=thread scripts/test.sh fetches it "
      "with apt-get source")
  endif()
  add_library(amend_tsan_absl_synchronization STATIC
    ${_sync}/barrier.cc
    ${_sync}/blocking_counter.cc
    ${_sync}/mutex.cc
    ${_sync}/notification.cc
    ${_sync}/internal/create_thread_identity.cc
    ${_sync}/internal/graphcycles.cc
    ${_sync}/internal/per_thread_sem.cc
    ${_sync}/internal/waiter.cc
    # Thread identities come from LowLevelAlloc under a SpinLock whose annotations are inline:
    # uninstrumented, two threads' identities looked like one racing allocation.
    ${AMEND_ABSEIL_SOURCE_DIR}/absl/base/internal/low_level_alloc.cc
    ${AMEND_ABSEIL_SOURCE_DIR}/absl/base/internal/spinlock.cc)
  # The installed headers, not the tree's: Debian configures Abseil's options (inline namespace,
  # absl::optional as its own type) in its copy of absl/base/options.h, and the layout must match.
  target_link_libraries(amend_tsan_absl_synchronization PUBLIC absl::base)
  target_compile_features(amend_tsan_absl_synchronization PRIVATE cxx_std_20)
  target_compile_options(amend_tsan_absl_synchronization PRIVATE
    -fsanitize=thread -fno-omit-frame-pointer -g1 -pthread -w)
  set_target_properties(amend_tsan_absl_synchronization PROPERTIES POSITION_INDEPENDENT_CODE ON)
endif()

# Links the instrumented synchronization into an executable under TSan; a no-op otherwise.
function(amend_link_tsan_abseil target)
  if(AMEND_SANITIZE STREQUAL "thread")
    target_link_libraries(${target} PRIVATE
      "$<LINK_LIBRARY:WHOLE_ARCHIVE,amend_tsan_absl_synchronization>")
  endif()
endfunction()
