// File: server/amend_server.h
//
// The whole amend-server as a library, so tests run it in-process on port 0:
// the editor registry with optional polling reload, the batcher, the gRPC
// server (ModelEditor, the standard health service, reflection), TLS and
// tokens, and the Prometheus exposer.
//
// Health: the overall service "" is SERVING while the process is up and not
// draining; "amend.v1.ModelEditor" is SERVING when at least one editor is
// loaded (readiness). Shutdown() flips both to NOT_SERVING, waits the drain
// time, lets in-flight calls finish, then stops.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(std::unique_ptr<AmendServer> server,
//                          AmendServer::Start(options));
//   ... server->port() ...
//   server->Shutdown(std::chrono::seconds(5));
//
// Thread-safe.
#ifndef AMEND_SERVER_AMEND_SERVER_H_
#define AMEND_SERVER_AMEND_SERVER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/editor/compute_device.h"
#include "server/edit_batcher.h"
#include "server/editor_service.h"
#include "server/receipt_keys.h"

namespace grpc {
class Server;
}
namespace prometheus {
class Exposer;
}

namespace amend::server {

inline constexpr char kServiceName[] = "amend.v1.ModelEditor";

struct TlsOptions {
  bool enabled = false;
  std::string certificate_path;  // PEM server certificate chain
  std::string key_path;          // PEM private key
  // Mutual TLS: clients must present a certificate signed by this CA.
  std::string client_ca_path;
};

// A GPU's forward pass costs about the same for one model as for several, so
// a first edit there waits this long for others to join its batch. On the
// CPU an edit's cost grows with its models and waiting only adds latency
// (docs/BENCHMARKS.md, "amend-server through gRPC"): no wait.
inline constexpr std::chrono::microseconds kGpuDefaultBatchWait{500};

// The batch wait used when the options leave it negative (unset).
std::chrono::microseconds DefaultBatchWait(const c10::Device& device);

struct ServerOptions {
  std::string editors_dir;
  std::string host = "0.0.0.0";
  int port = 8001;             // 0 picks a free port
  int metrics_port = 8002;     // 0 picks a free port, < 0 disables metrics
  std::string device = "cpu";  // ParseComputeDevice's forms
  // batching.max_wait < 0 (the default): DefaultBatchWait(device).
  BatcherOptions batching = {.max_wait = std::chrono::microseconds(-1)};
  ServiceLimits limits;
  int max_message_bytes = 256 << 20;
  TlsOptions tls;
  std::string edit_tokens_path;
  std::string admin_tokens_path;
  bool reflection = true;
  // > 0: check the editors directory this often and reload when it changed.
  std::chrono::milliseconds poll_interval{0};
  ReceiptKeyOptions receipts;
};

class AmendServer {
 public:
  // Loads the editors (a server with none starts, and is not ready), binds the
  // ports and starts serving. InvalidArgument for bad options, Unavailable
  // when a port cannot be bound.
  static absl::StatusOr<std::unique_ptr<AmendServer>> Start(
      const ServerOptions& options);
  ~AmendServer();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  EditorRegistry& registry() { return registry_; }

  // Readiness off, wait `drain`, stop accepting calls, finish the in-flight
  // ones (cancelling what is left after `grace`), stop the workers.
  void Shutdown(std::chrono::milliseconds drain,
                std::chrono::milliseconds grace = std::chrono::seconds(20))
      ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until Shutdown() has finished.
  void Wait() ABSL_LOCKS_EXCLUDED(mu_);

  // Reloads now (as ReloadEditors does); returns the editor count, or -1 when
  // the reload was refused.
  int ReloadNow();

 private:
  AmendServer(const ServerOptions& options, const c10::Device& device);
  void UpdateReadiness();
  void PollLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // The condition PollLoop waits on between polls.
  bool StoppingOrDraining() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Constant after construction. Start() sets up the members from auth_ to
  // poller_ before the server is returned (so before any other thread sees
  // it); Shutdown() tears down batcher_ and exposer_ and joins poller_, once.
  const ServerOptions options_;
  EditorRegistry registry_;  // thread-safe itself
  Metrics metrics_;          // thread-safe itself
  TokenAuthenticator auth_;
  std::optional<ReceiptKeys> receipt_keys_;
  std::unique_ptr<EditBatcher> batcher_;
  std::unique_ptr<EditorService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  int metrics_port_ = -1;
  std::thread poller_;

  // Set (once) under mu_, so waits on mu_ see it; read without it by
  // UpdateReadiness() and the destructor, hence atomic.
  std::atomic<bool> draining_{false};

  // Guarded by mu_.
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_AMEND_SERVER_H_
