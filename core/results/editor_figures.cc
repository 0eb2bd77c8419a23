#include "core/results/editor_figures.h"

#include <utility>

#include "core/util/json_field.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// editor.json's figures (docs/EDITOR_FORMAT.md), one list for the writer
// and the reader so that they cannot drift apart.
constexpr std::pair<const char*, MeanSd EditorFigures::*> kFigureFields[] = {
    {"jsd", &EditorFigures::jsd},
    {"requirement", &EditorFigures::requirement},
    {"features_kept", &EditorFigures::features_kept},
    {"weights_kept", &EditorFigures::weights_kept},
    {"accuracy_before", &EditorFigures::accuracy_before},
    {"accuracy_after", &EditorFigures::accuracy_after},
    {"eod_before", &EditorFigures::eod_before},
    {"eod_after", &EditorFigures::eod_after}};

}  // namespace

EditorFigures Summarise(const std::vector<EditOutcome>& outcomes,
                        absl::string_view data_name) {
  EditorFigures figures;
  figures.models = static_cast<int64_t>(outcomes.size());
  figures.data = std::string(data_name);
  figures.jsd = MeanSdOf(outcomes, &EditOutcome::jsd);
  figures.requirement = MeanSdOf(outcomes, &EditOutcome::requirement);
  figures.features_kept = MeanSdOf(outcomes, &EditOutcome::features_kept);
  figures.weights_kept = MeanSdOf(outcomes, &EditOutcome::weights_kept);
  figures.accuracy_before = MeanSdOf(outcomes, &EditOutcome::accuracy_before);
  figures.accuracy_after = MeanSdOf(outcomes, &EditOutcome::accuracy_after);
  figures.eod_before = MeanSdOf(outcomes, &EditOutcome::eod_before);
  figures.eod_after = MeanSdOf(outcomes, &EditOutcome::eod_after);
  return figures;
}

nlohmann::json EditorFiguresToJson(const EditorFigures& f) {
  nlohmann::json json = {{"models", f.models}, {"data", f.data}};
  for (const auto& [key, field] : kFigureFields) {
    json[key] = MeanSdToJson(f.*field);
  }
  return json;
}

absl::StatusOr<EditorFigures> EditorFiguresFromJson(const nlohmann::json& json,
                                                    absl::string_view path) {
  EditorFigures f;
  AMEND_ASSIGN_OR_RETURN(f.models, JsonField<int64_t>(json, "models", path));
  AMEND_ASSIGN_OR_RETURN(f.data, JsonField<std::string>(json, "data", path));
  for (const auto& [key, field] : kFigureFields) {
    AMEND_ASSIGN_OR_RETURN(f.*field, MeanSdFromJson(json, key, path));
  }
  return f;
}

}  // namespace amend
