// Training an editor on a tiny zoo built on the fly: it learns (overfits its
// training zoo), stops and resumes to the identical editor, and never retrains
// a finished one.
#include "core/training/editor_trainer.h"

#include <cmath>
#include <filesystem>

#include "core/mlp/compact.h"
#include "core/mlp/forward.h"
#include "core/training/edit_comparison.h"
#include "core/training/training_objective.h"
#include "core/training/zoo_models.h"
#include "core/util/file_io.h"
#include "core/zoo/zoo_builder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

const Task& Adult() {
  static const Task* task = new Task(*LoadTask("adult", AMEND_TEST_DATA_DIR));
  return *task;
}

// 10 runs x 3 checkpoints, split 8/1/1 by run.
std::string BuildTinyZoo(const testing::ScopedTempDir& temp) {
  ZooOptions options;
  options.output_dir = temp.file("zoo");
  options.runs = 10;
  options.seed = 5;
  options.space.epochs = 4;
  options.max_rows = 512;
  EXPECT_TRUE(BuildZoo(Adult(), options).ok());
  return options.output_dir;
}

EditorConfig PruningConfig(double lambda) {
  EditorConfig config = MakeEditorConfig(Adult(), Requirement::kPruning,
                                         EditVariant::kWeightsAndMasks, lambda);
  config.network.hidden = 16;
  config.network.layers = 2;
  config.network.mask_logit_init = 1.0;
  return config;
}

EditorTrainingOptions QuickOptions(int64_t steps) {
  EditorTrainingOptions options;
  options.steps = steps;
  options.models_per_step = 4;
  options.points_per_step = 128;
  options.optimizer.learning_rate = 3e-3;
  options.optimizer.warmup_steps = 10;
  options.eval_every = 25;
  options.checkpoint_every = 5;
  options.seed = 9;
  options.max_test_rows = 1000;
  return options;
}

double Objective(const Editor& editor, const std::vector<ZooModel>& models,
                 const SplitTensors& data) {
  const EditorFigures figures =
      Summarise(CompareEditor(editor, MlpPointers(models), data).value(), "");
  return figures.jsd.mean + editor.config().lambda * figures.requirement.mean;
}

TEST(EditorTrainerTest, AnEditorOverfitsATinyZoo) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  const EditorConfig config = PruningConfig(0.05);
  const EditorTrainingOptions options = QuickOptions(150);
  const std::vector<ZooModel> train = LoadZooModels(zoo, "train").value();
  const SplitTensors data = ToTensors(Adult().validation, 2000);
  const double before =
      Objective(*Editor::Create(config, options.seed).value(), train, data);

  const std::string out = temp.file("editor");
  auto manifest = TrainEditor(Adult(), zoo, config, options, out);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  const LoadedEditor trained = ReadEditorCheckpoint(out).value();
  const double after = Objective(*trained.editor, train, data);
  // Every weight starts kept (objective = λ); training must at least halve
  // the objective by pruning while keeping the function close.
  EXPECT_GT(before, 0.045);
  EXPECT_LT(after, 0.5 * before);
  const EditorFigures figures = Summarise(
      CompareEditor(*trained.editor, MlpPointers(train), data).value(), "");
  EXPECT_LT(figures.weights_kept.mean, 0.6);
  EXPECT_LT(figures.jsd.mean, 0.02);
  // The manifest records the figures and the matched magnitude baseline.
  EXPECT_EQ(manifest->test.models, 3);
  EXPECT_EQ(manifest->validation.models, 3);
  EXPECT_EQ(manifest->test_baseline["name"], "global_magnitude");
  EXPECT_GE(manifest->training["best_step"].get<int64_t>(), 25);
  // The training state is removed once the editor is written.
  EXPECT_FALSE(std::filesystem::exists(out + "/training_state.json"));
}

