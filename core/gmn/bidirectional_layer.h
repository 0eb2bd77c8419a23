// File: core/gmn/bidirectional_layer.h
//
// One layer of the bidirectional message-passing metanetwork (ScaleGMN's
// permutation-only variant, ../shared/research/method.md §3), on a batch of
// parameter graphs (graph_batch.h). With node states H [N, d], edge states Z
// [E, d], the initial edge states Z0 [E, d] and edges (src -> dst):
//   forward messages   M_fw[v] = sum over edges k into v   of
//                                phi_fw([Z_k  | H[src_k]])
//   backward messages  M_bw[u] = sum over edges k out of u of
//                                phi_bw([Z0_k | H[dst_k]])
//   edge update        Z'_k    = Z_k + psi([Z_k | H[src_k] | H[dst_k]])
//   node update        H'      = S H + rho([H | M_fw | M_bw])
//                                (S: linear, no bias)
// with phi, psi, rho MlpBlocks. Sums over neighbours make the layer equivariant
// to any permutation of nodes that maps the graph onto itself; with the type
// encodings of parameter_graph.h that is exactly the hidden-neuron permutations
// of each layer.
//
// Example:
//   BidirectionalLayer layer(BidirectionalLayerOptions(/*hidden=*/32));
//   auto [h, z] = layer(h0, z0, z0, batch.edge_index);
//
// Thread-compatible (a LibTorch module).
#ifndef AMEND_CORE_GMN_BIDIRECTIONAL_LAYER_H_
#define AMEND_CORE_GMN_BIDIRECTIONAL_LAYER_H_

#include <functional>
#include <optional>
#include <utility>

#include "core/gmn/mlp_block.h"

namespace amend {

struct BidirectionalLayerOptions {
  explicit BidirectionalLayerOptions(int64_t hidden) : hidden_(hidden) {}
  // Width d of node and edge states.
  TORCH_ARG(int64_t, hidden);
  // Dropout inside the blocks and on the node states, training mode only.
  // Default 0.
  TORCH_ARG(double, dropout) = 0.0;
};

class BidirectionalLayerImpl : public torch::nn::Module {
 public:
  explicit BidirectionalLayerImpl(const BidirectionalLayerOptions& options);

  // nodes [N, d], edges [E, d], initial_edges [E, d], edge_index [2, E] int64.
  // Returns the updated (nodes [N, d], edges [E, d]).
  std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& nodes,
                                            const at::Tensor& edges,
                                            const at::Tensor& initial_edges,
                                            const at::Tensor& edge_index);

  // The same maths over edge chunks of at most `edges_per_chunk` edges, so
  // that the per-edge temporaries of a large graph (the message and update
  // blocks' activations, several [E, d] each) never exist for every edge at
  // once; nullopt as soon as `stop` (checked after each chunk; may be null)
  // returns true. Only without autograd (NoGradGuard): REQUIRES
  // edges_per_chunk >= 1.
  std::optional<std::pair<at::Tensor, at::Tensor>> ForwardInChunks(
      const at::Tensor& nodes, const at::Tensor& edges,
      const at::Tensor& initial_edges, const at::Tensor& edge_index,
      int64_t edges_per_chunk, const std::function<bool()>& stop);

  BidirectionalLayerOptions options;
  MlpBlock forward_message{nullptr}, backward_message{nullptr};
  MlpBlock edge_update{nullptr}, node_update{nullptr};
  torch::nn::Linear node_skip{nullptr};
};
TORCH_MODULE(BidirectionalLayer);

}  // namespace amend

#endif  // AMEND_CORE_GMN_BIDIRECTIONAL_LAYER_H_
