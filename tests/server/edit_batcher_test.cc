// The batcher's admission against its memory budget and how it stops work
// nobody waits for, with real editors and models.
#include "server/edit_batcher.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "core/testing/editor_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend::server {
namespace {

using Clock = EditBatcher::Clock;

std::shared_ptr<const Editor> AdultEditor() {
  return testing::DefaultAdultEditor();
}

Mlp Model(int64_t width, uint64_t seed = 1) {
  return InitializeMlp(testing::AdultArchitecture({width, width}), seed)
      .value();
}

BatcherOptions OneModelPerPass(int workers, int64_t memory_budget_bytes) {
  BatcherOptions options;
  options.workers = workers;
  options.max_batch = 1;
  options.max_wait = std::chrono::microseconds(0);
  options.memory_budget_bytes = memory_budget_bytes;
  return options;
}

TEST(EditBatcherTest, AnEditNobodyWaitsForStopsAndSaysCancelled) {
  EditBatcher batcher({.workers = 1, .max_batch = 1});
  const auto abandoned = std::make_shared<std::atomic<bool>>(true);
  EditTicket ticket;
  ticket.abandoned = abandoned;
  auto future = batcher.Submit(AdultEditor(), Model(32), ticket).value();
  const BatchedEdit outcome = future.get();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(outcome.result.status().message(),
              ::testing::HasSubstr("cancelled while computing"));
  // The same edit that somebody waits for completes.
  auto kept = batcher.Submit(AdultEditor(), Model(32)).value();
  EXPECT_TRUE(kept.get().result.ok());
}

TEST(EditBatcherTest, AnIdleBatcherReturnsFreeMemoryOnceAfterEdits) {
  std::atomic<int> returned{0};
  BatcherOptions options;
  options.workers = 2;
  options.idle_trim_after = std::chrono::milliseconds(20);
  options.return_free_memory = [&] { returned.fetch_add(1); };
  EditBatcher batcher(options);
  // Idle before any edit: nothing was freed, nothing to return.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(returned.load(), 0);
  // A small edit (no return after it), then idle: one return, by one of the
  // two workers.
  ASSERT_TRUE(
      batcher.Submit(AdultEditor(), Model(8)).value().get().result.ok());
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (returned.load() == 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(returned.load(), 1);
  // Staying idle returns nothing more until edits run again.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(returned.load(), 1);
}

TEST(EditBatcherTest, EachWorkerThatRanReturnsFreeMemoryOnItsOwnThread) {
  // A thread arena's free top only its own thread can return
  // (core/util/allocator.h): every worker that ran must return on its thread.
  std::mutex mu;
  std::set<std::thread::id> ran, returned;
  BatcherOptions options = OneModelPerPass(2, 0);
  options.idle_trim_after = std::chrono::milliseconds(20);
  options.return_free_memory = [&] {
    std::lock_guard<std::mutex> lock(mu);
    returned.insert(std::this_thread::get_id());
  };
  EditBatcher batcher(options, {.pass_started = [&](int) {
                        std::lock_guard<std::mutex> lock(mu);
                        ran.insert(std::this_thread::get_id());
                      }});
  // Two edits at once, each long enough (~70k weights) for the second to go
  // to the other worker.
  const std::shared_ptr<const Editor> editor = AdultEditor();
  auto first = batcher.Submit(editor, Model(256, 1)).value();
  auto second = batcher.Submit(editor, Model(256, 2)).value();
  ASSERT_TRUE(first.get().result.ok());
  ASSERT_TRUE(second.get().result.ok());
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < give_up) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (returned.size() >= ran.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(returned, ran);
  if (ran.size() < 2) {
    std::printf("only one worker ran both edits; the test shows less\n");
  }
}

TEST(EditBatcherTest, AnEditWhoseDeadlinePassedInTheQueueIsNotComputed) {
  EditBatcher batcher({.workers = 1});
  EditTicket ticket;
  ticket.deadline = Clock::now() - std::chrono::seconds(1);
  const BatchedEdit outcome =
      batcher.Submit(AdultEditor(), Model(8), ticket).value().get();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(outcome.started, outcome.finished);
}

TEST(EditBatcherTest, ForwardPassesThatDoNotFitTogetherRunOneAfterTheOther) {
  // Two workers, but a budget that holds one edit at a time: whichever runs
  // second must start after the first finished.
  const BatcherOptions options = OneModelPerPass(2, 100 << 20);
  EditBatcher batcher(options);
  const std::shared_ptr<const Editor> editor = AdultEditor();
  EditTicket ticket;
  ticket.compute_bytes = 60 << 20;
  std::vector<std::future<BatchedEdit>> futures;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    futures.push_back(batcher.Submit(editor, Model(128, seed), ticket).value());
  }
  std::vector<BatchedEdit> outcomes;
  for (auto& future : futures) outcomes.push_back(future.get());
  for (const BatchedEdit& outcome : outcomes) {
    ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  }
  for (size_t i = 0; i < outcomes.size(); ++i) {
    for (size_t j = i + 1; j < outcomes.size(); ++j) {
      const bool apart = outcomes[i].finished <= outcomes[j].started ||
                         outcomes[j].finished <= outcomes[i].started;
      EXPECT_TRUE(apart) << i << " and " << j << " overlapped";
    }
  }
  EXPECT_EQ(batcher.reserved_bytes(), 0);
}

TEST(EditBatcherTest,
     AModelThatWouldOverfillTheBudgetWhileOthersWaitIsRefused) {
  // One worker busy with a forward pass that reserves all but 100 KiB of the
  // budget; a first small model may wait (nothing else does), a second would
  // take the reservations past the budget and is refused at once.
  const BatcherOptions options = OneModelPerPass(1, 100 << 20);
  EditBatcher batcher(options);
  const std::shared_ptr<const Editor> editor = AdultEditor();
  EditTicket large;
  large.compute_bytes = options.memory_budget_bytes - (100 << 10);
  auto running = batcher.Submit(editor, Model(1024), large).value();
  while (batcher.reserved_bytes() < large.compute_bytes) {
    std::this_thread::yield();  // until the worker has started it
  }
  auto waiting = batcher.Submit(editor, Model(128)).value();
  const auto refused = batcher.Submit(editor, Model(128, 2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  // A 75 KiB model is reported as needing 1 MiB, rounded up, not 0.
  EXPECT_THAT(
      refused.status().message(),
      ::testing::AllOf(::testing::HasSubstr("memory_budget_mb"),
                       ::testing::HasSubstr("budget of 100 MiB"),
                       ::testing::HasSubstr("this model needs 1 MiB more")));
  EXPECT_TRUE(running.get().result.ok());
  EXPECT_TRUE(waiting.get().result.ok());
}

TEST(EditBatcherTest, DestroyingTheBatcherSettlesEveryEdit) {
  std::vector<std::future<BatchedEdit>> futures;
  {
    EditBatcher batcher({.workers = 1, .max_batch = 1});
    const std::shared_ptr<const Editor> editor = AdultEditor();
    for (uint64_t seed = 1; seed <= 4; ++seed) {
      futures.push_back(batcher.Submit(editor, Model(256, seed)).value());
    }
  }
  // Each was computed before the stop or refused by it; none is left
  // without an answer (a broken promise would throw here).
  for (auto& future : futures) {
    const BatchedEdit outcome = future.get();
    if (outcome.result.ok()) continue;
    EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kUnavailable)
        << outcome.result.status();
  }
}

TEST(EditBatcherTest, ACpuWorkerTakesOnlyItsShareOfTheEdits) {
  // Two workers that wait long for batches to fill: each may take at most
  // half of the edits (rounded up), or the other worker would idle while
  // one computes them all one after the other.
  std::mutex mu;
  std::vector<int> passes;
  BatcherOptions options;
  options.workers = 2;
  options.max_batch = 16;
  options.max_wait = std::chrono::milliseconds(300);
  EditBatcher batcher(options, {.pass_started = [&](int models) {
                        std::lock_guard<std::mutex> lock(mu);
                        passes.push_back(models);
                      }});
  const std::shared_ptr<const Editor> editor = AdultEditor();
  std::vector<std::future<BatchedEdit>> futures;
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    futures.push_back(batcher.Submit(editor, Model(8, seed)).value());
  }
  for (auto& future : futures) ASSERT_TRUE(future.get().result.ok());
  std::lock_guard<std::mutex> lock(mu);
  int edits = 0;
  for (int models : passes) {
    EXPECT_LE(models, 4);
    edits += models;
  }
  EXPECT_EQ(edits, 8);
}

TEST(EditBatcherTest, EachEditOfACpuBatchIsAnsweredWhenItsModelIsDone) {
  BatcherOptions options;
  options.workers = 1;
  options.max_batch = 4;
  options.max_wait = std::chrono::milliseconds(200);
  EditBatcher batcher(options);
  const std::shared_ptr<const Editor> editor = AdultEditor();
  // ~70k weights each: one model per group of the kernels.
  std::vector<std::future<BatchedEdit>> futures;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    futures.push_back(batcher.Submit(editor, Model(256, seed)).value());
  }
  std::vector<BatchedEdit> outcomes;
  for (auto& future : futures) outcomes.push_back(future.get());
  for (const BatchedEdit& outcome : outcomes) {
    ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
    EXPECT_EQ(outcome.batch_size, 3);
    EXPECT_EQ(outcome.started, outcomes[0].started);
  }
  EXPECT_LT(outcomes[0].finished, outcomes[1].finished);
  EXPECT_LT(outcomes[1].finished, outcomes[2].finished);
}

