// File: core/eval/method_point.h
//
// One point of a trade-off figure: a method at one setting (an editor's
// lambda, a baseline's sparsity, bound or alpha), averaged over the held-out
// models it edited. The requirement metric is the panel's x axis (fraction
// of features kept, fraction of weights kept, or equalised-odds difference,
// all lower = stricter), JSD to the original the y axis.
//
// Example:
//   MethodPoint point = Aggregate("magnitude", "keep=0.25", outcomes);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_EVAL_METHOD_POINT_H_
#define AMEND_CORE_EVAL_METHOD_POINT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace amend {

// What one method did to one model.
struct ModelOutcome {
  double requirement = 0.0;
  double jsd = 0.0;       // nats, mean over the test rows
  double accuracy = 0.0;  // on the task's test rows
  double seconds = 0.0;   // wall time to produce the edit (fit included)
  // Fraction of test rows whose predicted class differs from the
  // original's (expected value for randomised methods): a JSD-free view of
  // how much changed.
  double disagreement = 0.0;
};

struct Spread {
  double mean = 0.0;
  double sd = 0.0;  // population standard deviation
};

struct MethodPoint {
  std::string method;
  std::string setting;
  int64_t models = 0;
  Spread requirement;
  Spread jsd;
  Spread accuracy;
  Spread seconds;
  Spread disagreement;
};

MethodPoint Aggregate(std::string method, std::string setting,
                      const std::vector<ModelOutcome>& outcomes);

}  // namespace amend

#endif  // AMEND_CORE_EVAL_METHOD_POINT_H_
