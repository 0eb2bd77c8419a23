// amend-server throughput and latency through gRPC, in-process on port 0, with
// concurrent clients, comparing dynamic batching against one model per forward
// pass, side by side in one run. The editor is freshly initialised, default
// shape d = 32, T = 3 (the cost of an edit does not depend on the trained
// weights); the models are median-size
// adult MLPs (14 -> 32 -> 64 + skip -> 2, 3,520 weights).
//
//   build/bench/server_bench --benchmark_counters_tabular=true
//
// Args: max_batch, concurrent clients. Counters: edits_per_s, ms_per_edit
// (client-observed mean latency).
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "client/amend_client.h"
#include "core/mlp/model_file.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/allocator.h"
#include "core/util/sha256.h"
#include "core/util/threads.h"
#include "server/amend_server.h"

namespace amend::server {
namespace {

const std::string& EditorsDir() {
  static const std::string* dir = [] {
    auto* path = new std::string(
        (std::filesystem::temp_directory_path() / "amend_server_bench")
            .string());
    std::filesystem::remove_all(*path);
    testing::WriteTestEditor(*path, {.requirement = Requirement::kPruning,
                                     .lambda = 0.01,
                                     .default_shape = true});
    return path;
  }();
  return *dir;
}

std::string MedianModel(uint64_t seed) {
  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  a.layers = {{32, Activation::kGelu, Norm::kLayerNorm, 0.0, {}},
              {64, Activation::kGelu, Norm::kLayerNorm, 0.0, {0}}};
  return SerializeModel(InitializeMlp(a, seed).value()).value();
}

void BM_ServerEdits(benchmark::State& state) {
  const int max_batch = static_cast<int>(state.range(0));
  const int clients = static_cast<int>(state.range(1));
  ServerOptions options;
  options.editors_dir = EditorsDir();
  options.host = "127.0.0.1";
  options.port = 0;
  options.metrics_port = -1;
  options.batching.workers =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.batching.max_batch = max_batch;
  options.batching.max_wait =
      std::chrono::microseconds(max_batch > 1 ? 500 : 0);
  auto server = AmendServer::Start(options);
  if (!server.ok()) {
    state.SkipWithError(server.status().ToString().c_str());
    return;
  }
  client::ClientOptions connection;
  connection.address = "127.0.0.1:" + std::to_string((*server)->port());
  auto client = client::AmendClient::Connect(connection).value();
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.set_requirement("pruning");
  request.set_lambda(0.01);
  request.mutable_model()->set_safetensors(MedianModel(1));
  constexpr int kEditsPerClient = 20;
  int64_t edits = 0;
  double latency_sum = 0;
  for (auto _ : state) {
    std::atomic<int> failures{0};
    std::vector<double> latencies(clients, 0.0);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = 0; i < kEditsPerClient; ++i) {
          const auto start = std::chrono::steady_clock::now();
          if (!client->EditModel(request).ok()) ++failures;
          latencies[c] += std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - start)
                              .count();
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    if (failures > 0) state.SkipWithError("an edit failed");
    edits += int64_t{clients} * kEditsPerClient;
    for (double l : latencies) latency_sum += l;
  }
  state.counters["edits_per_s"] = benchmark::Counter(
      static_cast<double>(edits), benchmark::Counter::kIsRate);
  state.counters["ms_per_edit"] =
      1e3 * latency_sum / static_cast<double>(edits);
  (*server)->Shutdown(std::chrono::milliseconds(0));
}
// SHA-256 of a buffer: every edit hashes its request and reply for the
// receipt, and loading checks every checkpoint's sum. Arg: bytes.
void BM_Sha256(benchmark::State& state) {
  std::string bytes(static_cast<size_t>(state.range(0)), '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
  }
  for (auto _ : state) benchmark::DoNotOptimize(Sha256Hex(bytes));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sha256)->Arg(16 << 10)->Arg(16 << 20);

BENCHMARK(BM_ServerEdits)
    ->ArgsProduct({{1, 16}, {1, 8, 32}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
}  // namespace amend::server

int main(int argc, char** argv) {
  amend::TuneAllocatorForTensors();
  amend::ConfigureThreads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
