#include <iostream>

#include "core/data/task.h"
#include "core/data/task_summary.h"
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
  return kExitOk;
}

}  // namespace amend::trainer
