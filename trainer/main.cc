// amend-trainer: builds the data views, the MLP zoo and the editors.
//
//   amend-trainer data    --task adult|bank            JSON summary of a task
//   amend-trainer forward --model M --input X.csv --out P.csv
//   amend-trainer init    --architecture JSON --seed S --out M
//   amend-trainer zoo     --task T --runs N --seed S --out DIR [--epochs E]
//   [--shard i/n] amend-trainer zoo-merge --zoo DIR
//
// Flags live here and only here; each subcommand receives a plain options
// struct.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "core/util/threads.h"
#include "trainer/commands.h"

ABSL_FLAG(std::string, task, "", "Task name: adult or bank.");
ABSL_FLAG(std::string, data_dir, "",
          "Folder with the bundled datasets and their SHA256SUMS. Default: "
          "$AMEND_DATA_DIR, else "
          "the data/ folder of the source tree this binary was built from.");
ABSL_FLAG(std::string, format, "json", "data: output format, json or text.");
ABSL_FLAG(std::string, architecture, "",
          "init: the architecture JSON (docs/MODEL_FORMAT.md).");
ABSL_FLAG(uint64_t, seed, 0,
          "Seed of every random choice; the same seed gives the same result.");
ABSL_FLAG(int64_t, runs, 1000,
          "zoo: number of training runs (3 checkpoints each).");
ABSL_FLAG(int, epochs, 60, "zoo: epochs per run.");
ABSL_FLAG(std::string, shard, "0/1",
          "zoo: i/n trains runs i, i+n, ... (e.g. a Kubernetes Indexed Job's "
          "completion index).");
ABSL_FLAG(int, group_size, 32,
          "zoo: at most this many runs are trained together as one stacked "
          "model (fewer for "
          "large batch sizes); 1 trains one run at a time.");
ABSL_FLAG(std::string, trainer, "fused",
          "zoo: fused (hand-written passes, fastest) or libtorch (autograd, "
          "runs stacked in "
          "groups of --group_size); both compute the same training.");
ABSL_FLAG(int, workers, 0,
          "zoo: groups trained in parallel; 0 = one per core.");
ABSL_FLAG(int64_t, max_rows, 0,
          "zoo: > 0 uses only the first max_rows rows of every data split "
          "(tests, quick demos).");
ABSL_FLAG(int, threads, 0,
          "Intra-op threads of LibTorch; 0 = one per core. OpenBLAS is kept to "
          "one thread.");
ABSL_FLAG(std::string, model, "",
          "forward: model file (.safetensors, Amend MLP contract).");
ABSL_FLAG(std::string, input, "",
          "forward: CSV of numeric inputs, one row per example.");
ABSL_FLAG(std::string, out, "",
          "forward: output CSV of class probabilities; init: the model file to "
          "write; zoo: the "
          "zoo folder.");
ABSL_FLAG(std::string, zoo, "",
          "zoo-merge: the zoo folder whose shard manifests to join.");

