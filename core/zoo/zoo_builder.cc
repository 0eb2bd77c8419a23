#include "core/zoo/zoo_builder.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "core/zoo/accuracy_histogram.h"
#include "core/zoo/manifest.h"
#include "core/zoo/zoo_plan.h"
#include "core/zoo/zoo_resume.h"
#include "core/zoo/zoo_train_group.h"

namespace amend {
namespace {

absl::Status CheckOptions(const ZooOptions& options) {
  if (options.runs < 1 || options.shard_count < 1 || options.shard_index < 0 ||
      options.shard_index >= options.shard_count || options.space.epochs < 1) {
    return absl::InvalidArgumentError(
        "zoo: runs must be >= 1, epochs >= 1 and the shard i/n must satisfy 0 "
        "<= i < n");
  }
  return ValidateArchitectureSpace(options.space);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// One process's build of its shard of a zoo. Workers take groups in plan
// order; results are merged under one lock, and the manifest is rewritten
// whole after finished groups, so it is valid whenever the process dies.
class ShardBuild {
 public:
  ShardBuild(const Task& task, const ZooOptions& options,
             const ZooProgressCallback& progress)
      : task_(task),
        options_(options),
        progress_(progress),
        start_(std::chrono::steady_clock::now()) {}

  // Everything before training: folders, settings, the runs already finished
  // and the plan of the rest.
  absl::Status Prepare();
  // Trains the unfinished groups on options.workers threads and records what
  // finished, even when a worker failed.
  absl::Status TrainGroups();
  absl::StatusOr<ZooSummary> Finish();

 private:
  void PlanProgress();
  void Work();
  void OnEpoch(double work);
  // Merges a trained group; false when the workers must stop.
  bool RecordGroup(const std::vector<RunConfig>& group, RunEntries entries);
  absl::Status WriteShardManifest();  // REQUIRES: mu_ held or no worker running

  const Task& task_;
  const ZooOptions& options_;
  const ZooProgressCallback& progress_;
  const std::chrono::steady_clock::time_point start_;

  // Constant once Prepare() returns.
  std::vector<std::string> splits_;
  ZooData data_;
  std::vector<std::vector<RunConfig>> groups_;
  std::vector<bool> group_done_;
  std::atomic<size_t> next_group_{0};

  std::mutex mu_;
  RunEntries finished_;         // guarded by mu_
  ZooSummary summary_;          // guarded by mu_
  ZooProgress state_;           // guarded by mu_
  absl::Status first_error_;    // guarded by mu_
  int64_t unwritten_runs_ = 0;  // guarded by mu_
};

absl::Status ShardBuild::Prepare() {
  AMEND_RETURN_IF_ERROR(
      CreateDirectories(absl::StrCat(options_.output_dir, "/models")));
  AMEND_RETURN_IF_ERROR(CheckOrWriteSettings(task_, options_));
  summary_.manifest_path = absl::StrCat(
      options_.output_dir, "/",
      ManifestFileName(options_.shard_index, options_.shard_count));
  AMEND_ASSIGN_OR_RETURN(
      finished_, FinishedRuns(options_.output_dir, summary_.manifest_path,
                              CheckpointEpochs(options_.space.epochs).size()));
  splits_ = ZooSplits(options_.runs, options_.seed);
  std::vector<RunConfig> shard_runs;
  for (int64_t run = options_.shard_index; run < options_.runs;
       run += options_.shard_count) {
    shard_runs.push_back(SampleRunConfig(options_.space, options_.seed, run,
                                         task_.num_features(),
                                         task_.num_classes()));
  }
  AMEND_RETURN_IF_ERROR(
      CheckFinishedRunsMatch(finished_, shard_runs, summary_.manifest_path));
  data_ = {ToTensors(task_.train, options_.max_rows),
           ToTensors(task_.validation, options_.max_rows),
           ToTensors(task_.test, options_.max_rows)};
  // Groups are planned over the whole shard, so a resumed build trains every
  // run in the same group as an uninterrupted one would.
  groups_ = PlanGroups(shard_runs, options_.trainer == ZooTrainer::kFused
                                       ? 1
                                       : options_.max_group_size);
  state_.runs_total = static_cast<int64_t>(shard_runs.size());
  PlanProgress();
  return absl::OkStatus();
}

void ShardBuild::PlanProgress() {
  for (const auto& group : groups_) {
    const bool done = std::all_of(
        group.begin(), group.end(),
        [&](const RunConfig& r) { return finished_.contains(r.run); });
    group_done_.push_back(done);
    if (done) {
      state_.runs_done += static_cast<int64_t>(group.size());
      summary_.runs_skipped += static_cast<int64_t>(group.size());
    } else {
      state_.work_total +=
          GroupEpochCost(group, data_.train.rows()) * options_.space.epochs;
    }
  }
  if (progress_) progress_(state_);
}

absl::Status ShardBuild::TrainGroups() {
  std::vector<std::thread> threads;
  for (int w = 1; w < std::max(1, options_.workers); ++w)
    threads.emplace_back([this] { Work(); });
  Work();
  for (std::thread& thread : threads) thread.join();
  if (unwritten_runs_ > 0 || !std::filesystem::exists(summary_.manifest_path)) {
    AMEND_RETURN_IF_ERROR(WriteShardManifest());
  }
  return first_error_;
}

void ShardBuild::Work() {
  while (true) {
    const size_t index = next_group_.fetch_add(1);
    if (index >= groups_.size()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!first_error_.ok()) return;
    }
    if (group_done_[index]) continue;
    const std::vector<RunConfig>& group = groups_[index];
    absl::StatusOr<RunEntries> entries =
        TrainGroup(task_, options_, group, splits_, data_,
                   [this](double work) { OnEpoch(work); });
    std::lock_guard<std::mutex> lock(mu_);
    if (!entries.ok()) {
      if (first_error_.ok()) first_error_ = entries.status();
      return;
    }
    if (!RecordGroup(group, *std::move(entries))) return;
  }
}

void ShardBuild::OnEpoch(double work) {
  std::lock_guard<std::mutex> lock(mu_);
  state_.work_done += work;
  state_.elapsed_seconds = SecondsSince(start_);
  if (progress_) progress_(state_);
}

bool ShardBuild::RecordGroup(const std::vector<RunConfig>& group,
                             RunEntries entries) {
  const auto runs = static_cast<int64_t>(entries.size());
  for (auto& [run, run_entries] : entries)
    finished_[run] = std::move(run_entries);
  unwritten_runs_ += runs;
  // Rewriting the whole manifest after every run would write O(runs^2) bytes;
  // once at least 2% of the finished runs are unwritten keeps it O(runs) while
  // a crash loses at most 2% of the work (those runs are retrained on resume).
  if (unwritten_runs_ * 50 >= static_cast<int64_t>(finished_.size())) {
    if (absl::Status status = WriteShardManifest(); !status.ok()) {
      if (first_error_.ok()) first_error_ = status;
      return false;
    }
  }
  summary_.runs_trained += runs;
  state_.runs_done += static_cast<int64_t>(group.size());
  ++summary_.groups;
  if (progress_) progress_(state_);
  return true;
}

absl::Status ShardBuild::WriteShardManifest() {
  std::vector<ManifestEntry> all;
  for (const auto& [run, run_entries] : finished_) {
    all.insert(all.end(), run_entries.begin(), run_entries.end());
  }
  SortManifest(all);
  AMEND_RETURN_IF_ERROR(WriteManifest(summary_.manifest_path, all));
  unwritten_runs_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<ZooSummary> ShardBuild::Finish() {
  for (const auto& [run, entries] : finished_) {
    for (const ManifestEntry& entry : entries) {
      summary_.test_accuracy[entry.stage].push_back(entry.test.accuracy);
    }
  }
  if (options_.shard_count == 1) {
    AMEND_RETURN_IF_ERROR(WriteZooHistogram(
        options_.output_dir, summary_.test_accuracy,
        absl::StrCat(task_.name, " zoo: test accuracy of ", options_.runs,
                     " runs x ", CheckpointEpochs(options_.space.epochs).size(),
                     " checkpoints")));
  }
  summary_.seconds = SecondsSince(start_);
  return summary_;
}

}  // namespace

absl::StatusOr<ZooSummary> BuildZoo(const Task& task, const ZooOptions& options,
                                    const ZooProgressCallback& progress) {
  AMEND_RETURN_IF_ERROR(CheckOptions(options));
  ShardBuild build(task, options, progress);
  AMEND_RETURN_IF_ERROR(build.Prepare());
  AMEND_RETURN_IF_ERROR(build.TrainGroups());
  return build.Finish();
}

}  // namespace amend
