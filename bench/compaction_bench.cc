// Does a trained pruning editor make models faster? (issue 15.) The test
// models of a zoo, edited once by the editor in AMEND_BENCH_EDITOR (e.g. a
// neuron editor, prune_neurons_and_edit), then timed three ways: the
// originals, the edited models with their masks, and the edited models
// compacted (core/mlp/compact.h). Each iteration runs the forward pass of
// every model over the same 1,024 rows, one thread. Skipped unless
// AMEND_BENCH_EDITOR and AMEND_BENCH_ZOO (that editor's zoo) are set;
// scripts/neuron_pruning.sh sets them.
//
//   AMEND_BENCH_EDITOR=E AMEND_BENCH_ZOO=Z build/bench/compaction_bench
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/editor/editor.h"
#include "core/editor/editor_checkpoint.h"
#include "core/mlp/compact.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/training/zoo_models.h"

namespace amend {
namespace {

constexpr int64_t kMaxModels = 100;
constexpr int64_t kRows = 1024;

struct Subjects {
  std::string error;  // why the benchmark is skipped
  std::vector<Mlp> originals, edited, compacted;
};

const Subjects& LoadSubjects() {
  static const Subjects* subjects = [] {
    auto* out = new Subjects;
    at::set_num_threads(1);
    const char* editor_dir = std::getenv("AMEND_BENCH_EDITOR");
    const char* zoo_dir = std::getenv("AMEND_BENCH_ZOO");
    if (editor_dir == nullptr || zoo_dir == nullptr) {
      out->error = "set AMEND_BENCH_EDITOR and AMEND_BENCH_ZOO";
      return out;
    }
    absl::StatusOr<LoadedEditor> editor = ReadEditorCheckpoint(editor_dir);
    absl::StatusOr<std::vector<ZooModel>> models =
        LoadZooModels(zoo_dir, "test", kMaxModels);
    if (!editor.ok() || !models.ok()) {
      out->error =
          (!editor.ok() ? editor.status() : models.status()).ToString();
      return out;
    }
    absl::StatusOr<std::vector<EditResult>> edits =
        editor->editor->Edit(MlpPointers(*models));
    if (!edits.ok()) {
      out->error = edits.status().ToString();
      return out;
    }
    for (size_t i = 0; i < models->size(); ++i) {
      absl::StatusOr<CompactedMlp> compact = CompactMlp((*edits)[i].edited);
      if (!compact.ok()) {
        out->error = compact.status().ToString();
        return out;
      }
      out->originals.push_back((*models)[i].mlp);
      out->edited.push_back(std::move((*edits)[i].edited));
      out->compacted.push_back(std::move(compact->mlp));
    }
    return out;
  }();
  return *subjects;
}

// Arg: 0 the originals, 1 the edited models (masked), 2 the same compacted.
void BM_ZooEditForward(benchmark::State& state) {
  const Subjects& subjects = LoadSubjects();
  if (!subjects.error.empty()) {
    state.SkipWithError(subjects.error.c_str());
    return;
  }
  const std::vector<Mlp>& models = state.range(0) == 0   ? subjects.originals
                                   : state.range(0) == 1 ? subjects.edited
                                                         : subjects.compacted;
  const int64_t inputs = models.front().architecture.input_dim;
  const at::Tensor x = at::randn({kRows, inputs});
  at::NoGradGuard no_grad;
  for (auto _ : state) {
    for (const Mlp& mlp : models) {
      benchmark::DoNotOptimize(
          Logits(mlp.architecture, mlp.parameters, x).value());
    }
  }
  int64_t parameters = 0, weights = 0, nonzero = 0, smaller = 0;
  for (size_t i = 0; i < models.size(); ++i) {
    parameters += CountParameters(models[i].architecture);
    weights += CountWeights(subjects.originals[i].architecture);
    nonzero += CountNonzeroWeights(models[i]);
    smaller += CountParameters(models[i].architecture) <
               CountParameters(subjects.originals[i].architecture);
  }
  state.counters["models"] = static_cast<double>(models.size());
  state.counters["parameters"] = static_cast<double>(parameters);
  state.counters["weights_kept"] =
      static_cast<double>(nonzero) / static_cast<double>(weights);
  state.counters["smaller_models"] = static_cast<double>(smaller);
}
BENCHMARK(BM_ZooEditForward)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace amend

BENCHMARK_MAIN();
