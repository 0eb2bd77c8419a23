// File: core/zoo/zoo_resume.h
//
// What lets a rerun of the same zoo command resume instead of starting over:
// the settings file that must match, the runs already finished (every
// checkpoint listed and its file intact), and the check that a finished run is
// the run this command would train.
//
// Thread-compatible.
#ifndef AMEND_CORE_ZOO_ZOO_RESUME_H_
#define AMEND_CORE_ZOO_ZOO_RESUME_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/data/task.h"
#include "core/zoo/manifest.h"
#include "core/zoo/search_space.h"
#include "core/zoo/zoo_builder.h"

namespace amend {

// The settings a zoo was built with, in the zoo folder.
inline constexpr char kZooSettingsFile[] = "zoo.json";

// Manifest entries by run.
using RunEntries = std::map<int64_t, std::vector<ManifestEntry>>;

// Writes <output_dir>/zoo.json, or checks that the one there holds the same
// settings (AlreadyExists if not: the folder holds another zoo).
absl::Status CheckOrWriteSettings(const Task& task, const ZooOptions& options);

// OK when `zoo_dir`'s zoo.json names `task` and its card's sha256 (zoos of
// older versions record no hash; a zoo without zoo.json is not checked);
// FailedPrecondition naming both otherwise: its models saw rows encoded by
// another card.
absl::Status CheckZooIsOfTask(const std::string& zoo_dir, const Task& task);

// Entries of the runs in `manifest_path` whose every checkpoint is listed and
// whose files match their sha256; none when the manifest does not exist.
absl::StatusOr<RunEntries> FinishedRuns(const std::string& zoo_dir,
                                        const std::string& manifest_path,
                                        size_t checkpoints_per_run);

// AlreadyExists when a finished run was trained with another
// configuration than `shard_runs` holds for it.
absl::Status CheckFinishedRunsMatch(const RunEntries& finished,
                                    const std::vector<RunConfig>& shard_runs,
                                    const std::string& manifest_path);

}  // namespace amend

#endif  // AMEND_CORE_ZOO_ZOO_RESUME_H_
