// File: server/metrics.h
//
// The server's Prometheus metrics (docs/OPERATIONS.md lists them with their
// meaning), in one registry exposed by prometheus-cpp on its own port. Names
// follow Prometheus conventions: one prefix, base units, counters end in
// _total; labels are bounded (task, requirement, gRPC code), never per-request
// values.
//
// Thread-safe (prometheus-cpp metrics are).
#ifndef AMEND_SERVER_METRICS_H_
#define AMEND_SERVER_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace amend::server {

class Metrics {
 public:
  explicit Metrics(const std::string& device);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // One finished EditModel call; `code` is the gRPC code name ("OK",
  // "INVALID_ARGUMENT", ...).
  void RecordEdit(const std::string& task, const std::string& requirement,
                  const std::string& code, double seconds);
  void RecordQueue(const std::string& requirement, double seconds);
  void RecordCompute(const std::string& requirement, double seconds);
  void RecordBatch(int models);
  void RecordRequestBytes(double bytes);
  void RecordRpc(const std::string& method, const std::string& code);
  void SetEditorsLoaded(int count);
  void RecordReload(bool ok);
  void AddInFlight(int delta);
  // An admitted edit's estimated peak bytes (EstimateEditCost).
  void RecordEditCost(double bytes);
  // A forward pass stopped part-way: nobody waited for it any more.
  void RecordStoppedPass();
  // Bytes held against the server-wide memory budget now.
  void SetReservedBytes(double bytes);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* edit_requests_;
  prometheus::Family<prometheus::Histogram>* edit_latency_;
  prometheus::Family<prometheus::Histogram>* queue_latency_;
  prometheus::Family<prometheus::Histogram>* compute_latency_;
  prometheus::Histogram* batch_size_;
  prometheus::Histogram* request_bytes_;
  prometheus::Family<prometheus::Counter>* rpcs_;
  prometheus::Gauge* editors_loaded_;
  prometheus::Counter* reloads_ok_;
  prometheus::Counter* reload_failures_;
  prometheus::Gauge* in_flight_;
  prometheus::Histogram* edit_cost_bytes_;
  prometheus::Gauge* reserved_bytes_;
  prometheus::Counter* stopped_passes_;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_METRICS_H_
