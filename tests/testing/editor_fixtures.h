// File: tests/testing/editor_fixtures.h
//
// Freshly initialised editor checkpoints with chosen validation figures, for
// tests of everything that loads, selects and serves editors. An untrained
// editor edits like any other (one forward pass); only its quality differs.
//
// Thread-safe.
#ifndef AMEND_TESTS_TESTING_EDITOR_FIXTURES_H_
#define AMEND_TESTS_TESTING_EDITOR_FIXTURES_H_

#include <string>

#include "core/data/task.h"
#include "core/editor/editor_checkpoint.h"
#include "core/editor/editor_trainer.h"

namespace amend::testing {

inline const Task& AdultTask() {
  static const Task* task = new Task(*LoadTask("adult", AMEND_TEST_DATA_DIR));
  return *task;
}

struct TestEditorSpec {
  Requirement requirement = Requirement::kPruning;
  double lambda = 0.01;
  bool edit_weights = true;
  // Validation figures the server selects by.
  double jsd = 0.001;
  double weights_kept = 1.0;
  double features_kept = 14;
  double eod = 0.1;
  uint64_t seed = 1;
  // false: a small metanetwork (fast tests); true: the default shape
  // (benchmarks).
  bool default_shape = false;
};

// Writes an adult editor to <root>/<requirement>/<variant>-<lambda>; returns
// its folder.
inline std::string WriteTestEditor(const std::string& root,
                                   const TestEditorSpec& spec) {
  EditorConfig config = MakeEditorConfig(AdultTask(), spec.requirement,
                                         spec.edit_weights, spec.lambda);
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
  const std::string dir = root + "/" + RequirementName(spec.requirement) + "/" +
                          VariantName(spec.requirement, spec.edit_weights) +
                          "-" + LambdaLabel(spec.lambda);
  if (!WriteEditorCheckpoint(dir, *editor, manifest).ok()) return "";
  return dir;
}

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_EDITOR_FIXTURES_H_
