#include "core/zoo/zoo_builder.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/file_io.h"
#include "core/util/json_field.h"
#include "core/util/seeded_random.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/zoo/accuracy_histogram.h"
#include "core/data_tensors/classifier_metrics.h"
#include "core/zoo/fused_trainer.h"
#include "core/zoo/group_trainer.h"
#include "core/zoo/manifest.h"

namespace amend {
namespace {

constexpr char kSettingsFile[] = "zoo.json";
constexpr char kHistogramFile[] = "accuracy_histogram.svg";
constexpr uint64_t kZooSplitStream = 0x7a6f6f73706c6974ULL;  // "zoosplit"

std::string StageName(int epoch, const std::vector<int>& checkpoints) {
  if (epoch == checkpoints.back()) return "final";
  if (epoch == checkpoints.front()) return "early";
  return "mid";
}

std::string CheckpointId(int64_t run, int epoch) {
  return absl::StrFormat("r%06d-e%03d", run, epoch);
}

// Settings that must match for a rerun to resume an existing zoo.
std::string SettingsJson(const Task& task, const ZooOptions& options) {
  nlohmann::ordered_json json;
  json["format"] = "amend-zoo-1";
  json["task"] = task.name;
  json["runs"] = options.runs;
  json["seed"] = options.seed;
  json["epochs"] = options.space.epochs;
  json["max_rows"] = options.max_rows;
  json["trainer"] =
      options.trainer == ZooTrainer::kFused ? "fused" : "libtorch-stacked";
  json["feature_names"] = task.feature_names();
  json["search_space_sample_run_0"] =
      nlohmann::ordered_json::parse(RunConfigToJson(
          SampleRunConfig(options.space, options.seed, 0, task.num_features(),
                          task.num_classes())));
  return json.dump(2) + "\n";
}

absl::Status CheckOrWriteSettings(const Task& task, const ZooOptions& options) {
  const std::string path = absl::StrCat(options.output_dir, "/", kSettingsFile);
  const std::string wanted = SettingsJson(task, options);
  if (std::filesystem::exists(path)) {
    AMEND_ASSIGN_OR_RETURN(const std::string existing,
                           ReadFileToString(path, 1 << 20));
    if (existing != wanted) {
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": the zoo in ", options.output_dir,
                       " was built with other settings (task, runs, seed, "
                       "epochs or max_rows); use another "
                       "--out or the same settings to resume"));
    }
    return absl::OkStatus();
  }
  return WriteFileAtomically(path, wanted);
}

// Entries of runs whose every checkpoint is listed and whose files match their
// sha256.
absl::StatusOr<std::map<int64_t, std::vector<ManifestEntry>>> FinishedRuns(
    const std::string& zoo_dir, const std::string& manifest_path,
    size_t checkpoints_per_run) {
  std::map<int64_t, std::vector<ManifestEntry>> finished;
  if (!std::filesystem::exists(manifest_path)) return finished;
  AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                         ReadManifest(manifest_path));
  for (ManifestEntry& entry : entries)
    finished[entry.run].push_back(std::move(entry));
  for (auto it = finished.begin(); it != finished.end();) {
    bool complete = it->second.size() == checkpoints_per_run;
    for (const ManifestEntry& entry : it->second) {
      if (!complete) break;
      auto digest = Sha256OfFile(absl::StrCat(zoo_dir, "/", entry.file));
      complete = digest.ok() && *digest == entry.sha256;
    }
    it = complete ? std::next(it) : finished.erase(it);
  }
  return finished;
}

// Work of one epoch of `run`, for progress and ETA: a fixed per-step overhead
// plus the step's multiply-accumulates (measured: at batch 32 the overhead
// dominates, at 256 the arithmetic).
double EpochCost(const RunConfig& run, int64_t rows) {
  constexpr double kStepOverheadMacs = 50'000;
  const double steps = static_cast<double>(rows / run.batch_size);
  return steps * (kStepOverheadMacs +
                  static_cast<double>(run.batch_size) *
                      static_cast<double>(CountWeights(run.architecture)));
}

// The runs of one group being trained, whichever trainer does it.
class GroupRuns {
 public:
  virtual ~GroupRuns() = default;
  virtual absl::Status TrainEpoch() = 0;
  virtual int64_t size() const = 0;
  virtual const RunConfig& run(int64_t index) const = 0;
  virtual absl::StatusOr<Mlp> ExtractModel(int64_t index) const = 0;
  virtual int64_t steps_per_epoch() const = 0;
};

