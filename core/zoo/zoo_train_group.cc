#include "core/zoo/zoo_train_group.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/data_tensors/classifier_metrics.h"
#include "core/mlp/model_file.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/zoo/fused_trainer.h"
#include "core/zoo/group_trainer.h"
#include "core/zoo/zoo_plan.h"

namespace amend {
namespace {

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

std::string StageName(int epoch, const std::vector<int>& checkpoints) {
  if (epoch == checkpoints.back()) return "final";
  if (epoch == checkpoints.front()) return "early";
  return "mid";
}

std::string CheckpointId(int64_t run, int epoch) {
  return absl::StrFormat("r%06d-e%03d", run, epoch);
}

// Measures `mlp`, the run `config` after `epoch` epochs, writes its model file
// and returns its manifest entry.
absl::StatusOr<ManifestEntry> SaveCheckpoint(
    const Task& task, const ZooOptions& options, const RunConfig& config,
    const Mlp& mlp, int epoch, const std::vector<int>& checkpoints,
    const std::string& split, const ZooData& data) {
  ManifestEntry entry;
  entry.id = CheckpointId(config.run, epoch);
  entry.run = config.run;
  entry.epoch = epoch;
  entry.stage = StageName(epoch, checkpoints);
  entry.split = split;
  entry.config = config;
  AMEND_ASSIGN_OR_RETURN(entry.train, MeasureClassifier(mlp, data.train));
  AMEND_ASSIGN_OR_RETURN(entry.validation,
                         MeasureClassifier(mlp, data.validation));
  AMEND_ASSIGN_OR_RETURN(entry.test, MeasureClassifier(mlp, data.test));
  entry.file = absl::StrCat("models/", entry.id, ".safetensors");
  AMEND_ASSIGN_OR_RETURN(const std::string bytes,
                         SerializeModel(mlp, {{"amend.zoo.id", entry.id},
                                              {"amend.task", task.name}}));
  entry.sha256 = Sha256Hex(bytes);
  AMEND_RETURN_IF_ERROR(WriteFileAtomically(
      absl::StrCat(options.output_dir, "/", entry.file), bytes));
  return entry;
}

}  // namespace

absl::StatusOr<RunEntries> TrainGroup(
    const Task& task, const ZooOptions& options,
    const std::vector<RunConfig>& group, const std::vector<std::string>& splits,
    const ZooData& data, const std::function<void(double)>& on_epoch) {
  const std::vector<int> checkpoints = CheckpointEpochs(options.space.epochs);
  AMEND_ASSIGN_OR_RETURN(const std::unique_ptr<GroupRuns> trainer,
                         MakeGroupRuns(options, group, data.train));
  RunEntries new_entries;
  for (int epoch = 1; epoch <= options.space.epochs; ++epoch) {
    AMEND_RETURN_IF_ERROR(trainer->TrainEpoch());
    if (std::find(checkpoints.begin(), checkpoints.end(), epoch) !=
        checkpoints.end()) {
      for (int64_t k = 0; k < trainer->size(); ++k) {
        const RunConfig& config = trainer->run(k);
        AMEND_ASSIGN_OR_RETURN(const Mlp mlp, trainer->ExtractModel(k));
        AMEND_ASSIGN_OR_RETURN(
            ManifestEntry entry,
            SaveCheckpoint(task, options, config, mlp, epoch, checkpoints,
                           splits[static_cast<size_t>(config.run)], data));
        new_entries[config.run].push_back(std::move(entry));
      }
    }
    on_epoch(GroupEpochCost(group, data.train.rows()));
  }
  return new_entries;
}

}  // namespace amend
