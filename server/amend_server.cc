#include "server/amend_server.h"

#include <CivetServer.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <prometheus/exposer.h>

#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"

namespace amend::server {

int ThreadStackFloorLinked();  // thread_stack_floor.cc

namespace {

// A cheap fingerprint of an editors directory: every file's path, size and
// modification time. A reload is tried only when it changes.
std::string Fingerprint(const std::string& root) {
  std::string fingerprint;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(root, error);
       !error && it != std::filesystem::recursive_directory_iterator();
       it.increment(error)) {
    if (!it->is_regular_file()) continue;
    absl::StrAppend(&fingerprint, it->path().string(), ":", it->file_size(),
                    ":", it->last_write_time().time_since_epoch().count(),
                    "\n");
  }
  return fingerprint;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const TlsOptions& tls) {
  if (!tls.enabled) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  AMEND_ASSIGN_OR_RETURN(pair.private_key, ReadFileToString(tls.key_path));
  AMEND_ASSIGN_OR_RETURN(pair.cert_chain,
                         ReadFileToString(tls.certificate_path));
  ssl.pem_key_cert_pairs.push_back(pair);
  if (!tls.client_ca_path.empty()) {
    AMEND_ASSIGN_OR_RETURN(ssl.pem_root_certs,
                           ReadFileToString(tls.client_ca_path));
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// The metrics HTTP server's own errors go to stderr with the server's.
const CivetCallbacks& CivetLogging() {
  static const CivetCallbacks* callbacks = [] {
    auto* c = new CivetCallbacks{};
    c->log_message = [](const mg_connection*, const char* message) {
      std::cerr << "amend-server: metrics endpoint: " << message << "\n";
      return 1;
    };
    return c;
  }();
  return *callbacks;
}

}  // namespace

std::chrono::microseconds DefaultBatchWait(const c10::Device& device) {
  return device.is_cpu() ? std::chrono::microseconds(0) : kGpuDefaultBatchWait;
}

AmendServer::AmendServer(const ServerOptions& options,
                         const c10::Device& device)
    : options_(options),
      registry_(options.editors_dir, device),
      metrics_(ComputeDeviceName(device)),
      auth_({}, {}) {}

AmendServer::~AmendServer() {
  if (server_ == nullptr) return;  // Start() failed before serving
  if (!draining_) Shutdown(std::chrono::milliseconds(0));
  Wait();
}

absl::StatusOr<std::unique_ptr<AmendServer>> AmendServer::Start(
    const ServerOptions& options) {
  AMEND_ASSIGN_OR_RETURN(const c10::Device device,
                         ParseComputeDevice(options.device, "--device"));
  if (options.tls.enabled &&
      (options.tls.certificate_path.empty() || options.tls.key_path.empty())) {
    return absl::InvalidArgumentError(
        "--tls_cert and --tls_key: both are required with TLS");
  }
  ServerOptions resolved = options;
  if (resolved.batching.max_wait.count() < 0) {
    resolved.batching.max_wait = DefaultBatchWait(device);
  }
  std::unique_ptr<AmendServer> server(new AmendServer(resolved, device));
  AMEND_ASSIGN_OR_RETURN(
      server->auth_, TokenAuthenticator::FromFiles(options.edit_tokens_path,
                                                   options.admin_tokens_path));
  AMEND_ASSIGN_OR_RETURN(server->receipt_keys_,
                         ReceiptKeys::Load(options.receipts));
  if (server->receipt_keys_->ephemeral()) {
    std::cerr << "amend-server: no --receipt_key: receipts are signed with "
                 "key "
              << server->receipt_keys_->signing().public_key().id()
              << ", made at start and lost at exit (docs/OPERATIONS.md, "
                 "\"Receipt keys\")\n";
  }
  const LoadReport report = server->registry_.LoadInitial();
  for (const std::string& error : report.errors) {
    std::cerr << "amend-server: not loaded: " << error << "\n";
  }
  server->metrics_.SetEditorsLoaded(
      static_cast<int>(server->registry_.Current()->editors.size()));
  Metrics* metrics = &server->metrics_;
  server->batcher_ = std::make_unique<EditBatcher>(
      server->options_.batching,
      EditBatcher::BatchObserver{
          .pass_started =
              [metrics](int models) { metrics->RecordBatch(models); },
          .pass_stopped = [metrics] { metrics->RecordStoppedPass(); },
          .reserved_changed =
              [metrics](int64_t bytes) {
                metrics->SetReservedBytes(static_cast<double>(bytes));
              }});
  AmendServer* self = server.get();
  server->service_ = std::make_unique<EditorService>(
      server->registry_, *server->batcher_, server->metrics_, server->auth_,
      options.limits, *server->receipt_keys_, [self](int loaded) {
        if (loaded >= 0) self->metrics_.SetEditorsLoaded(loaded);
        self->UpdateReadiness();
      });

  AMEND_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                         Credentials(options.tls));
  grpc::EnableDefaultHealthCheckService(true);
  if (options.reflection) {
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(options.host, ":", options.port),
                           credentials, &server->port_);
  builder.RegisterService(server->service_.get());
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  // A second server on the same port must fail, not share it silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "--port: cannot listen on ", options.host, ":", options.port));
  }
  if (options.metrics_port >= 0 && ThreadStackFloorLinked()) {
    try {
      server->exposer_ = std::make_unique<prometheus::Exposer>(
          absl::StrCat(options.host, ":", options.metrics_port), 2,
          &CivetLogging());
    } catch (const std::exception& e) {
      server->server_->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("--metrics_port: cannot listen on ", options.host, ":",
                       options.metrics_port, ": ", e.what()));
    }
    server->exposer_->RegisterCollectable(server->metrics_.registry());
    server->metrics_port_ = server->exposer_->GetListeningPorts().front();
  }
  server->UpdateReadiness();
  if (options.poll_interval.count() > 0) {
    server->poller_ = std::thread([self] { self->PollLoop(); });
  }
  return server;
}