class StackedRuns final : public GroupRuns {
 public:
  explicit StackedRuns(std::unique_ptr<GroupTrainer> trainer)
      : trainer_(std::move(trainer)) {}
  absl::Status TrainEpoch() override { return trainer_->TrainEpoch(); }
  int64_t size() const override { return trainer_->size(); }
  const RunConfig& run(int64_t index) const override {
    return trainer_->run(index);
  }
  absl::StatusOr<Mlp> ExtractModel(int64_t index) const override {
    return trainer_->ExtractModel(index);
  }
  int64_t steps_per_epoch() const override {
    return trainer_->steps_per_epoch();
  }

 private:
  std::unique_ptr<GroupTrainer> trainer_;
};

class FusedRuns final : public GroupRuns {
 public:
  explicit FusedRuns(std::vector<std::unique_ptr<FusedRunTrainer>> trainers)
      : trainers_(std::move(trainers)) {}
  absl::Status TrainEpoch() override {
    for (auto& trainer : trainers_)
      AMEND_RETURN_IF_ERROR(trainer->TrainEpoch());
    return absl::OkStatus();
  }
  int64_t size() const override {
    return static_cast<int64_t>(trainers_.size());
  }
  const RunConfig& run(int64_t index) const override {
    return trainers_[static_cast<size_t>(index)]->run();
  }
  absl::StatusOr<Mlp> ExtractModel(int64_t index) const override {
    return trainers_[static_cast<size_t>(index)]->ExtractModel();
  }
  int64_t steps_per_epoch() const override {
    return trainers_.front()->steps_per_epoch();
  }

 private:
  std::vector<std::unique_ptr<FusedRunTrainer>> trainers_;
};

absl::StatusOr<std::unique_ptr<GroupRuns>> MakeGroupRuns(
    const ZooOptions& options, const std::vector<RunConfig>& group,
    const SplitTensors& train) {
  if (options.trainer == ZooTrainer::kLibTorchStacked) {
    AMEND_ASSIGN_OR_RETURN(
        auto trainer,
        GroupTrainer::Create(group, train.features, train.labels));
    return std::make_unique<StackedRuns>(std::move(trainer));
  }
  std::vector<std::unique_ptr<FusedRunTrainer>> trainers;
  for (const RunConfig& run : group) {
    AMEND_ASSIGN_OR_RETURN(auto trainer, FusedRunTrainer::Create(run, train));
    trainers.push_back(std::move(trainer));
  }
  return std::make_unique<FusedRuns>(std::move(trainers));
}

// Trains one group and writes its checkpoints; returns each run's manifest
// entries.
absl::StatusOr<std::map<int64_t, std::vector<ManifestEntry>>> TrainGroup(
    const Task& task, const ZooOptions& options,
    const std::vector<RunConfig>& group, const std::vector<std::string>& splits,
    const SplitTensors& train, const SplitTensors& validation,
    const SplitTensors& test, const std::function<void(double)>& on_epoch) {
  const std::vector<int> checkpoints = CheckpointEpochs(options.space.epochs);
  AMEND_ASSIGN_OR_RETURN(const std::unique_ptr<GroupRuns> trainer,
                         MakeGroupRuns(options, group, train));
  std::map<int64_t, std::vector<ManifestEntry>> new_entries;
  for (int epoch = 1; epoch <= options.space.epochs; ++epoch) {
    AMEND_RETURN_IF_ERROR(trainer->TrainEpoch());
    if (std::find(checkpoints.begin(), checkpoints.end(), epoch) !=
        checkpoints.end()) {
      for (int64_t k = 0; k < trainer->size(); ++k) {
        const RunConfig& config = trainer->run(k);
        AMEND_ASSIGN_OR_RETURN(const Mlp mlp, trainer->ExtractModel(k));
        ManifestEntry entry;
        entry.id = CheckpointId(config.run, epoch);
        entry.run = config.run;
        entry.epoch = epoch;
        entry.stage = StageName(epoch, checkpoints);
        entry.split = splits[static_cast<size_t>(config.run)];
        entry.config = config;
        AMEND_ASSIGN_OR_RETURN(entry.train, MeasureClassifier(mlp, train));
        AMEND_ASSIGN_OR_RETURN(entry.validation,
                               MeasureClassifier(mlp, validation));
        AMEND_ASSIGN_OR_RETURN(entry.test, MeasureClassifier(mlp, test));
        entry.file = absl::StrCat("models/", entry.id, ".safetensors");
        AMEND_ASSIGN_OR_RETURN(
            const std::string bytes,
            SerializeModel(
                mlp, {{"amend.zoo.id", entry.id}, {"amend.task", task.name}}));
        entry.sha256 = Sha256Hex(bytes);
        AMEND_RETURN_IF_ERROR(WriteFileAtomically(
            absl::StrCat(options.output_dir, "/", entry.file), bytes));
        new_entries[config.run].push_back(std::move(entry));
      }
    }
    double cost = 0;
    for (const RunConfig& run : group) cost += EpochCost(run, train.rows());
    on_epoch(cost);
  }
  return new_entries;
}

}  // namespace

