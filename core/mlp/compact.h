// File: core/mlp/compact.h
//
// Compaction: the smaller dense MLP that computes what a pruned one does.
// Unstructured masks make no model faster (docs/BENCHMARKS.md, "Compaction");
// removing whole neurons does. A hidden neuron goes when
//   - its outgoing weights (the next layer's column, every skip's column, the
//     head's column) are all zero: it cannot reach the logits; or
//   - its incoming weights (its row of the layer weight and of every skip) are
//     all zero: it outputs the constant act(norm(b)), which is folded into the
//     bias of every layer that reads it (exact: bias and weight enter the same
//     sum), after which nothing reads it.
// Neurons of a LayerNorm layer stay: the norm mixes a layer's neurons, so
// removing one changes the others. Batchnorm (eval, running statistics) is per
// neuron. The inputs stay (the model's interface is input_dim features), and a
// layer keeps at least one neuron so the architecture stays valid. Masks are
// dropped: a masked weight is exactly zero, and compaction reads the zeros.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(CompactedMlp compact, CompactMlp(edited));
//   // compact.mlp computes edited's logits on every input, to float rounding
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_MLP_COMPACT_H_
#define AMEND_CORE_MLP_COMPACT_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/mlp.h"

namespace amend {

struct CompactionReport {
  std::vector<int64_t> widths_before;   // per hidden layer
  std::vector<int64_t> widths_after;    // per hidden layer
  int64_t constant_neurons_folded = 0;  // removed by the incoming rule
  int64_t parameters_before = 0;
  int64_t parameters_after = 0;
  // Nonzero weights of the model before compaction (CountNonzeroWeights).
  // The compact model has fewer when a removed neuron still had nonzero
  // weights on its other side (they computed nothing that was read).
  int64_t nonzero_weights = 0;
};

struct CompactedMlp {
  Mlp mlp;  // no masks
  CompactionReport report;
};

// Nonzero entries of the layer, skip and head weights (what pruning keeps,
// with or without masks). REQUIRES: the parameters match the architecture.
int64_t CountNonzeroWeights(const Mlp& mlp);

// InvalidArgument naming the tensor when `mlp`'s parameters do not match its
// architecture (ValidateParameters).
absl::StatusOr<CompactedMlp> CompactMlp(const Mlp& mlp);

}  // namespace amend

#endif  // AMEND_CORE_MLP_COMPACT_H_
