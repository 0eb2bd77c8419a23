// File: core/editor/edit_cost.h
//
// What one edit costs before it runs, from the architecture alone: the
// parameter graph's size and the peak memory Editor::Edit() needs for it
// (default editor shape d = 32, T = 3). The server refuses an edit whose cost
// exceeds its per-request budget and admits edits against a server-wide
// memory budget with it (docs/OPERATIONS.md).
//
// The bytes are a fit to measurements, not a bound proved from the code:
// scripts/edit_memory.sh measures the peak resident-set growth of edits from
// 10^4 to 10^6 weights (bench/edit_memory.cc) and prints the estimate beside
// each, and edit_cost_test checks that the estimate stays above what the
// edits of a few sizes allocate.
//
// Example:
//   const EditCost cost = EstimateEditCost(mlp.architecture);
//   if (cost.edit_bytes > budget) return absl::ResourceExhaustedError(...);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EDITOR_EDIT_COST_H_
#define AMEND_CORE_EDITOR_EDIT_COST_H_

#include <cstdint>

#include "core/mlp/architecture.h"

namespace amend {

// Edges per chunk of Editor::Edit()'s forward pass: how long a cancelled edit
// keeps computing (one chunk), and, through LibTorch's operators, the per-edge
// temporaries (about 22 MiB). The inference kernels hold only 256 edges'
// temporaries whatever this is.
inline constexpr int64_t kEditEdgesPerChunk = 16384;

// Peak bytes of Editor::Edit() through LibTorch's operators (the inference
// kernels need less: 189 against 464 B per weight at 1M weights), measured as
// resident-set growth with
// bench/edit_memory (docs/OPERATIONS.md, "Memory"): each edge keeps its
// states (initial, current and next, d floats each) and graph data for the
// whole pass, about 475 bytes; the temporaries of one chunk of edges
// (kEditEdgesPerChunk) add about 1.3 KiB per edge of the chunk, whatever the
// model's size; neurons and a fixed part add little. Rounded up.
inline constexpr int64_t kEditBytesPerEdge = 512;
inline constexpr int64_t kEditBytesPerChunkEdge = 1408;
inline constexpr int64_t kEditBytesPerNode = 4096;
inline constexpr int64_t kEditFixedBytes = 4 << 20;

struct EditCost {
  int64_t edges = 0;       // weights: one graph edge each
  int64_t nodes = 0;       // neurons: inputs, hidden, outputs
  int64_t edit_bytes = 0;  // estimated peak memory of editing one such model
};

// REQUIRES: ValidateArchitecture(architecture) is OK (counts cannot
// overflow).
EditCost EstimateEditCost(const Architecture& architecture);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_EDIT_COST_H_
