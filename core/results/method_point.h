// File: core/results/method_point.h
//
// One point of a trade-off figure: a method at one setting (an editor's
// lambda, a baseline's sparsity, bound or alpha), summarised over the
// held-out models it edited. The requirement metric is the panel's x axis
// (fraction of features kept, fraction of weights kept, or equalised-odds
// difference, all lower = stricter), JSD to the original the y axis.
//
// Its JSON form is report.json's "points" entry and the eval caches' (one
// codec for both):
//   {"method", "setting", "models", "requirement", "jsd", "accuracy",
//    "seconds_per_model", "disagreement"}, each figure {"mean", "sd"}.
//
// Example:
//   MethodPoint point = SummarisePoint("magnitude", "keep=0.25", outcomes);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_RESULTS_METHOD_POINT_H_
#define AMEND_CORE_RESULTS_METHOD_POINT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/results/edit_outcome.h"
#include "core/results/mean_sd.h"

namespace amend {

struct MethodPoint {
  std::string method;
  std::string setting;
  int64_t models = 0;
  MeanSd requirement;
  MeanSd jsd;
  MeanSd accuracy;  // after the edit, on the task's test rows
  MeanSd seconds;   // per model
  MeanSd disagreement;
};

MethodPoint SummarisePoint(std::string method, std::string setting,
                           const std::vector<EditOutcome>& outcomes);

nlohmann::json MethodPointToJson(const MethodPoint& point);
nlohmann::json MethodPointsToJson(const std::vector<MethodPoint>& points);

// Also reads the form eval caches had before the codec was shared
// ("seconds" for "seconds_per_model", figures as [mean, sd]). Errors name
// the field under `path` ("points[2].jsd.mean: must be a number, got
// string"); nothing throws.
absl::StatusOr<MethodPoint> MethodPointFromJson(const nlohmann::json& json,
                                                absl::string_view path);
absl::StatusOr<std::vector<MethodPoint>> MethodPointsFromJson(
    const nlohmann::json& json, absl::string_view path);

}  // namespace amend

#endif  // AMEND_CORE_RESULTS_METHOD_POINT_H_
