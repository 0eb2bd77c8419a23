// The flags of amend-trainer zoo and zoo-merge.
#include <string>
#include <type_traits>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/util/status_macros.h"
#include "core/zoo/search_space.h"
#include "core/zoo/zoo_builder.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

// The paper's zoo size; core has no default for it.
ABSL_FLAG(int64_t, runs, 1000,
          "zoo: number of training runs (3 checkpoints each).");
ABSL_FLAG(int, epochs, amend::ZooSearchSpace().epochs, "zoo: epochs per run.");
ABSL_FLAG(std::string, shard, "0/1",
          "zoo: i/n trains runs i, i+n, ... (e.g. a Kubernetes Indexed Job's "
          "completion index).");
ABSL_FLAG(int, group_size, amend::ZooOptions().max_group_size,
          "zoo: at most this many runs are trained together as one stacked "
          "model (fewer for large batch sizes); 1 trains one run at a time.");
ABSL_FLAG(std::string, trainer, "fused",
          "zoo: fused (hand-written passes, fastest) or libtorch (autograd, "
          "runs stacked in groups of --group_size); both compute the same "
          "training.");
ABSL_FLAG(std::vector<std::string>, depths, {},
          "zoo, pipeline: hidden-layer counts to sample (default 1,2,3,4, the "
          "paper's Table 2; at most 8).");
ABSL_FLAG(std::vector<std::string>, widths, {},
          "zoo, pipeline: layer widths to sample, non-decreasing with depth "
          "(default 8,16,32,64).");
ABSL_FLAG(std::vector<std::string>, activations, {},
          "zoo, pipeline: activations to sample (default all six: relu, "
          "leaky_relu, gelu, tanh, sigmoid, silu).");
ABSL_FLAG(std::vector<std::string>, norms, {},
          "zoo, pipeline: norms to sample (default none, batchnorm, "
          "layernorm).");
ABSL_FLAG(int, max_skips, amend::ZooSearchSpace().max_skips,
          "zoo, pipeline: at most this many incoming skip connections per "
          "hidden layer.");
ABSL_FLAG(int64_t, max_rows, 0,
          "zoo: > 0 uses only the first max_rows rows of every data split "
          "(tests, quick demos).");

namespace amend::trainer {
namespace {

// The --trainer names (zoo.json records its own, longer ones).
absl::StatusOr<ZooTrainer> ParseZooTrainer(const std::string& name) {
  if (name == "fused") return ZooTrainer::kFused;
  if (name == "libtorch") return ZooTrainer::kLibTorchStacked;
  return absl::InvalidArgumentError(
      absl::StrCat("--trainer must be fused or libtorch, got \"", name, "\""));
}

template <typename T>
absl::Status ParseList(const std::vector<std::string>& texts, const char* flag,
                       std::vector<T>& out) {
  if (texts.empty()) return absl::OkStatus();  // keep the default
  out.clear();
  for (const std::string& text : texts) {
    if constexpr (std::is_same_v<T, Activation>) {
      AMEND_ASSIGN_OR_RETURN(const Activation a, ParseActivation(text));
      out.push_back(a);
    } else if constexpr (std::is_same_v<T, Norm>) {
      AMEND_ASSIGN_OR_RETURN(const Norm n, ParseNorm(text));
      out.push_back(n);
    } else {
      T value = 0;  // parsed as T itself: no wrap of a too-large number
      if (!absl::SimpleAtoi(text, &value)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", flag, ": must be integers, got \"", text, "\""));
      }
      out.push_back(value);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ZooSearchSpace> SearchSpaceFromFlags() {
  ZooSearchSpace space;
  AMEND_RETURN_IF_ERROR(
      ParseList(absl::GetFlag(FLAGS_depths), "depths", space.depths));
  AMEND_RETURN_IF_ERROR(
      ParseList(absl::GetFlag(FLAGS_widths), "widths", space.widths));
  for (const auto& [flag, result] :
       {std::pair{"activations", ParseList(absl::GetFlag(FLAGS_activations),
                                           "activations", space.activations)},
        std::pair{"norms", ParseList(absl::GetFlag(FLAGS_norms), "norms",
                                     space.norms)}}) {
    if (!result.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": ", result.message()));
    }
  }
  space.max_skips = absl::GetFlag(FLAGS_max_skips);
  AMEND_RETURN_IF_ERROR(ValidateArchitectureSpace(space));
  return space;
}

namespace {

absl::StatusOr<ZooCommandOptions> ZooOptionsFromFlags() {
  ZooCommandOptions options;
  options.task = absl::GetFlag(FLAGS_task);
  options.data_dir = DataDirFromFlags();
  options.tasks_dir = TasksDirFromFlags();
  options.output_dir = OutFromFlags();
  options.runs = absl::GetFlag(FLAGS_runs);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.epochs = absl::GetFlag(FLAGS_epochs);
  options.group_size = absl::GetFlag(FLAGS_group_size);
  options.max_rows = absl::GetFlag(FLAGS_max_rows);
  options.workers = absl::GetFlag(FLAGS_workers);
  AMEND_ASSIGN_OR_RETURN(options.space, SearchSpaceFromFlags());
  AMEND_ASSIGN_OR_RETURN(options.trainer,
                         ParseZooTrainer(absl::GetFlag(FLAGS_trainer)));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.task, "task"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_dir, "out"));
  const std::string shard = absl::GetFlag(FLAGS_shard);
  const std::vector<std::string> parts = absl::StrSplit(shard, '/');
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &options.shard_index) ||
      !absl::SimpleAtoi(parts[1], &options.shard_count) ||
      options.shard_count < 1 || options.shard_index < 0 ||
      options.shard_index >= options.shard_count) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard must be i/n with 0 <= i < n, got \"", shard, "\""));
  }
  if (options.runs < 1 || options.epochs < 1 || options.group_size < 1) {
    return absl::InvalidArgumentError(
        "--runs, --epochs and --group_size must be >= 1");
  }
  return options;
}

absl::StatusOr<std::string> ZooMergeOptionsFromFlags() {
  const std::string zoo = absl::GetFlag(FLAGS_zoo);
  AMEND_RETURN_IF_ERROR(RequireFlag(zoo, "zoo"));
  return zoo;
}

}  // namespace

Subcommand ZooSubcommand() {
  return {"zoo",
          "--task T --runs N --seed S --out DIR [--shard i/n]   build (or "
          "resume) a zoo",
          {"task", "data_dir", "tasks_dir", "out", "o", "runs", "seed",
           "epochs", "group_size", "max_rows", "workers", "trainer", "shard",
           "depths", "widths", "activations", "norms", "max_skips"},
          [] {
            return RunWithOptions("zoo", ZooOptionsFromFlags(), RunZooCommand);
          }};
}

Subcommand ZooMergeSubcommand() {
  return {"zoo-merge", "--zoo DIR   join shard manifests", {"zoo"}, [] {
            return RunWithOptions("zoo-merge", ZooMergeOptionsFromFlags(),
                                  RunZooMergeCommand);
          }};
}

}  // namespace amend::trainer