std::vector<std::string> ZooSplits(int64_t runs, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(runs));
  std::iota(order.begin(), order.end(), 0);
  SeededRandom(SeededRandom::Combine(seed, kZooSplitStream)).Shuffle(order);
  const auto train =
      static_cast<int64_t>(std::llround(0.8 * static_cast<double>(runs)));
  const auto validation =
      static_cast<int64_t>(std::llround(0.1 * static_cast<double>(runs)));
  std::vector<std::string> splits(static_cast<size_t>(runs));
  for (int64_t i = 0; i < runs; ++i) {
    splits[static_cast<size_t>(order[static_cast<size_t>(i)])] =
        i < train                ? "train"
        : i < train + validation ? "validation"
                                 : "test";
  }
  return splits;
}

std::vector<std::vector<RunConfig>> PlanGroups(std::vector<RunConfig> runs,
                                               int max_group_size) {
  auto key = [](const RunConfig& r) {
    std::vector<int64_t> widths;
    for (const HiddenLayer& layer : r.architecture.layers)
      widths.push_back(layer.width);
    const HiddenLayer* first =
        r.architecture.layers.empty() ? nullptr : &r.architecture.layers[0];
    return std::make_tuple(r.batch_size, r.architecture.num_hidden(), widths,
                           first ? static_cast<int>(first->norm) : 0,
                           first ? static_cast<int>(first->activation) : 0,
                           r.run);
  };
  std::sort(
      runs.begin(), runs.end(),
      [&](const RunConfig& a, const RunConfig& b) { return key(a) < key(b); });
  std::vector<std::vector<RunConfig>> groups;
  for (size_t begin = 0; begin < runs.size();) {
    const size_t limit = static_cast<size_t>(
        std::clamp<int64_t>(kRowsPerGroupStep / runs[begin].batch_size, 1,
                            std::max(1, max_group_size)));
    size_t end = begin;
    while (end < runs.size() &&
           runs[end].batch_size == runs[begin].batch_size &&
           runs[end].architecture.num_hidden() ==
               runs[begin].architecture.num_hidden()) {
      ++end;
    }
    // Near-equal chunks of at most `limit` runs over [begin, end).
    const size_t count = end - begin;
    const size_t chunks = (count + limit - 1) / limit;
    for (size_t c = 0; c < chunks; ++c) {
      const size_t from = begin + count * c / chunks,
                   to = begin + count * (c + 1) / chunks;
      groups.emplace_back(runs.begin() + static_cast<std::ptrdiff_t>(from),
                          runs.begin() + static_cast<std::ptrdiff_t>(to));
    }
    begin = end;
  }
  return groups;
}

