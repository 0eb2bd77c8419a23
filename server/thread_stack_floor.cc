// Why this file exists: prometheus-cpp serves /metrics with civetweb, and
// Debian's civetweb 1.15 creates its threads with a fixed 100 KiB stack
// (pthread_attr_setstacksize(102400)). glibc places a thread's static TLS at
// the top of its stack, and this process's static TLS is about 100 KiB
// (OpenBLAS 60 KiB, glog 30 KiB, LibTorch 10 KiB), so pthread_create fails
// with EINVAL and the exposer cannot start ("Cannot create threads").
//
// civetweb has no option for its stack size, so amend-server interposes
// pthread_attr_setstacksize: requests below 1 MiB are raised to 1 MiB, larger
// ones pass through unchanged. The executable exports the symbol
// (server/CMakeLists.txt), so civetweb's call binds here instead of glibc.
#include <dlfcn.h>
#include <pthread.h>

#include <cstddef>

namespace {

constexpr size_t kMinimumStackBytes = size_t{1} << 20;

using SetStackSize = int (*)(pthread_attr_t*, size_t);

SetStackSize GlibcSetStackSize() {
  static const SetStackSize next = reinterpret_cast<SetStackSize>(
      dlsym(RTLD_NEXT, "pthread_attr_setstacksize"));
  return next;
}

}  // namespace

extern "C" int pthread_attr_setstacksize(pthread_attr_t* attributes,
                                         size_t stack_bytes) {
  return GlibcSetStackSize()(attributes, stack_bytes < kMinimumStackBytes
                                             ? kMinimumStackBytes
                                             : stack_bytes);
}

namespace amend::server {
// Referenced from amend_server.cc so the linker keeps this object.
int ThreadStackFloorLinked() { return 1; }
}  // namespace amend::server
