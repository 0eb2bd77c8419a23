// File: core/results/mean_sd.h
//
// A mean and population standard deviation over models, and its JSON form
// {"mean": m, "sd": s} (editor.json, report.json, the eval caches).
//
// Example:
//   MeanSd jsd = MeanSdOf(outcomes, &EditOutcome::jsd);
//   nlohmann::json j = MeanSdToJson(jsd);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_RESULTS_MEAN_SD_H_
#define AMEND_CORE_RESULTS_MEAN_SD_H_

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

struct MeanSd {
  double mean = 0.0;
  double sd = 0.0;  // population standard deviation
};

// Over `records`' `field`; {0, 0} when there are none.
template <typename Record, typename Field>
MeanSd MeanSdOf(const std::vector<Record>& records, Field Record::*field) {
  MeanSd result;
  if (records.empty()) return result;
  const double count = static_cast<double>(records.size());
  for (const Record& r : records) result.mean += static_cast<double>(r.*field);
  result.mean /= count;
  double squares = 0.0;
  for (const Record& r : records) {
    const double deviation = static_cast<double>(r.*field) - result.mean;
    squares += deviation * deviation;
  }
  result.sd = std::sqrt(squares / count);
  return result;
}

nlohmann::json MeanSdToJson(const MeanSd& value);

// Which written forms a reader accepts. Eval caches written before the codec
// was shared hold [mean, sd]; editor.json never did, so its reader refuses it.
enum class MeanSdForms { kObjectOnly, kObjectOrLegacyPair };

// object[key], written as {"mean", "sd"}. Errors name path.key.
absl::StatusOr<MeanSd> MeanSdFromJson(
    const nlohmann::json& object, const char* key, absl::string_view path,
    MeanSdForms forms = MeanSdForms::kObjectOnly);

}  // namespace amend

#endif  // AMEND_CORE_RESULTS_MEAN_SD_H_