TEST(EditBatcherTest, ACpuBatchReturnsMemoryOnlyAfterALargeModel) {
  // On the CPU a batch's peak is about its largest model's: four edits of
  // 32 MiB together (128 MiB reserved) stay below the 64 MiB that makes a
  // worker return memory; one of 64 MiB does not.
  std::atomic<int> returns{0};
  BatcherOptions options;
  options.workers = 1;
  options.max_batch = 4;
  options.max_wait = std::chrono::milliseconds(200);
  options.idle_trim_after = std::chrono::milliseconds(0);
  options.return_free_memory = [&] { ++returns; };
  EditBatcher batcher(options);
  const std::shared_ptr<const Editor> editor = AdultEditor();
  EditTicket small;
  small.compute_bytes = int64_t{32} << 20;
  std::vector<std::future<BatchedEdit>> futures;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    futures.push_back(batcher.Submit(editor, Model(8, seed), small).value());
  }
  for (auto& future : futures) ASSERT_TRUE(future.get().result.ok());
  EditTicket large;
  large.compute_bytes = int64_t{64} << 20;
  ASSERT_TRUE(
      batcher.Submit(editor, Model(8, 5), large).value().get().result.ok());
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (returns.load() == 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The worker handles its passes in order: the large one's return came
  // after the small batch's decision.
  EXPECT_EQ(returns.load(), 1);
}

