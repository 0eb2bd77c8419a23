#include "core/zoo/zoo_builder.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/zoo/manifest.h"
#include "core/zoo/zoo_plan.h"
#include "core/zoo/zoo_resume.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const Task& Adult() {
  static const Task* task = new Task(*LoadTask("adult", AMEND_TEST_DATA_DIR));
  return *task;
}

ZooOptions TinyZoo(const std::string& dir) {
  ZooOptions options;
  options.output_dir = dir;
  options.runs = 6;
  options.seed = 11;
  options.space.epochs = 4;  // checkpoints after epochs 1, 2 and 4
  options.max_rows = 512;
  return options;
}

std::string Manifest(const std::string& dir) {
  return *ReadFileToString(dir + "/manifest.jsonl");
}

TEST(ZooSplitsTest, SplitsByRunEightyTenTen) {
  const auto splits = ZooSplits(1000, 5);
  EXPECT_EQ(std::count(splits.begin(), splits.end(), "train"), 800);
  EXPECT_EQ(std::count(splits.begin(), splits.end(), "validation"), 100);
  EXPECT_EQ(std::count(splits.begin(), splits.end(), "test"), 100);
  EXPECT_EQ(ZooSplits(1000, 5), splits);
  EXPECT_NE(ZooSplits(1000, 6), splits);
}

TEST(ZooBuilderTest, ATinyZooHasThreeVerifiedCheckpointsPerRun) {
  testing::ScopedTempDir temp;
  auto summary = BuildZoo(Adult(), TinyZoo(temp.path().string()));
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->runs_trained, 6);
  auto entries = ReadManifest(temp.file("manifest.jsonl"));
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 18u);  // epochs {1, 2, 4}: early, mid, final
  const auto splits = ZooSplits(6, 11);
  for (size_t i = 0; i < entries->size(); ++i) {
    const ManifestEntry& e = (*entries)[i];
    EXPECT_EQ(e.run, static_cast<int64_t>(i / 3));
    EXPECT_EQ(e.epoch, (std::vector<int>{1, 2, 4})[i % 3]);
    EXPECT_EQ(e.stage,
              (std::vector<std::string>{"early", "mid", "final"})[i % 3]);
    EXPECT_EQ(e.split, splits[static_cast<size_t>(e.run)]);
    EXPECT_EQ(e.config,
              SampleRunConfig(ZooSearchSpace{.epochs = 4}, 11, e.run, 14, 2));
    EXPECT_EQ(*Sha256OfFile(temp.file(e.file)), e.sha256);
    EXPECT_GT(e.test.accuracy, 0.0);
    EXPECT_LE(e.test.accuracy, 1.0);
  }
  EXPECT_TRUE(fs::exists(temp.file("accuracy_histogram.svg")));
  EXPECT_TRUE(fs::exists(temp.file("zoo.json")));
}

TEST(ZooBuilderTest, TheSameCommandGivesByteIdenticalCheckpoints) {
  testing::ScopedTempDir a, b;
  ASSERT_TRUE(BuildZoo(Adult(), TinyZoo(a.path().string())).ok());
  ASSERT_TRUE(BuildZoo(Adult(), TinyZoo(b.path().string())).ok());
  EXPECT_EQ(Manifest(a.path().string()), Manifest(b.path().string()));
}

TEST(ZooBuilderTest, ResumeAfterAnInterruptionGivesTheSameManifest) {
  testing::ScopedTempDir whole, interrupted;
  ZooOptions options = TinyZoo(whole.path().string());
  options.max_group_size =
      1;  // one group per run: the manifest grows run by run
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());

  // Simulate a crash after two runs: the manifest lists runs 0-1, a later run
  // left a stray temporary file and a checkpoint written before its run
  // finished.
  options.output_dir = interrupted.path().string();
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  auto entries = *ReadManifest(interrupted.file("manifest.jsonl"));
  std::vector<ManifestEntry> first_two(entries.begin(), entries.begin() + 6);
  ASSERT_TRUE(
      WriteManifest(interrupted.file("manifest.jsonl"), first_two).ok());
  fs::remove(interrupted.file(entries[9].file));
  ASSERT_TRUE(
      WriteFileAtomically(interrupted.file("models/x.tmp.1.2"), "half").ok());

  auto resumed = BuildZoo(Adult(), options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->runs_skipped, 2);
  EXPECT_EQ(resumed->runs_trained, 4);
  EXPECT_EQ(Manifest(interrupted.path().string()),
            Manifest(whole.path().string()));
}

TEST(ZooBuilderTest, AResumedRunWithACorruptCheckpointIsRetrained) {
  testing::ScopedTempDir temp;
  ZooOptions options = TinyZoo(temp.path().string());
  options.max_group_size = 1;
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  const std::string before = Manifest(temp.path().string());
  const auto entries = *ReadManifest(temp.file("manifest.jsonl"));
  ASSERT_TRUE(WriteFileAtomically(temp.file(entries[4].file), "garbage").ok());
  auto resumed = BuildZoo(Adult(), options);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(resumed->runs_trained, 1);
  EXPECT_EQ(Manifest(temp.path().string()), before);
}

TEST(ZooBuilderTest, ShardsMergedEqualAnUnshardedBuild) {
  testing::ScopedTempDir whole, sharded;
  ZooOptions options = TinyZoo(whole.path().string());
  options.max_group_size =
      1;  // same grouping in both builds, so bytes must agree exactly
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  options.output_dir = sharded.path().string();
  options.shard_count = 3;
  for (int i = 0; i < 3; ++i) {
    options.shard_index = i;
    ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  }
  auto merged = MergeZooShards(sharded.path().string());
  ASSERT_TRUE(merged.ok()) << merged.status();
  EXPECT_EQ(*merged, 18);
  EXPECT_EQ(Manifest(sharded.path().string()), Manifest(whole.path().string()));
}

