#include "core/training/editor_trainer_options.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace amend {

absl::Status ValidateEditorTrainingOptions(
    const EditorTrainingOptions& options) {
  if (options.steps < 1 || options.models_per_step < 1 ||
      options.points_per_step < 4 || options.eval_every < 1 ||
      options.checkpoint_every < 1) {
    return absl::InvalidArgumentError(
        "training options: steps, models_per_step, eval_every and "
        "checkpoint_every must be >= 1 and points_per_step >= 4");
  }
  return absl::OkStatus();
}

nlohmann::json TrainingOptionsToJson(const EditorTrainingOptions& o) {
  nlohmann::json json = {{"steps", o.steps},
                         {"models_per_step", o.models_per_step},
                         {"points_per_step", o.points_per_step},
                         {"learning_rate", o.optimizer.learning_rate},
                         {"weight_decay", o.optimizer.weight_decay},
                         {"warmup_steps", o.optimizer.warmup_steps},
                         {"clip_norm", o.optimizer.clip_norm},
                         {"eval_every", o.eval_every},
                         {"selection_models", o.selection_models},
                         {"seed", o.seed},
                         {"max_train_models", o.max_train_models},
                         {"max_validation_models", o.max_validation_models},
                         {"max_test_models", o.max_test_models},
                         {"max_test_rows", o.max_test_rows}};
  // Only when not the default, so editors trained before the option existed
  // keep their settings (and resume).
  if (o.scalarisation == Scalarisation::kEpo) {
    json["scalarisation"] = ScalarisationName(o.scalarisation);
  }
  return json;
}

std::string ScalarisationName(Scalarisation scalarisation) {
  return scalarisation == Scalarisation::kEpo ? "epo" : "linear";
}

absl::StatusOr<Scalarisation> ParseScalarisation(absl::string_view name) {
  for (Scalarisation s : {Scalarisation::kLinear, Scalarisation::kEpo}) {
    if (name == ScalarisationName(s)) return s;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "scalarisation: expected linear or epo, got \"", name, "\""));
}

}  // namespace amend
