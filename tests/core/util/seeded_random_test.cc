#include "core/util/seeded_random.h"

#include <algorithm>
#include <numeric>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(SeededRandomTest, MatchesTheSplitMix64ReferenceSequence) {
  // Reference values of Vigna's splitmix64.c for seed 1234567 (computed
  // independently in Python).
  SeededRandom random(1234567);
  EXPECT_EQ(random.Next(), 6457827717110365317ULL);
  EXPECT_EQ(random.Next(), 3203168211198807973ULL);
  EXPECT_EQ(random.Next(), 9817491932198370423ULL);
  EXPECT_EQ(random.Next(), 4593380528125082431ULL);
  EXPECT_EQ(random.Next(), 16408922859458223821ULL);
}

TEST(SeededRandomTest, BelowStaysInRangeAndHitsEveryValue) {
  SeededRandom random(1);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t x = random.Below(7);
    ASSERT_LT(x, 7u);
    ++counts[x];
  }
  for (int count : counts) EXPECT_GT(count, 800);  // expectation 1000, sd ~29
}

TEST(SeededRandomTest, LogUniformStaysInRangeWithUniformLogarithm) {
  SeededRandom random(2);
  int below_geometric_mean = 0;
  for (int i = 0; i < 4000; ++i) {
    const double x = random.LogUniform(1e-4, 1e-2);
    ASSERT_GE(x, 1e-4);
    ASSERT_LE(x, 1e-2);
    below_geometric_mean += x < 1e-3;
  }
  EXPECT_NEAR(below_geometric_mean / 4000.0, 0.5, 0.05);
}

TEST(SeededRandomTest, ShuffleIsAPermutationAndDependsOnTheSeed) {
  std::vector<int> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  std::iota(b.begin(), b.end(), 0);
  SeededRandom(3).Shuffle(a);
  SeededRandom(4).Shuffle(b);
  EXPECT_NE(a, b);
  std::vector<int> again(50);
  std::iota(again.begin(), again.end(), 0);
  SeededRandom(3).Shuffle(again);
  EXPECT_EQ(a, again);
  std::sort(a.begin(), a.end());
  for (int i = 0; i < 50; ++i) EXPECT_EQ(a[static_cast<size_t>(i)], i);
}

TEST(SeededRandomTest, CombineSeparatesStreams) {
  EXPECT_NE(SeededRandom::Combine(1, 0), SeededRandom::Combine(1, 1));
  EXPECT_NE(SeededRandom::Combine(0, 1), SeededRandom::Combine(1, 0));
  EXPECT_EQ(SeededRandom::Combine(5, 9), SeededRandom::Combine(5, 9));
}

}  // namespace
}  // namespace amend
