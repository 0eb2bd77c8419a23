// amend-server throughput and latency through gRPC, in-process on port 0, with
// concurrent clients, comparing dynamic batching against one model per forward
// pass, side by side in one run. The editor is freshly initialised, default
// shape d = 32, T = 3 (the cost of an edit does not depend on the trained
// weights); the models are median-size
// adult MLPs (14 -> 32 -> 64 + skip -> 2, 3,520 weights).
//
//   build/bench/server_bench --benchmark_counters_tabular=true
//
// Allocations (every thread's, `allocs` and `alloc_kb` per call) are counted
// on 10 calls before the timed ones: for one client's edits (client, gRPC and
// server), the edit in process, and each stage of the server's own work.
//
// Args: max_batch, concurrent clients, batch wait in µs (-1: the server's
// default), workers (0: one per core), whether an edit may run on its gRPC
// handler's thread (1, the server's default) or always on a worker (0).
// Counters: edits_per_s, ms_per_edit (client-observed mean latency), and from
// the replies' own fields the server's time per edit (server_ms), of which
// queued (queue_ms) and in the forward pass and edit (compute_ms).
// BM_InProcessEdit is the edit alone.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/time/clock.h"
#include "bench/allocation_counter.h"
#include "client/amend_client.h"
#include "core/editor/editor_checkpoint.h"
#include "core/mlp/model_file.h"
#include "core/receipts/receipt.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/allocator.h"
#include "core/util/sha256.h"
#include "core/util/threads.h"
#include "server/amend_server.h"
#include "server/model_codec.h"

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

// The folder of the one editor EditorsDir() holds.
std::string FirstEditorDir() {
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(EditorsDir())) {
    if (entry.path().filename() == kEditorManifestFile) {
      return entry.path().parent_path().string();
    }
  }
  return EditorsDir();
}

// A server of the benchmark's editor on a free loopback port, no metrics.
ServerOptions LoopbackOptions() {
  ServerOptions options;
  options.editors_dir = EditorsDir();
  options.host = "127.0.0.1";
  options.port = 0;
  options.metrics_port = -1;
  return options;
}

