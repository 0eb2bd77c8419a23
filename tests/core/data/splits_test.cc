#include "core/data/splits.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(SplitsTest, PartsHaveRoundedPerClassSizesAndCoverEveryRowOnce) {
  std::vector<int64_t> labels(1000, 0);
  for (int i = 0; i < 1000; i += 4)
    labels[static_cast<size_t>(i)] = 1;  // 250 positives
  const auto parts = StratifiedSplit(labels, {0.2, 0.2}, /*seed=*/1);
  ASSERT_EQ(parts.size(), 3u);
  std::set<int64_t> seen;
  for (const auto& part : parts) {
    EXPECT_TRUE(std::is_sorted(part.begin(), part.end()));
    for (int64_t row : part)
      EXPECT_TRUE(seen.insert(row).second) << "row " << row << " twice";
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Per class: 0.2 x 750 = 150 negatives and 0.2 x 250 = 50 positives in each
  // cut part.
  for (size_t p = 0; p < 2; ++p) {
    const auto positives = std::count_if(
        parts[p].begin(), parts[p].end(),
        [&](int64_t r) { return labels[static_cast<size_t>(r)] == 1; });
    EXPECT_EQ(parts[p].size(), 200u);
    EXPECT_EQ(positives, 50);
  }
  EXPECT_EQ(parts[2].size(), 600u);
}

TEST(SplitsTest, SameSeedSameSplitOtherSeedOtherSplit) {
  std::vector<int64_t> labels(500);
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = (i * 7) % 3 == 0;
  EXPECT_EQ(StratifiedSplit(labels, {0.3}, 9),
            StratifiedSplit(labels, {0.3}, 9));
  EXPECT_NE(StratifiedSplit(labels, {0.3}, 9),
            StratifiedSplit(labels, {0.3}, 10));
}

TEST(SplitsTest, RoundsHalfAwayFromZeroPerClass) {
  // 7 rows of one class: 0.5 x 7 = 3.5 -> 4 in the first part.
  const auto parts = StratifiedSplit(std::vector<int64_t>(7, 0), {0.5}, 3);
  EXPECT_EQ(parts[0].size(), 4u);
  EXPECT_EQ(parts[1].size(), 3u);
}

}  // namespace
}  // namespace amend
