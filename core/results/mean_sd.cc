#include "core/results/mean_sd.h"

#include "absl/strings/str_cat.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"

namespace amend {

nlohmann::json MeanSdToJson(const MeanSd& value) {
  return {{"mean", value.mean}, {"sd", value.sd}};
}

absl::StatusOr<MeanSd> MeanSdFromJson(const nlohmann::json& object,
                                      const char* key, absl::string_view path,
                                      MeanSdForms forms) {
  const std::string name = path.empty() ? key : absl::StrCat(path, ".", key);
  auto it = object.find(key);
  if (forms == MeanSdForms::kObjectOrLegacyPair && it != object.end() &&
      it->is_array()) {
    if (it->size() != 2 || !(*it)[0].is_number() || !(*it)[1].is_number()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": must be [mean, sd], two numbers"));
    }
    return MeanSd{(*it)[0].get<double>(), (*it)[1].get<double>()};
  }
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json value,
                         JsonField<nlohmann::json>(object, key, path));
  MeanSd result;
  AMEND_ASSIGN_OR_RETURN(result.mean, JsonField<double>(value, "mean", name));
  AMEND_ASSIGN_OR_RETURN(result.sd, JsonField<double>(value, "sd", name));
  return result;
}

}  // namespace amend
