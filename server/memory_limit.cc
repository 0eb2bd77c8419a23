#include "server/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace amend::server {
namespace {

// A cgroup limit file's value; 0 for "max", a missing file or garbage.
int64_t CgroupLimit(const char* path) {
  std::ifstream file(path);
  std::string text;
  if (!(file >> text) || text == "max") return 0;
  try {
    return std::stoll(text);
  } catch (...) {
    return 0;
  }
}

}  // namespace

int64_t MemoryLimitBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  int64_t limit =
      pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : 0;
  for (const char* path : {"/sys/fs/cgroup/memory.max",
                           "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const int64_t cgroup = CgroupLimit(path);
    // cgroup v1 reports "no limit" as a huge number, above the machine's.
    if (cgroup > 0 && (limit == 0 || cgroup < limit)) limit = cgroup;
  }
  return limit;
}

}  // namespace amend::server
