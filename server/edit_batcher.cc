#include "server/edit_batcher.h"

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/allocator.h"

namespace amend::server {
namespace {

double Seconds(EditBatcher::Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

// About an edit of 130k weights (0.5 s on one core). Returning memory costs
// the kernel ~0.3-0.5 ms per MiB (1.7 GB in 0.5-0.8 s, measured), about 5% of
// such an edit's time, paid by the worker after the reply.
constexpr int64_t kReturnMemoryAfterBytes = int64_t{64} << 20;

// Rounded up: a model of a few kilobytes still "needs 1 MiB more", not 0.
int64_t Mebibytes(int64_t bytes) { return (bytes + (1 << 20) - 1) >> 20; }

// A pass that stopped part-way reports Cancelled; say why it stopped, for
// whoever still reads the outcome.
void ExplainStop(BatchedEdit& outcome, bool aborting,
                 EditBatcher::Clock::time_point deadline) {
  if (!absl::IsCancelled(outcome.result.status())) return;
  if (aborting) {
    outcome.result = absl::UnavailableError("the server is stopping");
  } else if (outcome.finished >= deadline) {
    outcome.result = absl::DeadlineExceededError(
        "deadline: passed while the edit was computing");
  } else {
    outcome.result = absl::CancelledError("cancelled while computing");
  }
}

}  // namespace

EditBatcher::EditBatcher(const BatcherOptions& options, BatchObserver observer)
    : options_(options), observer_(std::move(observer)) {
  const int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

EditBatcher::~EditBatcher() {
  std::deque<Item> refused;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    aborting_ = true;
    refused.swap(queue_);
    queued_bytes_ = 0;
    ReportReserved();
  }
  work_available_.SignalAll();
  std::vector<Item*> items;
  for (Item& item : refused) items.push_back(&item);
  Refuse(items, absl::UnavailableError("the server is stopping"), Clock::now());
  for (std::thread& worker : workers_) worker.join();
  // Callers' passes stop at their next chunk (aborting_); none may outlive
  // the batcher whose budget and slots it uses.
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](int* passes) { return *passes == 0; }, &caller_passes_));
}

std::optional<BatchedEdit> EditBatcher::EditOnCaller(
    const std::shared_ptr<const Editor>& editor, const Mlp& mlp,
    const EditTicket& ticket, const std::function<bool()>& caller_gone) {
  if (!options_.edit_on_caller || !editor->device().is_cpu() ||
      options_.max_wait.count() > 0 ||
      ticket.compute_bytes >= kReturnMemoryAfterBytes) {
    return std::nullopt;
  }
  const Clock::time_point started = Clock::now();
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ || !queue_.empty() ||
        passes_running_ >= std::max(1, options_.workers) ||
        !Fits(ticket.compute_bytes)) {
      return std::nullopt;
    }
    ++passes_running_;
    ++caller_passes_;
    running_bytes_ += ticket.compute_bytes;
    ReportReserved();
  }
  // Whatever happens below (an allocation that throws), the slot and the
  // bytes come back: a lost slot would shrink the pool for good and hang the
  // destructor. The last use of the batcher: its destructor may run after.
  absl::Cleanup end_pass = [&] {
    EndPass(ticket.compute_bytes, /*on_caller=*/true);
  };
  if (observer_.pass_started) observer_.pass_started(1);
  const EditStopCheck stop = [&] {
    return aborting_.load() || ticket.GivenUp(Clock::now()) ||
           (caller_gone && caller_gone());
  };
  absl::StatusOr<std::vector<EditResult>> edited = editor->Edit({&mlp}, stop);
  BatchedEdit outcome;
  outcome.started = started;
  outcome.finished = Clock::now();
  outcome.compute_seconds = Seconds(outcome.finished - started);
  outcome.batch_size = 1;
  if (edited.ok()) {
    outcome.result = std::move(edited->front());
  } else {
    outcome.result = edited.status();
    if (absl::IsCancelled(edited.status()) && observer_.pass_stopped) {
      observer_.pass_stopped();
    }
  }
  ExplainStop(outcome, aborting_.load(), ticket.deadline);
  return outcome;
}

void EditBatcher::EndPass(int64_t bytes, bool on_caller) {
  absl::MutexLock lock(&mu_);
  --passes_running_;
  if (bytes != 0) {
    running_bytes_ -= bytes;
    ReportReserved();
  }
  if (on_caller) {
    --caller_passes_;
    caller_ran_since_trim_ = true;
  }
  // A free slot or room in the budget may let a queued edit start, and a
  // caller's edit leaves an idle worker memory to return. Signalled under
  // the lock: a destructor waiting for the callers' passes cannot finish
  // before it.
  work_available_.SignalAll();
}

void EditBatcher::ReportReserved() const {
  if (observer_.reserved_changed) {
    observer_.reserved_changed(running_bytes_ + queued_bytes_);
  }
}

int EditBatcher::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

int64_t EditBatcher::reserved_bytes() const {
  absl::MutexLock lock(&mu_);
  return running_bytes_ + queued_bytes_;
}