TEST(EditBatcherTest, AnEditOnItsCallersThreadHoldsAWorkersSlot) {
  // One worker: while an edit runs on its caller's thread, an edit submitted
  // meanwhile must wait for it, or two passes would share one core.
  std::mutex mu;
  std::vector<std::thread::id> passes;
  EditBatcher batcher(OneModelPerPass(1, 0), {.pass_started = [&](int) {
                        std::lock_guard<std::mutex> lock(mu);
                        passes.push_back(std::this_thread::get_id());
                      }});
  const std::shared_ptr<const Editor> editor = AdultEditor();
  std::optional<std::future<BatchedEdit>> submitted;
  int checks = 0;
  const std::optional<BatchedEdit> outcome =
      batcher.EditOnCaller(editor, Model(64), EditTicket(), [&] {
        // Polled during the pass: submit the second edit from inside it.
        if (checks++ == 0) submitted = batcher.Submit(editor, Model(8)).value();
        return false;
      });
  ASSERT_TRUE(outcome.has_value());
  ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
  EXPECT_EQ(outcome->batch_size, 1);
  EXPECT_EQ(outcome->queue_seconds, 0.0);
  EXPECT_GT(checks, 0);
  ASSERT_TRUE(submitted.has_value());
  const BatchedEdit second = submitted->get();
  ASSERT_TRUE(second.result.ok());
  EXPECT_GE(second.started, outcome->finished);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(passes.size(), 2u);
  EXPECT_EQ(passes[0], std::this_thread::get_id());
  EXPECT_NE(passes[1], std::this_thread::get_id());
  EXPECT_EQ(batcher.reserved_bytes(), 0);
}

