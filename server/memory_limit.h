// File: server/memory_limit.h
//
// The memory this process may use: the machine's physical memory, or the
// container's limit when cgroups set a smaller one (Kubernetes' limits.memory
// arrives as cgroup v2 memory.max or v1 memory.limit_in_bytes). The server
// derives its default memory budget from it.
//
// Example:
//   const int64_t budget = MemoryLimitBytes() / 4 * 3;
//
// Thread-safe.
#ifndef AMEND_SERVER_MEMORY_LIMIT_H_
#define AMEND_SERVER_MEMORY_LIMIT_H_

#include <cstdint>

namespace amend::server {

// Bytes; 0 when neither the machine nor a cgroup says.
int64_t MemoryLimitBytes();

}  // namespace amend::server

#endif  // AMEND_SERVER_MEMORY_LIMIT_H_
