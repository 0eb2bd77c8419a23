#include "server/edit_batcher.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace amend::server {
namespace {

double Seconds(EditBatcher::Clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
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
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  work_available_.SignalAll();
  for (std::thread& worker : workers_) worker.join();
}

int EditBatcher::queued() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

absl::StatusOr<std::future<BatchedEdit>> EditBatcher::Submit(
    std::shared_ptr<const Editor> editor, Mlp mlp, Clock::time_point deadline) {
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
    Item item{std::move(editor), std::move(mlp), Clock::now(), deadline, {}};
    future = item.promise.get_future();
    queue_.push_back(std::move(item));
  }
  work_available_.SignalAll();
  return future;
}

void EditBatcher::Collect(const std::shared_ptr<const Editor>& editor,
                          std::vector<Item>& batch) {
  for (auto it = queue_.begin();
       it != queue_.end() &&
       static_cast<int>(batch.size()) < options_.max_batch;) {
    if (it->editor == editor) {
      batch.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
}

std::vector<EditBatcher::Item> EditBatcher::TakeBatch() {
  std::vector<Item> batch;
  const std::shared_ptr<const Editor> editor = queue_.front().editor;
  const Clock::time_point close = queue_.front().enqueued + options_.max_wait;
  Collect(editor, batch);
  while (static_cast<int>(batch.size()) < options_.max_batch && !stopping_ &&
         Clock::now() < close) {
    // absl::CondVar takes absl times; `close` is on the steady clock, so wait
    // for the time left rather than until a wall-clock deadline.
    work_available_.WaitWithTimeout(&mu_,
                                    absl::FromChrono(close - Clock::now()));
    Collect(editor, batch);
  }
  return batch;
}

void EditBatcher::WorkerLoop() {
  while (true) {
    std::vector<Item> batch;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) work_available_.Wait(&mu_);
      // Stopping workers finish the queued work first.
      if (queue_.empty()) return;
      batch = TakeBatch();
    }
    Run(std::move(batch));
  }
}

void EditBatcher::Run(std::vector<Item> batch) {
  const Clock::time_point started = Clock::now();
  std::vector<Item*> live;
  for (Item& item : batch) {
    if (started >= item.deadline) {
      BatchedEdit outcome;
      outcome.result = absl::DeadlineExceededError(
          "deadline: passed while the edit was queued");
      outcome.queue_seconds = Seconds(started - item.enqueued);
      item.promise.set_value(std::move(outcome));
    } else {
      live.push_back(&item);
    }
  }
  if (live.empty()) return;
  std::vector<const Mlp*> models;
  for (Item* item : live) models.push_back(&item->mlp);
  std::vector<absl::StatusOr<EditResult>> results;
  absl::StatusOr<std::vector<EditResult>> together =
      live.front()->editor->Edit(models);
  if (together.ok()) {
    for (EditResult& result : *together) results.push_back(std::move(result));
  } else if (live.size() == 1) {
    results.push_back(together.status());
  } else {
    // One bad model must not fail the others: edit them one at a time.
    for (Item* item : live) {
      absl::StatusOr<std::vector<EditResult>> single =
          item->editor->Edit({&item->mlp});
      if (single.ok()) {
        results.push_back(std::move(single->front()));
      } else {
        results.push_back(single.status());
      }
    }
  }
  const Clock::time_point finished = Clock::now();
  if (observer_) observer_(static_cast<int>(live.size()));
  for (size_t i = 0; i < live.size(); ++i) {
    BatchedEdit outcome;
    outcome.queue_seconds = Seconds(started - live[i]->enqueued);
    outcome.compute_seconds = Seconds(finished - started);
    outcome.batch_size = static_cast<int>(live.size());
    outcome.result = std::move(results[i]);
    live[i]->promise.set_value(std::move(outcome));
  }
}

}  // namespace amend::server