absl::StatusOr<ZooSummary> BuildZoo(const Task& task, const ZooOptions& options,
                                    const ZooProgressCallback& progress) {
  if (options.runs < 1 || options.shard_count < 1 || options.shard_index < 0 ||
      options.shard_index >= options.shard_count || options.space.epochs < 1) {
    return absl::InvalidArgumentError(
        "zoo: runs must be >= 1, epochs >= 1 and the shard i/n must satisfy 0 "
        "<= i < n");
  }
  const auto start = std::chrono::steady_clock::now();
  AMEND_RETURN_IF_ERROR(
      CreateDirectories(absl::StrCat(options.output_dir, "/models")));
  AMEND_RETURN_IF_ERROR(CheckOrWriteSettings(task, options));
  const std::vector<int> checkpoints = CheckpointEpochs(options.space.epochs);
  ZooSummary summary;
  summary.manifest_path =
      absl::StrCat(options.output_dir, "/",
                   ManifestFileName(options.shard_index, options.shard_count));
  AMEND_ASSIGN_OR_RETURN(auto finished,
                         FinishedRuns(options.output_dir, summary.manifest_path,
                                      checkpoints.size()));

  const std::vector<std::string> splits = ZooSplits(options.runs, options.seed);
  std::vector<RunConfig> shard_runs;
  for (int64_t run = options.shard_index; run < options.runs;
       run += options.shard_count) {
    shard_runs.push_back(SampleRunConfig(options.space, options.seed, run,
                                         task.num_features(),
                                         task.num_classes()));
  }
  // A resumed run must be the run this command would train: a changed search
  // space (or code) must not mix two populations in one zoo.
  for (const RunConfig& run : shard_runs) {
    auto it = finished.find(run.run);
    if (it == finished.end()) continue;
    for (const ManifestEntry& entry : it->second) {
      if (entry.config != run) {
        return absl::FailedPreconditionError(absl::StrCat(
            summary.manifest_path, ": checkpoint ", entry.id,
            " was trained with another configuration than this command samples "
            "for run ",
            run.run, " (did the search space change?); use another --out"));
      }
    }
  }
  const SplitTensors train = ToTensors(task.train, options.max_rows);
  const SplitTensors validation = ToTensors(task.validation, options.max_rows);
  const SplitTensors test = ToTensors(task.test, options.max_rows);

  // Groups are planned over the whole shard, so a resumed build trains every
  // run in the same group as an uninterrupted one would.
  const std::vector<std::vector<RunConfig>> groups = PlanGroups(
      shard_runs,
      options.trainer == ZooTrainer::kFused ? 1 : options.max_group_size);
  ZooProgress state;
  state.runs_total = static_cast<int64_t>(shard_runs.size());
  std::vector<bool>
      group_done;  // decided before the workers start; read-only afterwards
  for (const auto& group : groups) {
    const bool done = std::all_of(
        group.begin(), group.end(),
        [&](const RunConfig& r) { return finished.contains(r.run); });
    group_done.push_back(done);
    double cost = 0;
    for (const RunConfig& run : group) cost += EpochCost(run, train.rows());
    cost *= options.space.epochs;
    if (done) {
      state.runs_done += static_cast<int64_t>(group.size());
      summary.runs_skipped += static_cast<int64_t>(group.size());
    } else {
      state.work_total += cost;
    }
  }
  if (progress) progress(state);

  // Workers take groups in plan order; results are merged under one lock, and
  // the manifest is rewritten whole after every finished group, so it is valid
  // whenever the process dies.
  std::mutex mu;
  std::atomic<size_t> next_group{0};
  absl::Status first_error;    // guarded by mu
  int64_t unwritten_runs = 0;  // guarded by mu
  // REQUIRES: mu held (or no worker running).
  auto write_manifest = [&]() -> absl::Status {
    std::vector<ManifestEntry> all;
    for (const auto& [run, run_entries] : finished) {
      all.insert(all.end(), run_entries.begin(), run_entries.end());
    }
    SortManifest(all);
    AMEND_RETURN_IF_ERROR(WriteManifest(summary.manifest_path, all));
    unwritten_runs = 0;
    return absl::OkStatus();
  };
  auto worker = [&]() {
    while (true) {
      const size_t index = next_group.fetch_add(1);
      if (index >= groups.size()) return;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!first_error.ok()) return;
      }
      const std::vector<RunConfig>& group = groups[index];
      if (group_done[index]) continue;
      auto on_epoch = [&](double steps) {
        std::lock_guard<std::mutex> lock(mu);
        state.work_done += steps;
        state.elapsed_seconds = std::chrono::duration<double>(
                                    std::chrono::steady_clock::now() - start)
                                    .count();
        if (progress) progress(state);
      };
      absl::StatusOr<std::map<int64_t, std::vector<ManifestEntry>>> entries =
          TrainGroup(task, options, group, splits, train, validation, test,
                     on_epoch);
      std::lock_guard<std::mutex> lock(mu);
      if (!entries.ok()) {
        if (first_error.ok()) first_error = entries.status();
        return;
      }
      for (auto& [run, run_entries] : *entries)
        finished[run] = std::move(run_entries);
      unwritten_runs += static_cast<int64_t>(entries->size());
      // Rewriting the whole manifest after every run would write O(runs^2)
      // bytes; once at least 2% of the finished runs are unwritten keeps it
      // O(runs) while a crash loses at most 2% of the work (those runs are
      // retrained on resume).
      if (unwritten_runs * 50 >= static_cast<int64_t>(finished.size())) {
        if (absl::Status status = write_manifest(); !status.ok()) {
          if (first_error.ok()) first_error = status;
          return;
        }
      }
      summary.runs_trained += static_cast<int64_t>(entries->size());
      state.runs_done += static_cast<int64_t>(group.size());
      ++summary.groups;
      if (progress) progress(state);
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < std::max(1, options.workers); ++w)
    threads.emplace_back(worker);
  worker();
  for (std::thread& thread : threads) thread.join();
  // Whatever finished is recorded, even when a worker failed.
  if (unwritten_runs > 0 || !std::filesystem::exists(summary.manifest_path)) {
    AMEND_RETURN_IF_ERROR(write_manifest());
  }
  AMEND_RETURN_IF_ERROR(first_error);

  for (const auto& [run, entries] : finished) {
    for (const ManifestEntry& entry : entries) {
      summary.test_accuracy[entry.stage].push_back(entry.test.accuracy);
    }
  }
  if (options.shard_count == 1) {
    AMEND_RETURN_IF_ERROR(WriteFileAtomically(
        absl::StrCat(options.output_dir, "/", kHistogramFile),
        AccuracyHistogramSvg(
            summary.test_accuracy,
            absl::StrCat(task.name, " zoo: test accuracy of ", options.runs,
                         " runs x ", checkpoints.size(), " checkpoints"))));
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return summary;
}