void AmendServer::UpdateReadiness() {
  if (server_ == nullptr || draining_) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus("", true);
  health->SetServingStatus(kServiceName, !registry_.Current()->editors.empty());
}

int AmendServer::ReloadNow() {
  const LoadReport report = registry_.Reload();
  metrics_.RecordReload(report.snapshot != nullptr);
  for (const std::string& error : report.errors) {
    std::cerr << "amend-server: reload refused, the previous editors keep "
                 "serving: "
              << error << "\n";
  }
  const int loaded = static_cast<int>(registry_.Current()->editors.size());
  metrics_.SetEditorsLoaded(loaded);
  UpdateReadiness();
  return report.snapshot != nullptr ? loaded : -1;
}

bool AmendServer::StoppingOrDraining() const { return stopped_ || draining_; }

void AmendServer::PollLoop() {
  std::string seen = Fingerprint(options_.editors_dir);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Returns at the poll interval, or at once when Shutdown() starts.
      mu_.AwaitWithTimeout(
          absl::Condition(this, &AmendServer::StoppingOrDraining),
          absl::FromChrono(options_.poll_interval));
      if (StoppingOrDraining()) return;
    }
    const std::string now = Fingerprint(options_.editors_dir);
    if (now != seen) {
      // A refused reload (say, a checkpoint still being copied) is retried at
      // the directory's next change.
      ReloadNow();
      seen = now;
    }
  }
}

void AmendServer::Shutdown(std::chrono::milliseconds drain,
                           std::chrono::milliseconds grace) {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ || draining_.exchange(true)) return;
  }
  if (grpc::HealthCheckServiceInterface* health =
          server_->GetHealthCheckService()) {
    health->Shutdown();  // every service NOT_SERVING from now on
  }
  std::this_thread::sleep_for(drain);
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  if (poller_.joinable()) poller_.join();
  batcher_.reset();
  exposer_.reset();
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

void AmendServer::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&stopped_));
}

}  // namespace amend::server
