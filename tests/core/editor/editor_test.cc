// The editor's edit: equivariance to hidden-neuron permutations, what masks do
// to the edited function, batching, and the statistics.
#include "core/editor/editor.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include "absl/strings/str_cat.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/permutation.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

Architecture TestArchitecture() {
  Architecture a;
  a.input_dim = 4;
  a.num_classes = 2;
  a.layers = {{5, Activation::kRelu, Norm::kLayerNorm, 0.0, {}},
              {6, Activation::kTanh, Norm::kNone, 0.0, {0}},
              {3, Activation::kGelu, Norm::kBatchNorm, 0.0, {0, 1}}};
  return a;
}

Mlp TestMlp(uint64_t seed) {
  Mlp mlp = InitializeMlp(TestArchitecture(), seed).value();
  // Non-trivial norm parameters and running statistics, so that every node
  // feature matters.
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed + 100);
  for (auto& [name, tensor] : mlp.parameters) {
    if (name.find("norm.") != std::string::npos) {
      tensor = tensor + 0.1 * at::randn(tensor.sizes(), g);
      if (name.find("running_var") != std::string::npos) tensor = tensor.abs();
    }
  }
  return mlp;
}

// An editor whose edits are large and whose masks are mixed, so the tests can
// see them: γ = 1 and mask logits centred at 0.
std::unique_ptr<Editor> TestEditor(
    Requirement requirement,
    EditVariant variant = EditVariant::kWeightsAndMasks, uint64_t seed = 3) {
  EditorConfig config;
  config.task = "test";
  config.feature_names = {"a", "b", "c", "d"};
  config.class_names = {"no", "yes"};
  config.requirement = requirement;
  config.variant = variant;
  config.lambda = 0.1;
  config.network.hidden = 16;
  config.network.layers = 2;
  config.network.residual_scale_init = 1.0;
  config.network.mask_logit_init = 0.0;
  return Editor::Create(config, seed).value();
}

at::Tensor Inputs(int64_t rows, uint64_t seed) {
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randn({rows, 4}, g);
}

at::Tensor EditedLogits(const Mlp& edited, const at::Tensor& x) {
  return Logits(edited.architecture, edited.parameters, x).value();
}

TEST(EditorTest, PermutingHiddenNeuronsPermutesTheEditAndKeepsItsFunction) {
  const Mlp mlp = TestMlp(1);
  const testing::HiddenPermutation pi = {
      {3, 0, 4, 1, 2}, {5, 2, 0, 1, 4, 3}, {2, 0, 1}};
  const Mlp permuted = testing::PermuteHiddenNeurons(mlp, pi);
  for (Requirement requirement : kAllRequirements) {
    SCOPED_TRACE(RequirementName(requirement));
    const auto editor = TestEditor(requirement);
    const EditResult a = editor->Edit({&mlp}).value()[0];
    const EditResult b = editor->Edit({&permuted}).value()[0];
    // The edit of the permuted model is the permuted edit...
    const Mlp expected = testing::PermuteHiddenNeurons(a.edited, pi);
    for (const auto& [name, tensor] : expected.parameters) {
      EXPECT_TRUE(
          at::allclose(b.edited.parameters.at(name), tensor, 1e-5, 1e-5))
          << name;
    }
    // ...with the masks permuted alongside (masks are mask.<weight>, so apply
    // the same permutation through a model whose parameters are the masks).
    if (requirement == Requirement::kPruning) {
      Mlp masks_a = a.edited, masks_b = b.edited;
      for (auto& [name, tensor] : masks_a.parameters) {
        auto mask = a.edited.masks.find(MaskName(name));
        if (mask != a.edited.masks.end()) tensor = mask->second;
      }
      for (auto& [name, tensor] : masks_b.parameters) {
        auto mask = b.edited.masks.find(MaskName(name));
        if (mask != b.edited.masks.end()) tensor = mask->second;
      }
      const Mlp permuted_masks = testing::PermuteHiddenNeurons(masks_a, pi);
      for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
        if (!IsWeightRole(spec.role)) continue;
        EXPECT_TRUE(at::equal(masks_b.parameters.at(spec.name),
                              permuted_masks.parameters.at(spec.name)))
            << spec.name;
      }
    }
    if (requirement == Requirement::kDataMinimisation) {
      EXPECT_TRUE(at::equal(a.edited.masks.at(kInputMaskName),
                            b.edited.masks.at(kInputMaskName)));
    }
    // ...so both edited models compute the same function.
    const at::Tensor x = Inputs(64, 5);
    EXPECT_TRUE(at::allclose(EditedLogits(a.edited, x),
                             EditedLogits(b.edited, x), 1e-4, 1e-5));
  }
}

