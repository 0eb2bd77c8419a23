// Behaviour checks against a known answer: on the synthetic task
// (core/data/synthetic_task.h) the label depends on income, debt, tenure and
// region, while noise1..noise4 and colour are noise. Editors trained through
// the user-task chain (task create, zoo, train, edit) must act on that truth:
// data minimisation drops noise before planted features, pruning beats
// magnitude pruning at the same sparsity, fairness lowers EOD. Slow (a
// 300-model zoo and three editors): labelled "slow".
#include "core/data/synthetic_task.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using testing::CommandResult;
using testing::RunCommand;

// ctest runs every TEST in its own process, so the zoo is built once and the
// three editors are checked in one TEST.
class SyntheticTaskTest : public ::testing::Test {
 protected:
  void BuildTaskAndZoo() {
    const std::string trainer = AMEND_TRAINER;
    const std::string csv = dir_->file("synth.csv");
    for (const std::string& command : {
             trainer + " task synth --rows 3000 --seed 7 --out " + csv,
             trainer + " task create --data " + csv +
                 " --label label --positive yes --sensitive group "
                 "--privileged A --out " +
                 dir_->file("tasks/synth"),
             trainer + " zoo --task " + dir_->file("tasks/synth") +
                 " --runs 300 --seed 1 --out " + dir_->file("zoo"),
         }) {
      const CommandResult run = RunCommand(command);
      ASSERT_EQ(run.exit_code, 0) << command << "\n" << run.output;
    }
  }

  // Trains one editor and returns its editor.json.
  nlohmann::json Train(const std::string& requirement, double lambda,
                       int steps) {
    const std::string out = dir_->file("editors/" + requirement);
    const CommandResult run =
        RunCommand(std::string(AMEND_TRAINER) + " train --task " +
                   dir_->file("tasks/synth") + " --zoo " + dir_->file("zoo") +
                   " --requirement " + requirement + " --lambda " +
                   std::to_string(lambda) + " --steps " +
                   std::to_string(steps) + " --seed 1 --out " + out);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    auto text = ReadFileToString(out + "/editor.json");
    if (!text.ok()) return nlohmann::json::object();
    return nlohmann::json::parse(*text);
  }

  std::vector<std::string> TestModels(size_t count) {
    std::vector<std::string> ids;
    const std::string manifest =
        *ReadFileToString(dir_->file("zoo/manifest.jsonl"));
    for (absl::string_view line :
         absl::StrSplit(manifest, '\n', absl::SkipEmpty())) {
      const nlohmann::json entry = nlohmann::json::parse(line);
      if (entry["split"] == "test" && entry["stage"] == "final")
        ids.push_back(entry["id"].get<std::string>());
      if (ids.size() == count) break;
    }
    return ids;
  }

  void CheckDataMinimisationDropsNoiseBeforePlantedFeatures();
  void CheckPruningBeatsMagnitudePruningAtTheSameSparsity();
  void CheckFairnessLowersTheEqualisedOddsDifference();

  testing::ScopedTempDir temp_;
  testing::ScopedTempDir* dir_ = &temp_;
};

void SyntheticTaskTest::CheckDataMinimisationDropsNoiseBeforePlantedFeatures() {
  SCOPED_TRACE("data minimisation");
  Train("data_minimisation", 0.05, 300);
  const std::set<std::string> planted = [] {
    auto names = SyntheticPlantedFeatures();
    return std::set<std::string>(names.begin(), names.end());
  }();
  const std::set<std::string> noise = [] {
    auto names = SyntheticNoiseFeatures();
    return std::set<std::string>(names.begin(), names.end());
  }();
  const std::vector<std::string> models = TestModels(10);
  ASSERT_EQ(models.size(), 10u);
  for (const std::string& id : models) {
    const CommandResult edit =
        RunCommand(std::string(AMEND_TRAINER) + " edit --editor " +
                   dir_->file("editors/data_minimisation") + " --model " +
                   dir_->file("zoo/models/" + id + ".safetensors") + " -o " +
                   dir_->file("edited.safetensors"));
    ASSERT_EQ(edit.exit_code, 0) << edit.output;
    // "  features kept: 3 of 10 (income, debt, tenure)"
    const size_t at = edit.output.find("features kept: ");
    ASSERT_NE(at, std::string::npos) << edit.output;
    const size_t open = edit.output.find('(', at);
    const size_t close = edit.output.find(')', open);
    const std::vector<std::string> kept =
        absl::StrSplit(edit.output.substr(open + 1, close - open - 1), ", ",
                       absl::SkipEmpty());
    int kept_noise = 0, kept_planted = 0;
    for (const std::string& name : kept) {
      kept_noise += noise.count(name);
      kept_planted += planted.count(name);
    }
    EXPECT_GT(kept_planted, 0) << id << ": " << edit.output;
    // A noise feature may stay only when every planted one stayed.
    if (kept_noise > 0) {
      EXPECT_EQ(kept_planted, static_cast<int>(planted.size()))
          << id << " kept noise but dropped a planted feature: " << edit.output;
    }
  }
}

void SyntheticTaskTest::CheckPruningBeatsMagnitudePruningAtTheSameSparsity() {
  SCOPED_TRACE("pruning");
  const nlohmann::json editor = Train("pruning", 0.03, 200);
  ASSERT_TRUE(editor.contains("test_baseline")) << editor.dump();
  const double kept = editor["test"]["weights_kept"]["mean"].get<double>();
  EXPECT_LT(kept, 0.9);  // it did prune
  EXPECT_GT(kept, 0.05);
  // The baseline matched to each model's sparsity.
  EXPECT_EQ(editor["test_baseline"]["name"], "global_magnitude");
  EXPECT_LT(editor["test"]["jsd"]["mean"].get<double>(),
            editor["test_baseline"]["figures"]["jsd"]["mean"].get<double>());
}

void SyntheticTaskTest::CheckFairnessLowersTheEqualisedOddsDifference() {
  SCOPED_TRACE("fairness");
  const nlohmann::json editor = Train("fairness", 0.3, 200);
  const nlohmann::json& test = editor["test"];
  ASSERT_TRUE(test.contains("eod_after")) << editor.dump();
  EXPECT_LT(test["eod_after"]["mean"].get<double>(),
            0.75 * test["eod_before"]["mean"].get<double>());
  // Fairer, not broken: the accuracy stays within 5 points.
  EXPECT_GT(test["accuracy_after"]["mean"].get<double>(),
            test["accuracy_before"]["mean"].get<double>() - 0.05);
}

TEST_F(SyntheticTaskTest, EditorsActOnTheKnownTruth) {
  BuildTaskAndZoo();
  ASSERT_FALSE(HasFatalFailure());
  CheckDataMinimisationDropsNoiseBeforePlantedFeatures();
  CheckPruningBeatsMagnitudePruningAtTheSameSparsity();
  CheckFairnessLowersTheEqualisedOddsDifference();
}

}  // namespace
}  // namespace amend
