// File: server/edit_batcher.h
//
// Dynamic batching: edits submitted concurrently for the same editor are
// merged into one graph batch and one metanetwork forward pass, up to
// max_batch models, waiting at most max_wait after the first one arrived.
// A fixed pool of worker threads runs the forward passes, off the gRPC
// threads; each worker uses one LibTorch intra-op thread (small graphs gain
// nothing from more, docs/BENCHMARKS.md), so throughput scales with workers.
// A full queue refuses new work (ResourceExhausted); an edit whose deadline
// passes while queued is not computed (DeadlineExceeded).
//
// Example:
//   EditBatcher batcher({.workers = 2, .max_batch = 16});
//   auto future = batcher.Submit(editor, std::move(mlp), deadline);
//   EditOutcome outcome = future->get();
//
// Thread-safe.
#ifndef AMEND_SERVER_EDIT_BATCHER_H_
#define AMEND_SERVER_EDIT_BATCHER_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/editor/editor.h"

namespace amend::server {

struct BatcherOptions {
  int workers = 1;
  int max_batch = 16;
  std::chrono::microseconds max_wait{500};
  int max_queue = 1024;
};

struct EditOutcome {
  absl::StatusOr<EditResult> result = absl::UnknownError("not run");
  double queue_seconds = 0.0;
  double compute_seconds = 0.0;
  int batch_size = 0;
};

class EditBatcher {
 public:
  using Clock = std::chrono::steady_clock;
  // Called once per forward pass with its size (for metrics). May be null.
  using BatchObserver = std::function<void(int models)>;

  explicit EditBatcher(const BatcherOptions& options,
                       BatchObserver observer = nullptr);
  // Finishes the queued work, then joins the workers.
  ~EditBatcher();

  // REQUIRES: editor->CheckSupports(mlp.architecture) is OK.
  absl::StatusOr<std::future<EditOutcome>> Submit(
      std::shared_ptr<const Editor> editor, Mlp mlp,
      Clock::time_point deadline = Clock::time_point::max());

  int queued() const;

 private:
  struct Item {
    std::shared_ptr<const Editor> editor;
    Mlp mlp;
    Clock::time_point enqueued;
    Clock::time_point deadline;
    std::promise<EditOutcome> promise;
  };

  void WorkerLoop();
  // Takes the oldest item and every queued item for the same editor, up to
  // max_batch, waiting up to max_wait for more. REQUIRES: lock held, queue
  // not empty.
  std::vector<Item> TakeBatch(std::unique_lock<std::mutex>& lock);
  void Run(std::vector<Item> batch);

  const BatcherOptions options_;
  const BatchObserver observer_;
  mutable std::mutex mutex_;
  std::condition_variable work_available_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_EDIT_BATCHER_H_
