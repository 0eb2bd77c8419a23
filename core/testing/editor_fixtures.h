// File: core/testing/editor_fixtures.h
//
// Freshly initialised editor checkpoints with chosen validation figures, for
// the tests and benchmarks of everything that loads, selects and serves
// editors. An untrained editor edits like any other (one forward pass); only
// its quality differs. Linked by tests and benchmarks only, never by a
// product binary.
//
// Example:
//   std::string dir = testing::WriteTestEditor(root, {.lambda = 0.1});
//
// Thread-safe.
#ifndef AMEND_CORE_TESTING_EDITOR_FIXTURES_H_
#define AMEND_CORE_TESTING_EDITOR_FIXTURES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/task.h"
#include "core/editor/requirement.h"
#include "core/mlp/architecture.h"
#include "core/mlp/architecture_range.h"

namespace amend {
class Editor;
}  // namespace amend

namespace amend::testing {

// The adult task from the bundled data (loaded once).
const Task& AdultTask();

struct TestEditorSpec {
  Requirement requirement = Requirement::kPruning;
  double lambda = 0.01;
  EditVariant variant = EditVariant::kWeightsAndMasks;
  // Validation figures the server selects by.
  double jsd = 0.001;
  double weights_kept = 1.0;
  double features_kept = 14;
  double eod = 0.1;
  uint64_t seed = 1;
  // false: a small metanetwork (fast tests); true: the default shape
  // (benchmarks).
  bool default_shape = false;
  // The zoo's architectures, when the test needs them (none by default).
  std::optional<ArchitectureRange> trained_architectures = std::nullopt;
};

// Writes an adult editor to <root>/<requirement>/<variant>-<lambda>; returns
// its folder, or "" when it could not be written.
std::string WriteTestEditor(const std::string& root,
                            const TestEditorSpec& spec);

// A freshly initialised adult editor of the default shape (d = 32, T = 3):
// what benchmarks and memory tests edit with, since an edit costs the same
// whatever the editor's weights.
std::unique_ptr<Editor> DefaultAdultEditor(
    Requirement requirement = Requirement::kPruning, uint64_t seed = 1);

// An architecture on the adult task's 14 inputs and 2 classes, one hidden
// layer per width.
Architecture AdultArchitecture(const std::vector<int64_t>& widths,
                               Activation activation = Activation::kRelu,
                               Norm norm = Norm::kNone);

}  // namespace amend::testing

#endif  // AMEND_CORE_TESTING_EDITOR_FIXTURES_H_