TEST(EditorTest, TheEditChangesTheModel) {
  // Guards the other tests: with γ = 1 the edit is far from the identity.
  const Mlp mlp = TestMlp(2);
  const auto editor = TestEditor(Requirement::kFairness);
  const EditResult result = editor->Edit({&mlp}).value()[0];
  const at::Tensor x = Inputs(32, 6);
  EXPECT_GT((EditedLogits(result.edited, x) -
             Logits(mlp.architecture, mlp.parameters, x).value())
                .abs()
                .max()
                .item<float>(),
            1e-2);
  EXPECT_TRUE(result.edited.masks.empty());
}

TEST(EditorTest, AMaskedInputFeatureNoLongerChangesTheOutput) {
  // Find an editor and a model whose edit masks some features and keeps
  // others (an untrained editor's input logits are small and correlated).
  for (uint64_t seed = 1; seed < 50; ++seed) {
    const auto editor = TestEditor(Requirement::kDataMinimisation,
                                   EditVariant::kWeightsAndMasks, seed);
    const Mlp mlp = TestMlp(seed);
    const EditResult result = editor->Edit({&mlp}).value()[0];
    const at::Tensor mask = result.edited.masks.at(kInputMaskName);
    const int64_t kept = mask.sum().item<int64_t>();
    if (kept == 0 || kept == 4) continue;
    EXPECT_EQ(result.statistics.features_kept, kept);
    const at::Tensor x = Inputs(32, seed);
    const at::Tensor base = EditedLogits(result.edited, x);
    for (int64_t i = 0; i < 4; ++i) {
      at::Tensor moved = x.clone();
      moved.select(1, i).add_(3.0);
      const float change =
          (EditedLogits(result.edited, moved) - base).abs().max().item<float>();
      if (mask[i].item<float>() == 0.0f) {
        EXPECT_EQ(change, 0.0f) << "masked feature " << i;
      } else {
        EXPECT_GT(change, 1e-4f) << "kept feature " << i;
      }
    }
    return;
  }
  FAIL() << "no model with a mixed input mask";
}

TEST(EditorTest, PrunedWeightsAreExactlyZero) {
  const auto editor = TestEditor(Requirement::kPruning);
  const Mlp mlp = TestMlp(3);
  const EditResult result = editor->Edit({&mlp}).value()[0];
  int64_t pruned = 0, total = 0;
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    if (!IsWeightRole(spec.role)) continue;
    const at::Tensor mask = result.edited.masks.at(MaskName(spec.name));
    const at::Tensor weight = result.edited.parameters.at(spec.name);
    ASSERT_EQ(mask.sizes(), weight.sizes()) << spec.name;
    EXPECT_TRUE(at::logical_or(mask.eq(0), mask.eq(1)).all().item<bool>());
    EXPECT_TRUE(weight.masked_select(mask.eq(0)).eq(0).all().item<bool>());
    pruned += mask.eq(0).sum().item<int64_t>();
    total += mask.numel();
  }
  EXPECT_GT(pruned, 0);
  EXPECT_LT(pruned, total);
  EXPECT_EQ(result.statistics.weights_total, total);
  EXPECT_EQ(result.statistics.weights_kept, total - pruned);
}

