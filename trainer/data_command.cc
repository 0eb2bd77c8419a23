#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/data/task.h"
#include "core/data/task_summary.h"
#include "core/util/csv_field.h"
#include "core/util/file_io.h"
#include "trainer/commands.h"

namespace amend::trainer {

int RunDataCommand(const DataCommandOptions& options) {
  absl::StatusOr<Task> task =
      LoadTask(options.task, options.data_dir, options.tasks_dir);
  if (!task.ok()) {
    std::cerr << "amend-trainer data: " << task.status().message() << "\n";
    return kExitFailure;
  }
  std::cout << (options.text ? TaskSummaryText(*task)
                             : TaskSummaryJson(*task) + "\n");
  if (options.features_out.empty()) return kExitOk;
  const Split* split = nullptr;
  for (const SplitName name : kAllSplits) {
    if (SplitNameString(name) == options.split) split = &task->split(name);
  }
  if (split == nullptr) {  // DataOptionsFromFlags checked the name
    std::cerr << "amend-trainer data: no split \"" << options.split << "\"\n";
    return kExitUsage;
  }
  // %.9g round-trips a float32. The extra columns carry a prefix no feature
  // name has (a sensitive attribute named "group" is often a feature too).
  // Feature names come from users' headers: quoted when they hold a comma.
  std::string csv =
      absl::StrCat(absl::StrJoin(task->feature_names(), ",",
                                 [](std::string* out, const std::string& name) {
                                   out->append(CsvField(name));
                                 }),
                   ",amend:label,amend:group,amend:source_row\n");
  const int64_t columns = task->num_features();
  for (int64_t r = 0; r < split->rows; ++r) {
    for (int64_t c = 0; c < columns; ++c) {
      absl::StrAppendFormat(
          &csv, "%.9g,", split->features[static_cast<size_t>(r * columns + c)]);
    }
    absl::StrAppend(&csv, split->labels[static_cast<size_t>(r)], ",",
                    split->groups[static_cast<size_t>(r)], ",",
                    split->source_row[static_cast<size_t>(r)], "\n");
  }
  if (absl::Status written = WriteFileAtomically(options.features_out, csv);
      !written.ok()) {
    std::cerr << "amend-trainer data: " << written.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace amend::trainer
