// File: server/edit_batcher.h
//
// Dynamic batching: edits submitted concurrently for the same editor are
// taken together by one worker, up to max_batch models, waiting at most
// max_wait after the first one arrived, and computed in one Editor call (one
// forward pass on a GPU; groups of a few models on the CPU).
// A fixed pool of worker threads runs the forward passes, off the gRPC
// threads; each worker uses one LibTorch intra-op thread (small graphs gain
// nothing from more, docs/BENCHMARKS.md), so throughput scales with workers.
// `workers` bounds the passes in progress: an edit that finds nothing queued
// and a pass's slot free may run on its caller's thread in that slot
// (EditOnCaller), which spares a lone request two thread hand-offs.
// On the CPU a batch costs what its models cost one by one: there a worker
// takes only its share of the queue and answers each edit as soon as its
// model is done, so batching is never slower than one model per pass
// (docs/BENCHMARKS.md, "amend-server through gRPC"); on a GPU one pass of
// many models is what pays.
// A full queue refuses new work (ResourceExhausted); an edit whose deadline
// passes while queued is not computed (DeadlineExceeded).
//
// Memory: every edit carries its estimated peak bytes (core/editor/
// edit_cost.h). Forward passes run only while the bytes of those in progress
// fit in the server-wide budget; the oldest edit waits for room (first in,
// first out, so a large edit is not starved by small ones). Models waiting in
// the queue count against the budget too: Submit refuses one that would
// take the queued models past it.
//
// Stopping: a forward pass checks after every chunk of edges whether anybody
// still waits for it; when every edit of the batch not yet answered was
// abandoned (its caller gave up) or passed its deadline, or the batcher is
// being destroyed, it stops and frees its worker.
//
// Example:
//   EditBatcher batcher({.workers = 2, .max_batch = 16});
//   auto future = batcher.Submit(editor, std::move(mlp), {.deadline = d});
//   BatchedEdit outcome = future->get();
//
// Thread-safe.
#ifndef AMEND_SERVER_EDIT_BATCHER_H_
#define AMEND_SERVER_EDIT_BATCHER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/editor/editor.h"
#include "core/util/allocator.h"

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
  // Server-wide memory budget in bytes: the estimated peaks of the forward
  // passes in progress plus the models waiting stay within it. 0 (or less):
  // no budget. An edit larger than the whole budget still runs, alone, when
  // nothing else does (callers refuse those first: the per-request budget).
  int64_t memory_budget_bytes = 0;
  // When the queue has been empty this long, each worker that ran edits since
  // it last did so returns free memory to the system, once, on its own thread
  // (glibc keeps freed memory for reuse, and a thread arena's top only its own
  // thread can return: core/util/allocator.h): an idle server's RSS is what
  // it holds. 0 (or less): never.
  std::chrono::milliseconds idle_trim_after{2000};
  // How memory is returned, called on the worker's thread; tests count the
  // calls.
  std::function<void()> return_free_memory = ReturnFreeMemoryToTheSystem;
  // Whether EditOnCaller may run edits on their callers' threads; false: it
  // always declines (every edit goes through a worker).
  bool edit_on_caller = true;
};

// How one edit is queued.
struct EditTicket {
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::time_point::max();
  // Its estimated peak bytes while computing (EstimateEditCost).
  int64_t compute_bytes = 0;
  // Set by the caller when it stops waiting (cancelled, deadline passed);
  // may be null (never abandoned).
  std::shared_ptr<const std::atomic<bool>> abandoned;

  // Whether nobody waits for the edit any more at `now`.
  bool GivenUp(std::chrono::steady_clock::time_point now) const {
    return now >= deadline || (abandoned != nullptr && abandoned->load());
  }
};

struct BatchedEdit {
  absl::StatusOr<EditResult> result = absl::UnknownError("not run");
  double queue_seconds = 0.0;
  double compute_seconds = 0.0;
  int batch_size = 0;
  // When its forward pass began and ended (equal when none ran).
  std::chrono::steady_clock::time_point started, finished;
};

class EditBatcher {
 public:
  using Clock = std::chrono::steady_clock;
  // For metrics, on the thread that runs the pass (a worker's, or a caller's
  // in EditOnCaller); either may be null.
  struct BatchObserver {
    // When a forward pass starts, with its number of models (before any of
    // them is answered).
    std::function<void(int models)> pass_started;
    // When a pass stopped part-way because nobody waited for it any more
    // (before the edits it did not finish are answered).
    std::function<void()> pass_stopped;
    // With reserved_bytes() whenever it changes, under the batcher's lock
    // (so the last call carries the current value); keep it cheap.
    std::function<void(int64_t bytes)> reserved_changed;
  };

