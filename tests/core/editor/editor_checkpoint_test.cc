// Editor checkpoints: round trip, sha256 verification, precise errors.
#include "core/editor/editor_checkpoint.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/editor/extrapolation.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

EditorConfig SmallConfig() {
  EditorConfig config;
  config.task = "adult";
  config.feature_names = {"age", "workclass", "fnlwgt"};
  config.class_names = {"<=50K", ">50K"};
  config.requirement = Requirement::kDataMinimisation;
  config.lambda = 0.01;
  config.network.hidden = 8;
  config.network.layers = 2;
  config.network.residual_scale_init = 0.5;
  config.network.mask_logit_init = 0.0;
  return config;
}

EditorManifest SomeManifest() {
  EditorManifest manifest;
  manifest.validation.models = 30;
  manifest.validation.data = "validation";
  manifest.validation.jsd = {0.002, 0.001};
  manifest.validation.requirement = {0.5, 0.1};
  manifest.test.models = 31;
  manifest.test.data = "test";
  manifest.training = {{"options", {{"steps", 3}}}};
  return manifest;
}

Mlp SomeMlp() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kRelu, Norm::kNone, 0.0, {}}};
  return InitializeMlp(a, 2).value();
}

TEST(EditorCheckpointTest, RoundTripGivesTheSameEdits) {
  testing::ScopedTempDir temp;
  auto editor = Editor::Create(SmallConfig(), 7).value();
  ASSERT_TRUE(
      WriteEditorCheckpoint(temp.path().string(), *editor, SomeManifest())
          .ok());
  auto loaded = ReadEditorCheckpoint(temp.path().string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->manifest.config, SmallConfig());
  EXPECT_EQ(loaded->manifest.validation.models, 30);
  EXPECT_DOUBLE_EQ(loaded->manifest.validation.jsd.mean, 0.002);
  EXPECT_EQ(loaded->manifest.test.data, "test");
  EXPECT_EQ(loaded->manifest.training["options"]["steps"], 3);
  EXPECT_EQ(loaded->manifest.weights_sha256.size(), 64u);
  EXPECT_FALSE(loaded->manifest.created_at.empty());

  const Mlp mlp = SomeMlp();
  const EditResult a = editor->Edit({&mlp}).value()[0];
  const EditResult b = loaded->editor->Edit({&mlp}).value()[0];
  for (const auto& [name, tensor] : a.edited.parameters) {
    EXPECT_TRUE(at::equal(tensor, b.edited.parameters.at(name))) << name;
  }
  EXPECT_TRUE(at::equal(a.edited.masks.at("mask.input"),
                        b.edited.masks.at("mask.input")));
}

TEST(EditorCheckpointTest, TrainedArchitecturesRoundTripAndFlagExtrapolation) {
  testing::ScopedTempDir temp;
  auto editor = Editor::Create(SmallConfig(), 7).value();
  EditorManifest manifest = SomeManifest();
  ArchitectureRange range;
  range.Include(SomeMlp().architecture);  // 1 hidden layer of 4, relu
  manifest.trained_architectures = range;
  ASSERT_TRUE(
      WriteEditorCheckpoint(temp.path().string(), *editor, manifest).ok());
  auto loaded = ReadEditorManifest(temp.path().string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_TRUE(loaded->trained_architectures.has_value());
  EXPECT_EQ(*loaded->trained_architectures, range);
  EXPECT_TRUE(ExtrapolationReasons(*loaded, SomeMlp().architecture).empty());

  Architecture wide = SomeMlp().architecture;
  wide.layers[0].width = 40;
  const std::vector<std::string> reasons = ExtrapolationReasons(*loaded, wide);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0], "hidden layer 1 is 40 wide; the zoo's widths are 4..4");
  const absl::Status refused = RefuseExtrapolation(*loaded, reasons);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()),
              HasSubstr("outside the architectures the adult editor was "
                        "trained on, refused in strict mode: hidden layer 1"));
  EXPECT_TRUE(RefuseExtrapolation(*loaded, {}).ok());

  // An editor without a recorded range cannot vouch for any model.
  EditorManifest old = *loaded;
  old.trained_architectures.reset();
  old.trainer_version = "0.9.0";
  const std::vector<std::string> unknown =
      ExtrapolationReasons(old, SomeMlp().architecture);
  EXPECT_THAT(unknown,
              ElementsAre(HasSubstr("does not record the architectures it was "
                                    "trained on (written by amend 0.9.0)")));
  EXPECT_THAT(std::string(RefuseExtrapolation(old, unknown).message()),
              HasSubstr("model: the adult editor cannot vouch for any "
                        "architecture, refused in strict mode"));
}

