// File: core/eval/point_cache.h
//
// One family's points kept with the settings that made them, so that
// `amend-trainer eval` resumes after the last finished family:
//   <out>/runs/<family>.json  {"settings": {...}, "points": [MethodPoint...]}
// Points use report.json's codec (core/results/method_point.h); caches
// written before it was shared still load.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(auto cached, ReadCachedPoints(path, settings));
//   if (!cached) AMEND_RETURN_IF_ERROR(WriteCachedPoints(path, settings, p));
//
// Thread-compatible (files are written atomically).
#ifndef AMEND_CORE_EVAL_POINT_CACHE_H_
#define AMEND_CORE_EVAL_POINT_CACHE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/results/method_point.h"

namespace amend {

// nullopt when there is nothing to reuse: no file, text that is not a JSON
// object (a torn or foreign file is recomputed, not trusted), or other
// settings. A file whose settings match but whose points do not read is an
// error naming the file and the field: it was edited, and recomputing would
// silently discard the edit.
absl::StatusOr<std::optional<std::vector<MethodPoint>>> ReadCachedPoints(
    const std::string& path, const nlohmann::json& settings);

absl::Status WriteCachedPoints(const std::string& path,
                               const nlohmann::json& settings,
                               const std::vector<MethodPoint>& points);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_POINT_CACHE_H_
