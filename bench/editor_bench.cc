// Edit latency: one Editor::Edit() call (graph construction, one metanetwork
// forward, the edit and its masks, statistics) for MLPs of the zoo's size
// range, one at a time and in batches, with the default editor shape (d = 32,
// T = 3). The edit does not depend on the editor's trained weights, so a
// freshly initialised editor measures the same cost.
//
//   AMEND_THREADS=1 build/bench/editor_bench --benchmark_counters_tabular=true
//   AMEND_BENCH_DEVICE=cuda build/bench/editor_bench --benchmark_filter=OnDevice
//
// AMEND_DEFAULT_MALLOC=1 keeps glibc's default allocator settings (for the
// comparison in core/util/allocator.h).
//
// Counters: allocs and alloc_kb (heap allocations per call, every thread's;
// bench/allocation_counter.h), edges (weights per model), ms_per_model, gflops
// (the metanetwork's multiply-adds x 2 per second as the layers compute them,
// each edge block's first Linear decomposed: E (12 T d^2 + 6 d^2) + N (18 T d^2
// + 2 d^2) for E edges and N nodes).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <tuple>

#include "bench/allocation_counter.h"
#include "bench/matmul_rate.h"
#include "core/baselines/score_pruning.h"
#include "core/data_tensors/split_tensors.h"
#include "core/editor/editor.h"
#include "core/editor/hard_edit.h"
#include "core/gmn/metanetwork_inference.h"
#include "core/graph/graph_batch.h"
#include "core/graph/parameter_graph.h"
#include "core/mlp/compact.h"
#include "core/mlp/forward.h"
#include "core/mlp/parameter_layout.h"
#include "core/postprocessing/threshold_optimizer.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/allocator.h"
#include "core/util/threads.h"

