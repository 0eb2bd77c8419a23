// File: core/editor/task_editor_config.h
//
// The configuration of an editor for a task: the task's feature names,
// attributes and classes with a requirement, variant and λ. What the trainer
// starts from, and what test fixtures build editors with; apart from the
// trainer so that serving's tests need no training code.
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_EDITOR_TASK_EDITOR_CONFIG_H_
#define AMEND_CORE_EDITOR_TASK_EDITOR_CONFIG_H_

#include "core/data/task.h"
#include "core/editor/editor_config.h"

namespace amend {

EditorConfig MakeEditorConfig(const Task& task, Requirement requirement,
                              EditVariant variant, double lambda);

}  // namespace amend

#endif  // AMEND_CORE_EDITOR_TASK_EDITOR_CONFIG_H_
