#include "core/eval/point_cache.h"

#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {

absl::StatusOr<std::optional<std::vector<MethodPoint>>> ReadCachedPoints(
    const std::string& path, const nlohmann::json& settings) {
  // A cache holds a few hundred points; anything near the cap is not ours.
  constexpr uint64_t kMaxCacheBytes = uint64_t{64} << 20;
  absl::StatusOr<std::string> read_text =
      ReadFileToString(path, kMaxCacheBytes);
  // Only a missing cache means "compute it"; an unreadable one is reported.
  if (absl::IsNotFound(read_text.status())) return std::nullopt;
  AMEND_ASSIGN_OR_RETURN(const std::string text, std::move(read_text));
  const nlohmann::json saved = ParseStrictJson(text).value;
  if (saved.is_discarded() || !saved.is_object()) return std::nullopt;
  const auto saved_settings = saved.find("settings");
  if (saved_settings == saved.end() || *saved_settings != settings) {
    return std::nullopt;
  }
  const auto points = saved.find("points");
  if (points == saved.end()) {
    return absl::DataLossError(absl::StrCat(path, ": points: is required"));
  }
  absl::StatusOr<std::vector<MethodPoint>> read =
      MethodPointsFromJson(*points, "points");
  if (!read.ok()) {
    return absl::DataLossError(
        absl::StrCat(path, ": ", read.status().message()));
  }
  return *std::move(read);
}

absl::Status WriteCachedPoints(const std::string& path,
                               const nlohmann::json& settings,
                               const std::vector<MethodPoint>& points) {
  return WriteFileAtomically(
      path, nlohmann::json{{"settings", settings},
                           {"points", MethodPointsToJson(points)}}
                    .dump(1) +
                "\n");
}

}  // namespace amend
