// File: core/data/synthetic_task.h
//
// A tabular data set whose truth is known, for checking editors' behaviour
// against it: the label depends on a few planted features, other features are
// noise, and the sensitive attribute is correlated with a planted feature (so
// a fair model must change how it uses that feature). Columns:
//   income, debt, tenure   numeric, planted (logit weights +1.5, -1.2, +0.8)
//   region                 categorical, planted (north +0.8, south -0.8)
//   noise1 .. noise4       numeric noise (noise2 has 1% missing cells "?")
//   colour                 categorical noise (1% missing)
//   group                  A (privileged) with probability sigmoid(1.5 income)
//   label                  yes with probability sigmoid(logit)
//
// Example:
//   std::string csv = SyntheticTaskCsv({.rows = 4000, .seed = 7});
//
// Thread-safe (pure function). The same options give the same bytes.
#ifndef AMEND_CORE_DATA_SYNTHETIC_TASK_H_
#define AMEND_CORE_DATA_SYNTHETIC_TASK_H_

#include <cstdint>
#include <string>
#include <vector>

namespace amend {

struct SyntheticTaskOptions {
  int64_t rows = 4000;
  uint64_t seed = 1;
};

// The CSV text, with a header line.
std::string SyntheticTaskCsv(const SyntheticTaskOptions& options);

// The columns the label depends on, and those it does not.
std::vector<std::string> SyntheticPlantedFeatures();
std::vector<std::string> SyntheticNoiseFeatures();

}  // namespace amend

#endif  // AMEND_CORE_DATA_SYNTHETIC_TASK_H_
