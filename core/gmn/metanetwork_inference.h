// File: core/gmn/metanetwork_inference.h
//
// The metanetwork's forward pass for inference through the plain-array
// kernels of metanetwork_kernels.h: the same outputs as
// MetanetworkImpl::ForwardInChunks up to float rounding, several times faster
// (docs/BENCHMARKS.md, "Edit latency"). Editor::Edit() uses it whenever
// CanUseInferenceKernels() allows; training differentiates the module itself.
//
// Example:
//   if (CanUseInferenceKernels(*network)) {
//     std::optional<MetanetworkOutput> out =
//         InferenceForward(*network, batch, kEditEdgesPerChunk, stop);
//   }
//
// Thread-safe: reads the module's parameters, changes nothing.
#ifndef AMEND_CORE_GMN_METANETWORK_INFERENCE_H_
#define AMEND_CORE_GMN_METANETWORK_INFERENCE_H_

#include <cstdint>
#include <functional>
#include <optional>

#include "core/gmn/metanetwork.h"
#include "core/graph/graph_batch.h"

namespace amend {

// True when every tensor the kernels read is float32, contiguous and in CPU
// memory, and the module computes what the kernels do (eval mode, or no
// dropout). Cheap enough to ask per edit (no allocation per parameter). A
// network moved to another device or dtype runs through LibTorch instead.
bool CanUseInferenceKernels(const MetanetworkImpl& network);

// MetanetworkImpl::ForwardInChunks(batch, edges_per_check, stop) through the
// kernels: nullopt as soon as `stop` (checked after every `edges_per_check`
// edges of every layer; may be null) returns true. REQUIRES:
// CanUseInferenceKernels(network); the batch as forward() requires;
// edges_per_check >= 1.
std::optional<MetanetworkOutput> InferenceForward(
    const MetanetworkImpl& network, const GraphBatch& batch,
    int64_t edges_per_check, const std::function<bool()>& stop);

}  // namespace amend

#endif  // AMEND_CORE_GMN_METANETWORK_INFERENCE_H_
