#include "core/editor/task_editor_config.h"

namespace amend {

EditorConfig MakeEditorConfig(const Task& task, Requirement requirement,
                              EditVariant variant, double lambda) {
  EditorConfig config;
  config.task = task.name;
  for (const Feature& feature : task.features) {
    config.feature_names.push_back(feature.name);
  }
  config.class_names = task.class_names;
  config.feature_attributes = task.feature_attributes();
  config.requirement = requirement;
  config.variant = variant;
  config.lambda = lambda;
  return config;
}

}  // namespace amend