namespace {

constexpr char kUsage[] =
    "amend-trainer SUBCOMMAND [flags]\n"
    "\n"
    "Subcommands:\n"
    "  data     --task adult|bank                  print a JSON summary of a "
    "task's data\n"
    "  forward  --model M --input X.csv --out P.csv  class probabilities of a "
    "model\n"
    "  init     --architecture JSON --seed S --out M   a freshly initialised "
    "model\n"
    "\n"
    "Run with --help for every flag.";

std::string DataDir() {
  std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (!dir.empty()) return dir;
  if (const char* env = std::getenv("AMEND_DATA_DIR");
      env != nullptr && *env != '\0')
    return env;
  return AMEND_DEFAULT_DATA_DIR;
}

bool RequireFlag(const std::string& value, const char* flag,
                 const char* subcommand) {
  if (!value.empty()) return true;
  std::cerr << "amend-trainer " << subcommand << ": --" << flag
            << " is required\n";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  namespace trainer = amend::trainer;
  absl::SetProgramUsageMessage(kUsage);
  const std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() != 2) {
    std::cerr << kUsage << "\n";
    return trainer::kExitUsage;
  }
  const std::string subcommand = positional[1];
  amend::ConfigureThreads(absl::GetFlag(FLAGS_threads));
  if (subcommand == "data") {
    const std::string format = absl::GetFlag(FLAGS_format);
    trainer::DataCommandOptions options{absl::GetFlag(FLAGS_task), DataDir(),
                                        format == "text"};
    if (!RequireFlag(options.task, "task", "data")) return trainer::kExitUsage;
    if (format != "json" && format != "text") {
      std::cerr << "amend-trainer data: --format must be json or text, got \""
                << format << "\"\n";
      return trainer::kExitUsage;
    }
    return trainer::RunDataCommand(options);
  }
  if (subcommand == "forward") {
    trainer::ForwardCommandOptions options{absl::GetFlag(FLAGS_model),
                                           absl::GetFlag(FLAGS_input),
                                           absl::GetFlag(FLAGS_out)};
    if (!RequireFlag(options.model_path, "model", "forward") ||
        !RequireFlag(options.input_path, "input", "forward") ||
        !RequireFlag(options.output_path, "out", "forward")) {
      return trainer::kExitUsage;
    }
    return trainer::RunForwardCommand(options);
  }
  if (subcommand == "init") {
    trainer::InitCommandOptions options{absl::GetFlag(FLAGS_architecture),
                                        absl::GetFlag(FLAGS_seed),
                                        absl::GetFlag(FLAGS_out)};
    if (!RequireFlag(options.architecture_json, "architecture", "init") ||
        !RequireFlag(options.output_path, "out", "init")) {
      return trainer::kExitUsage;
    }
    return trainer::RunInitCommand(options);
  }
  if (subcommand == "zoo") {
    trainer::ZooCommandOptions options;
    options.task = absl::GetFlag(FLAGS_task);
    options.data_dir = DataDir();
    options.output_dir = absl::GetFlag(FLAGS_out);
    options.runs = absl::GetFlag(FLAGS_runs);
    options.seed = absl::GetFlag(FLAGS_seed);
    options.epochs = absl::GetFlag(FLAGS_epochs);
    options.group_size = absl::GetFlag(FLAGS_group_size);
    options.max_rows = absl::GetFlag(FLAGS_max_rows);
    options.workers = absl::GetFlag(FLAGS_workers);
    options.trainer = absl::GetFlag(FLAGS_trainer);
    if (!RequireFlag(options.task, "task", "zoo") ||
        !RequireFlag(options.output_dir, "out", "zoo")) {
      return trainer::kExitUsage;
    }
    const std::string shard = absl::GetFlag(FLAGS_shard);
    if (std::sscanf(shard.c_str(), "%d/%d", &options.shard_index,
                    &options.shard_count) != 2 ||
        options.shard_count < 1 || options.shard_index < 0 ||
        options.shard_index >= options.shard_count) {
      std::cerr
          << "amend-trainer zoo: --shard must be i/n with 0 <= i < n, got \""
          << shard << "\"\n";
      return trainer::kExitUsage;
    }
    if (options.runs < 1 || options.epochs < 1 || options.group_size < 1) {
      std::cerr << "amend-trainer zoo: --runs, --epochs and --group_size must "
                   "be >= 1\n";
      return trainer::kExitUsage;
    }
    return trainer::RunZooCommand(options);
  }
  if (subcommand == "zoo-merge") {
    const std::string zoo = absl::GetFlag(FLAGS_zoo);
    if (!RequireFlag(zoo, "zoo", "zoo-merge")) return trainer::kExitUsage;
    return trainer::RunZooMergeCommand(zoo);
  }
  std::cerr << "amend-trainer: unknown subcommand \"" << subcommand << "\"\n\n"
            << kUsage << "\n";
  return trainer::kExitUsage;
}
