#include "core/editor/edit_cost.h"

#include <algorithm>

#include "core/mlp/parameter_layout.h"

namespace amend {

EditCost EstimateEditCost(const Architecture& architecture) {
  EditCost cost;
  cost.edges = CountWeights(architecture);
  cost.nodes = architecture.input_dim + architecture.num_classes;
  for (const HiddenLayer& layer : architecture.layers) {
    cost.nodes += layer.width;
  }
  cost.edit_bytes =
      kEditFixedBytes + kEditBytesPerEdge * cost.edges +
      kEditBytesPerChunkEdge * std::min(cost.edges, kEditEdgesPerChunk) +
      kEditBytesPerNode * cost.nodes;
  return cost;
}

}  // namespace amend