std::unique_ptr<client::AmendClient> ClientOf(const AmendServer& server) {
  client::ClientOptions connection;
  connection.address = "127.0.0.1:" + std::to_string(server.port());
  return client::AmendClient::Connect(connection).value();
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
  ServerOptions options = LoopbackOptions();
  options.batching.workers =
      state.range(3) > 0
          ? static_cast<int>(state.range(3))
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.batching.max_batch = max_batch;
  // -1: the server's default for its device (no wait on the CPU).
  options.batching.max_wait = std::chrono::microseconds(state.range(2));
  options.batching.edit_on_caller = state.range(4) != 0;
  auto server = AmendServer::Start(options);
  if (!server.ok()) {
    state.SkipWithError(server.status().ToString().c_str());
    return;
  }
  auto client = ClientOf(**server);
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.set_requirement("pruning");
  request.set_lambda(0.01);
  request.mutable_model()->set_safetensors(MedianModel(1));
  constexpr int kEditsPerClient = 20;
  int64_t edits = 0;
  double latency_sum = 0;
  // Where a reply's time went, from its own fields: queued, computing (the
  // Edit() call), and the server's handling around them.
  std::atomic<int64_t> server_ns{0}, queue_ns{0}, compute_ns{0};
  if (clients == 1) {
    // Client, gRPC and server together, per edit.
    bench::ReportAllocations(state, [&] {
      if (!client->EditModel(request).ok()) state.SkipWithError("edit failed");
    });
  }
  for (auto _ : state) {
    std::atomic<int> failures{0};
    std::vector<double> latencies(clients, 0.0);
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c) {
      threads.emplace_back([&, c] {
        for (int i = 0; i < kEditsPerClient; ++i) {
          const auto start = std::chrono::steady_clock::now();
          auto reply = client->EditModel(request);
          if (!reply.ok()) {
            ++failures;
          } else {
            server_ns += static_cast<int64_t>(1e9 * reply->server_seconds());
            queue_ns += static_cast<int64_t>(1e9 * reply->queue_seconds());
            compute_ns += static_cast<int64_t>(1e9 * reply->compute_seconds());
          }
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
  const double per_edit_ms = 1e-6 / static_cast<double>(edits);
  state.counters["server_ms"] = static_cast<double>(server_ns) * per_edit_ms;
  state.counters["queue_ms"] = static_cast<double>(queue_ns) * per_edit_ms;
  state.counters["compute_ms"] = static_cast<double>(compute_ns) * per_edit_ms;
  (*server)->Shutdown(std::chrono::milliseconds(0));
}
// The same edit in process, without gRPC or the server: Editor::Edit() on the
// decoded model with the benchmark's editor, the reference that the
// end-to-end time at one client is compared with (issue 17: at most 0.3 ms
// more).
void BM_InProcessEdit(benchmark::State& state) {
  auto loaded = ReadEditorCheckpoint(FirstEditorDir());
  if (!loaded.ok()) {
    state.SkipWithError(loaded.status().ToString().c_str());
    return;
  }
  const Mlp mlp = ParseModelFile(MedianModel(1)).value();
  bench::ReportAllocations(
      state, [&] { benchmark::DoNotOptimize(loaded->editor->Edit({&mlp})); });
  for (auto _ : state) {
    auto results = loaded->editor->Edit({&mlp});
    if (!results.ok()) state.SkipWithError(results.status().ToString().c_str());
    benchmark::DoNotOptimize(results);
  }
}

// The floor under any call: one client's round trip of a ListEditors call
// that matches no editor (gRPC, the channel, the server's handler thread, no
// model bytes).
void BM_EmptyCall(benchmark::State& state) {
  auto server = AmendServer::Start(LoopbackOptions());
  if (!server.ok()) {
    state.SkipWithError(server.status().ToString().c_str());
    return;
  }
  auto client = ClientOf(**server);
  for (auto _ : state) {
    auto reply = client->ListEditors("no-such-task", "");
    if (!reply.ok()) state.SkipWithError(reply.status().ToString().c_str());
  }
  (*server)->Shutdown(std::chrono::milliseconds(0));
}
BENCHMARK(BM_EmptyCall)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The server's own work on a median edit besides the forward pass, stage by
// stage, in process (arg: 0 parse the request's bytes, 1 decode the model,
// 2 check it against the editor, 3 encode the edited model and masks into a
// reply, 4 serialise that reply to bytes).
void BM_RequestStage(benchmark::State& state) {
  auto loaded = ReadEditorCheckpoint(FirstEditorDir());
  if (!loaded.ok()) {
    state.SkipWithError(loaded.status().ToString().c_str());
    return;
  }
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.set_requirement("pruning");
  request.set_lambda(0.01);
  request.mutable_model()->set_safetensors(MedianModel(1));
  const std::string request_bytes = request.SerializeAsString();
  const DecodedModel decoded = DecodeModel(request.model(), {}).value();
  const EditResult edited =
      std::move(loaded->editor->Edit({&decoded.mlp}).value().front());
  amend::v1::EditModelResponse reply;
  std::string canonical = SerializeModel(edited.edited).value();
  reply.mutable_edited_model()->set_safetensors(canonical);
  for (const auto& [name, mask] : edited.edited.masks) {
    EncodeTensor(name, mask, reply.add_masks());
  }
  const auto stage = [&] {
    switch (state.range(0)) {
      case 0: {
        amend::v1::EditModelRequest parsed;
        benchmark::DoNotOptimize(parsed.ParseFromString(request_bytes));
        break;
      }
      case 1:
        benchmark::DoNotOptimize(DecodeModel(request.model(), {}));
        break;
      case 2:
        benchmark::DoNotOptimize(loaded->editor->CheckEditable(decoded.mlp));
        break;
      case 3: {
        amend::v1::EditModelResponse encoded;
        std::string bytes = SerializeModel(edited.edited).value();
        encoded.mutable_receipt()->set_output_sha256(Sha256Hex(bytes));
        encoded.mutable_edited_model()->set_safetensors(std::move(bytes));
        for (const auto& [name, mask] : edited.edited.masks) {
          EncodeTensor(name, mask, encoded.add_masks());
        }
        benchmark::DoNotOptimize(encoded);
        break;
      }
      case 4:
        benchmark::DoNotOptimize(reply.SerializeAsString());
        break;
    }
  };
  bench::ReportAllocations(state, stage);
  for (auto _ : state) stage();
}
BENCHMARK(BM_RequestStage)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

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

// The signed receipt every edit's reply carries: the canonical payload and
// its Ed25519 signature (arg 0), and what an auditor's check costs (arg 1).
void BM_Receipt(benchmark::State& state) {
  const Ed25519PrivateKey key =
      Ed25519PrivateKey::FromSeed(std::string(32, 'k')).value();
  ReceiptBody body;
  body.input_sha256 = std::string(64, 'a');
  body.output_sha256 = std::string(64, 'b');
  ReceiptStep& step = body.steps.emplace_back();
  step.task = "adult";
  step.requirement = "pruning";
  step.variant = "prune_and_edit";
  step.lambda = 0.01;
  step.editor_sha256 = std::string(64, 'c');
  body.server_version = "0.1.0";
  body.issued_at = ReceiptTime(absl::Now());
  const SignedReceipt signed_receipt = SignReceipt(body, key).value();
  const std::vector<Ed25519PublicKey> keys = {key.public_key()};
  for (auto _ : state) {
    if (state.range(0) == 0) {
      benchmark::DoNotOptimize(SignReceipt(body, key));
    } else {
      benchmark::DoNotOptimize(VerifyReceipt(signed_receipt, keys));
    }
  }
}
BENCHMARK(BM_Receipt)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_InProcessEdit)->Unit(benchmark::kMillisecond)->MinTime(2.0);

BENCHMARK(BM_ServerEdits)
    ->ArgsProduct({{1, 16}, {1, 8, 32}, {-1}, {0}, {1}})
    ->ArgsProduct({{16}, {1, 8, 32}, {500}, {0}, {1}})
    ->ArgsProduct({{1}, {8}, {-1}, {1}, {1}})
    ->ArgsProduct({{1}, {1, 8}, {-1}, {0}, {0}})
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