TEST(EditorTest, MaskOnlyVariantKeepsUnmaskedWeightsAsTheyWere) {
  const auto editor =
      TestEditor(Requirement::kPruning, EditVariant::kMasksOnly);
  const Mlp mlp = TestMlp(4);
  const EditResult result = editor->Edit({&mlp}).value()[0];
  for (const auto& [name, original] : mlp.parameters) {
    const at::Tensor& edited = result.edited.parameters.at(name);
    auto mask = result.edited.masks.find(MaskName(name));
    const at::Tensor expected =
        mask == result.edited.masks.end() ? original : original * mask->second;
    EXPECT_TRUE(at::equal(edited, expected)) << name;
  }
}

TEST(EditorTest, EditingABatchEqualsEditingOneAtATime) {
  const auto editor = TestEditor(Requirement::kPruning);
  Architecture small;
  small.input_dim = 4;
  small.num_classes = 2;
  small.layers = {{7, Activation::kSilu, Norm::kNone, 0.0, {}}};
  const Mlp a = TestMlp(5);
  const Mlp b = InitializeMlp(small, 9).value();
  const std::vector<EditResult> together = editor->Edit({&a, &b}).value();
  const EditResult alone_a = editor->Edit({&a}).value()[0];
  const EditResult alone_b = editor->Edit({&b}).value()[0];
  for (const auto& [name, tensor] : alone_a.edited.parameters) {
    EXPECT_TRUE(at::allclose(together[0].edited.parameters.at(name), tensor,
                             1e-5, 1e-6))
        << name;
  }
  for (const auto& [name, tensor] : alone_b.edited.parameters) {
    EXPECT_TRUE(at::allclose(together[1].edited.parameters.at(name), tensor,
                             1e-5, 1e-6))
        << name;
  }
}

TEST(EditorTest, EditEachHandsOverEachModelBeforeTheNextIsComputed) {
  const auto editor = TestEditor(Requirement::kPruning);
  // 4,480 weights each: more than one group of the kernels holds, so each
  // model is computed on its own.
  Architecture wide;
  wide.input_dim = 4;
  wide.num_classes = 2;
  wide.layers = {{64, Activation::kRelu, Norm::kNone, 0.0, {}},
                 {64, Activation::kRelu, Norm::kNone, 0.0, {}}};
  std::vector<Mlp> models;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    models.push_back(InitializeMlp(wide, seed).value());
  }
  const std::vector<const Mlp*> pointers = {&models[0], &models[1], &models[2]};
  int stop_checks = 0;
  std::vector<size_t> order;
  std::vector<int> checks_when_done;
  std::vector<EditResult> handed(3);
  ASSERT_TRUE(editor
                  ->EditEach(
                      pointers,
                      [&](size_t index, EditResult result) {
                        order.push_back(index);
                        checks_when_done.push_back(stop_checks);
                        handed[index] = std::move(result);
                      },
                      [&] {
                        ++stop_checks;
                        return false;
                      })
                  .ok());
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2}));
  // The forward passes of models 1 and 2 checked `stop` after model 0 was
  // handed over.
  ASSERT_EQ(checks_when_done.size(), 3u);
  EXPECT_LT(checks_when_done[0], checks_when_done[1]);
  EXPECT_LT(checks_when_done[1], checks_when_done[2]);
  for (size_t m = 0; m < 3; ++m) {
    const EditResult alone = editor->Edit({pointers[m]}).value()[0];
    for (const auto& [name, tensor] : alone.edited.parameters) {
      EXPECT_TRUE(at::allclose(handed[m].edited.parameters.at(name), tensor,
                               1e-5, 1e-6))
          << m << " " << name;
    }
    EXPECT_EQ(handed[m].statistics.weights_kept, alone.statistics.weights_kept);
  }
}

TEST(EditorTest, AnEditorMovedToTheCpuEditsThroughLibTorchOnIt) {
  auto editor = TestEditor(Requirement::kPruning);
  ASSERT_TRUE(editor->MoveTo(c10::Device(c10::kCPU)).ok());
  EXPECT_TRUE(editor->device().is_cpu());
  const Mlp mlp = TestMlp(8);
  const EditResult fast = editor->Edit({&mlp}).value()[0];
  const EditResult device =
      editor->Edit({&mlp}, nullptr, ForwardPath::kLibTorch).value()[0];
  for (const auto& [name, tensor] : device.edited.parameters) {
    EXPECT_TRUE(
        at::allclose(fast.edited.parameters.at(name), tensor, 1e-5, 1e-5))
        << name;
  }
}