TEST(ZooBuilderTest, MergeRefusesAnUnfinishedShard) {
  testing::ScopedTempDir temp;
  ZooOptions options = TinyZoo(temp.path().string());
  options.shard_count = 2;
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());  // shard 0 only
  auto merged = MergeZooShards(temp.path().string());
  EXPECT_EQ(merged.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(merged.status().message()),
              HasSubstr("run 1: has 0 checkpoints"));
}

TEST(ZooBuilderTest, RefusesToMixSettingsInOneFolder) {
  testing::ScopedTempDir temp;
  ZooOptions options = TinyZoo(temp.path().string());
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  options.seed = 12;
  const absl::Status other = BuildZoo(Adult(), options).status();
  EXPECT_EQ(other.code(), absl::StatusCode::kAlreadyExists);
  // Core names no flag; amend-trainer adds "use another --out".
  EXPECT_THAT(std::string(other.message()), Not(HasSubstr("--")));
}

TEST(ZooBuilderTest, ZooJsonRecordsTheTaskCardAndRefusesAnotherCard) {
  testing::ScopedTempDir temp;
  const std::string dir = temp.path().string();
  ZooOptions options = TinyZoo(dir);
  options.runs = 1;
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  const nlohmann::json settings =
      nlohmann::json::parse(*ReadFileToString(temp.file("zoo.json")));
  ASSERT_EQ(Adult().card_sha256.size(), 64u);
  EXPECT_EQ(settings.at("task_card_sha256"), Adult().card_sha256);
  EXPECT_TRUE(CheckZooIsOfTask(dir, Adult()).ok());

  Task remade = Adult();
  remade.card_sha256 = std::string(64, 'a');
  const absl::Status changed = CheckZooIsOfTask(dir, remade);
  EXPECT_EQ(changed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(changed.message()), HasSubstr(Adult().card_sha256));
  Task other = Adult();
  other.name = "bank";
  EXPECT_THAT(std::string(CheckZooIsOfTask(dir, other).message()),
              HasSubstr("of task \"adult\", not \"bank\""));
}

TEST(ZooBuilderTest, AZooWithoutACardHashStillResumes) {
  testing::ScopedTempDir temp;
  const std::string dir = temp.path().string();
  ZooOptions options = TinyZoo(dir);
  options.runs = 1;
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  // As written before zoo.json recorded the card.
  nlohmann::ordered_json settings =
      nlohmann::ordered_json::parse(*ReadFileToString(temp.file("zoo.json")));
  settings.erase("task_card_sha256");
  ASSERT_TRUE(
      WriteFileAtomically(temp.file("zoo.json"), settings.dump(2) + "\n").ok());
  options.runs = 2;
  ASSERT_FALSE(BuildZoo(Adult(), options).ok());  // runs differ: refused
  options.runs = 1;
  auto resumed = BuildZoo(Adult(), options);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->runs_trained, 0);
  EXPECT_TRUE(CheckZooIsOfTask(dir, Adult()).ok());
}

TEST(ZooBuilderTest, TheLibTorchStackedTrainerBuildsAnEquivalentZoo) {
  testing::ScopedTempDir fused, stacked;
  ASSERT_TRUE(BuildZoo(Adult(), TinyZoo(fused.path().string())).ok());
  ZooOptions options = TinyZoo(stacked.path().string());
  options.trainer = ZooTrainer::kLibTorchStacked;
  auto summary = BuildZoo(Adult(), options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  const auto a = *ReadManifest(fused.file("manifest.jsonl"));
  const auto b = *ReadManifest(stacked.file("manifest.jsonl"));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].config, b[i].config);
    // Same training up to summation order (and batchnorm's noise-driven
    // biases).
    EXPECT_NEAR(a[i].test.accuracy, b[i].test.accuracy, 0.02) << a[i].id;
  }
}

TEST(ZooBuilderTest, ResumeRefusesCheckpointsOfAnotherConfiguration) {
  testing::ScopedTempDir temp;
  ZooOptions options = TinyZoo(temp.path().string());
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  auto entries = *ReadManifest(temp.file("manifest.jsonl"));
  entries[0].config.learning_rate *= 2;  // as if the search space had changed
  ASSERT_TRUE(WriteManifest(temp.file("manifest.jsonl"), entries).ok());
  auto resumed = BuildZoo(Adult(), options);
  EXPECT_EQ(resumed.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(resumed.status().message()),
              HasSubstr("was trained with another configuration"));
}

TEST(ManifestTest, ABadLineIsRefusedWithItsLineAndField) {
  auto parsed = ParseManifest("\n{\"id\": 3}\n", "m.jsonl");
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("m.jsonl:2: id: must be a string, got number"));
}

TEST(ZooBuilderTest, ParallelWorkersGiveTheSameManifestAsOne) {
  testing::ScopedTempDir one, two;
  ZooOptions options = TinyZoo(one.path().string());
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  options.output_dir = two.path().string();
  options.workers = 2;
  ASSERT_TRUE(BuildZoo(Adult(), options).ok());
  EXPECT_EQ(Manifest(one.path().string()), Manifest(two.path().string()));
}

}  // namespace
}  // namespace amend
