#include "core/results/method_point.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr char kSecondsKey[] = "seconds_per_model";
// What eval caches called it before they shared report.json's codec.
constexpr char kLegacySecondsKey[] = "seconds";

}  // namespace

MethodPoint SummarisePoint(std::string method, std::string setting,
                           const std::vector<EditOutcome>& outcomes) {
  MethodPoint point;
  point.method = std::move(method);
  point.setting = std::move(setting);
  point.models = static_cast<int64_t>(outcomes.size());
  point.requirement = MeanSdOf(outcomes, &EditOutcome::requirement);
  point.jsd = MeanSdOf(outcomes, &EditOutcome::jsd);
  point.accuracy = MeanSdOf(outcomes, &EditOutcome::accuracy_after);
  point.seconds = MeanSdOf(outcomes, &EditOutcome::seconds);
  point.disagreement = MeanSdOf(outcomes, &EditOutcome::disagreement);
  return point;
}

nlohmann::json MethodPointToJson(const MethodPoint& p) {
  return {{"method", p.method},
          {"setting", p.setting},
          {"models", p.models},
          {"requirement", MeanSdToJson(p.requirement)},
          {"jsd", MeanSdToJson(p.jsd)},
          {"accuracy", MeanSdToJson(p.accuracy)},
          {kSecondsKey, MeanSdToJson(p.seconds)},
          {"disagreement", MeanSdToJson(p.disagreement)}};
}

nlohmann::json MethodPointsToJson(const std::vector<MethodPoint>& points) {
  nlohmann::json out = nlohmann::json::array();
  for (const MethodPoint& p : points) out.push_back(MethodPointToJson(p));
  return out;
}

absl::StatusOr<MethodPoint> MethodPointFromJson(const nlohmann::json& json,
                                                absl::string_view path) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object, got ", json.type_name()));
  }
  // Report points are also read from eval caches of before the shared codec.
  constexpr MeanSdForms kForms = MeanSdForms::kObjectOrLegacyPair;
  MethodPoint p;
  AMEND_ASSIGN_OR_RETURN(p.method,
                         JsonField<std::string>(json, "method", path));
  AMEND_ASSIGN_OR_RETURN(p.setting,
                         JsonField<std::string>(json, "setting", path));
  AMEND_ASSIGN_OR_RETURN(p.models, JsonField<int64_t>(json, "models", path));
  AMEND_ASSIGN_OR_RETURN(p.requirement,
                         MeanSdFromJson(json, "requirement", path, kForms));
  AMEND_ASSIGN_OR_RETURN(p.jsd, MeanSdFromJson(json, "jsd", path, kForms));
  AMEND_ASSIGN_OR_RETURN(p.accuracy,
                         MeanSdFromJson(json, "accuracy", path, kForms));
  const char* seconds_key =
      json.contains(kLegacySecondsKey) && !json.contains(kSecondsKey)
          ? kLegacySecondsKey
          : kSecondsKey;
  AMEND_ASSIGN_OR_RETURN(p.seconds,
                         MeanSdFromJson(json, seconds_key, path, kForms));
  AMEND_ASSIGN_OR_RETURN(p.disagreement,
                         MeanSdFromJson(json, "disagreement", path, kForms));
  return p;
}

absl::StatusOr<std::vector<MethodPoint>> MethodPointsFromJson(
    const nlohmann::json& json, absl::string_view path) {
  if (!json.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an array, got ", json.type_name()));
  }
  std::vector<MethodPoint> points;
  for (size_t i = 0; i < json.size(); ++i) {
    AMEND_ASSIGN_OR_RETURN(
        MethodPoint point,
        MethodPointFromJson(json[i], absl::StrCat(path, "[", i, "]")));
    points.push_back(std::move(point));
  }
  return points;
}

}  // namespace amend
