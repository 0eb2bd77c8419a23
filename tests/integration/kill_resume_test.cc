// The kill -9 matrix of the long trainer commands (sweep, eval, pipeline;
// zoo and train are in cli_test.cc): each is SIGKILLed twice at moments drawn
// from a seeded generator over an uninterrupted run's duration, then run
// again to the end. The results must equal the uninterrupted run's (measured
// times aside) and no temporary file may be left.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/interrupted_command.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::KillAfter;
using testing::RunCommand;
using testing::TemporaryFiles;

const std::string kTrainer = AMEND_TRAINER;
const std::string kData = std::string(" --data_dir ") + AMEND_TEST_DATA_DIR;

// Removes the members that hold a measured time or a clock reading, different
// on every run, from `value`, recursively.
void DropMeasuredTimes(nlohmann::json& value) {
  if (value.is_object()) {
    for (const char* key : {"seconds_per_model", "seconds", "created_at"}) {
      value.erase(key);
    }
    for (auto& [key, member] : value.items()) DropMeasuredTimes(member);
  } else if (value.is_array()) {
    for (auto& member : value) DropMeasuredTimes(member);
  }
}

// What must be identical in a result file of the output folder `root`: its
// bytes, or for JSON its value without measured times; `root` itself reads
// "<out>" (reports name the files they were made from).
std::string Comparable(const fs::path& root, const std::string& result) {
  const fs::path path = root / result;
  absl::StatusOr<std::string> bytes = ReadFileToString(path.string());
  if (!bytes.ok()) return "(missing: " + path.string() + ")";
  for (size_t at = bytes->find(root.string()); at != std::string::npos;
       at = bytes->find(root.string(), at)) {
    bytes->replace(at, root.string().size(), "<out>");
  }
  if (path.extension() != ".json") return *bytes;
  nlohmann::json value = nlohmann::json::parse(*bytes, nullptr, false);
  if (value.is_discarded()) return "(not JSON) " + *bytes;
  DropMeasuredTimes(value);
  return value.dump(1);
}

class KillResumeTest : public ::testing::Test {
 protected:
  // Runs `command` + " --out <whole>" to the end, then `command` + " --out
  // <killed>" killed twice at seeded random moments within the first run's
  // duration and run once more to the end; expects each of `results`
  // (relative to the output folder) to be the same in both folders.
  void ExpectKilledRunsResumeToTheSameResults(
      const std::string& command, const std::vector<std::string>& results,
      uint64_t seed) {
    const fs::path whole = dir_ / "whole", killed = dir_ / "killed";
    const auto start = std::chrono::steady_clock::now();
    const CommandResult straight =
        RunCommand(command + " --out " + whole.string());
    ASSERT_EQ(straight.exit_code, 0) << straight.output;
    const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> fraction(0.15, 0.85);
    const std::string interrupted = command + " --out " + killed.string();
    // The first kill must interrupt a run from scratch. The machine's load
    // changes durations, so a run that finished before its moment is removed
    // and tried again at half the delay.
    double scale = 1.0;
    bool first_killed = false;
    for (int attempt = 0; attempt < 6 && !first_killed; ++attempt) {
      fs::remove_all(killed);
      first_killed = KillAfter(
          interrupted, std::chrono::milliseconds(static_cast<int64_t>(
                           scale * fraction(random) * duration.count())));
      scale /= 2;
    }
    ASSERT_TRUE(first_killed) << "no run was interrupted";
    // The second interrupts the resumed run, unless it finishes first.
    const bool second_killed =
        KillAfter(interrupted, std::chrono::milliseconds(static_cast<int64_t>(
                                   fraction(random) * duration.count() / 2)));
    const int kills = 1 + second_killed;
    const CommandResult resumed = RunCommand(interrupted);
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    for (const std::string& result : results) {
      EXPECT_EQ(Comparable(killed, result), Comparable(whole, result))
          << result << " differs after " << kills << " kill(s)";
    }
    EXPECT_THAT(TemporaryFiles(killed), ::testing::IsEmpty());
  }

  // A small Adult zoo (8 runs, 4 epochs, 512 rows) in <dir>/zoo.
  std::string BuildSmallZoo() {
    const std::string zoo = (dir_ / "zoo").string();
    const CommandResult built = RunCommand(
        kTrainer +
        " zoo --task adult --runs 8 --epochs 4 --seed 3 --max_rows 512 --out " +
        zoo + kData);
    EXPECT_EQ(built.exit_code, 0) << built.output;
    return zoo;
  }

  testing::ScopedTempDir temp_;
  const fs::path dir_ = temp_.path();
};

TEST_F(KillResumeTest, SweepResumesToTheSameEditorsAndSummary) {
  const std::string zoo = BuildSmallZoo();
  ASSERT_FALSE(HasFailure());
  ExpectKilledRunsResumeToTheSameResults(
      kTrainer +
          " sweep --task adult --requirement pruning --lambdas 0.01,0.1 "
          "--steps 12 --eval_every 3 --checkpoint_every 3 --hidden 8 "
          "--layers 1 --max_test_rows 300 --zoo " +
          zoo + kData,
      {"sweep.json", "0.01/editor.safetensors", "0.01/editor.json",
       "0.1/editor.safetensors", "0.1/editor.json"},
      /*seed=*/1);
}

TEST_F(KillResumeTest, EvalResumesToTheSameReport) {
  const std::string zoo = BuildSmallZoo();
  ASSERT_FALSE(HasFailure());
  const std::string editors = (dir_ / "editors").string();
  const CommandResult swept = RunCommand(
      kTrainer +
      " sweep --task adult --requirement pruning --lambdas 0.01,0.1 "
      "--steps 6 --eval_every 3 --hidden 8 --layers 1 --max_test_rows 300 "
      "--zoo " +
      zoo + " --out " + editors + kData);
  ASSERT_EQ(swept.exit_code, 0) << swept.output;
  ExpectKilledRunsResumeToTheSameResults(
      kTrainer + " eval --task adult --requirement pruning --zoo " + zoo +
          " --editors " + editors +
          " --max_test_models 4 --max_test_rows 300 --max_fit_rows 300" + kData,
      {"report.json", "runs/baselines.json"}, /*seed=*/2);
}

TEST_F(KillResumeTest, PipelineResumesToTheSameZooEditorsAndReport) {
  const std::string csv = (dir_ / "synth.csv").string();
  const std::string task = (dir_ / "tasks/synth").string();
  ASSERT_EQ(
      RunCommand(kTrainer + " task synth --rows 1500 --seed 2 --out " + csv)
          .exit_code,
      0);
  ASSERT_EQ(RunCommand(kTrainer + " task create --data " + csv +
                       " --label label --positive yes --out " + task)
                .exit_code,
            0);
  ExpectKilledRunsResumeToTheSameResults(
      kTrainer + " pipeline --task " + task +
          " --size quick --requirements pruning",
      {"zoo/manifest.jsonl", "zoo/zoo.json", "editors/synth/pruning/sweep.json",
       "reports/pruning/report.json"},
      /*seed=*/3);
}

}  // namespace
}  // namespace amend