TEST(EditorTest, RefusesModelsItCannotEdit) {
  const auto editor = TestEditor(Requirement::kPruning);
  Architecture wrong = TestArchitecture();
  wrong.input_dim = 5;
  const Mlp other = InitializeMlp(wrong, 1).value();
  EXPECT_THAT(editor->Edit({&other}).status().message(),
              HasSubstr("models[0].architecture.input_dim: the editor "
                        "expects 4, got 5"));
  Mlp bad = TestMlp(1);
  bad.parameters.at("layers.2.bias")[1] = std::nan("");
  const Mlp good = TestMlp(2);
  const absl::Status status = editor->Edit({&good, &bad}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("models[1]: tensor 'layers.2.bias': values must be "
                        "finite"));
}

TEST(EditorTest,
     RefusesMagnitudesItsArithmeticCannotHoldAndModelsWithoutHiddenLayers) {
  const auto editor = TestEditor(Requirement::kPruning);
  Mlp huge = TestMlp(1);
  huge.parameters["layers.2.weight"] =
      huge.parameters.at("layers.2.weight").clone();
  huge.parameters.at("layers.2.weight")[1][2] = 1e20;
  const absl::Status status = editor->Edit({&huge}).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("models[0].parameters.layers.2.weight: magnitudes "
                        "must be at most 1e+06 for the editor, got 1e+20 at "
                        "flat index 7"));  // [1][2] of a [6, 5] matrix

  Architecture linear;
  linear.input_dim = 4;
  linear.num_classes = 2;
  const Mlp logistic = InitializeMlp(linear, 1).value();
  EXPECT_THAT(editor->Edit({&logistic}).status().message(),
              HasSubstr("architecture.layers: the editor supports 1 to"));
}

TEST(EditorTest, ModelsAtTheMagnitudeBoundEditToFiniteParameters) {
  // The bound is a promise: everything it admits edits without overflow.
  for (const Requirement requirement :
       {Requirement::kPruning, Requirement::kDataMinimisation,
        Requirement::kFairness}) {
    const auto editor = TestEditor(requirement);
    Mlp extreme = TestMlp(4);
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(8);
    for (auto& [name, tensor] : extreme.parameters) {
      const at::Tensor sign =
          at::where(at::rand(tensor.sizes(), g) < 0.5, at::full({}, -1.0f),
                    at::full({}, 1.0f));
      tensor = name.find("running_var") != std::string::npos
                   ? at::full(tensor.sizes(), kMaxEditableMagnitude)
                   : sign * kMaxEditableMagnitude;
    }
    const absl::StatusOr<std::vector<EditResult>> edited =
        editor->Edit({&extreme});
    ASSERT_TRUE(edited.ok()) << edited.status();
    for (const auto& [name, tensor] : edited->front().edited.parameters) {
      EXPECT_TRUE(at::isfinite(tensor).all().item<bool>()) << name;
    }
  }
}

TEST(EditorTest, AStopCheckThatSaysStopCancelsTheEdit) {
  const auto editor = TestEditor(Requirement::kPruning);
  const Mlp mlp = TestMlp(3);
  int checks = 0;
  EXPECT_TRUE(editor
                  ->Edit({&mlp},
                         [&] {
                           ++checks;
                           return false;
                         })
                  .ok());
  EXPECT_GE(checks, 2);  // at least once per layer
  const absl::Status stopped =
      editor->Edit({&mlp}, [] { return true; }).status();
  EXPECT_EQ(stopped.code(), absl::StatusCode::kCancelled);
}