TEST(EditBatcherTest, AnEditGoesToAWorkerWhenRunningItOnTheCallerWouldCost) {
  const std::shared_ptr<const Editor> editor = AdultEditor();
  {
    // Turned off, batches that wait for more edits, or an edit large enough
    // that its memory must be returned after the reply (a worker's job):
    // declined, on an idle batcher.
    BatcherOptions off = OneModelPerPass(1, 0);
    off.edit_on_caller = false;
    EXPECT_FALSE(EditBatcher(off).EditOnCaller(editor, Model(8), {}, nullptr));
    BatcherOptions waits = OneModelPerPass(1, 0);
    waits.max_wait = std::chrono::microseconds(1);
    EXPECT_FALSE(
        EditBatcher(waits).EditOnCaller(editor, Model(8), {}, nullptr));
    EditTicket large;
    large.compute_bytes = int64_t{64} << 20;
    EditBatcher batcher(OneModelPerPass(1, 0));
    EXPECT_FALSE(batcher.EditOnCaller(editor, Model(8), large, nullptr));
    EXPECT_TRUE(batcher.EditOnCaller(editor, Model(8), {}, nullptr));
  }
  // Two workers, a budget of 100 MiB. One edit of 60 MiB runs; a second of
  // 60 MiB waits for room. A third that would fit is still declined: it
  // would pass the one that waits.
  std::atomic<int> started{0};
  EditBatcher batcher(OneModelPerPass(2, 100 << 20),
                      {.pass_started = [&](int) { ++started; }});
  const auto abandoned = std::make_shared<std::atomic<bool>>(false);
  EditTicket big;
  big.compute_bytes = 60 << 20;
  big.abandoned = abandoned;
  auto running = batcher.Submit(editor, Model(1024), big).value();
  while (started.load() == 0) std::this_thread::yield();
  auto waiting = batcher.Submit(editor, Model(8), big).value();
  EXPECT_EQ(batcher.queued(), 1);
  EXPECT_FALSE(batcher.EditOnCaller(editor, Model(8), {}, nullptr));
  abandoned->store(true);
  EXPECT_EQ(running.get().result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(waiting.get().result.status().code(), absl::StatusCode::kCancelled);
  // Idle again: the caller may run it, once the workers have freed their
  // slots (they answer before they free them).
  std::optional<BatchedEdit> now;
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (!now && Clock::now() < give_up) {
    now = batcher.EditOnCaller(editor, Model(8), {}, nullptr);
    if (!now) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(now.has_value());
  EXPECT_TRUE(now->result.ok());
}

TEST(EditBatcherTest, TheObserverSeesEveryChangeOfTheReservedBytes) {
  // The metrics gauge follows the batcher's reservations through this
  // observer, for edits on workers and on callers alike: during each the
  // edit's bytes, after it none.
  std::mutex mu;
  std::vector<int64_t> reported;
  EditBatcher batcher(OneModelPerPass(1, 0),
                      {.reserved_changed = [&](int64_t bytes) {
                        std::lock_guard<std::mutex> lock(mu);
                        reported.push_back(bytes);
                      }});
  const std::shared_ptr<const Editor> editor = AdultEditor();
  EditTicket ticket;
  ticket.compute_bytes = 3 << 20;
  int64_t during_caller = -1;
  ASSERT_TRUE(batcher.EditOnCaller(editor, Model(8), ticket, [&] {
    std::lock_guard<std::mutex> lock(mu);
    during_caller = reported.empty() ? -1 : reported.back();
    return false;
  }));
  EXPECT_EQ(during_caller, ticket.compute_bytes);
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_FALSE(reported.empty());
    EXPECT_EQ(reported.back(), 0);
    reported.clear();
  }
  ASSERT_TRUE(
      batcher.Submit(editor, Model(8), ticket).value().get().result.ok());
  std::lock_guard<std::mutex> lock(mu);
  // Queued (the model's parameters), computing (its estimate), answered.
  ASSERT_GE(reported.size(), 3u);
  EXPECT_GT(reported.front(), 0);
  EXPECT_NE(std::find(reported.begin(), reported.end(), ticket.compute_bytes),
            reported.end());
  EXPECT_EQ(reported.back(), 0);
}

TEST(EditBatcherTest, AnEditOnTheCallerStopsWhenTheCallerIsGone) {
  EditBatcher batcher(OneModelPerPass(1, 0));
  EditTicket ticket;
  ticket.compute_bytes = 1 << 20;
  const std::optional<BatchedEdit> outcome = batcher.EditOnCaller(
      AdultEditor(), Model(32), ticket, [] { return true; });
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(outcome->result.status().message(),
              ::testing::HasSubstr("cancelled while computing"));
  EXPECT_EQ(batcher.reserved_bytes(), 0);
}

TEST(EditBatcherTest, AnIdleWorkerReturnsFreeMemoryAfterCallersEdits) {
  std::atomic<int> returned{0};
  BatcherOptions options = OneModelPerPass(2, 0);
  options.idle_trim_after = std::chrono::milliseconds(20);
  options.return_free_memory = [&] { returned.fetch_add(1); };
  EditBatcher batcher(options);
  ASSERT_TRUE(batcher.EditOnCaller(AdultEditor(), Model(8), {}, nullptr));
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(60);
  while (returned.load() == 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(returned.load(), 1);
}

}  // namespace
}  // namespace amend::server