absl::StatusOr<int64_t> MergeZooShards(const std::string& zoo_dir) {
  AMEND_ASSIGN_OR_RETURN(
      const std::string settings_text,
      ReadFileToString(absl::StrCat(zoo_dir, "/", kSettingsFile), 1 << 20));
  const nlohmann::json settings =
      nlohmann::json::parse(settings_text, nullptr, false);
  if (settings.is_discarded() || !settings.contains("runs") ||
      !settings.contains("epochs")) {
    return absl::InvalidArgumentError(
        absl::StrCat(zoo_dir, "/", kSettingsFile, ": is not valid"));
  }
  const std::string settings_path = absl::StrCat(zoo_dir, "/", kSettingsFile);
  AMEND_ASSIGN_OR_RETURN(const int64_t runs,
                         JsonField<int64_t>(settings, "runs", settings_path));
  AMEND_ASSIGN_OR_RETURN(const int epochs,
                         JsonField<int>(settings, "epochs", settings_path));
  if (runs < 1 || epochs < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(settings_path, ": runs and epochs must be >= 1"));
  }
  const std::vector<int> checkpoints = CheckpointEpochs(epochs);
  std::vector<ManifestEntry> all;
  int shard_files = 0;
  for (const auto& file : std::filesystem::directory_iterator(zoo_dir)) {
    const std::string name = file.path().filename().string();
    if (!absl::StartsWith(name, "manifest.shard-") ||
        !absl::EndsWith(name, ".jsonl"))
      continue;
    AMEND_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries,
                           ReadManifest(file.path().string()));
    all.insert(all.end(), entries.begin(), entries.end());
    ++shard_files;
  }
  if (shard_files == 0) {
    return absl::NotFoundError(
        absl::StrCat(zoo_dir, ": has no manifest.shard-*.jsonl to merge"));
  }
  SortManifest(all);
  std::map<int64_t, size_t> per_run;
  std::set<std::string> ids;
  for (const ManifestEntry& entry : all) {
    if (entry.run < 0 || entry.run >= runs) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint ", entry.id, ": run ", entry.run,
                       " is outside 0..", runs - 1, " (", settings_path, ")"));
    }
    ++per_run[entry.run];
    if (!ids.insert(entry.id).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("checkpoint ", entry.id,
                       ": appears in more than one shard manifest"));
    }
  }
  for (int64_t run = 0; run < runs; ++run) {
    if (per_run[run] != checkpoints.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run, ": has ", per_run[run],
                       " checkpoints in the shard manifests, ", "must have ",
                       checkpoints.size(), " (is a shard unfinished?)"));
    }
  }
  AMEND_RETURN_IF_ERROR(
      WriteManifest(absl::StrCat(zoo_dir, "/manifest.jsonl"), all));
  std::map<std::string, std::vector<double>> by_stage;
  for (const ManifestEntry& entry : all)
    by_stage[entry.stage].push_back(entry.test.accuracy);
  AMEND_RETURN_IF_ERROR(WriteFileAtomically(
      absl::StrCat(zoo_dir, "/", kHistogramFile),
      AccuracyHistogramSvg(
          by_stage, absl::StrCat(settings.value("task", std::string("zoo")),
                                 " zoo: test accuracy of ", runs, " runs"))));
  return static_cast<int64_t>(all.size());
}

}  // namespace amend