TEST(EditorCheckpointTest, ACorruptedWeightIsDataLoss) {
  testing::ScopedTempDir temp;
  auto editor = Editor::Create(SmallConfig(), 7).value();
  ASSERT_TRUE(
      WriteEditorCheckpoint(temp.path().string(), *editor, SomeManifest())
          .ok());
  const std::string path = temp.file(kEditorWeightsFile);
  std::string bytes = ReadFileToString(path).value();
  bytes[bytes.size() - 3] ^= 0x01;
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  const absl::Status status =
      ReadEditorCheckpoint(temp.path().string()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("sha256"));
}

TEST(EditorCheckpointTest, WeightsOfAnotherShapeAreRefusedByName) {
  testing::ScopedTempDir temp;
  EditorConfig wider = SmallConfig();
  wider.network.hidden = 12;
  auto editor = Editor::Create(wider, 7).value();
  ASSERT_TRUE(
      WriteEditorCheckpoint(temp.path().string(), *editor, SomeManifest())
          .ok());
  auto small = Editor::Create(SmallConfig(), 7).value();
  const std::string bytes =
      ReadFileToString(temp.file(kEditorWeightsFile)).value();
  const absl::Status status = LoadEditorWeights(bytes, *small);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("has shape [12, 5], expected [8, 5]"));
}

TEST(EditorCheckpointTest, ManifestErrorsNameTheField) {
  testing::ScopedTempDir temp;
  auto editor = Editor::Create(SmallConfig(), 7).value();
  ASSERT_TRUE(
      WriteEditorCheckpoint(temp.path().string(), *editor, SomeManifest())
          .ok());
  const std::string path = temp.file(kEditorManifestFile);
  const std::string good = ReadFileToString(path).value();
  auto rewrite = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    ASSERT_TRUE(WriteFileAtomically(path, text).ok());
  };
  rewrite("\"requirement\": \"data_minimisation\"",
          "\"requirement\": \"privacy\"");
  EXPECT_THAT(ReadEditorManifest(temp.path().string()).status().message(),
              HasSubstr("requirement: expected data_minimisation, fairness or "
                        "pruning, got \"privacy\""));
  rewrite("\"hidden\": 8", "\"hidden\": \"8\"");
  EXPECT_THAT(ReadEditorManifest(temp.path().string()).status().message(),
              HasSubstr("config.network.hidden: must be an integer"));
  rewrite("\"variant\": \"mask_and_edit\"", "\"variant\": \"prune_only\"");
  EXPECT_THAT(ReadEditorManifest(temp.path().string()).status().message(),
              HasSubstr("variant: for data_minimisation expected "
                        "mask_and_edit or mask_only, got \"prune_only\""));
  rewrite("\"amend.editor/1\"", "\"amend.editor/2\"");
  EXPECT_THAT(ReadEditorManifest(temp.path().string()).status().message(),
              HasSubstr("format: expected \"amend.editor/1\""));
  std::filesystem::remove(path);
  EXPECT_EQ(ReadEditorManifest(temp.path().string()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(EditorConfigTest, LambdaLabelIsTheShortestRoundTrip) {
  EXPECT_EQ(LambdaLabel(0.01), "0.01");
  EXPECT_EQ(LambdaLabel(0.003), "0.003");
  EXPECT_EQ(LambdaLabel(1.0), "1");
  EXPECT_EQ(LambdaLabel(0.1 + 0.2), "0.30000000000000004");
}

TEST(EditorConfigTest, FairnessHasNoMaskOnlyVariant) {
  EditorConfig config = SmallConfig();
  config.requirement = Requirement::kFairness;
  config.variant = EditVariant::kMasksOnly;
  EXPECT_THAT(ValidateEditorConfig(config).message(),
              HasSubstr("fairness has no masks"));
  EXPECT_THAT(
      ParseVariant(Requirement::kFairness, "mask_only").status().message(),
      HasSubstr("for fairness expected edit, got \"mask_only\""));
}

TEST(EditorConfigTest, OnlyPruningHasNeuronVariants) {
  EditorConfig config = SmallConfig();
  config.requirement = Requirement::kDataMinimisation;
  config.variant = EditVariant::kNeuronsAndEdit;
  EXPECT_THAT(ValidateEditorConfig(config).message(),
              HasSubstr("config.variant: only pruning removes whole neurons"));
  config.requirement = Requirement::kPruning;
  EXPECT_TRUE(ValidateEditorConfig(config).ok());
  // The variant survives the JSON round trip.
  const auto back = EditorConfigFromJson(EditorConfigToJson(config));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->variant, EditVariant::kNeuronsAndEdit);
}

// The "config" object of editor.json exactly as editors trained before
// EditVariant existed wrote it (the variant is the paper's row label).
nlohmann::json OldConfig(const std::string& requirement,
                         const std::string& variant) {
  return nlohmann::json::parse(R"({
    "task": "adult",
    "feature_names": ["age", "workclass"],
    "class_names": ["<=50K", ">50K"],
    "requirement": ")" + requirement +
                               R"(",
    "variant": ")" + variant + R"(",
    "lambda": 0.01,
    "network": {"hidden": 32, "layers": 3, "dropout": 0.0,
                "max_hidden_layers": 8, "residual_scale_init": 0.01,
                "mask_logit_init": 3.0},
    "mask_temperature": 1.0,
    "fairness_temperature": 1.0
  })");
}

