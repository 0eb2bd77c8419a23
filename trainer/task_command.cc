#include <iostream>

#include "core/data/task.h"
#include "core/data/task_directory.h"
#include "core/data/task_summary.h"
#include "core/util/file_io.h"
#include "trainer/commands.h"

namespace amend::trainer {

int RunTaskCreateCommand(const TaskCreateCommandOptions& options) {
  absl::StatusOr<CreatedTask> created = CreateTask(options.task);
  if (!created.ok()) {
    std::cerr << "amend-trainer task create: " << created.status().message()
              << "\n";
    return created.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitUsage
               : kExitFailure;
  }
  for (const std::string& note : created->notes)
    std::cerr << "[task] " << note << "\n";
  if (absl::Status written = WriteTaskDirectory(*created, options.output_dir);
      !written.ok()) {
    std::cerr << "amend-trainer task create: " << written.message() << "\n";
    return kExitFailure;
  }
  // Read back through the loader every other command uses, so a card that
  // does not load is never reported as made.
  absl::StatusOr<Task> task = LoadTaskDirectory(options.output_dir);
  if (!task.ok()) {
    std::cerr << "amend-trainer task create: the written task does not load: "
              << task.status().message() << "\n";
    return kExitFailure;
  }
  std::cerr << "[task] wrote " << options.output_dir << "\n";
  std::cout << TaskSummaryText(*task);
  return kExitOk;
}

int RunTaskSynthCommand(const TaskSynthCommandOptions& options) {
  if (absl::Status written = WriteFileAtomically(
          options.output_path, SyntheticTaskCsv(options.synthetic));
      !written.ok()) {
    std::cerr << "amend-trainer task synth: " << written.message() << "\n";
    return kExitFailure;
  }
  std::cerr << "[task] wrote " << options.synthetic.rows << " rows to "
            << options.output_path << "\n";
  return kExitOk;
}

}  // namespace amend::trainer
