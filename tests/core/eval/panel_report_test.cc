// Panel reports on a hand-worked example: fronts, hypervolumes, dominance,
// matched JSD and the files written.
#include "core/eval/panel_report.h"

#include <filesystem>

#include "core/eval/panel_files.h"
#include "core/eval/panel_summary.h"
#include "core/eval/svg_plot.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

MethodPoint Point(std::string method, std::string setting, double x, double y) {
  MethodPoint p;
  p.method = std::move(method);
  p.setting = std::move(setting);
  p.models = 3;
  p.requirement.mean = x;
  p.jsd.mean = y;
  p.accuracy.mean = 0.8;
  p.seconds.mean = 0.01;
  return p;
}

PanelReport Example() {
  return BuildPanelReport(
      {.title = "toy", .requirement_label = "kept", .reference_x = 1.0},
      {Point("editor", "e1", 0.5, 0.01), Point("editor", "e2", 0.3, 0.02),
       Point("magnitude", "b1", 0.5, 0.02), Point("magnitude", "b2", 0.2, 0.05),
       Point("magnitude", "b3", 0.6, 0.03), Point("original", "-", 1.0, 0.0)});
}

TEST(PanelReportTest, FrontsAndHypervolumesByHand) {
  const PanelReport report = Example();
  // Reference: (1, 1.1 * largest JSD 0.05).
  EXPECT_DOUBLE_EQ(report.reference.x, 1.0);
  EXPECT_NEAR(report.reference.y, 0.055, 1e-15);
  ASSERT_EQ(report.fronts.size(), 3u);
  EXPECT_EQ(report.fronts[0].method, "editor");
  EXPECT_THAT(report.fronts[0].front, ::testing::ElementsAre(1, 0));
  // Editor: 0.7 * (0.055 - 0.02) + 0.5 * (0.02 - 0.01) = 0.0295.
  EXPECT_NEAR(report.fronts[0].hypervolume, 0.0295, 1e-12);
  // Magnitude front b2, b1 (b3 is dominated by b1):
  // 0.8 * (0.055 - 0.05) + 0.5 * (0.05 - 0.02) = 0.019.
  EXPECT_THAT(report.fronts[1].front, ::testing::ElementsAre(3, 2));
  EXPECT_NEAR(report.fronts[1].hypervolume, 0.019, 1e-12);
  // The original is never compared.
  ASSERT_EQ(report.dominance.size(), 1u);
  const Dominance& d = report.dominance[0];
  EXPECT_EQ(d.baseline, "magnitude");
  EXPECT_EQ(d.front_points, 2);
  EXPECT_EQ(d.dominated, 1);   // b1, by e1
  EXPECT_EQ(d.comparable, 1);  // b2 is stricter than any editor point
  EXPECT_EQ(d.comparable_dominated, 1);
  EXPECT_THAT(d.not_dominated, ::testing::ElementsAre("b2"));
  // Matched: e2 (x 0.3) against the best magnitude point with x <= 0.3 (b2);
  // e1 (x 0.5) against b1.
  ASSERT_EQ(report.matched.size(), 2u);
  EXPECT_EQ(report.matched[0].editor_setting, "e2");
  EXPECT_EQ(report.matched[0].baseline_setting, "b2");
  EXPECT_DOUBLE_EQ(*report.matched[0].baseline_jsd, 0.05);
  EXPECT_EQ(report.matched[1].baseline_setting, "b1");
  EXPECT_DOUBLE_EQ(*report.matched[1].baseline_jsd, 0.02);
}

TEST(PanelReportTest, AStricterEditorPointHasNoMatch) {
  const PanelReport report = BuildPanelReport(
      {.title = "toy", .requirement_label = "kept"},
      {Point("editor", "e", 0.1, 0.01), Point("random", "r", 0.5, 0.2)});
  ASSERT_EQ(report.matched.size(), 1u);
  EXPECT_FALSE(report.matched[0].baseline_jsd.has_value());
  EXPECT_THAT(PanelSummaryMarkdown(report),
              ::testing::HasSubstr("never this strict"));
}

TEST(PanelReportTest, WritesEveryFile) {
  testing::ScopedTempDir dir;
  const PanelReport report = Example();
  ASSERT_TRUE(WritePanelReport(dir.file("out"), report).ok());
  const std::string csv = ReadFileToString(dir.file("out/points.csv")).value();
  // Header plus one line per point; b3 is off its front.
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);
  EXPECT_THAT(csv, ::testing::HasSubstr(
                       "magnitude,b3,3,0.6,0,0.03,0,0.8,0,0.01,0,0,0\n"));
  const nlohmann::json json = nlohmann::json::parse(
      ReadFileToString(dir.file("out/report.json")).value());
  EXPECT_EQ(json["fronts"].size(), 3u);
  EXPECT_EQ(json["dominance"][0]["dominated"], 1);
  const std::string svg = ReadFileToString(dir.file("out/plot.svg")).value();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  // One front line per method and one marker per point.
  size_t lines = 0, markers = 0;
  for (size_t at = svg.find("<polyline"); at != std::string::npos;
       at = svg.find("<polyline", at + 1)) {
    ++lines;
  }
  for (size_t at = svg.find("<circle"); at != std::string::npos;
       at = svg.find("<circle", at + 1)) {
    ++markers;
  }
  EXPECT_EQ(lines, 3u);
  EXPECT_EQ(markers, 6u);
  EXPECT_THAT(ReadFileToString(dir.file("out/summary.md")).value(),
              ::testing::HasSubstr("| editor | magnitude | 1 / 2 |"));
}

}  // namespace
}  // namespace amend
