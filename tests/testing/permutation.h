// File: tests/testing/permutation.h
//
// Hidden-neuron permutations of an MLP, the symmetry the editor must respect:
// permuting the neurons of a hidden layer (its rows, and the columns of every
// matrix that reads it) leaves the function unchanged and maps the parameter
// graph onto itself.
//
// Thread-safe.
#ifndef AMEND_TESTS_TESTING_PERMUTATION_H_
#define AMEND_TESTS_TESTING_PERMUTATION_H_

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "core/graph/parameter_graph.h"
#include "core/mlp/mlp.h"
#include "core/mlp/parameter_layout.h"

namespace amend::testing {

// pi[k - 1][new position] = old neuron of hidden layer k.
using HiddenPermutation = std::vector<std::vector<int64_t>>;

inline Mlp PermuteHiddenNeurons(const Mlp& mlp, const HiddenPermutation& pi) {
  Mlp permuted = mlp;
  const int last = mlp.architecture.num_hidden();
  for (int k = 1; k <= last; ++k) {
    const at::Tensor p = at::tensor(pi[static_cast<size_t>(k - 1)], at::kLong);
    for (auto& [name, tensor] : permuted.parameters) {
      if (name.rfind("layers." + std::to_string(k) + ".", 0) == 0) {
        tensor = tensor.index_select(0, p);  // the layer's own neurons
      }
      const bool reads_layer =
          name == LayerWeightName(k + 1) ||
          (k == last && name == kHeadWeightName) ||
          name.find(".skip." + std::to_string(k) + ".") != std::string::npos;
      if (reads_layer) tensor = tensor.index_select(1, p);
    }
  }
  return permuted;
}

// Node n of the original graph is node result[n] of the permuted model's graph.
inline std::vector<int64_t> NodePermutation(const ParameterGraph& graph,
                                            const HiddenPermutation& pi) {
  std::vector<int64_t> to_new(static_cast<size_t>(graph.num_nodes));
  for (int64_t n = 0; n < graph.num_nodes; ++n)
    to_new[static_cast<size_t>(n)] = n;
  for (size_t k = 1; k <= pi.size(); ++k) {
    const int64_t base = graph.layer_node_offset[k];
    for (size_t position = 0; position < pi[k - 1].size(); ++position) {
      to_new[static_cast<size_t>(base + pi[k - 1][position])] =
          base + static_cast<int64_t>(position);
    }
  }
  return to_new;
}

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_PERMUTATION_H_