TEST(EditorTest, AGraphOfManyChunksEditsAsOneChunkWould) {
  // 14 * 600 + 600 * 30 + 30 * 2 = 26,460 weights: two chunks of
  // kEditEdgesPerChunk. Editor::Edit chunks; forward() does not.
  EditorConfig config;
  config.task = "test";
  for (int i = 0; i < 14; ++i) config.feature_names.push_back(absl::StrCat(i));
  config.class_names = {"no", "yes"};
  config.requirement = Requirement::kPruning;
  config.lambda = 0.1;
  config.network.residual_scale_init = 1.0;
  config.network.mask_logit_init = 0.0;
  const auto editor = Editor::Create(config, 5).value();
  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  a.layers = {{600, Activation::kRelu, Norm::kNone, 0.0, {}},
              {30, Activation::kRelu, Norm::kNone, 0.0, {}}};
  const Mlp mlp = InitializeMlp(a, 2).value();
  ASSERT_GT(CountWeights(a), kEditEdgesPerChunk);
  const ParameterGraph graph = BuildParameterGraph(mlp).value();
  at::NoGradGuard no_grad;
  const GraphBatch batch = BatchGraphs({&graph});
  const MetanetworkOutput whole = editor->network()->forward(batch);
  const MetanetworkOutput chunked =
      *editor->network()->ForwardInChunks(batch, kEditEdgesPerChunk, nullptr);
  EXPECT_TRUE(at::allclose(chunked.edge_delta, whole.edge_delta, 1e-4, 1e-6));
  EXPECT_TRUE(
      at::allclose(chunked.edge_mask_logit, whole.edge_mask_logit, 1e-4, 1e-5));
  EXPECT_TRUE(at::allclose(chunked.node_delta, whole.node_delta, 1e-4, 1e-6));
  EXPECT_TRUE(
      at::allclose(chunked.node_mask_logit, whole.node_mask_logit, 1e-4, 1e-5));
}

// The inference kernels (ForwardPath::kAuto) against LibTorch's operators,
// through the whole edit, for every requirement and variant on an
// architecture with every norm, skips and three activations (TestMlp).
TEST(EditorTest, TheInferenceKernelsEditAsLibTorchDoes) {
  const Mlp first = TestMlp(21);
  const Mlp second = TestMlp(22);
  for (const auto& c : EveryRequirementAndVariant()) {
    SCOPED_TRACE(absl::StrCat(RequirementName(c.requirement), " ",
                              VariantName(c.requirement, c.variant)));
    const auto editor = TestEditor(c.requirement, c.variant);
    const std::vector<EditResult> fast =
        editor->Edit({&first, &second}, nullptr, ForwardPath::kAuto).value();
    const std::vector<EditResult> reference =
        editor->Edit({&first, &second}, nullptr, ForwardPath::kLibTorch)
            .value();
    ASSERT_EQ(fast.size(), 2u);
    for (size_t m = 0; m < fast.size(); ++m) {
      for (const auto& [name, tensor] : reference[m].edited.parameters) {
        const at::Tensor& other = fast[m].edited.parameters.at(name);
        EXPECT_LE(((other - tensor).abs() / tensor.abs().clamp_min(1.0))
                      .max()
                      .item<double>(),
                  1e-5)
            << name;
      }
      ASSERT_EQ(fast[m].edited.masks.size(), reference[m].edited.masks.size());
      for (const auto& [name, mask] : reference[m].edited.masks) {
        EXPECT_TRUE(at::equal(fast[m].edited.masks.at(name), mask)) << name;
      }
      EXPECT_EQ(fast[m].statistics.weights_kept,
                reference[m].statistics.weights_kept);
      EXPECT_EQ(fast[m].statistics.features_kept,
                reference[m].statistics.features_kept);
    }
  }
}

TEST(EditorTest, TheSameSeedGivesTheSameEditor) {
  const auto a = TestEditor(Requirement::kPruning);
  const auto b = TestEditor(Requirement::kPruning);
  const auto pa = a->network()->named_parameters();
  const auto pb = b->network()->named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(at::equal(pa[i].value(), pb[i].value())) << pa[i].key();
  }
}

}  // namespace
}  // namespace amend
