// Editors and zoos written before the editor library was split into serving
// and training (commit b33a4d3) still load, verify and edit to the same
// bytes. tests/data/legacy/README.md says how the files were made.
#include <ATen/ATen.h>

#include <string>

#include "core/editor/editor_checkpoint.h"
#include "core/mlp/model_file.h"
#include "core/training/zoo_models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

std::string LegacyPath(const std::string& name) {
  return std::string(AMEND_TEST_SOURCE_DIR) + "/tests/data/legacy/" + name;
}

TEST(LegacyCheckpointTest, EditorFromBeforeTheSplitEditsAsItDidThen) {
  auto loaded = ReadEditorCheckpoint(LegacyPath("editor"));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const EditorConfig& config = loaded->manifest.config;
  EXPECT_EQ(config.task, "adult");
  EXPECT_EQ(config.requirement, Requirement::kPruning);
  EXPECT_DOUBLE_EQ(config.lambda, 0.05);
  EXPECT_EQ(config.network.hidden, 8);
  EXPECT_EQ(config.network.layers, 2);

  auto model = ReadModelFile(LegacyPath("model.safetensors"));
  ASSERT_TRUE(model.ok()) << model.status();
  // Written by `amend-trainer edit` of commit b33a4d3 from the same editor and
  // model.
  auto expected = ReadModelFile(LegacyPath("edited.safetensors"));
  ASSERT_TRUE(expected.ok()) << expected.status();

  auto edits = loaded->editor->Edit({&*model});
  ASSERT_TRUE(edits.ok()) << edits.status();
  const Mlp& edited = (*edits)[0].edited;
  ASSERT_EQ(edited.parameters.size(), expected->parameters.size());
  for (const auto& [name, tensor] : expected->parameters) {
    ASSERT_TRUE(edited.parameters.count(name)) << name;
    EXPECT_TRUE(at::allclose(edited.parameters.at(name), tensor, 0.0, 1e-6))
        << name;
  }
  ASSERT_EQ(edited.masks.size(), expected->masks.size());
  for (const auto& [name, mask] : expected->masks) {
    ASSERT_TRUE(edited.masks.count(name)) << name;
    EXPECT_TRUE(at::equal(edited.masks.at(name), mask)) << name;
  }
}

TEST(LegacyCheckpointTest, ZooFromBeforeTheSplitLoadsWithVerifiedModels) {
  auto models = LoadZooModels(LegacyPath("zoo"), "train");
  ASSERT_TRUE(models.ok()) << models.status();
  EXPECT_FALSE(models->empty());
  for (const ZooModel& model : *models) {
    EXPECT_EQ(model.mlp.architecture.input_dim, 14);
  }
}

}  // namespace
}  // namespace amend
