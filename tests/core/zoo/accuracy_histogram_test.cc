#include "core/zoo/accuracy_histogram.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

TEST(QuantileTest, InterpolatesLinearlyBetweenSortedValues) {
  // Sorted {1, 2, 3, 4}: position q * 3.
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.1), 1.3);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(Quantile({}, 0.5), 0.0);
}

TEST(AccuracyHistogramTest, DrawsOneBarPerFilledBinAndALegendPerStage) {
  const std::string svg = AccuracyHistogramSvg(
      {{"early", {0.80, 0.80, 0.81}}, {"final", {0.85}}}, "t", /*bins=*/10);
  EXPECT_THAT(svg, ::testing::StartsWith("<svg"));
  EXPECT_THAT(svg, ::testing::HasSubstr("early (n=3, median 0.8000)"));
  EXPECT_THAT(svg, ::testing::HasSubstr("final (n=1, median 0.8500)"));
  // Background + 2 legend swatches + one bar per (stage, filled bin): early
  // fills 2 bins, final 1.
  size_t rects = 0;
  for (size_t at = svg.find("<rect"); at != std::string::npos;
       at = svg.find("<rect", at + 1))
    ++rects;
  EXPECT_EQ(rects, 1u + 2u + 3u);
}

}  // namespace
}  // namespace amend
