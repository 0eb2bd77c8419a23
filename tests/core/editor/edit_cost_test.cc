// The cost estimate against what edits really allocate, counted by wrapping
// LibTorch's CPU allocator, and the graph sizes against a hand count.
#include "core/editor/edit_cost.h"

#include <ATen/ATen.h>

#include "core/editor/editor.h"
#include "core/mlp/parameter_layout.h"
#include "core/testing/editor_fixtures.h"
#include "gtest/gtest.h"
#include "tests/testing/tensor_memory.h"

namespace amend {
namespace {

using testing::AdultArchitecture;

Architecture Adult(std::vector<int64_t> widths, Norm norm = Norm::kNone) {
  return AdultArchitecture(widths, Activation::kRelu, norm);
}

std::unique_ptr<Editor> DefaultEditor() {
  return testing::DefaultAdultEditor();  // the default shape, d 32, T 3
}

TEST(EditCostTest, CountsOneEdgePerWeightAndOneNodePerNeuron) {
  Architecture a = Adult({16, 8});
  a.layers[1].skip_from = {0};  // 14 inputs straight into layer 2
  const EditCost cost = EstimateEditCost(a);
  EXPECT_EQ(cost.edges, 14 * 16 + 16 * 8 + 14 * 8 + 8 * 2);
  EXPECT_EQ(cost.nodes, 14 + 16 + 8 + 2);
  EXPECT_EQ(cost.edit_bytes,
            kEditFixedBytes +
                (kEditBytesPerEdge + kEditBytesPerChunkEdge) * cost.edges +
                kEditBytesPerNode * cost.nodes);  // less than one chunk
}

// Bytes of LibTorch tensors an edit of `a` holds at its peak, beyond what
// was held before. Through LibTorch's operators, the path with the larger
// peak and the one whose memory is all tensors: the inference kernels hold
// their states in std::vector, which bench/edit_memory measures as resident
// memory (docs/BENCHMARKS.md, "Edit memory").
int64_t EditPeakBytes(const Editor& editor, const Architecture& a) {
  testing::TensorMemory& memory = testing::TensorMemory::Install();
  const Mlp mlp = InitializeMlp(a, 1).value();
  memory.Reset();
  {
    const absl::StatusOr<std::vector<EditResult>> edited =
        editor.Edit({&mlp}, nullptr, ForwardPath::kLibTorch);
    EXPECT_TRUE(edited.ok()) << edited.status();
  }
  return memory.peak_bytes() - memory.start_bytes();
}

TEST(EditCostTest, TheEstimateCoversWhatEditsAllocate) {
  const std::unique_ptr<Editor> editor = DefaultEditor();
  // From a zoo-sized model to one of several chunks, deep and wide, with and
  // without norms (norms add node features, not edges).
  for (const Architecture& a :
       {Adult({32, 64}), Adult({64, 64, 64}, Norm::kBatchNorm),
        Adult({512, 64}), Adult({256, 256, 256}, Norm::kLayerNorm)}) {
    SCOPED_TRACE(DescribeArchitecture(a));
    const int64_t peak = EditPeakBytes(*editor, a);
    EXPECT_GT(peak, 0);
    EXPECT_LE(peak, EstimateEditCost(a).edit_bytes);
  }
}

TEST(EditCostTest, BeyondOneChunkEachEdgeCostsOnlyItsStates) {
  // Chunking keeps the temporaries of one chunk, so memory grows with the
  // edges by what each edge keeps for the whole pass: the slope between two
  // sizes of several chunks each stays within kEditBytesPerEdge (whole-graph
  // temporaries made it about 1.5 KiB per edge).
  const std::unique_ptr<Editor> editor = DefaultEditor();
  const Architecture small = Adult({384, 96});   // 42,432 weights
  const Architecture large = Adult({768, 192});  // 158,592 weights
  const int64_t slope =
      (EditPeakBytes(*editor, large) - EditPeakBytes(*editor, small)) /
      (CountWeights(large) - CountWeights(small));
  EXPECT_GT(slope, 0);
  EXPECT_LE(slope, kEditBytesPerEdge);
}

}  // namespace
}  // namespace amend
