// Peak memory of one edit: how many bytes Editor::Edit() holds at its peak
// per weight of the edited MLP, which is what the server's cost estimate
// (core/editor/edit_cost.h) must cover. Google Benchmark measures time, not a
// process's high-water mark, hence a plain program, one model per process:
//
//   build/bench/edit_memory WIDTH DEPTH [BATCH [libtorch]]
//
// builds an MLP with DEPTH hidden layers of WIDTH neurons on 14 inputs (the
// adult task's), edits BATCH copies in one pass with the default editor shape
// (d = 32, T = 3), and prints one JSON line: weights, nodes and edges per
// model, the resident set before the edit, its peak during the edit
// (/proc/self/status VmHWM after resetting it through /proc/self/clear_refs),
// the peak's growth per weight, and the edit's seconds. "libtorch" runs the
// metanetwork through LibTorch's operators instead of the inference kernels
// (ForwardPath).
// scripts/edit_memory.sh runs it over a range of sizes (docs/OPERATIONS.md).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/editor/edit_cost.h"
#include "core/editor/editor.h"
#include "core/mlp/mlp.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/allocator.h"
#include "core/util/threads.h"

namespace amend {
namespace {

// A field of /proc/self/status in bytes (it reports kB), or -1.
int64_t StatusBytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoll(line.substr(field.size() + 1)) * 1024;
    }
  }
  return -1;
}

// Resets VmHWM to the current resident set (Linux >= 4.0).
bool ResetPeak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
  return static_cast<bool>(clear);
}

int Run(int64_t width, int depth, int batch, ForwardPath path) {
  TuneAllocatorForTensors();
  ConfigureThreads(1);
  const std::unique_ptr<Editor> editor = testing::DefaultAdultEditor();
  // Warm-up on a small model: LibTorch's lazy initialisation is not the
  // edit's cost.
  const Mlp small = InitializeMlp(testing::AdultArchitecture({8}), 1).value();
  if (!editor->Edit({&small}).ok()) return 1;
  const Architecture architecture = testing::AdultArchitecture(
      std::vector<int64_t>(static_cast<size_t>(depth), width));
  absl::StatusOr<Mlp> mlp = InitializeMlp(architecture, 2);
  if (!mlp.ok()) {
    std::cerr << "edit_memory: " << mlp.status().message() << "\n";
    return 2;
  }
  const std::vector<const Mlp*> models(static_cast<size_t>(batch), &*mlp);
  const EditCost cost = EstimateEditCost(architecture);
  const int64_t before = StatusBytes("VmRSS");
  if (!ResetPeak()) {
    std::cerr << "edit_memory: cannot reset the peak (/proc/self/clear_refs)\n";
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<EditResult>> results =
      editor->Edit(models, nullptr, path);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  const int64_t peak = StatusBytes("VmHWM");
  if (!results.ok()) {
    std::cerr << "edit_memory: " << results.status().message() << "\n";
    return 1;
  }
  const double growth = static_cast<double>(peak - before);
  std::printf(
      "{\"width\": %lld, \"depth\": %d, \"batch\": %d, \"weights\": %lld, "
      "\"nodes\": %lld, \"rss_before_mib\": %.1f, \"peak_mib\": %.1f, "
      "\"growth_bytes_per_weight\": %.1f, \"estimate_bytes_per_weight\": "
      "%.1f, \"seconds\": %.3f, \"path\": \"%s\"}\n",
      static_cast<long long>(width), depth, batch,
      static_cast<long long>(cost.edges), static_cast<long long>(cost.nodes),
      static_cast<double>(before) / (1 << 20),
      static_cast<double>(peak) / (1 << 20),
      growth / static_cast<double>(cost.edges * batch),
      static_cast<double>(cost.edit_bytes) / static_cast<double>(cost.edges),
      seconds, path == ForwardPath::kLibTorch ? "libtorch" : "kernels");
  return 0;
}

}  // namespace
}  // namespace amend

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5 ||
      (argc == 5 && std::string(argv[4]) != "libtorch")) {
    std::cerr << "usage: edit_memory WIDTH DEPTH [BATCH [libtorch]]\n";
    return 2;
  }
  const int64_t width = std::atoll(argv[1]);
  const int depth = std::atoi(argv[2]);
  const int batch = argc >= 4 ? std::atoi(argv[3]) : 1;
  const amend::ForwardPath path =
      argc == 5 ? amend::ForwardPath::kLibTorch : amend::ForwardPath::kAuto;
  if (width < 1 || depth < 1 || batch < 1) {
    std::cerr << "edit_memory: WIDTH, DEPTH and BATCH must be >= 1\n";
    return 2;
  }
  return amend::Run(width, depth, batch, path);
}
