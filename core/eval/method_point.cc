#include "core/eval/method_point.h"

#include <cmath>
#include <utility>

namespace amend {
namespace {

Spread SpreadOf(const std::vector<ModelOutcome>& outcomes,
                double ModelOutcome::*field) {
  Spread spread;
  if (outcomes.empty()) return spread;
  for (const ModelOutcome& o : outcomes) spread.mean += o.*field;
  spread.mean /= static_cast<double>(outcomes.size());
  double squares = 0.0;
  for (const ModelOutcome& o : outcomes) {
    squares += (o.*field - spread.mean) * (o.*field - spread.mean);
  }
  spread.sd = std::sqrt(squares / static_cast<double>(outcomes.size()));
  return spread;
}

}  // namespace

MethodPoint Aggregate(std::string method, std::string setting,
                      const std::vector<ModelOutcome>& outcomes) {
  MethodPoint point;
  point.method = std::move(method);
  point.setting = std::move(setting);
  point.models = static_cast<int64_t>(outcomes.size());
  point.requirement = SpreadOf(outcomes, &ModelOutcome::requirement);
  point.jsd = SpreadOf(outcomes, &ModelOutcome::jsd);
  point.accuracy = SpreadOf(outcomes, &ModelOutcome::accuracy);
  point.seconds = SpreadOf(outcomes, &ModelOutcome::seconds);
  point.disagreement = SpreadOf(outcomes, &ModelOutcome::disagreement);
  return point;
}

}  // namespace amend
