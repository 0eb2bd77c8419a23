#include "core/baselines/neuron_pruning.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/status_macros.h"
#include "core/util/torch_boundary.h"

namespace amend {
namespace {

// Each edge's state in the greedy removal, in graph edge order.
struct EdgeState {
  std::vector<int64_t> source, destination;
  std::vector<double> weight;
  std::vector<char> alive;  // not masked before, and both ends still kept
};

EdgeState ReadEdges(const Mlp& mlp, const ParameterGraph& graph) {
  EdgeState edges;
  const int64_t count = graph.num_edges;
  const at::Tensor index = graph.edge_index.contiguous();
  const int64_t* rows = index.data_ptr<int64_t>();
  edges.source.assign(rows, rows + count);
  edges.destination.assign(rows + count, rows + 2 * count);
  const at::Tensor weights = graph.edge_weight.to(at::kDouble).contiguous();
  edges.weight.assign(weights.data_ptr<double>(),
                      weights.data_ptr<double>() + count);
  edges.alive.assign(count, 1);
  for (const ParameterGraph::WeightSlot& slot : graph.weight_slots) {
    auto mask = mlp.masks.find(MaskName(slot.spec.name));
    if (mask == mlp.masks.end()) continue;
    const at::Tensor values =
        mask->second.detach().to(at::kFloat).contiguous().reshape(-1);
    const float* data = values.data_ptr<float>();
    for (int64_t i = 0; i < values.numel(); ++i) {
      if (data[i] == 0.0f) edges.alive[slot.edge_offset + i] = 0;
    }
  }
  return edges;
}

}  // namespace

absl::StatusOr<Mlp> NeuronMagnitudePrune(const Mlp& mlp,
                                         int64_t min_weights_kept) {
  AMEND_RETURN_IF_ERROR(ValidateParameters(mlp.architecture, mlp.parameters));
  AMEND_RETURN_IF_ERROR(ValidateMasks(mlp.architecture, mlp.masks));
  const int64_t total = CountWeights(mlp.architecture);
  if (min_weights_kept < 0 || min_weights_kept > total) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_weights_kept: must be in [0, ", total, "], got ",
                     min_weights_kept));
  }
  AMEND_ASSIGN_OR_RETURN(const ParameterGraph graph, BuildParameterGraph(mlp));
  return CallTorch("pruning neurons", [&]() -> absl::StatusOr<Mlp> {
    EdgeState edges = ReadEdges(mlp, graph);
    const int64_t nodes = graph.num_nodes;
    std::vector<double> in_square(nodes, 0.0), out_square(nodes, 0.0);
    std::vector<std::vector<int64_t>> incident(nodes);
    int64_t alive_count = 0;
    for (size_t e = 0; e < edges.alive.size(); ++e) {
      incident[edges.source[e]].push_back(e);
      incident[edges.destination[e]].push_back(e);
      if (!edges.alive[e]) continue;
      ++alive_count;
      const double square = edges.weight[e] * edges.weight[e];
      out_square[edges.source[e]] += square;
      in_square[edges.destination[e]] += square;
    }
    // Hidden neurons: groups 1..L of layer_node_offset (0 inputs, L+1
    // outputs), with each neuron's layer.
    const std::vector<int64_t>& offset = graph.layer_node_offset;
    const int64_t layers = static_cast<int64_t>(offset.size()) - 3;
    std::vector<int64_t> hidden, layer_of(nodes, -1), layer_kept(layers);
    for (int64_t layer = 0; layer < layers; ++layer) {
      layer_kept[layer] = offset[layer + 2] - offset[layer + 1];
      for (int64_t v = offset[layer + 1]; v < offset[layer + 2]; ++v) {
        hidden.push_back(v);
        layer_of[v] = layer;
      }
    }
    std::vector<double> score(nodes, 0.0);
    for (const int64_t v : hidden) {
      score[v] = std::sqrt(in_square[v]) * std::sqrt(out_square[v]);
    }
    std::stable_sort(hidden.begin(), hidden.end(),
                     [&](int64_t a, int64_t b) { return score[a] < score[b]; });
    for (const int64_t v : hidden) {
      if (layer_kept[layer_of[v]] == 1) continue;
      int64_t lost = 0;
      for (const int64_t e : incident[v]) lost += edges.alive[e];
      if (alive_count - lost < min_weights_kept) continue;
      for (const int64_t e : incident[v]) edges.alive[e] = 0;
      alive_count -= lost;
      --layer_kept[layer_of[v]];
    }

    Mlp pruned = mlp;
    for (const ParameterGraph::WeightSlot& slot : graph.weight_slots) {
      at::Tensor mask = at::empty(slot.spec.shape, at::kFloat);
      float* data = mask.data_ptr<float>();
      for (int64_t i = 0; i < mask.numel(); ++i) {
        data[i] = edges.alive[slot.edge_offset + i] ? 1.0f : 0.0f;
      }
      const at::Tensor& weight = mlp.parameters.at(slot.spec.name);
      pruned.parameters[slot.spec.name] = weight * mask.to(weight.dtype());
      pruned.masks[MaskName(slot.spec.name)] = mask;
    }
    return pruned;
  });
}

}  // namespace amend
