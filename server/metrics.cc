#include "server/metrics.h"

#include "core/util/version.h"

namespace amend::server {
namespace {

// Prometheus' classic latency buckets, from 1 ms (an edit of a small model)
// to 10 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

}  // namespace

Metrics::Metrics(const std::string& device)
    : registry_(std::make_shared<prometheus::Registry>()) {
  edit_requests_ = &prometheus::BuildCounter()
                        .Name("amend_edit_requests_total")
                        .Help(
                            "Finished EditModel calls by task, requirement "
                            "and gRPC status code.")
                        .Register(*registry_);
  edit_latency_ = &prometheus::BuildHistogram()
                       .Name("amend_edit_latency_seconds")
                       .Help(
                           "EditModel time in the server, from the request "
                           "to the reply, in seconds.")
                       .Register(*registry_);
  queue_latency_ = &prometheus::BuildHistogram()
                        .Name("amend_edit_queue_seconds")
                        .Help(
                            "Time an edit waited for a worker and its "
                            "batch, in seconds.")
                        .Register(*registry_);
  compute_latency_ = &prometheus::BuildHistogram()
                          .Name("amend_edit_compute_seconds")
                          .Help(
                              "Time of the batched editor forward pass an "
                              "edit was part of, in seconds.")
                          .Register(*registry_);
  batch_size_ = &prometheus::BuildHistogram()
                     .Name("amend_batch_size")
                     .Help("Models per editor forward pass.")
                     .Register(*registry_)
                     .Add({}, prometheus::Histogram::BucketBoundaries{
                                  1, 2, 4, 8, 16, 32, 64});
  request_bytes_ = &prometheus::BuildHistogram()
                        .Name("amend_edit_request_bytes")
                        .Help(
                            "Size of the model in EditModel requests, in "
                            "bytes.")
                        .Register(*registry_)
                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                     1 << 10, 1 << 13, 1 << 16, 1 << 19,
                                     1 << 22, 1 << 25, 1 << 28});
  edit_cost_bytes_ = &prometheus::BuildHistogram()
                          .Name("amend_edit_cost_bytes")
                          .Help(
                              "Estimated peak memory of each EditModel "
                              "request's edit (core/editor/edit_cost.h), in "
                              "bytes, before the per-request budget is "
                              "applied.")
                          .Register(*registry_)
                          .Add({}, prometheus::Histogram::BucketBoundaries{
                                       1 << 20, 1 << 22, 1 << 24, 1 << 26,
                                       1 << 28, 1 << 30, 1LL << 32});
  reserved_bytes_ = &prometheus::BuildGauge()
                         .Name("amend_memory_reserved_bytes")
                         .Help(
                             "Estimated bytes held against the server-wide "
                             "memory budget: edits computing plus models "
                             "queued.")
                         .Register(*registry_)
                         .Add({});
  stopped_passes_ = &prometheus::BuildCounter()
                         .Name("amend_forward_passes_stopped_total")
                         .Help(
                             "Forward passes stopped part-way because every "
                             "edit in them was cancelled, passed its "
                             "deadline, or the server was stopping.")
                         .Register(*registry_)
                         .Add({});
  rpcs_ = &prometheus::BuildCounter()
               .Name("amend_rpcs_total")
               .Help(
                   "Finished RPCs of the ModelEditor service by method and "
                   "gRPC status code.")
               .Register(*registry_);
  editors_loaded_ = &prometheus::BuildGauge()
                         .Name("amend_editors_loaded")
                         .Help("Editors in the serving snapshot.")
                         .Register(*registry_)
                         .Add({});
  auto& reloads = prometheus::BuildCounter()
                      .Name("amend_reloads_total")
                      .Help(
                          "Attempts to reload the editors directory by "
                          "outcome; a failed one keeps the previous "
                          "editors serving.")
                      .Register(*registry_);
  reloads_ok_ = &reloads.Add({{"outcome", "ok"}});
  reload_failures_ = &reloads.Add({{"outcome", "failed"}});
  in_flight_ = &prometheus::BuildGauge()
                    .Name("amend_inflight_requests")
                    .Help(
                        "EditModel calls being served (queued or "
                        "computing).")
                    .Register(*registry_)
                    .Add({});
  prometheus::BuildGauge()
      .Name("amend_build_info")
      .Help("Always 1; labels carry the version and the compute device.")
      .Register(*registry_)
      .Add({{"version", kAmendVersion}, {"device", device}})
      .Set(1);
}

void Metrics::RecordEdit(const std::string& task,
                         const std::string& requirement,
                         const std::string& code, double seconds) {
  edit_requests_
      ->Add({{"task", task}, {"requirement", requirement}, {"code", code}})
      .Increment();
  edit_latency_->Add({{"requirement", requirement}}, LatencyBuckets())
      .Observe(seconds);
}

void Metrics::RecordQueue(const std::string& requirement, double seconds) {
  queue_latency_->Add({{"requirement", requirement}}, LatencyBuckets())
      .Observe(seconds);
}

void Metrics::RecordCompute(const std::string& requirement, double seconds) {
  compute_latency_->Add({{"requirement", requirement}}, LatencyBuckets())
      .Observe(seconds);
}

void Metrics::RecordBatch(int models) { batch_size_->Observe(models); }

void Metrics::RecordRequestBytes(double bytes) {
  request_bytes_->Observe(bytes);
}

void Metrics::RecordRpc(const std::string& method, const std::string& code) {
  rpcs_->Add({{"method", method}, {"code", code}}).Increment();
}

void Metrics::SetEditorsLoaded(int count) { editors_loaded_->Set(count); }

void Metrics::RecordReload(bool ok) {
  (ok ? reloads_ok_ : reload_failures_)->Increment();
}

void Metrics::AddInFlight(int delta) { in_flight_->Increment(delta); }

void Metrics::RecordEditCost(double bytes) { edit_cost_bytes_->Observe(bytes); }

void Metrics::SetReservedBytes(double bytes) { reserved_bytes_->Set(bytes); }

void Metrics::RecordStoppedPass() { stopped_passes_->Increment(); }

}  // namespace amend::server
