// File: core/reports/run_helpers.h
//
// Small pieces the panel runs share: a wall-clock stopwatch, the outcome of
// a weight edit measured with CompareEdit, and a settings label.
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_REPORTS_RUN_HELPERS_H_
#define AMEND_CORE_REPORTS_RUN_HELPERS_H_

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "core/results/method_point.h"
#include "core/training/edit_comparison.h"

namespace amend {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// `edited` compared with `original` on `test`; `seconds` as measured.
inline absl::StatusOr<EditOutcome> WeightEditOutcome(Requirement requirement,
                                                     const Mlp& original,
                                                     const Mlp& edited,
                                                     const SplitTensors& test,
                                                     double seconds) {
  absl::StatusOr<EditOutcome> outcome =
      CompareEdit(requirement, original, edited, test);
  if (outcome.ok()) outcome->seconds = seconds;
  return outcome;
}

// The first `rows` rows of `data` (all when it has fewer).
SplitTensors FirstRows(const SplitTensors& data, int64_t rows);

// round(fraction * total), halves away from zero.
int64_t KeptCount(double fraction, int64_t total);

// "name=value" with value printed compactly (%g).
std::string Setting(const std::string& name, double value);

}  // namespace amend

#endif  // AMEND_CORE_REPORTS_RUN_HELPERS_H_