// The neuron variant learns to remove whole neurons: compaction turns its
// edits into smaller models that compute the same logits, and its figures are
// printed beside neuron magnitude pruning.
TEST(EditorTrainerTest, ANeuronEditorRemovesNeuronsThatCompactionDrops) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  EditorConfig config = PruningConfig(0.05);
  config.variant = EditVariant::kNeuronsAndEdit;
  const std::string out = temp.file("editor");
  auto manifest = TrainEditor(Adult(), zoo, config, QuickOptions(150), out);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_EQ(manifest->test_baseline["name"], "neuron_magnitude");
  EXPECT_LT(manifest->test.weights_kept.mean, 0.9);
  const LoadedEditor trained = ReadEditorCheckpoint(out).value();
  EXPECT_EQ(trained.editor->config().variant, EditVariant::kNeuronsAndEdit);
  const std::vector<ZooModel> models = LoadZooModels(zoo, "train").value();
  auto edits = trained.editor->Edit(MlpPointers(models));
  ASSERT_TRUE(edits.ok()) << edits.status();
  const at::Tensor x = ToTensors(Adult().validation, 256).features;
  int64_t width_before = 0, width_after = 0;
  for (const EditResult& edit : *edits) {
    auto compact = CompactMlp(edit.edited);
    ASSERT_TRUE(compact.ok()) << compact.status();
    for (int64_t w : compact->report.widths_before) width_before += w;
    for (int64_t w : compact->report.widths_after) width_after += w;
    const at::Tensor edited =
        *Logits(edit.edited.architecture, edit.edited.parameters, x);
    const at::Tensor compacted =
        *Logits(compact->mlp.architecture, compact->mlp.parameters, x);
    EXPECT_TRUE(at::allclose(compacted, edited, 1e-4, 1e-5));
  }
  EXPECT_LT(width_after, 0.9 * width_before);
}

TEST(EditorTrainerTest, AnEpoEditorMovesTowardsItsPreferenceRay) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  const EditorConfig config = PruningConfig(0.05);
  EditorTrainingOptions options = QuickOptions(75);
  options.scalarisation = Scalarisation::kEpo;
  const std::vector<ZooModel> train = LoadZooModels(zoo, "train").value();
  const SplitTensors data = ToTensors(Adult().validation, 2000);
  // EPO's target: the larger of JSD and lambda R, which starts at lambda
  // (nothing pruned, nothing changed).
  auto worst = [&](const Editor& editor) {
    const EditorFigures figures =
        Summarise(CompareEditor(editor, MlpPointers(train), data).value(), "");
    return std::max(figures.jsd.mean, config.lambda * figures.requirement.mean);
  };
  const double before = worst(*Editor::Create(config, options.seed).value());
  const std::string out = temp.file("editor");
  auto manifest = TrainEditor(Adult(), zoo, config, options, out);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  EXPECT_GT(before, 0.045);
  EXPECT_LT(worst(*ReadEditorCheckpoint(out).value().editor), 0.5 * before);
  EXPECT_EQ(manifest->training["options"]["scalarisation"], "epo");
  // Linear editors do not carry the key (their settings predate it).
  EXPECT_FALSE(
      TrainingOptionsToJson(QuickOptions(1)).contains("scalarisation"));
}

TEST(EditorTrainerTest, AStoppedRunResumesToTheIdenticalEditor) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  const EditorConfig config = PruningConfig(0.05);
  const EditorTrainingOptions options = QuickOptions(30);

  const std::string straight = temp.file("straight");
  ASSERT_TRUE(TrainEditor(Adult(), zoo, config, options, straight).ok());

  const std::string stopped = temp.file("stopped");
  int64_t last_step = 0;
  const absl::Status stop = TrainEditor(Adult(), zoo, config, options, stopped,
                                        [&](const TrainingProgress& p) {
                                          last_step = p.step;
                                          return p.step < 13;
                                        })
                                .status();
  EXPECT_EQ(stop.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(last_step, 13);
  EXPECT_TRUE(std::filesystem::exists(stopped + "/training_state.json"));
  int64_t first_step = -1;
  bool resumed = false;
  ASSERT_TRUE(TrainEditor(Adult(), zoo, config, options, stopped,
                          [&](const TrainingProgress& p) {
                            if (first_step < 0) {
                              first_step = p.step;
                              resumed = p.resumed;
                            }
                            return true;
                          })
                  .ok());
  EXPECT_EQ(first_step, 14);
  EXPECT_TRUE(resumed);
  EXPECT_EQ(ReadFileToString(straight + "/editor.safetensors").value(),
            ReadFileToString(stopped + "/editor.safetensors").value());
  const EditorManifest a = ReadEditorManifest(straight).value();
  const EditorManifest b = ReadEditorManifest(stopped).value();
  EXPECT_EQ(a.training["selection_history"], b.training["selection_history"]);
  EXPECT_EQ(a.test.jsd.mean, b.test.jsd.mean);
}

TEST(EditorTrainerTest,
     AFinishedEditorIsNotRetrainedAndOtherSettingsAreRefused) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  const EditorConfig config = PruningConfig(0.05);
  const std::string out = temp.file("editor");
  ASSERT_TRUE(TrainEditor(Adult(), zoo, config, QuickOptions(5), out).ok());
  const std::string bytes =
      ReadFileToString(out + "/editor.safetensors").value();
  bool called = false;
  ASSERT_TRUE(TrainEditor(Adult(), zoo, config, QuickOptions(5), out,
                          [&](const TrainingProgress&) {
                            called = true;
                            return true;
                          })
                  .ok());
  EXPECT_FALSE(called);
  EXPECT_EQ(ReadFileToString(out + "/editor.safetensors").value(), bytes);
  const absl::Status other =
      TrainEditor(Adult(), zoo, PruningConfig(0.1), QuickOptions(5), out)
          .status();
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(other.message(), HasSubstr("other settings"));
  // Which flag to change is the caller's to say (amend-trainer adds it).
  EXPECT_THAT(other.message(), ::testing::Not(HasSubstr("--")));
}

