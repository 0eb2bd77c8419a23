// File: core/gmn/metanetwork.h
//
// The editor's metanetwork: encoders, a stack of bidirectional layers and the
// edit heads (paper §3, docs/ARCHITECTURE.md §4, ../shared/research/method.md
// §4-§9). It reads a batch of parameter graphs and returns, per edge, a weight
// residual and a mask logit and, per node, residuals for bias, norm weight and
// norm bias and a mask logit. Residuals are already scaled by the learnable
// per-layer γ, so an edited parameter is old + residual.
//
// Node states start as Linear(node features) + embedding(node type) +
// embedding(function); edge states as Linear(weight) + embedding(edge kind).
// Type ids follow parameter_graph.h, so the editor is bound to one task's
// input and class counts and supports models up to max_hidden_layers deep.
//
// γ is indexed by the layer an edited parameter belongs to (hidden layer k, or
// the head) and by the parameter's kind (layer, skip or head weight; bias,
// norm weight, norm bias), initialised to residual_scale_init. Mask-logit
// outputs start at mask_logit_init (> 0: start by keeping everything).
//
// Example:
//   Metanetwork editor(/*input_dim=*/14, /*num_classes=*/2, {});
//   MetanetworkOutput out = editor(BatchGraphs({&graph}));
//
// Thread-compatible (a LibTorch module).
#ifndef AMEND_CORE_GMN_METANETWORK_H_
#define AMEND_CORE_GMN_METANETWORK_H_

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include <functional>
#include <optional>

#include "core/gmn/bidirectional_layer.h"
#include "core/gmn/metanetwork_options.h"
#include "core/gmn/mlp_block.h"
#include "core/graph/graph_batch.h"

namespace amend {

// Columns of MetanetworkOutput::node_delta.
enum NodeDelta : int64_t {
  kDeltaBias = 0,
  kDeltaNormWeight = 1,
  kDeltaNormBias = 2,
  kNodeDeltaCount = 3,
};

struct MetanetworkOutput {
  at::Tensor edge_delta;       // [E] γ-scaled weight residual
  at::Tensor edge_mask_logit;  // [E]
  at::Tensor node_delta;       // [N, kNodeDeltaCount] γ-scaled residuals
  at::Tensor node_mask_logit;  // [N] (used on input nodes)
};

class MetanetworkImpl : public torch::nn::Module {
 public:
  // REQUIRES: ValidateMetanetworkOptions(options) is OK; input_dim >= 1 and
  // num_classes >= 2.
  MetanetworkImpl(int64_t input_dim, int64_t num_classes,
                  const MetanetworkOptions& options);

  // REQUIRES: every graph's architecture has input_dim inputs, num_classes
  // classes and at most options.max_hidden_layers hidden layers
  // (CheckSupports).
  MetanetworkOutput forward(const GraphBatch& batch);

  // Inference (under NoGradGuard): forward() computed over chunks of at most
  // `edges_per_chunk` edges, so a large graph's peak memory is its persistent
  // per-edge states, not every temporary of every edge; nullopt as soon as
  // `stop` (checked after every chunk of every layer; may be null) returns
  // true, so a cancelled edit frees its worker within one chunk.
  // REQUIRES: as forward(); edges_per_chunk >= 1.
  std::optional<MetanetworkOutput> ForwardInChunks(
      const GraphBatch& batch, int64_t edges_per_chunk,
      const std::function<bool()>& stop);

  // OK, or InvalidArgument naming the mismatch.
  absl::Status CheckSupports(const Architecture& architecture) const;

  // The γ group of every node: hidden layer k -> k, outputs -> 0, inputs -> 0
  // (input nodes carry no residual that is used).
  at::Tensor NodeLayerGroup(const at::Tensor& node_type) const;

  int64_t input_dim;
  int64_t num_classes;
  MetanetworkOptions options;
  torch::nn::Linear node_features_encoder{nullptr},
      edge_weight_encoder{nullptr};
  torch::nn::Embedding node_type_embedding{nullptr};
  torch::nn::Embedding node_function_embedding{nullptr};
  torch::nn::Embedding edge_kind_embedding{nullptr};
  torch::nn::ModuleList layers{nullptr};
  MlpBlock edge_head{nullptr}, node_head{nullptr};
  at::Tensor edge_scale;  // [max_hidden_layers + 1, kEdgeKindCount]
  at::Tensor node_scale;  // [max_hidden_layers + 1, kNodeDeltaCount]
};
TORCH_MODULE(Metanetwork);

}  // namespace amend

#endif  // AMEND_CORE_GMN_METANETWORK_H_