namespace amend {
namespace {

constexpr int64_t kInputs = 14;

// Widths chosen to span the adult zoo: about its p25, median, p75 and largest
// weight counts (736, 2,848, 8,768, 27,392).
Architecture SizeClass(int size) {
  Architecture a;
  a.input_dim = kInputs;
  a.num_classes = 2;
  switch (size) {
    case 0:
      a.layers = {{16, Activation::kRelu, Norm::kNone, 0.0, {}},
                  {16, Activation::kRelu, Norm::kNone, 0.0, {}}};
      break;
    case 1:
      a.layers = {{32, Activation::kGelu, Norm::kLayerNorm, 0.0, {}},
                  {64, Activation::kGelu, Norm::kLayerNorm, 0.0, {0}}};
      break;
    case 2:
      a.layers = {{64, Activation::kSilu, Norm::kBatchNorm, 0.0, {}},
                  {64, Activation::kSilu, Norm::kBatchNorm, 0.0, {}},
                  {64, Activation::kSilu, Norm::kBatchNorm, 0.0, {0}}};
      break;
    default:
      a.layers = {{64, Activation::kTanh, Norm::kNone, 0.0, {}},
                  {64, Activation::kTanh, Norm::kNone, 0.0, {0}},
                  {64, Activation::kTanh, Norm::kNone, 0.0, {0, 1}},
                  {64, Activation::kTanh, Norm::kNone, 0.0, {0, 1, 2}}};
      break;
  }
  return a;
}

const Editor& DefaultEditor() {
  static const Editor* editor = testing::DefaultAdultEditor().release();
  return *editor;
}

double MetanetworkFlops(const Architecture& a, int64_t d, int64_t t) {
  int64_t nodes = a.input_dim + a.num_classes;
  for (const HiddenLayer& layer : a.layers) nodes += layer.width;
  const double edges = static_cast<double>(CountWeights(a));
  const double dd = static_cast<double>(d * d);
  return edges * (12.0 * t * dd + 6.0 * dd) +
         static_cast<double>(nodes) * (18.0 * t * dd + 2.0 * dd);
}

// Args: size class, models per Edit() call, forward path (0: the inference
// kernels, 1: LibTorch's operators), so that one run compares the two.
void BM_Edit(benchmark::State& state) {
  const Architecture architecture = SizeClass(static_cast<int>(state.range(0)));
  const int64_t batch = state.range(1);
  const ForwardPath path =
      state.range(2) == 0 ? ForwardPath::kAuto : ForwardPath::kLibTorch;
  std::vector<Mlp> models;
  for (int64_t i = 0; i < batch; ++i) {
    models.push_back(InitializeMlp(architecture, 10 + i).value());
  }
  std::vector<const Mlp*> pointers;
  for (const Mlp& mlp : models) pointers.push_back(&mlp);
  const Editor& editor = DefaultEditor();
  bench::ReportAllocations(state, [&] {
    benchmark::DoNotOptimize(editor.Edit(pointers, nullptr, path));
  });
  for (auto _ : state) {
    auto results = editor.Edit(pointers, nullptr, path);
    if (!results.ok()) state.SkipWithError(results.status().ToString().c_str());
    benchmark::DoNotOptimize(results);
  }
  const double models_done = static_cast<double>(state.iterations() * batch);
  state.counters["edges"] = static_cast<double>(CountWeights(architecture));
  state.counters["ms_per_model"] =
      benchmark::Counter(models_done * 1e-3, benchmark::Counter::kIsRate |
                                                 benchmark::Counter::kInvert);
  state.counters["gflops"] = benchmark::Counter(
      models_done * MetanetworkFlops(architecture, 32, 3) * 1e-9,
      benchmark::Counter::kIsRate);
}
// The metanetwork's forward pass alone on one model (graph and batch built
// once), through the inference kernels (path 0) or LibTorch (path 1): the
// part of an edit that the FLOP count describes. Args: size class, path.
void BM_Forward(benchmark::State& state) {
  const Architecture architecture = SizeClass(static_cast<int>(state.range(0)));
  const Mlp mlp = InitializeMlp(architecture, 10).value();
  const ParameterGraph graph = BuildParameterGraph(mlp).value();
  const GraphBatch batch = BatchGraphs({&graph});
  const MetanetworkImpl& network = *DefaultEditor().network().ptr();
  at::NoGradGuard no_grad;
  const auto forward = [&] {
    std::optional<MetanetworkOutput> out =
        state.range(1) == 0
            ? InferenceForward(network, batch, kEditEdgesPerChunk, nullptr)
            : const_cast<MetanetworkImpl&>(network).ForwardInChunks(
                  batch, kEditEdgesPerChunk, nullptr);
    benchmark::DoNotOptimize(out);
  };
  bench::ReportAllocations(state, forward);
  for (auto _ : state) forward();
  state.counters["gflops"] =
      benchmark::Counter(static_cast<double>(state.iterations()) *
                             MetanetworkFlops(architecture, 32, 3) * 1e-9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Forward)
    ->ArgsProduct({{0, 1, 2, 3}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Building the parameter graph and its batch: what an edit does before the
// forward pass.
void BM_GraphAndBatch(benchmark::State& state) {
  const Mlp mlp =
      InitializeMlp(SizeClass(static_cast<int>(state.range(0))), 10).value();
  const auto build = [&] {
    const ParameterGraph graph = BuildParameterGraph(mlp).value();
    const GraphBatch batch = BatchGraphs({&graph});
    benchmark::DoNotOptimize(batch);
  };
  bench::ReportAllocations(state, build);
  for (auto _ : state) build();
}
BENCHMARK(BM_GraphAndBatch)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

// One stage of the median model's Edit() through the kernels, timed and its
// allocations counted: 0 the parameter graph, 1 the magnitude check, 2 the
// graph's batch, 3 the forward pass, 4 the hard edit (ApplyHardEdit), 5 the
// statistics, 6 the check that the kernels can run the editor. What Edit()
// spends beside them is the split into results and the finiteness check.
void BM_EditStage(benchmark::State& state) {
  const Mlp mlp = InitializeMlp(SizeClass(1), 10).value();
  const Editor& editor = DefaultEditor();
  const ParameterGraph graph = BuildParameterGraph(mlp).value();
  const GraphBatch batch = BatchGraphs({&graph});
  const MetanetworkImpl& network = *editor.network().ptr();
  at::NoGradGuard no_grad;
  const MetanetworkOutput output =
      InferenceForward(network, batch, kEditEdgesPerChunk, nullptr).value();
  const EditSpec spec{.requirement = editor.config().requirement,
                      .variant = editor.config().variant};
  const Mlp edited = editor.Edit({&mlp}).value().front().edited;
  const auto stage = [&] {
    switch (state.range(0)) {
      case 0:
        benchmark::DoNotOptimize(BuildParameterGraph(mlp));
        break;
      case 1:
        benchmark::DoNotOptimize(editor.CheckEditable(mlp));
        break;
      case 2:
        benchmark::DoNotOptimize(BatchGraphs({&graph}));
        break;
      case 3:
        benchmark::DoNotOptimize(
            InferenceForward(network, batch, kEditEdgesPerChunk, nullptr));
        break;
      case 4:
        benchmark::DoNotOptimize(ApplyHardEdit({&graph}, batch, output, spec));
        break;
      case 5:
        benchmark::DoNotOptimize(
            ComputeEditStatistics(editor.config(), edited));
        break;
      case 6:
        benchmark::DoNotOptimize(CanUseInferenceKernels(network));
        break;
    }
  };
  bench::ReportAllocations(state, stage);
  for (auto _ : state) stage();
}
BENCHMARK(BM_EditStage)->DenseRange(0, 6)->Unit(benchmark::kMicrosecond);

// The input check every edit runs before its forward pass (the server runs it
// once more on arrival): architecture, and every parameter's magnitude.
void BM_CheckEditable(benchmark::State& state) {
  const Mlp mlp =
      InitializeMlp(SizeClass(static_cast<int>(state.range(0))), 10).value();
  const Editor& editor = DefaultEditor();
  for (auto _ : state) {
    absl::Status status = editor.CheckEditable(mlp);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    benchmark::DoNotOptimize(status);
  }
}
BENCHMARK(BM_CheckEditable)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_MatmulRate)->Arg(1024)->Unit(benchmark::kMillisecond);

// The per-model baselines that table 1 of docs/RESULTS.md times beside the
// editor, on the same median model and the bundled adult data, so one run
// compares them with BM_Edit (issue 17: the pruning edit faster than SNIP,
// within 2x of ThresholdOptimizer). Arg 0: SNIP's scores on 100 validation
// rows and pruning to 25% (as the reports charge it); 1: ThresholdOptimizer's
// fit on the validation rows and its prediction on the test rows.
void BM_BaselineFit(benchmark::State& state) {
  const Mlp mlp = InitializeMlp(SizeClass(1), 10).value();
  const Task& task = testing::AdultTask();
  if (state.range(0) == 0) {
    const SplitTensors batch = ToTensors(task, SplitName::kValidation, 100);
    const int64_t keep = CountWeights(mlp.architecture) / 4;
    for (auto _ : state) {
      absl::StatusOr<TensorMap> scores = SnipScores(mlp, batch);
      if (!scores.ok()) state.SkipWithError(scores.status().ToString().c_str());
      benchmark::DoNotOptimize(PruneByScores(mlp, *scores, keep));
    }
    return;
  }
  auto scored = [&](SplitName split) {
    const SplitTensors rows = ToTensors(task, split);
    const at::Tensor positive =
        at::softmax(
            Logits(mlp.architecture, mlp.parameters, rows.features).value(), 1)
            .select(1, 1)
            .to(at::kDouble)
            .contiguous();
    BinaryData data;
    data.scores.assign(positive.data_ptr<double>(),
                       positive.data_ptr<double>() + positive.numel());
    const at::Tensor labels = rows.labels.contiguous();
    const at::Tensor groups = rows.groups.contiguous();
    data.labels.assign(labels.data_ptr<int64_t>(),
                       labels.data_ptr<int64_t>() + labels.numel());
    data.groups.assign(groups.data_ptr<int64_t>(),
                       groups.data_ptr<int64_t>() + groups.numel());
    return data;
  };
  const BinaryData fit = scored(SplitName::kValidation);
  const BinaryData test = scored(SplitName::kTest);
  for (auto _ : state) {
    absl::StatusOr<ThresholdOptimizer> fitted = ThresholdOptimizer::Fit(fit);
    if (!fitted.ok()) state.SkipWithError(fitted.status().ToString().c_str());
    benchmark::DoNotOptimize(
        fitted->PositiveProbability(test.scores, test.groups));
  }
  state.counters["fit_rows"] = static_cast<double>(fit.rows());
}
BENCHMARK(BM_BaselineFit)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A ReLU MLP without norms (14 -> 128 -> 128 -> 2), the family compaction
// can shrink (a layernorm layer keeps its neurons, core/mlp/compact.h).
Mlp CompactionSubject() {
  Architecture a;
  a.input_dim = kInputs;
  a.num_classes = 2;
  a.layers = {{128, Activation::kRelu, Norm::kNone, 0.0, {}},
              {128, Activation::kRelu, Norm::kNone, 0.0, {}}};
  return InitializeMlp(a, 10).value();
}

// Neuron pruning: the neurons of each hidden layer with the smallest incoming
// norms lose their incoming rows and outgoing columns, `kept` of them stay.
Mlp PruneNeurons(Mlp mlp, double kept) {
  const Architecture& a = mlp.architecture;
  for (int k = 1; k <= a.num_hidden(); ++k) {
    const at::Tensor norms = mlp.parameters.at(LayerWeightName(k)).norm(2, 1);
    const int64_t width = norms.numel();
    const int64_t drop =
        width - std::max<int64_t>(1, std::llround(kept * width));
    const at::Tensor dropped = std::get<1>(norms.topk(drop, 0, false));
    mlp.parameters.at(LayerWeightName(k)).index_fill_(0, dropped, 0.0);
    const std::string reader =
        k < a.num_hidden() ? LayerWeightName(k + 1) : kHeadWeightName;
    mlp.parameters.at(reader).index_fill_(1, dropped, 0.0);
  }
  return mlp;
}

// Forward time of a model before and after pruning and compaction (issue 15:
// does pruning make the model faster?). Args: form (0 the dense original;
// 1 weight pruning to 10% by magnitude, masked; 2 the same compacted;
// 3 neuron pruning to 30% of each layer's neurons, masked; 4 the same
// compacted), rows per forward pass.
void BM_PrunedForward(benchmark::State& state) {
  const Mlp original = CompactionSubject();
  const int64_t weights = CountWeights(original.architecture);
  Mlp model = original;
  if (state.range(0) == 1 || state.range(0) == 2) {
    model =
        PruneByScores(original, MagnitudeScores(original).value(), weights / 10)
            .value();
  } else if (state.range(0) >= 3) {
    model = PruneNeurons(original, 0.3);
  }
  if (state.range(0) == 2 || state.range(0) == 4) {
    model = CompactMlp(model).value().mlp;
  }
  const int64_t nonzero = CountNonzeroWeights(model);
  const at::Tensor x = at::randn({state.range(1), kInputs});
  at::NoGradGuard no_grad;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Logits(model.architecture, model.parameters, x).value());
  }
  state.counters["parameters"] =
      static_cast<double>(CountParameters(model.architecture));
  state.counters["weights_kept"] =
      static_cast<double>(nonzero) / static_cast<double>(weights);
}
BENCHMARK(BM_PrunedForward)
    ->ArgsProduct({{0, 1, 2, 3, 4}, {1, 1024}})
    ->Unit(benchmark::kMicrosecond);

// The default editor on AMEND_BENCH_DEVICE (cpu when unset; cuda[:N] in a
// build against a CUDA LibTorch, docs/OPERATIONS.md "GPU"). Null, with the
// reason in `error`, when the device is refused.
const Editor* DeviceEditor(std::string& error) {
  static std::string* refused = new std::string;
  static const Editor* editor = [] {
    const char* name = std::getenv("AMEND_BENCH_DEVICE");
    absl::StatusOr<c10::Device> device = ParseComputeDevice(
        name != nullptr ? name : "cpu", "AMEND_BENCH_DEVICE");
    std::unique_ptr<Editor> moved = testing::DefaultAdultEditor();
    absl::Status status =
        device.ok() ? moved->MoveTo(*device) : device.status();
    if (!status.ok()) {
      *refused = status.ToString();
      return static_cast<const Editor*>(nullptr);
    }
    return static_cast<const Editor*>(moved.release());
  }();
  error = *refused;
  return editor;
}

// Batches of median models on the benchmark's device, as amend-server's
// batcher forms them: edits per second and the median time of one call.
// Arg: models per call.
void BM_EditOnDevice(benchmark::State& state) {
  std::string error;
  const Editor* editor = DeviceEditor(error);
  if (editor == nullptr) {
    state.SkipWithError(error.c_str());
    return;
  }
  const int64_t batch = state.range(0);
  std::vector<Mlp> models;
  for (int64_t i = 0; i < batch; ++i) {
    models.push_back(InitializeMlp(SizeClass(1), 10 + i).value());
  }
  std::vector<const Mlp*> pointers;
  for (const Mlp& mlp : models) pointers.push_back(&mlp);
  std::vector<double> seconds;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto results = editor->Edit(pointers);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (!results.ok()) state.SkipWithError(results.status().ToString().c_str());
    benchmark::DoNotOptimize(results);
  }
  std::sort(seconds.begin(), seconds.end());
  state.SetLabel(ComputeDeviceName(editor->device()));
  state.counters["edits_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch),
                         benchmark::Counter::kIsRate);
  state.counters["p50_ms"] =
      seconds.empty() ? 0.0 : 1e3 * seconds[seconds.size() / 2];
}
BENCHMARK(BM_EditOnDevice)
    ->Arg(1)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK(BM_Edit)
    ->ArgsProduct({{0, 1, 2, 3}, {1}, {0, 1}})
    ->ArgsProduct({{1}, {4, 16}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace amend

int main(int argc, char** argv) {
  if (std::getenv("AMEND_DEFAULT_MALLOC") == nullptr) {
    amend::TuneAllocatorForTensors();
  }
  const char* threads = std::getenv("AMEND_THREADS");
  amend::ConfigureThreads(threads != nullptr ? std::atoi(threads) : 0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