// Fairness's (group, label) cells: filled for a binary label, left empty for
// a multi-class one (whose labels would index past the four cells).
TEST(EditorTrainerTest, ValidationCellsExistForBinaryLabelsOnly) {
  Task task;
  task.name = "cells";
  task.features = {Feature{.name = "x"}};
  task.class_names = {"a", "b", "c", "d"};
  for (int64_t i = 0; i < 40; ++i) {
    task.validation.features.push_back(static_cast<float>(i));
    task.validation.labels.push_back(i % 4);
    task.validation.groups.push_back(static_cast<int8_t>(i % 2));
    task.validation.source_row.push_back(i);
  }
  task.validation.rows = 40;
  const TrainingData multi = HalveValidation(task);
  EXPECT_EQ(multi.editing.rows(), 20);
  for (const std::vector<int64_t>& cell : multi.cells)
    EXPECT_TRUE(cell.empty());

  task.class_names = {"a", "b"};
  for (int64_t& label : task.validation.labels) label %= 2;
  const TrainingData binary = HalveValidation(task);
  size_t filled = 0;
  for (size_t c = 0; c < binary.cells.size(); ++c) {
    for (const int64_t row : binary.cells[c]) {
      // cell = 2 * group + label of the editing half's row.
      EXPECT_EQ(static_cast<int64_t>(c),
                2 * binary.editing.groups[row].item<int64_t>() +
                    binary.editing.labels[row].item<int64_t>());
      ++filled;
    }
  }
  EXPECT_EQ(filled, 20u);
}

// For a multi-class label the reported EOD is class 1 against the rest,
// counted here by hand from the predictions.
TEST(EditorTrainerTest, MultiClassEodIsClassOneAgainstTheRest) {
  Architecture a;
  a.input_dim = 4;
  a.num_classes = 3;
  a.layers = {{6, Activation::kRelu, Norm::kNone, 0.0, {}}};
  const Mlp mlp = *InitializeMlp(a, 11);
  SplitTensors data;
  at::manual_seed(3);
  data.features = at::randn({600, 4}) * 3;
  data.labels = at::randint(0, 3, {600}, at::kLong);
  data.groups = at::randint(0, 2, {600}, at::kLong);
  auto outcome = CompareEdit(Requirement::kPruning, mlp, mlp, data);
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  const at::Tensor logits =
      *Logits(mlp.architecture, mlp.parameters, data.features);
  double positive[2][2] = {{0, 0}, {0, 0}}, rows[2][2] = {{0, 0}, {0, 0}};
  bool other_classes_predicted = false;
  for (int64_t i = 0; i < 600; ++i) {
    const int64_t predicted = logits[i].argmax().item<int64_t>();
    other_classes_predicted = other_classes_predicted || predicted == 2;
    const int64_t g = data.groups[i].item<int64_t>();
    const int64_t is_one = data.labels[i].item<int64_t>() == 1;
    rows[g][is_one] += 1;
    positive[g][is_one] += predicted == 1;
  }
  const double tpr_gap =
      std::abs(positive[0][1] / rows[0][1] - positive[1][1] / rows[1][1]);
  const double fpr_gap =
      std::abs(positive[0][0] / rows[0][0] - positive[1][0] / rows[1][0]);
  ASSERT_TRUE(other_classes_predicted);  // else any EOD would agree
  EXPECT_NEAR(outcome->eod_before, std::max(tpr_gap, fpr_gap), 1e-9);
  EXPECT_EQ(outcome->eod_after, outcome->eod_before);
}

TEST(EditorTrainerTest, AZooOfAnotherTaskIsRefused) {
  testing::ScopedTempDir temp;
  const std::string zoo = BuildTinyZoo(temp);
  const Task bank = *LoadTask("bank", AMEND_TEST_DATA_DIR);
  EditorConfig config = MakeEditorConfig(bank, Requirement::kPruning,
                                         EditVariant::kWeightsAndMasks, 0.01);
  const absl::Status status =
      TrainEditor(bank, zoo, config, QuickOptions(5), temp.file("editor"))
          .status();
  // zoo.json names the task: refused before any model is read.
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(),
              HasSubstr("the zoo is of task \"adult\", not \"bank\""));
}

}  // namespace
}  // namespace amend
