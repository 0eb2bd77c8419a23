// The batcher's admission against its memory budget and how it stops work
// nobody waits for, with real editors and models.
#include "server/edit_batcher.h"

#include <ATen/ATen.h>

#include <atomic>
#include <memory>
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
  BatcherOptions options;
  options.workers = 2;
  options.max_batch = 1;
  options.memory_budget_bytes = 100 << 20;
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

}  // namespace
}  // namespace amend::server
