// File: core/zoo/zoo_train_group.h
//
// Trains one planned group of zoo runs (zoo_plan.h) with the trainer the
// options name, fused_trainer.h or group_trainer.h, and saves each run's
// checkpoints as model files with their manifest entries.
//
// Thread-compatible; groups may train on concurrent threads, each with its own
// call.
#ifndef AMEND_CORE_ZOO_ZOO_TRAIN_GROUP_H_
#define AMEND_CORE_ZOO_ZOO_TRAIN_GROUP_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/data_tensors/split_tensors.h"
#include "core/zoo/search_space.h"
#include "core/zoo/zoo_builder.h"
#include "core/zoo/zoo_resume.h"

namespace amend {

// The task's data splits, as the zoo trains on and measures with them.
struct ZooData {
  SplitTensors train, validation, test;
};

// Trains `group` for options.space.epochs epochs, writes its checkpoints under
// options.output_dir and returns each run's manifest entries. `splits` holds
// the zoo split of every run index (ZooSplits); `on_epoch` receives each
// epoch's work (GroupEpochCost).
absl::StatusOr<RunEntries> TrainGroup(
    const Task& task, const ZooOptions& options,
    const std::vector<RunConfig>& group, const std::vector<std::string>& splits,
    const ZooData& data, const std::function<void(double)>& on_epoch);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_ZOO_TRAIN_GROUP_H_
