// Zoo training throughput: the same sampled configurations trained one run at a
// time and as stacked groups, side by side in one process, plus the machine's
// measured matmul rate as the physical reference.
//
//   build/bench/zoo_trainer_bench --benchmark_counters_tabular=true
//
// Counters: models_per_min (runs x epochs trained, scaled to 60-epoch runs),
// gflops (useful forward+backward FLOPs of the runs' real architectures per
// second; padding excluded).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "core/data/task.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/threads.h"
#include "core/zoo/evaluation.h"
#include "core/zoo/fused_trainer.h"
#include "core/zoo/group_trainer.h"
#include "core/zoo/zoo_builder.h"

namespace amend {
namespace {

constexpr int64_t kRuns = 256;  // configurations sampled (seed 1)
constexpr int kEpochsForSixtyEpochRun = 60;

}  // namespace

const SplitTensors& Train() {
  static const SplitTensors* train = [] {
    auto task = LoadTask("adult", AMEND_BENCH_DATA_DIR);
    return new SplitTensors(ToTensors(task->train));
  }();
  return *train;
}

namespace {

std::vector<RunConfig> Configs() {
  std::vector<RunConfig> runs;
  for (int64_t r = 0; r < kRuns; ++r)
    runs.push_back(SampleRunConfig(ZooSearchSpace{}, 1, r, 14, 2));
  return runs;
}

// One epoch of every run of the largest group of a (batch size, depth) class,
// trained in groups of `group_size` (1 = one at a time).
void TrainOneEpoch(benchmark::State& state, int64_t batch_size, int depth,
                   int group_size) {
  std::vector<RunConfig> runs;
  for (const RunConfig& r : Configs()) {
    if (r.batch_size == batch_size && r.architecture.num_hidden() == depth)
      runs.push_back(r);
  }
  runs.resize(std::min<size_t>(runs.size(), 32));
  double useful_macs = 0;
  for (const RunConfig& r : runs)
    useful_macs += static_cast<double>(CountWeights(r.architecture));
  const auto groups = PlanGroups(runs, group_size);
  for (auto _ : state) {
    for (const auto& group : groups) {
      auto trainer =
          GroupTrainer::Create(group, Train().features, Train().labels);
      if (!trainer.ok() || !(*trainer)->TrainEpoch().ok())
        state.SkipWithError("training failed");
    }
  }
  const double rows =
      static_cast<double>(Train().rows() / batch_size * batch_size);
  const double run_epochs = static_cast<double>(runs.size()) *
                            static_cast<double>(state.iterations());
  state.counters["models_per_min"] = benchmark::Counter(
      run_epochs * 60.0 / kEpochsForSixtyEpochRun, benchmark::Counter::kIsRate);
  // Forward 2 FLOPs per MAC, backward about twice the forward.
  state.counters["gflops"] = benchmark::Counter(
      6.0 * useful_macs * rows * static_cast<double>(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate);
  state.counters["runs"] = static_cast<double>(runs.size());
}

// The same runs with the hand-written trainer, one at a time.
void BM_Fused(benchmark::State& state) {
  const int64_t batch_size = state.range(0);
  const int depth = static_cast<int>(state.range(1));
  std::vector<RunConfig> runs;
  for (const RunConfig& r : Configs()) {
    if (r.batch_size == batch_size && r.architecture.num_hidden() == depth)
      runs.push_back(r);
  }
  runs.resize(std::min<size_t>(runs.size(), 32));
  double useful_macs = 0;
  for (const RunConfig& r : runs)
    useful_macs += static_cast<double>(CountWeights(r.architecture));
  for (auto _ : state) {
    for (const RunConfig& run : runs) {
      auto trainer = FusedRunTrainer::Create(run, Train());
      if (!trainer.ok() || !(*trainer)->TrainEpoch().ok())
        state.SkipWithError("training failed");
    }
  }
  const double rows =
      static_cast<double>(Train().rows() / batch_size * batch_size);
  const double run_epochs = static_cast<double>(runs.size()) *
                            static_cast<double>(state.iterations());
  state.counters["models_per_min"] = benchmark::Counter(
      run_epochs * 60.0 / kEpochsForSixtyEpochRun, benchmark::Counter::kIsRate);
  state.counters["gflops"] = benchmark::Counter(
      6.0 * useful_macs * rows * static_cast<double>(state.iterations()) * 1e-9,
      benchmark::Counter::kIsRate);
  state.counters["runs"] = static_cast<double>(runs.size());
}
BENCHMARK(BM_Fused)
    ->Args({32, 2})
    ->Args({256, 3})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

void BM_OneAtATime(benchmark::State& state) {
  TrainOneEpoch(state, state.range(0), static_cast<int>(state.range(1)), 1);
}
void BM_Stacked(benchmark::State& state) {
  TrainOneEpoch(state, state.range(0), static_cast<int>(state.range(1)),
                static_cast<int>(state.range(2)));
}
BENCHMARK(BM_OneAtATime)
    ->Args({32, 2})
    ->Args({256, 3})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);
BENCHMARK(BM_Stacked)
    ->Args({32, 2, 4})
    ->Args({32, 2, 8})
    ->Args({32, 2, 16})
    ->Args({32, 2, 32})
    ->Args({256, 3, 2})
    ->Args({256, 3, 4})
    ->Args({256, 3, 8})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// The physical reference: a large float32 matmul (GFLOP/s of this machine's
// BLAS).
void BM_MatmulRate(benchmark::State& state) {
  const int64_t n = state.range(0);
  const at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(at::mm(a, b));
  state.counters["gflops"] = benchmark::Counter(
      2.0 * n * n * n * 1e-9 * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MatmulRate)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace amend

int main(int argc, char** argv) {
  amend::Train();  // load the data before any timing
  amend::ConfigureThreads(std::getenv("AMEND_THREADS")
                              ? std::atoi(std::getenv("AMEND_THREADS"))
                              : 0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
