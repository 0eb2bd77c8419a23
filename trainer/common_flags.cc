#include "trainer/common_flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/editor/editor_config.h"
#include "core/util/status_macros.h"

ABSL_FLAG(std::string, task, "",
          "The task: adult, bank, a task folder made by `task create`, or "
          "the name of one under --tasks_dir.");
ABSL_FLAG(std::string, tasks_dir, "",
          "Folder of task folders, where a --task name is looked up. Default: "
          "$AMEND_TASKS_DIR, else tasks/ in the working folder.");
ABSL_FLAG(std::string, data_dir, "",
          "Folder with the bundled datasets and their SHA256SUMS. Default: "
          "$AMEND_DATA_DIR, else the data/ folder of the source tree this "
          "binary was built from.");
ABSL_FLAG(uint64_t, seed, 0,
          "Seed of every random choice; the same seed gives the same result.");
ABSL_FLAG(int, threads, 0,
          "Intra-op threads of LibTorch; 0 = one per core. OpenBLAS is kept to "
          "one thread.");
ABSL_FLAG(std::string, model, "",
          "forward: model file (.safetensors, Amend MLP contract); edit: the "
          "model file to edit.");
ABSL_FLAG(std::string, out, "",
          "forward: output CSV of class probabilities; init: the model file to "
          "write; zoo: the zoo folder; train: the editor folder; sweep: the "
          "folder of one folder per lambda; edit: the edited model file; eval: "
          "the report folder.");
ABSL_FLAG(std::string, o, "", "Short for --out (not for forward and init).");
ABSL_FLAG(std::string, zoo, "",
          "zoo-merge: the zoo folder whose shard manifests to join; train, "
          "sweep, eval: the zoo to train or evaluate on.");
ABSL_FLAG(std::string, requirement, "",
          "train, sweep, eval: data_minimisation, fairness or pruning.");
ABSL_FLAG(int, workers, 0,
          "zoo: groups trained in parallel; sweep: editors trained in "
          "parallel; 0 = one per core.");
ABSL_FLAG(int64_t, max_test_models, 0,
          "train, sweep, eval: at most this many test-split zoo models for "
          "the final figures (0 = all).");
ABSL_FLAG(int64_t, max_test_rows, 0,
          "train, sweep, eval: at most this many rows of the task's test "
          "split for the final figures (0 = all).");

namespace amend::trainer {

std::string DataDirFromFlags() {
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("AMEND_DATA_DIR");
      env != nullptr && *env != '\0') {
    return env;
  }
  return AMEND_DEFAULT_DATA_DIR;
}

std::string TasksDirFromFlags() {
  std::string dir = absl::GetFlag(FLAGS_tasks_dir);
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("AMEND_TASKS_DIR");
      env != nullptr && *env != '\0') {
    return env;
  }
  return "tasks";
}

std::string OutFromFlags() {
  const std::string out = absl::GetFlag(FLAGS_out);
  return out.empty() ? absl::GetFlag(FLAGS_o) : out;
}

absl::Status RequireFlag(absl::string_view value, absl::string_view flag) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("--", flag, " is required"));
}

absl::StatusOr<ZooRunFlags> ZooRunFromFlags() {
  ZooRunFlags flags;
  flags.task = absl::GetFlag(FLAGS_task);
  flags.data_dir = DataDirFromFlags();
  flags.tasks_dir = TasksDirFromFlags();
  flags.zoo_dir = absl::GetFlag(FLAGS_zoo);
  flags.requirement = absl::GetFlag(FLAGS_requirement);
  flags.output_dir = OutFromFlags();
  AMEND_RETURN_IF_ERROR(RequireFlag(flags.task, "task"));
  AMEND_RETURN_IF_ERROR(RequireFlag(flags.zoo_dir, "zoo"));
  AMEND_RETURN_IF_ERROR(RequireFlag(flags.requirement, "requirement"));
  AMEND_RETURN_IF_ERROR(RequireFlag(flags.output_dir, "out"));
  return flags;
}

absl::StatusOr<double> ParseLambda(absl::string_view text,
                                   absl::string_view flag) {
  const std::string name = absl::StrCat("--", flag);
  double lambda = 0.0;
  if (!absl::SimpleAtod(text, &lambda)) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": must be a number, got \"", text, "\""));
  }
  AMEND_RETURN_IF_ERROR(ValidateLambda(lambda, name));
  return lambda;
}

}  // namespace amend::trainer