bool EditBatcher::Fits(int64_t compute_bytes) const {
  return options_.memory_budget_bytes <= 0 || running_bytes_ == 0 ||
         running_bytes_ + queued_bytes_ + compute_bytes <=
             options_.memory_budget_bytes;
}

bool EditBatcher::OldestFits() const {
  return !queue_.empty() && Fits(queue_.front().ticket.compute_bytes);
}

absl::StatusOr<std::future<BatchedEdit>> EditBatcher::Submit(
    std::shared_ptr<const Editor> editor, Mlp mlp, EditTicket ticket) {
  const int64_t model_bytes =
      CountParameters(mlp.architecture) * static_cast<int64_t>(sizeof(float));
  std::future<BatchedEdit> future;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return absl::UnavailableError("the server is shutting down");
    }
    if (static_cast<int>(queue_.size()) >= options_.max_queue) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "queue: ", queue_.size(), " edits are waiting, the limit is ",
          options_.max_queue, " (--max_queue); retry later"));
    }
    if (options_.memory_budget_bytes > 0 && !queue_.empty() &&
        running_bytes_ + queued_bytes_ + model_bytes >
            options_.memory_budget_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "memory: edits in progress and queued hold ",
          Mebibytes(running_bytes_ + queued_bytes_),
          " MiB of the server's budget of ",
          Mebibytes(options_.memory_budget_bytes),
          " MiB (--memory_budget_mb); this model needs ",
          Mebibytes(model_bytes), " MiB more to wait; retry later"));
    }
    Item item{std::move(editor), std::move(mlp),    model_bytes,
              Clock::now(),      std::move(ticket), {}};
    future = item.promise.get_future();
    queued_bytes_ += model_bytes;
    queue_.push_back(std::move(item));
    ReportReserved();
  }
  work_available_.SignalAll();
  return future;
}

void EditBatcher::Collect(const std::shared_ptr<const Editor>& editor, int most,
                          std::vector<Item>& batch) {
  for (auto it = queue_.begin();
       it != queue_.end() && static_cast<int>(batch.size()) < most;) {
    if (it->editor != editor) {
      ++it;
      continue;
    }
    // Members after the first join only while the budget has room: a batch
    // never grows past it.
    if (!batch.empty() && !Fits(it->ticket.compute_bytes)) break;
    queued_bytes_ -= it->model_bytes;
    running_bytes_ += it->ticket.compute_bytes;
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  ReportReserved();
}

int EditBatcher::BatchLimit(const Editor& editor, int taken) const {
  if (!editor.device().is_cpu()) return options_.max_batch;
  int64_t edits = taken;
  for (const Item& item : queue_) edits += item.editor.get() == &editor;
  const int64_t workers = std::max(1, options_.workers);
  const int64_t share = (edits + workers - 1) / workers;
  return static_cast<int>(
      std::clamp<int64_t>(share, 1, std::max(1, options_.max_batch)));
}

std::vector<EditBatcher::Item> EditBatcher::TakeBatch() {
  std::vector<Item> batch;
  const std::shared_ptr<const Editor> editor = queue_.front().editor;
  const Clock::time_point close = queue_.front().enqueued + options_.max_wait;
  Collect(editor, BatchLimit(*editor, 0), batch);
  // Waiting lets more edits arrive, and with them a CPU worker's share
  // grows; a worker that waits while holding its share costs its edits up to
  // max_wait (0 on the CPU by default).
  while (static_cast<int>(batch.size()) < options_.max_batch && !stopping_ &&
         Clock::now() < close) {
    // absl::CondVar takes absl times; `close` is on the steady clock, so wait
    // for the time left rather than until a wall-clock deadline.
    work_available_.WaitWithTimeout(&mu_,
                                    absl::FromChrono(close - Clock::now()));
    Collect(editor, BatchLimit(*editor, static_cast<int>(batch.size())), batch);
  }
  return batch;
}

void EditBatcher::WorkerLoop() {
  const bool trims = options_.idle_trim_after.count() > 0;
  const int slots = std::max(1, options_.workers);
  // Each worker returns its own arena: glibc returns a thread arena's free top
  // only from that thread (core/util/allocator.h).
  bool ran_since_trim = false;
  while (true) {
    std::vector<Item> batch;
    bool trim = false;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && !(OldestFits() && passes_running_ < slots)) {
        if (!trims || !(ran_since_trim || caller_ran_since_trim_) ||
            !queue_.empty()) {
          work_available_.Wait(&mu_);
          continue;
        }
        const bool woken = !work_available_.WaitWithTimeout(
            &mu_, absl::FromChrono(options_.idle_trim_after));
        // Another worker may have returned the callers' memory meanwhile.
        if (!woken && queue_.empty() && !stopping_ &&
            (ran_since_trim || caller_ran_since_trim_)) {
          trim = true;
          caller_ran_since_trim_ = false;
          break;
        }
      }
      if (stopping_) return;  // the destructor refuses what is queued
      if (!trim) {
        batch = TakeBatch();
        ++passes_running_;
      }
    }
    if (trim) {
      options_.return_free_memory();
      ran_since_trim = false;
    } else {
      Run(batch);
      EndPass(0, /*on_caller=*/false);
      ran_since_trim = true;
    }
  }
}

