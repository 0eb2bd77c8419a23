#include "client/edit_steps.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace amend::client {
namespace {

absl::Status Malformed(size_t index, absl::string_view step,
                       absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--steps: step ", index + 1, " \"", step, "\" ", why,
                   "; expected REQUIREMENT[/VARIANT]:TRADEOFF=VALUE, e.g. "
                   "pruning:max_weights=0.3"));
}

}  // namespace

absl::StatusOr<std::vector<amend::v1::EditStep>> ParseEditSteps(
    absl::string_view text) {
  std::vector<amend::v1::EditStep> steps;
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  for (size_t i = 0; i < parts.size(); ++i) {
    const absl::string_view part = parts[i];
    const std::vector<absl::string_view> halves =
        absl::StrSplit(part, absl::MaxSplits(':', 1));
    if (halves.size() != 2) return Malformed(i, part, "has no ':'");
    const std::vector<absl::string_view> names =
        absl::StrSplit(halves[0], absl::MaxSplits('/', 1));
    amend::v1::EditStep step;
    step.set_requirement(std::string(names[0]));
    if (names.size() == 2) step.set_variant(std::string(names[1]));
    const std::vector<absl::string_view> setting =
        absl::StrSplit(halves[1], absl::MaxSplits('=', 1));
    if (setting.size() != 2) return Malformed(i, part, "has no '='");
    const absl::string_view key = setting[0];
    double value = 0;
    if (!absl::SimpleAtod(setting[1], &value)) {
      return Malformed(i, part, "has a value that is not a number");
    }
    if (key == "lambda") {
      step.set_lambda(value);
    } else if (key == "max_weights") {
      step.set_max_weight_fraction(value);
    } else if (key == "max_eod") {
      step.set_max_eod(value);
    } else if (key == "max_features") {
      int count = 0;
      if (!absl::SimpleAtoi(setting[1], &count)) {
        return Malformed(i, part, "has a feature count that is not an integer");
      }
      step.set_max_features(count);
    } else {
      return Malformed(i, part,
                       "has a trade-off other than lambda, max_weights, "
                       "max_features or max_eod");
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace amend::client
