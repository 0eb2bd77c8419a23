#include <ATen/Parallel.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/data/task.h"
#include "core/util/status_macros.h"
#include "core/zoo/accuracy_histogram.h"
#include "core/zoo/zoo_builder.h"
#include "trainer/commands.h"
#include "trainer/progress_bar.h"

namespace amend::trainer {
namespace {

absl::Status BuildZooCommand(const ZooCommandOptions& options) {
  AMEND_ASSIGN_OR_RETURN(
      const Task task,
      LoadTask(options.task, options.data_dir, options.tasks_dir));
  ZooOptions zoo;
  zoo.output_dir = options.output_dir;
  zoo.runs = options.runs;
  zoo.seed = options.seed;
  zoo.space = options.space;
  zoo.space.epochs = options.epochs;
  zoo.shard_index = options.shard_index;
  zoo.shard_count = options.shard_count;
  zoo.max_group_size = options.group_size;
  zoo.trainer = options.trainer;
  zoo.max_rows = options.max_rows;
  zoo.workers =
      options.workers > 0
          ? options.workers
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Groups run in parallel, one LibTorch thread each: intra-op threads on these
  // tiny tensors spend their time synchronising (docs/BENCHMARKS.md).
  if (zoo.workers > 1) at::set_num_threads(1);
  ProgressBar bar("zoo", std::cerr);
  AMEND_ASSIGN_OR_RETURN(
      const ZooSummary summary, BuildZoo(task, zoo, [&](const ZooProgress& p) {
        bar.Update(p.work_done, p.work_total, p.elapsed_seconds,
                   absl::StrFormat("runs %d/%d", p.runs_done, p.runs_total));
      }));
  bar.Finish();
  const double minutes = summary.seconds / 60.0;
  std::cout << absl::StrFormat(
      "zoo %s: %d runs trained in %d groups, %d already done; %.1f s (%.1f "
      "models/min, "
      "%.1f checkpoints/min)\nmanifest: %s\n",
      options.output_dir, summary.runs_trained, summary.groups,
      summary.runs_skipped, summary.seconds,
      minutes > 0 ? summary.runs_trained / minutes : 0.0,
      minutes > 0 ? 3 * summary.runs_trained / minutes : 0.0,
      summary.manifest_path);
  std::cout
      << "test accuracy per checkpoint stage (all runs of this manifest):\n";
  for (const char* stage : {"early", "mid", "final"}) {
    auto it = summary.test_accuracy.find(stage);
    if (it == summary.test_accuracy.end()) continue;
    const auto& v = it->second;
    std::cout << absl::StrFormat(
        "  %-6s n=%-5d min %.4f  p10 %.4f  median %.4f  p90 %.4f  max %.4f\n",
        stage, v.size(), Quantile(v, 0), Quantile(v, 0.1), Quantile(v, 0.5),
        Quantile(v, 0.9), Quantile(v, 1));
  }
  return absl::OkStatus();
}

}  // namespace

int RunZooCommand(const ZooCommandOptions& options) {
  if (absl::Status status = BuildZooCommand(options); !status.ok()) {
    std::cerr << "amend-trainer zoo: " << status.message();
    if (absl::IsAlreadyExists(status)) {
      std::cerr << "; use another --out";
    }
    std::cerr << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

int RunZooMergeCommand(const std::string& zoo_dir) {
  absl::StatusOr<int64_t> merged = MergeZooShards(zoo_dir);
  if (!merged.ok()) {
    std::cerr << "amend-trainer zoo-merge: " << merged.status().message()
              << "\n";
    return kExitFailure;
  }
  std::cout << "merged " << *merged << " checkpoints into " << zoo_dir
            << "/manifest.jsonl\n";
  return kExitOk;
}

}  // namespace amend::trainer
