// Zoo training throughput: the same sampled configurations trained one epoch
// each by
//   0  LibTorch autograd, one run at a time (GroupTrainer with groups of 1)
//   1  LibTorch autograd, runs stacked in groups (GroupTrainer, up to 32 per
//   group) 2  the fused hand-written trainer, one run at a time
//   (FusedRunTrainer)
// side by side in one process, on one thread (the zoo builder runs one such
// worker per core), plus the machine's measured matmul rate as the physical
// reference.
//
//   AMEND_THREADS=1 build/bench/zoo_trainer_bench
//   --benchmark_counters_tabular=true
//
// Counters: models_per_min (60-epoch runs per minute at this rate), gflops
// (useful forward + backward FLOPs of the runs' real architectures per second,
// 6 x weights x rows; padding excluded).
#include <ATen/ATen.h>
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "bench/matmul_rate.h"
#include "core/data/task.h"
#include "core/data_tensors/split_tensors.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/threads.h"
#include "core/zoo/fused_trainer.h"
#include "core/zoo/group_trainer.h"
#include "core/zoo/zoo_plan.h"

namespace amend {

const SplitTensors& Train() {
  static const SplitTensors* train = [] {
    auto task = LoadTask("adult", AMEND_BENCH_DATA_DIR);
    return new SplitTensors(ToTensors(task->train));
  }();
  return *train;
}

namespace {

constexpr int kEpochsPerRun = 60;

// Runs of the zoo's distribution (seed 1): a (batch size, depth) class, or,
// with batch size 0, the first `count` runs of the zoo whatever their class.
std::vector<RunConfig> Runs(int64_t batch_size, int depth, size_t count) {
  std::vector<RunConfig> runs;
  for (int64_t r = 0; r < 4096 && runs.size() < count; ++r) {
    RunConfig c = SampleRunConfig(ZooSearchSpace{}, 1, r, 14, 2);
    if (batch_size == 0 ||
        (c.batch_size == batch_size && c.architecture.num_hidden() == depth)) {
      runs.push_back(std::move(c));
    }
  }
  return runs;
}

void TrainEpochs(benchmark::State& state, const std::vector<RunConfig>& runs,
                 int trainer) {
  for (auto _ : state) {
    if (trainer == 2) {
      for (const RunConfig& run : runs) {
        auto fused = FusedRunTrainer::Create(run, Train());
        if (!fused.ok() || !(*fused)->TrainEpoch().ok())
          state.SkipWithError("training failed");
      }
      continue;
    }
    for (const auto& group : PlanGroups(runs, trainer == 0 ? 1 : 32)) {
      auto stacked =
          GroupTrainer::Create(group, Train().features, Train().labels);
      if (!stacked.ok() || !(*stacked)->TrainEpoch().ok())
        state.SkipWithError("training failed");
    }
  }
  double flops = 0;
  for (const RunConfig& r : runs) {
    const double rows =
        static_cast<double>(Train().rows() / r.batch_size * r.batch_size);
    flops += 6.0 * static_cast<double>(CountWeights(r.architecture)) * rows;
  }
  const double iterations = static_cast<double>(state.iterations());
  state.counters["models_per_min"] = benchmark::Counter(
      static_cast<double>(runs.size()) * iterations * 60.0 / kEpochsPerRun,
      benchmark::Counter::kIsRate);
  state.counters["gflops"] = benchmark::Counter(flops * iterations * 1e-9,
                                                benchmark::Counter::kIsRate);
  state.counters["runs"] = static_cast<double>(runs.size());
}

// Args: trainer, batch size, depth. 16 runs of one class.
void BM_ClassEpoch(benchmark::State& state) {
  TrainEpochs(state, Runs(state.range(1), static_cast<int>(state.range(2)), 16),
              static_cast<int>(state.range(0)));
}
BENCHMARK(BM_ClassEpoch)
    ->ArgNames({"trainer", "batch", "depth"})
    ->ArgsProduct({{0, 1, 2}, {32, 256}, {2}})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

// Args: trainer. The first 48 runs of the zoo: every batch size, depth and kind
// of layer.
void BM_ZooMixEpoch(benchmark::State& state) {
  TrainEpochs(state, Runs(0, 0, 48), static_cast<int>(state.range(0)));
}
BENCHMARK(BM_ZooMixEpoch)
    ->ArgName("trainer")
    ->DenseRange(0, 2)
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

BENCHMARK(BM_MatmulRate)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace amend

int main(int argc, char** argv) {
  amend::Train();  // load the data before any timing
  const char* threads = std::getenv("AMEND_THREADS");
  amend::ConfigureThreads(threads != nullptr ? std::atoi(threads) : 1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
