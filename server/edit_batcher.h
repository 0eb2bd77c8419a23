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
//   BatchedEdit outcome = future->get();
//
// Thread-safe.
#ifndef AMEND_SERVER_EDIT_BATCHER_H_
#define AMEND_SERVER_EDIT_BATCHER_H_

#include <chrono>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/editor/editor.h"

namespace amend::server {

struct BatcherOptions {
  // Worker threads, each running one forward pass at a time. Values below 1
  // mean 1.
  int workers = 1;
  // Most models in one forward pass (all for the same editor); 1 turns
  // batching off. REQUIRES: >= 1 (a batch of 0 would never take the oldest
  // edit; server/main.cc clamps the flag).
  int max_batch = 16;
  // Longest a batch waits for more edits, counted from when its oldest edit
  // was queued; a full batch runs at once. 0 (or less): no waiting, a batch is
  // whatever is queued for the editor when a worker takes it.
  std::chrono::microseconds max_wait{500};
  // Most edits waiting (not yet taken by a worker); Submit refuses more with
  // ResourceExhausted. 0 (or less) refuses every edit.
  int max_queue = 1024;
};

struct BatchedEdit {
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
  absl::StatusOr<std::future<BatchedEdit>> Submit(
      std::shared_ptr<const Editor> editor, Mlp mlp,
      Clock::time_point deadline = Clock::time_point::max());

  int queued() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Item {
    std::shared_ptr<const Editor> editor;
    Mlp mlp;
    Clock::time_point enqueued;
    Clock::time_point deadline;
    std::promise<BatchedEdit> promise;
  };

  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Takes the oldest item and every queued item for the same editor, up to
  // max_batch, waiting up to max_wait for more. REQUIRES: queue not empty.
  std::vector<Item> TakeBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the queued items for `editor` into `batch` while it has room.
  void Collect(const std::shared_ptr<const Editor>& editor,
               std::vector<Item>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(std::vector<Item> batch) ABSL_LOCKS_EXCLUDED(mu_);

  // Constant after construction.
  const BatcherOptions options_;
  const BatchObserver observer_;
  // Started by the constructor, joined by the destructor; no other access.
  std::vector<std::thread> workers_;

  // Guarded by mu_.
  mutable absl::Mutex mu_;
  // Signalled when an item is queued or stopping_ is set.
  absl::CondVar work_available_;
  std::deque<Item> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace amend::server

#endif  // AMEND_SERVER_EDIT_BATCHER_H_
