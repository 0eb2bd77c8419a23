#include "server/editor_selection.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"

namespace amend::server {
namespace {

using Candidates = std::vector<std::shared_ptr<const ServedEditor>>;
using Kind = TradeoffRequest::Kind;

// "pruning/prune_and_edit": how messages name a requirement and variant.
std::string Describe(Requirement requirement, EditVariant variant) {
  return absl::StrCat(RequirementName(requirement), "/",
                      VariantName(requirement, variant));
}

bool SameLambda(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b));
}

// The editors of the task, requirement and variant; NotFound listing what is
// loaded when there are none.
absl::StatusOr<Candidates> CandidatesFor(const EditorSnapshot& snapshot,
                                         const std::string& task,
                                         Requirement requirement,
                                         EditVariant variant) {
  std::set<std::string> tasks, loaded_for_task;
  Candidates candidates;
  for (const auto& editor : snapshot.editors) {
    tasks.insert(editor->task());
    if (editor->task() != task) continue;
    loaded_for_task.insert(Describe(editor->requirement(), editor->variant()));
    if (editor->requirement() == requirement && editor->variant() == variant) {
      candidates.push_back(editor);
    }
  }
  if (!tasks.count(task)) {
    return absl::NotFoundError(absl::StrCat(
        "task: no editors loaded for \"", ClientText(task), "\" (loaded: ",
        tasks.empty() ? "none" : absl::StrJoin(tasks, ", "), ")"));
  }
  if (candidates.empty()) {
    return absl::NotFoundError(
        absl::StrCat("requirement: no editors loaded for ", task, " ",
                     Describe(requirement, variant), " (loaded for ", task,
                     ": ", absl::StrJoin(loaded_for_task, ", "), ")"));
  }
  return candidates;
}

absl::StatusOr<Selection> SelectByLambda(const Candidates& candidates,
                                         const std::string& task,
                                         Requirement requirement,
                                         EditVariant variant, double lambda) {
  std::vector<std::string> loaded;
  for (const auto& c : candidates) {
    if (SameLambda(c->manifest.config.lambda, lambda)) {
      return Selection{c,
                       absl::StrCat("lambda ", LambdaLabel(lambda), ": exact")};
    }
    loaded.push_back(LambdaLabel(c->manifest.config.lambda));
  }
  return absl::NotFoundError(
      absl::StrCat("lambda: no ", task, " ", Describe(requirement, variant),
                   " editor with lambda ", LambdaLabel(lambda),
                   " (loaded: ", absl::StrJoin(loaded, ", "), ")"));
}

// A target: its field name, the requirement it belongs to and the validation
// figure it bounds.
struct Target {
  const char* name;
  Requirement requirement;
  std::function<double(const EditorFigures&)> metric;
};

// The target of a kMax* request, or InvalidArgument naming the field when its
// value is out of range.
absl::StatusOr<Target> TargetOf(const TradeoffRequest& tradeoff) {
  const double value = tradeoff.value;
  switch (tradeoff.kind) {
    case Kind::kMaxWeightFraction:
      if (!(value > 0 && value <= 1)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "max_weight_fraction: must be in (0, 1], got ", value));
      }
      return Target{"max_weight_fraction", Requirement::kPruning,
                    [](const EditorFigures& f) { return f.weights_kept.mean; }};
    case Kind::kMaxFeatures:
      // The value came from an int32 field, so it prints as an integer.
      if (value < 1) {
        return absl::InvalidArgumentError(absl::StrCat(
            "max_features: must be >= 1, got ", static_cast<int64_t>(value)));
      }
      return Target{
          "max_features", Requirement::kDataMinimisation,
          [](const EditorFigures& f) { return f.features_kept.mean; }};
    default:
      if (!(value >= 0 && value <= 1)) {
        return absl::InvalidArgumentError(
            absl::StrCat("max_eod: must be in [0, 1], got ", value));
      }
      return Target{"max_eod", Requirement::kFairness,
                    [](const EditorFigures& f) { return f.eod_after.mean; }};
  }
}

// The candidate of least validation JSD among those whose validation metric
// meets the target; NotFound naming the closest when none does.
absl::StatusOr<Selection> SelectByTarget(const Candidates& candidates,
                                         const Target& target, double value) {
  std::shared_ptr<const ServedEditor> best;
  int meeting = 0;
  for (const auto& c : candidates) {
    if (target.metric(c->manifest.validation) > value) continue;
    ++meeting;
    if (best == nullptr ||
        c->manifest.validation.jsd.mean < best->manifest.validation.jsd.mean) {
      best = c;
    }
  }
  if (best == nullptr) {
    const auto tightest =
        *std::min_element(candidates.begin(), candidates.end(),
                          [&](const auto& a, const auto& b) {
                            return target.metric(a->manifest.validation) <
                                   target.metric(b->manifest.validation);
                          });
    return absl::NotFoundError(absl::StrFormat(
        "%s: no loaded editor meets %g on validation; the closest, lambda "
        "%s, reaches %.4g",
        target.name, value, LambdaLabel(tightest->manifest.config.lambda),
        target.metric(tightest->manifest.validation)));
  }
  return Selection{
      best, absl::StrFormat("%s %g: lambda %s reaches %.4g on validation "
                            "(least JSD of %d editors that meet it)",
                            target.name, value,
                            LambdaLabel(best->manifest.config.lambda),
                            target.metric(best->manifest.validation), meeting)};
}

}  // namespace

absl::StatusOr<Selection> SelectEditor(const EditorSnapshot& snapshot,
                                       const std::string& task,
                                       Requirement requirement,
                                       EditVariant variant,
                                       const TradeoffRequest& tradeoff) {
  // A malformed trade-off is the request's fault whatever is loaded, so it is
  // refused before the editors are looked up.
  if (tradeoff.kind == Kind::kNone) {
    return absl::InvalidArgumentError(
        "tradeoff: set lambda, max_weight_fraction (pruning), max_features "
        "(data_minimisation) or max_eod (fairness)");
  }
  if (!std::isfinite(tradeoff.value)) {
    return absl::InvalidArgumentError("tradeoff: must be a finite number");
  }
  if (tradeoff.kind == Kind::kLambda) {
    if (tradeoff.value < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("lambda: must be >= 0, got ", tradeoff.value));
    }
    AMEND_ASSIGN_OR_RETURN(const Candidates candidates,
                           CandidatesFor(snapshot, task, requirement, variant));
    return SelectByLambda(candidates, task, requirement, variant,
                          tradeoff.value);
  }
  AMEND_ASSIGN_OR_RETURN(const Target target, TargetOf(tradeoff));
  if (requirement != target.requirement) {
    return absl::InvalidArgumentError(absl::StrCat(
        target.name, ": is a target for ", RequirementName(target.requirement),
        ", not ", RequirementName(requirement)));
  }
  AMEND_ASSIGN_OR_RETURN(const Candidates candidates,
                         CandidatesFor(snapshot, task, requirement, variant));
  if (tradeoff.kind == Kind::kMaxFeatures) {
    const int64_t features =
        candidates.front()->manifest.config.attributes().count();
    if (tradeoff.value > static_cast<double>(features)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "max_features: must be in 1..", features, " (the features of ", task,
          "), got ", static_cast<int64_t>(tradeoff.value)));
    }
  }
  return SelectByTarget(candidates, target, tradeoff.value);
}

}  // namespace amend::server
