// amend-server: the gRPC editing service (docs/API.md, docs/OPERATIONS.md).
//
//   amend-server --editors editors [--port 8001] [--metrics_port 8002]
//
// SIGTERM or SIGINT drains and exits; SIGHUP reloads the editors.
#include <csignal>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "core/util/allocator.h"
#include "core/util/threads.h"
#include "server/amend_server.h"
#include "server/memory_limit.h"
#include "server/protobuf_log.h"

ABSL_FLAG(std::string, editors, "editors",
          "Directory of editors (every editor.json below it is loaded; "
          "docs/EDITOR_FORMAT.md).");
ABSL_FLAG(std::string, host, "0.0.0.0", "Address to listen on.");
ABSL_FLAG(int, port, 8001, "gRPC port; 0 picks a free one.");
ABSL_FLAG(int, metrics_port, 8002,
          "Prometheus /metrics port; 0 picks a free one, -1 disables.");
ABSL_FLAG(std::string, device, "cpu",
          "Compute device: cpu, cuda or cuda:N (a GPU needs a build against a "
          "CUDA-enabled LibTorch: docs/OPERATIONS.md, \"GPU\").");
ABSL_FLAG(int, workers, 0,
          "Edit worker threads, each running batched forward passes on one "
          "LibTorch thread; 0 = one per core.");
ABSL_FLAG(int, max_batch, 16, "Most models merged into one forward pass.");
ABSL_FLAG(int, max_batch_wait_us, -1,
          "Longest a first request waits for others to join its batch, in "
          "microseconds; -1: 0 on the CPU (waiting only adds latency there), "
          "500 on a GPU.");
ABSL_FLAG(int, max_queue, 1024,
          "Edits waiting beyond this are refused with RESOURCE_EXHAUSTED.");
ABSL_FLAG(int, max_message_bytes, 256 << 20,
          "Largest gRPC message received or sent, in bytes.");
ABSL_FLAG(int, max_hidden_layers, 64, "Largest MLP depth accepted.");
ABSL_FLAG(int64_t, max_width, 4096, "Largest MLP layer width accepted.");
ABSL_FLAG(int64_t, max_parameters, 16 << 20,
          "Largest MLP parameter count accepted.");
ABSL_FLAG(int64_t, max_edit_mb, 1024,
          "Largest estimated memory of one edit, in MiB (core/editor/"
          "edit_cost.h: about 0.5 KiB per weight, so 1024 admits about 1.9M "
          "weights); larger models are refused with RESOURCE_EXHAUSTED. 0: "
          "no limit but the memory budget.");
ABSL_FLAG(int64_t, memory_budget_mb, 0,
          "Memory all edits in progress and queued models may hold together, "
          "in MiB; edits wait for room. 0: three quarters of the machine's "
          "memory (or of the container's limit).");
ABSL_FLAG(int, malloc_arenas, 1,
          "Most glibc malloc arenas. With one, an idle server returns what was "
          "free when its workers last went idle (docs/OPERATIONS.md, Memory); "
          "0: glibc's default, 8 per core, for many workers contending for "
          "one allocator lock.");
ABSL_FLAG(int, max_request_seconds, 30,
          "Upper bound on one call, also for clients that set no deadline.");
ABSL_FLAG(bool, tls, false, "Serve over TLS (needs --tls_cert, --tls_key).");
ABSL_FLAG(std::string, tls_cert, "", "PEM server certificate chain.");
ABSL_FLAG(std::string, tls_key, "", "PEM server private key.");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA: with --tls, clients must present a certificate it signed "
          "(mutual TLS).");
ABSL_FLAG(std::string, edit_tokens, "",
          "File of bearer tokens (one per line) allowed to edit and list; "
          "with neither token file, calls are not authenticated.");
ABSL_FLAG(std::string, admin_tokens, "",
          "File of bearer tokens allowed everything, including "
          "ReloadEditors.");
ABSL_FLAG(bool, reflection, true, "Register gRPC server reflection.");
ABSL_FLAG(int, poll_seconds, 0,
          "> 0: check the editors directory this often and reload when it "
          "changed.");
ABSL_FLAG(int, drain_seconds, 5,
          "On SIGTERM: seconds between turning readiness off and refusing "
          "new calls, so load balancers move away first.");
ABSL_FLAG(std::string, receipt_key, "",
          "PEM Ed25519 private key that signs receipts (openssl genpkey "
          "-algorithm ed25519); empty: a key made at start, lost at exit.");
ABSL_FLAG(std::vector<std::string>, receipt_public_keys, {},
          "Comma-separated PEM files of earlier receipt keys' public halves, "
          "still published so receipts signed before a rotation verify.");
ABSL_FLAG(std::string, receipt_public_keys_out, "",
          "Write the published receipt public keys (PEM) to this file.");