  explicit EditBatcher(const BatcherOptions& options,
                       BatchObserver observer = {});
  // Stops: queued edits fail with Unavailable, forward passes in progress
  // stop at their next chunk (Unavailable), then the workers are joined. The
  // server calls it after gRPC's shutdown, when no caller waits any more.
  ~EditBatcher();

  // REQUIRES: editor->CheckEditable(mlp) is OK.
  absl::StatusOr<std::future<BatchedEdit>> Submit(
      std::shared_ptr<const Editor> editor, Mlp mlp,
      EditTicket ticket = EditTicket());

  // Runs the edit now on the calling thread, in a worker's slot, when that
  // delays nobody: the editor is on the CPU (where a batch gains nothing),
  // batches do not wait for more edits (max_wait <= 0: an operator who set a
  // wait asked for batches), no edit is queued, fewer passes than workers are
  // in progress, the memory budget has room, and the edit is smaller than the
  // size after which a pass returns its memory (a worker does that after its
  // reply; the caller still has to send one). Otherwise nullopt, and the caller
  // Submits it. Stops as a worker's pass does, and also when `caller_gone`
  // returns true (polled once per chunk of edges; may be null). REQUIRES:
  // editor->CheckEditable(mlp) is OK.
  std::optional<BatchedEdit> EditOnCaller(
      const std::shared_ptr<const Editor>& editor, const Mlp& mlp,
      const EditTicket& ticket, const std::function<bool()>& caller_gone)
      ABSL_LOCKS_EXCLUDED(mu_);

  int queued() const ABSL_LOCKS_EXCLUDED(mu_);
  // Estimated bytes of the forward passes in progress and of the queued
  // models (for metrics).
  int64_t reserved_bytes() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Item {
    std::shared_ptr<const Editor> editor;
    Mlp mlp;
    int64_t model_bytes = 0;  // the queued model's parameters
    Clock::time_point enqueued;
    EditTicket ticket;
    std::promise<BatchedEdit> promise;

    bool Abandoned(Clock::time_point now) const { return ticket.GivenUp(now); }
  };

  // Whether the oldest queued edit may start: the budget has room for it, or
  // nothing runs.
  bool OldestFits() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Fits(int64_t compute_bytes) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WorkerLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // Takes the oldest item and every queued item for the same editor, up to
  // max_batch, waiting up to max_wait for more. For an editor on the CPU,
  // where a batch costs what its models cost one by one, it takes at most
  // its share (the edits for the editor it holds and that are queued, over
  // the workers, rounded up), so that the other workers find work too.
  // REQUIRES: queue not empty.
  std::vector<Item> TakeBatch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves the queued items for `editor` into `batch` while it and the memory
  // budget have room, reserving their compute bytes.
  void Collect(const std::shared_ptr<const Editor>& editor, int most,
               std::vector<Item>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(std::vector<Item>& batch) ABSL_LOCKS_EXCLUDED(mu_);
  // Answers one edit of a pass that started at `started`.
  void Settle(Item& item, absl::StatusOr<EditResult> result,
              Clock::time_point started, int batch_size)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The most models a worker that holds `taken` of them takes for `editor`
  // (see TakeBatch).
  int BatchLimit(const Editor& editor, int taken) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls the observer's reserved_changed with the bytes reserved now.
  void ReportReserved() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Returns the compute bytes of `items` to the budget.
  void Release(const std::vector<Item*>& items) ABSL_LOCKS_EXCLUDED(mu_);
  // Ends a pass (a worker's or a caller's): frees its slot and `bytes` of
  // the budget, and wakes the workers, one of which may now start.
  void EndPass(int64_t bytes, bool on_caller) ABSL_LOCKS_EXCLUDED(mu_);
  // Settles every promise of `batch` with `status` (none was computed).
  static void Refuse(std::vector<Item*>& batch, const absl::Status& status,
                     Clock::time_point started);

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
  // Compute bytes of the forward passes in progress; model bytes queued.
  int64_t running_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Forward passes in progress, on workers and on callers (at most
  // max(1, workers)); of them on callers.
  int passes_running_ ABSL_GUARDED_BY(mu_) = 0;
  int caller_passes_ ABSL_GUARDED_BY(mu_) = 0;
  // Whether a caller ran an edit since a worker last returned free memory
  // (an idle worker does it for the callers: with one malloc arena, the
  // server's default, that returns theirs too).
  bool caller_ran_since_trim_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the destructor: forward passes in progress stop at their next
  // chunk. Read without mu_ by the workers' stop checks.
  std::atomic<bool> aborting_{false};
};

}  // namespace amend::server

#endif  // AMEND_SERVER_EDIT_BATCHER_H_
