// File: trainer/common_flags.h
//
// The flags several subcommands read (each subcommand lists which in its
// Subcommand::flags), and the helpers their options builders share.
//
// Not thread-safe (reads the global flags).
#ifndef AMEND_TRAINER_COMMON_FLAGS_H_
#define AMEND_TRAINER_COMMON_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/zoo/search_space.h"

ABSL_DECLARE_FLAG(std::string, task);
ABSL_DECLARE_FLAG(std::string, data_dir);
ABSL_DECLARE_FLAG(uint64_t, seed);
ABSL_DECLARE_FLAG(int, threads);
ABSL_DECLARE_FLAG(std::string, model);
ABSL_DECLARE_FLAG(std::string, out);
ABSL_DECLARE_FLAG(std::string, o);
ABSL_DECLARE_FLAG(std::string, zoo);
ABSL_DECLARE_FLAG(std::string, requirement);
ABSL_DECLARE_FLAG(int, workers);
ABSL_DECLARE_FLAG(int64_t, max_test_models);
ABSL_DECLARE_FLAG(int64_t, max_test_rows);

namespace amend::trainer {

// --data_dir, else $AMEND_DATA_DIR, else the source tree's data/ folder.
std::string DataDirFromFlags();

// --tasks_dir, else $AMEND_TASKS_DIR, else "tasks" (relative to the working
// folder): where a --task that is a plain name is looked up.
std::string TasksDirFromFlags();

// --out, or its short form -o.
std::string OutFromFlags();

// OK when `value` is set, else InvalidArgument "--<flag> is required".
absl::Status RequireFlag(absl::string_view value, absl::string_view flag);

// What train, sweep and eval all read: the task, its data, the zoo, the
// requirement and the output folder.
struct ZooRunFlags {
  std::string task;
  std::string data_dir;
  std::string tasks_dir;
  std::string zoo_dir;
  std::string requirement;
  std::string output_dir;
};
// InvalidArgument "--<flag> is required" for the first of --task, --zoo,
// --requirement, --out that is missing.
absl::StatusOr<ZooRunFlags> ZooRunFromFlags();

// --depths, --widths, --activations, --norms, --max_skips (zoo_flags.cc):
// the zoo's architecture space, validated; defaults are the paper's Table 2.
absl::StatusOr<ZooSearchSpace> SearchSpaceFromFlags();

// One λ of --lambda or --lambdas: a number (absl::SimpleAtod) that
// ValidateLambda accepts; InvalidArgument naming `flag` otherwise.
absl::StatusOr<double> ParseLambda(absl::string_view text,
                                   absl::string_view flag);

}  // namespace amend::trainer

#endif  // AMEND_TRAINER_COMMON_FLAGS_H_