ABSL_FLAG(int, grace_seconds, 20,
          "On SIGTERM: seconds in-flight calls get to finish after that.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "amend-server --editors DIR [--port 8001] [--metrics_port 8002] ...\n"
      "Serves amend.v1.ModelEditor; run with --helpfull for every flag.");
  absl::ParseCommandLine(argc, argv);
  // Block the signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const int malloc_arenas = absl::GetFlag(FLAGS_malloc_arenas);
  if (malloc_arenas < 0) {
    std::cerr << "amend-server: --malloc_arenas is " << malloc_arenas
              << ", expected 0 (glibc's default) or a count of arenas\n";
    return 1;
  }
  amend::LimitMallocArenas(malloc_arenas);
  amend::TuneAllocatorForTensors();
  amend::server::ThrottleProtobufLog();
  amend::ConfigureThreads(1);  // parallelism comes from the workers
  amend::server::ServerOptions options;
  options.editors_dir = absl::GetFlag(FLAGS_editors);
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  options.device = absl::GetFlag(FLAGS_device);
  const int workers = absl::GetFlag(FLAGS_workers);
  options.batching.workers =
      workers > 0
          ? workers
          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.batching.max_batch = std::max(1, absl::GetFlag(FLAGS_max_batch));
  options.batching.max_wait =
      std::chrono::microseconds(absl::GetFlag(FLAGS_max_batch_wait_us));
  options.batching.max_queue = absl::GetFlag(FLAGS_max_queue);
  options.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  options.limits.architecture.max_hidden_layers =
      absl::GetFlag(FLAGS_max_hidden_layers);
  options.limits.architecture.max_width = absl::GetFlag(FLAGS_max_width);
  options.limits.architecture.max_parameters =
      absl::GetFlag(FLAGS_max_parameters);
  const int64_t budget_mb = absl::GetFlag(FLAGS_memory_budget_mb);
  options.batching.memory_budget_bytes =
      budget_mb > 0 ? budget_mb << 20
                    : amend::server::MemoryLimitBytes() / 4 * 3;
  options.limits.max_edit_bytes =
      std::max<int64_t>(0, absl::GetFlag(FLAGS_max_edit_mb)) << 20;
  if (options.batching.memory_budget_bytes > 0 &&
      (options.limits.max_edit_bytes == 0 ||
       options.limits.max_edit_bytes > options.batching.memory_budget_bytes)) {
    // One edit larger than the whole budget would wait for an idle server.
    options.limits.max_edit_bytes = options.batching.memory_budget_bytes;
  }
  options.limits.max_request_time =
      std::chrono::seconds(absl::GetFlag(FLAGS_max_request_seconds));
  options.tls.enabled = absl::GetFlag(FLAGS_tls);
  options.tls.certificate_path = absl::GetFlag(FLAGS_tls_cert);
  options.tls.key_path = absl::GetFlag(FLAGS_tls_key);
  options.tls.client_ca_path = absl::GetFlag(FLAGS_tls_client_ca);
  options.edit_tokens_path = absl::GetFlag(FLAGS_edit_tokens);
  options.admin_tokens_path = absl::GetFlag(FLAGS_admin_tokens);
  options.reflection = absl::GetFlag(FLAGS_reflection);
  options.receipts.signing_key_path = absl::GetFlag(FLAGS_receipt_key);
  options.receipts.public_key_paths = absl::GetFlag(FLAGS_receipt_public_keys);
  options.receipts.public_keys_out =
      absl::GetFlag(FLAGS_receipt_public_keys_out);
  options.poll_interval =
      std::chrono::seconds(std::max(0, absl::GetFlag(FLAGS_poll_seconds)));

  auto server = amend::server::AmendServer::Start(options);
  if (!server.ok()) {
    std::cerr << "amend-server: " << server.status().message() << "\n";
    return 1;
  }
  std::cerr << "amend-server: serving on port " << (*server)->port()
            << ", metrics on port " << (*server)->metrics_port() << ", "
            << (*server)->registry().Current()->editors.size()
            << " editors loaded from " << options.editors_dir
            << "; memory budget "
            << (options.batching.memory_budget_bytes >> 20) << " MiB, at most "
            << (options.limits.max_edit_bytes >> 20) << " MiB per edit\n";
  while (true) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      const int loaded = (*server)->ReloadNow();
      std::cerr << "amend-server: SIGHUP reload: "
                << (loaded >= 0 ? std::to_string(loaded) + " editors"
                                : std::string("refused"))
                << "\n";
      continue;
    }
    std::cerr << "amend-server: draining\n";
    (*server)->Shutdown(
        std::chrono::seconds(absl::GetFlag(FLAGS_drain_seconds)),
        std::chrono::seconds(absl::GetFlag(FLAGS_grace_seconds)));
    std::cerr << "amend-server: stopped\n";
    return 0;
  }
}
