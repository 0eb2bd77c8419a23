// File: core/mlp/architecture_range.h
//
// The range of architectures a population of models spans (hidden layers,
// widths, activations, norms, skip connections), and how a model lies outside
// it. An editor records the range of the zoo it was trained on, so that an
// edit of a model it never saw the like of (wider, deeper, another activation)
// is reported as an extrapolation rather than served as if it were not: a
// compliance gateway must know.
//
// Example:
//   ArchitectureRange range;
//   for (const Architecture& a : zoo) range.Include(a);
//   for (const std::string& why : range.Outside(model.architecture)) ...
//
// Thread-compatible (plain data).
#ifndef AMEND_CORE_MLP_ARCHITECTURE_RANGE_H_
#define AMEND_CORE_MLP_ARCHITECTURE_RANGE_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/mlp/architecture.h"

namespace amend {

struct ArchitectureRange {
  int min_hidden_layers = 0;  // 0 and empty sets: no model included yet
  int max_hidden_layers = 0;
  int64_t min_width = 0;
  int64_t max_width = 0;
  int max_skips = 0;  // incoming skip connections of one hidden layer
  std::set<Activation> activations;
  std::set<Norm> norms;

  bool empty() const { return max_hidden_layers == 0; }
  // Widens the range to cover `architecture`.
  void Include(const Architecture& architecture);
  // Why `architecture` lies outside the range, one reason per way (empty
  // when inside), e.g. "hidden layer 2 is 128 wide; the zoo's widths are
  // 8..64". Input and class counts are the task's and not checked here.
  std::vector<std::string> Outside(const Architecture& architecture) const;

  bool operator==(const ArchitectureRange&) const = default;
};

// {"hidden_layers": [1, 4], "widths": [8, 64], "max_skips": 2,
//  "activations": ["relu", ...], "norms": ["none", ...]}
nlohmann::json ArchitectureRangeToJson(const ArchitectureRange& range);
// Errors name the field under `path`.
absl::StatusOr<ArchitectureRange> ArchitectureRangeFromJson(
    const nlohmann::json& json, absl::string_view path);

// One line for people: "1-4 hidden layers of 8-64, relu/gelu, none/batchnorm,
// up to 2 skips".
std::string ArchitectureRangeText(const ArchitectureRange& range);

}  // namespace amend

#endif  // AMEND_CORE_MLP_ARCHITECTURE_RANGE_H_
