#include "core/testing/editor_fixtures.h"

#include "core/editor/editor_checkpoint.h"
#include "core/editor/task_editor_config.h"

namespace amend::testing {

const Task& AdultTask() {
  static const Task* task =
      new Task(*LoadTask("adult", AMEND_FIXTURE_DATA_DIR));
  return *task;
}

std::string WriteTestEditor(const std::string& root,
                            const TestEditorSpec& spec) {
  EditorConfig config = MakeEditorConfig(AdultTask(), spec.requirement,
                                         spec.variant, spec.lambda);
  if (!spec.default_shape) {
    config.network.hidden = 8;
    config.network.layers = 2;
    config.network.residual_scale_init = 0.1;
    config.network.mask_logit_init = 0.2;
  }
  auto editor = Editor::Create(config, spec.seed).value();
  EditorManifest manifest;
  manifest.validation.models = 10;
  manifest.validation.data = "validation";
  manifest.validation.jsd = {spec.jsd, 0.0};
  manifest.validation.weights_kept = {spec.weights_kept, 0.0};
  manifest.validation.features_kept = {spec.features_kept, 0.0};
  manifest.validation.eod_after = {spec.eod, 0.0};
  manifest.validation.requirement = {
      spec.requirement == Requirement::kPruning    ? spec.weights_kept
      : spec.requirement == Requirement::kFairness ? spec.eod
                                                   : spec.features_kept / 14.0,
      0.0};
  manifest.trained_architectures = spec.trained_architectures;
  const std::string dir = root + "/" + RequirementName(spec.requirement) + "/" +
                          VariantName(spec.requirement, spec.variant) + "-" +
                          LambdaLabel(spec.lambda);
  if (!WriteEditorCheckpoint(dir, *editor, manifest).ok()) return "";
  return dir;
}

std::unique_ptr<Editor> DefaultAdultEditor(Requirement requirement,
                                           uint64_t seed) {
  return Editor::Create(
             MakeEditorConfig(AdultTask(), requirement,
                              EditVariant::kWeightsAndMasks, /*lambda=*/0.01),
             seed)
      .value();
}

Architecture AdultArchitecture(const std::vector<int64_t>& widths,
                               Activation activation, Norm norm) {
  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  for (const int64_t width : widths) {
    a.layers.push_back({width, activation, norm, 0.0, {}});
  }
  return a;
}

}  // namespace amend::testing