void EditBatcher::Release(const std::vector<Item*>& items) {
  int64_t bytes = 0;
  for (const Item* item : items) bytes += item->ticket.compute_bytes;
  if (bytes == 0) return;
  {
    absl::MutexLock lock(&mu_);
    running_bytes_ -= bytes;
    ReportReserved();
  }
  // Room in the budget may let a waiting edit start.
  work_available_.SignalAll();
}

void EditBatcher::Refuse(std::vector<Item*>& batch, const absl::Status& status,
                         Clock::time_point started) {
  for (Item* item : batch) {
    BatchedEdit outcome;
    outcome.result = status;
    outcome.queue_seconds = Seconds(started - item->enqueued);
    outcome.started = outcome.finished = started;
    item->promise.set_value(std::move(outcome));
  }
}

void EditBatcher::Settle(Item& item, absl::StatusOr<EditResult> result,
                         Clock::time_point started, int batch_size) {
  const Clock::time_point finished = Clock::now();
  // Before the promise: whoever reads the budget after its answer sees it
  // freed.
  Release({&item});
  BatchedEdit outcome;
  outcome.queue_seconds = Seconds(started - item.enqueued);
  outcome.compute_seconds = Seconds(finished - started);
  outcome.batch_size = batch_size;
  outcome.started = started;
  outcome.finished = finished;
  outcome.result = std::move(result);
  ExplainStop(outcome, aborting_.load(), item.ticket.deadline);
  item.promise.set_value(std::move(outcome));
}

void EditBatcher::Run(std::vector<Item>& batch) {
  const Clock::time_point started = Clock::now();
  std::vector<Item*> live, expired;
  for (Item& item : batch) {
    (started >= item.ticket.deadline ? expired : live).push_back(&item);
  }
  Release(expired);
  Refuse(
      expired,
      absl::DeadlineExceededError("deadline: passed while the edit was queued"),
      started);
  if (live.empty()) return;
  const int batch_size = static_cast<int>(live.size());
  if (observer_.pass_started) observer_.pass_started(batch_size);
  // Stop when nobody waits for any member not yet answered any more, or the
  // server stops.
  std::vector<bool> settled(live.size(), false);
  const EditStopCheck stop = [&] {
    if (aborting_.load()) return true;
    const Clock::time_point now = Clock::now();
    for (size_t i = 0; i < live.size(); ++i) {
      if (!settled[i] && !live[i]->Abandoned(now)) return false;
    }
    return true;
  };
  // The pass's peak: on the CPU the kernels hold a few models at a time, so
  // about its largest model's; elsewhere one graph of them all.
  const bool one_at_a_time = live.front()->editor->device().is_cpu();
  int64_t pass_bytes = 0;
  for (const Item* item : live) {
    pass_bytes = one_at_a_time
                     ? std::max(pass_bytes, item->ticket.compute_bytes)
                     : pass_bytes + item->ticket.compute_bytes;
  }
  std::vector<const Mlp*> models;
  for (Item* item : live) models.push_back(&item->mlp);
  // Each edit is answered as soon as its model is computed (on the CPU the
  // kernels compute a batch a few models at a time).
  const absl::Status together = live.front()->editor->EditEach(
      models,
      [&](size_t i, EditResult result) {
        settled[i] = true;
        Settle(*live[i], std::move(result), started, batch_size);
      },
      stop);
  if (absl::IsCancelled(together) && observer_.pass_stopped) {
    observer_.pass_stopped();
  }
  for (size_t i = 0; i < live.size(); ++i) {
    if (settled[i]) continue;
    Item& item = *live[i];
    absl::StatusOr<EditResult> result =
        together.ok() ? absl::InternalError(
                            "the edit returned without this model's result; "
                            "please report it")
                      : together;
    if (live.size() > 1 && !together.ok() && !absl::IsCancelled(together)) {
      // One bad model must not fail the others: edit them one at a time,
      // each only while its own caller waits.
      const EditStopCheck alone = [&] {
        return aborting_.load() || item.Abandoned(Clock::now());
      };
      if (alone()) {
        result = absl::CancelledError("cancelled before computing");
      } else {
        absl::StatusOr<std::vector<EditResult>> single =
            item.editor->Edit({&item.mlp}, alone);
        if (single.ok()) {
          result = std::move(single->front());
        } else {
          result = single.status();
        }
      }
    }
    settled[i] = true;
    Settle(item, std::move(result), started, batch_size);
  }
  // The forward pass's intermediates are free now; left in this worker's
  // arena they would raise the server's RSS towards the sum of every
  // worker's largest edit (docs/RELIABILITY.md, soak). After the replies, so
  // that only the worker waits for it; small edits keep theirs for reuse.
  if (pass_bytes >= kReturnMemoryAfterBytes) options_.return_free_memory();
}

}  // namespace amend::server