TEST(EditorConfigTest, OldConfigsLoadAsTheirVariantAndWriteBackUnchanged) {
  struct Case {
    std::string requirement, variant;
    Requirement expected_requirement;
    EditVariant expected_variant;
  };
  const std::vector<Case> cases = {
      {"data_minimisation", "mask_and_edit", Requirement::kDataMinimisation,
       EditVariant::kWeightsAndMasks},
      {"data_minimisation", "mask_only", Requirement::kDataMinimisation,
       EditVariant::kMasksOnly},
      {"pruning", "prune_and_edit", Requirement::kPruning,
       EditVariant::kWeightsAndMasks},
      {"pruning", "prune_only", Requirement::kPruning, EditVariant::kMasksOnly},
      {"fairness", "edit", Requirement::kFairness,
       EditVariant::kWeightsAndMasks},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.variant);
    const nlohmann::json old = OldConfig(c.requirement, c.variant);
    const absl::StatusOr<EditorConfig> config = EditorConfigFromJson(old);
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_EQ(config->requirement, c.expected_requirement);
    EXPECT_EQ(config->variant, c.expected_variant);
    EXPECT_EQ(EditorConfigToJson(*config).dump(2), old.dump(2));
  }
}

TEST(EditorConfigTest, VariantNamesBelongToTheirRequirement) {
  EXPECT_EQ(ParseVariant(Requirement::kPruning, "prune_only").value(),
            EditVariant::kMasksOnly);
  EXPECT_THAT(
      ParseVariant(Requirement::kPruning, "mask_only").status().message(),
      HasSubstr("variant: for pruning expected prune_and_edit, prune_only, "
                "prune_neurons_and_edit or prune_neurons_only, got "
                "\"mask_only\""));
  EXPECT_EQ(ParseVariant(Requirement::kPruning, "prune_neurons_only").value(),
            EditVariant::kNeuronsOnly);
  EXPECT_EQ(VariantName(Requirement::kPruning, EditVariant::kNeuronsAndEdit),
            "prune_neurons_and_edit");
  EXPECT_THAT(ParseVariant(Requirement::kDataMinimisation, "prune_neurons_only")
                  .status()
                  .message(),
              HasSubstr("expected mask_and_edit or mask_only"));
  EXPECT_EQ(ParseVariant(Requirement::kPruning, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

// editor.json's "network" object as editors were written before the
// metanetwork's options moved: old checkpoints must keep loading.
TEST(EditorConfigTest, NetworkKeysAndDefaultsAreThoseOfOldCheckpoints) {
  EXPECT_EQ(EditorConfigToJson(EditorConfig())["network"].dump(),
            "{\"dropout\":0.0,\"hidden\":32,\"layers\":3,"
            "\"mask_logit_init\":3.0,\"max_hidden_layers\":8,"
            "\"residual_scale_init\":0.01}");
  nlohmann::json json = EditorConfigToJson(SmallConfig());
  json["network"] = nlohmann::json::parse(
      R"({"hidden": 12, "layers": 4, "dropout": 0.25, "max_hidden_layers": 6,
          "residual_scale_init": 0.5, "mask_logit_init": -1.0})");
  const absl::StatusOr<EditorConfig> config = EditorConfigFromJson(json);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->network.hidden, 12);
  EXPECT_EQ(config->network.layers, 4);
  EXPECT_EQ(config->network.dropout, 0.25);
  EXPECT_EQ(config->network.max_hidden_layers, 6);
  EXPECT_EQ(config->network.residual_scale_init, 0.5);
  EXPECT_EQ(config->network.mask_logit_init, -1.0);
}

TEST(EditorConfigTest, NetworkAndLambdaErrorsNameTheFieldAndRange) {
  EditorConfig config = SmallConfig();
  config.network.dropout = 1.0;
  EXPECT_EQ(ValidateEditorConfig(config).message(),
            "config.network.dropout: must be in [0, 1), got 1");
  config = SmallConfig();
  config.network.max_hidden_layers = 65;
  EXPECT_EQ(ValidateEditorConfig(config).message(),
            "config.network.max_hidden_layers: must be in [1, 64], got 65");
  config = SmallConfig();
  config.lambda = -0.5;
  EXPECT_EQ(ValidateEditorConfig(config).message(),
            "config.lambda: must be a finite number >= 0, got -0.5");
  EXPECT_EQ(ValidateLambda(-0.5, "--lambda").message(),
            "--lambda: must be a finite number >= 0, got -0.5");
  EXPECT_TRUE(ValidateLambda(0.0).ok());
}

}  // namespace
}  // namespace amend
