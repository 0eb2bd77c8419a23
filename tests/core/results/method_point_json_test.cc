// The results codec against JSON written by hand: report.json's point form,
// the form eval caches had before the codec was shared, editor.json's
// figures, and errors that name the field.
#include <nlohmann/json.hpp>

#include "core/results/editor_figures.h"
#include "core/results/method_point.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

// A report.json "points" entry, as panel reports have always written it.
constexpr char kReportPoint[] = R"({
  "method": "magnitude", "setting": "keep=0.25", "models": 12,
  "requirement": {"mean": 0.25, "sd": 0.0},
  "jsd": {"mean": 0.031, "sd": 0.004},
  "accuracy": {"mean": 0.81, "sd": 0.02},
  "seconds_per_model": {"mean": 0.5, "sd": 0.1},
  "disagreement": {"mean": 0.07, "sd": 0.01}})";

// The same point as `amend-trainer eval` cached it before: [mean, sd] pairs
// and "seconds".
constexpr char kLegacyCachePoint[] = R"({
  "method": "magnitude", "setting": "keep=0.25", "models": 12,
  "requirement": [0.25, 0.0], "jsd": [0.031, 0.004],
  "accuracy": [0.81, 0.02], "seconds": [0.5, 0.1],
  "disagreement": [0.07, 0.01]})";

void ExpectTheHandWrittenPoint(const MethodPoint& p) {
  EXPECT_EQ(p.method, "magnitude");
  EXPECT_EQ(p.setting, "keep=0.25");
  EXPECT_EQ(p.models, 12);
  EXPECT_DOUBLE_EQ(p.requirement.mean, 0.25);
  EXPECT_DOUBLE_EQ(p.jsd.mean, 0.031);
  EXPECT_DOUBLE_EQ(p.jsd.sd, 0.004);
  EXPECT_DOUBLE_EQ(p.accuracy.mean, 0.81);
  EXPECT_DOUBLE_EQ(p.seconds.mean, 0.5);
  EXPECT_DOUBLE_EQ(p.seconds.sd, 0.1);
  EXPECT_DOUBLE_EQ(p.disagreement.mean, 0.07);
}

TEST(MethodPointJsonTest, ReadsReportJsonPoints) {
  const absl::StatusOr<MethodPoint> point =
      MethodPointFromJson(nlohmann::json::parse(kReportPoint), "point");
  ASSERT_TRUE(point.ok()) << point.status();
  ExpectTheHandWrittenPoint(*point);
}

TEST(MethodPointJsonTest, ReadsPointsOfOldEvalCaches) {
  const absl::StatusOr<MethodPoint> point =
      MethodPointFromJson(nlohmann::json::parse(kLegacyCachePoint), "point");
  ASSERT_TRUE(point.ok()) << point.status();
  ExpectTheHandWrittenPoint(*point);
}

TEST(MethodPointJsonTest, WritesReportJsonKeys) {
  const MethodPoint point =
      MethodPointFromJson(nlohmann::json::parse(kLegacyCachePoint), "point")
          .value();
  EXPECT_EQ(MethodPointToJson(point), nlohmann::json::parse(kReportPoint));
}

TEST(MethodPointJsonTest, ErrorsNameTheField) {
  nlohmann::json points =
      nlohmann::json::array({nlohmann::json::parse(kReportPoint),
                             nlohmann::json::parse(kReportPoint)});
  points[1]["jsd"]["mean"] = "0.03";
  EXPECT_THAT(MethodPointsFromJson(points, "points").status().message(),
              HasSubstr("points[1].jsd.mean: must be a number, got string"));
  points[1] = nlohmann::json::parse(kLegacyCachePoint);
  points[1]["accuracy"] = nlohmann::json::array({0.8});
  EXPECT_THAT(MethodPointsFromJson(points, "points").status().message(),
              HasSubstr("points[1].accuracy: must be [mean, sd]"));
  points[1].erase("seconds");
  points[1]["accuracy"] = nlohmann::json::array({0.8, 0.0});
  EXPECT_THAT(MethodPointsFromJson(points, "points").status().message(),
              HasSubstr("points[1].seconds_per_model: is required"));
  points[0] = 7;
  EXPECT_THAT(MethodPointsFromJson(points, "points").status().message(),
              HasSubstr("points[0]: must be an object, got number"));
  EXPECT_THAT(MethodPointsFromJson(nlohmann::json::object(), "points")
                  .status()
                  .message(),
              HasSubstr("points: must be an array, got object"));
}

TEST(MethodPointTest, SummarisesMeanAndPopulationSd) {
  const MethodPoint point =
      SummarisePoint("editor", "lambda=0.1",
                     {{.jsd = 0.01, .accuracy_after = 0.8, .seconds = 1.0},
                      {.jsd = 0.03, .accuracy_after = 0.6, .seconds = 3.0}});
  EXPECT_EQ(point.models, 2);
  EXPECT_DOUBLE_EQ(point.jsd.mean, 0.02);
  EXPECT_DOUBLE_EQ(point.jsd.sd, 0.01);
  EXPECT_DOUBLE_EQ(point.accuracy.mean, 0.7);
  EXPECT_DOUBLE_EQ(point.seconds.sd, 1.0);
  EXPECT_EQ(SummarisePoint("x", "-", {}).jsd.sd, 0.0);
}

// editor.json's "validation" block (docs/EDITOR_FORMAT.md).
constexpr char kFigures[] = R"({
  "models": 40, "data": "validation",
  "jsd": {"mean": 0.02, "sd": 0.005},
  "requirement": {"mean": 0.4, "sd": 0.05},
  "features_kept": {"mean": 5.5, "sd": 1.0},
  "weights_kept": {"mean": 0.9, "sd": 0.01},
  "accuracy_before": {"mean": 0.84, "sd": 0.01},
  "accuracy_after": {"mean": 0.83, "sd": 0.01},
  "eod_before": {"mean": 0.1, "sd": 0.02},
  "eod_after": {"mean": 0.09, "sd": 0.02}})";

TEST(EditorFiguresJsonTest, RoundTripsEditorJsonFigures) {
  const nlohmann::json json = nlohmann::json::parse(kFigures);
  const absl::StatusOr<EditorFigures> figures =
      EditorFiguresFromJson(json, "validation");
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(figures->models, 40);
  EXPECT_EQ(figures->data, "validation");
  EXPECT_DOUBLE_EQ(figures->features_kept.mean, 5.5);
  EXPECT_DOUBLE_EQ(figures->eod_after.sd, 0.02);
  EXPECT_EQ(EditorFiguresToJson(*figures), json);
}

TEST(EditorFiguresJsonTest, ErrorsNameTheField) {
  nlohmann::json json = nlohmann::json::parse(kFigures);
  json["weights_kept"].erase("sd");
  EXPECT_THAT(EditorFiguresFromJson(json, "test").status().message(),
              HasSubstr("test.weights_kept.sd: is required"));
}

TEST(EditorFiguresJsonTest, RefusesTheEvalCachesPairForm) {
  // [mean, sd] was only ever written by eval caches; editor.json readers
  // (checkpoints, the server) keep requiring the object.
  nlohmann::json json = nlohmann::json::parse(kFigures);
  json["jsd"] = {0.001, 0.0};
  EXPECT_THAT(EditorFiguresFromJson(json, "validation").status().message(),
              HasSubstr("validation.jsd"));
}

TEST(EditorFiguresTest, SummarisesEveryField) {
  // Two models whose every figure differs, so a field summarised from the
  // wrong record member shows: means and population sds by hand.
  const EditorFigures figures = Summarise({{.requirement = 0.5,
                                            .jsd = 0.01,
                                            .accuracy_before = 0.80,
                                            .accuracy_after = 0.70,
                                            .eod_before = 0.30,
                                            .eod_after = 0.10,
                                            .features_kept = 3,
                                            .weights_kept = 0.2},
                                           {.requirement = 0.7,
                                            .jsd = 0.03,
                                            .accuracy_before = 0.84,
                                            .accuracy_after = 0.76,
                                            .eod_before = 0.50,
                                            .eod_after = 0.14,
                                            .features_kept = 5,
                                            .weights_kept = 0.6}},
                                          "test");
  EXPECT_EQ(figures.models, 2);
  EXPECT_EQ(figures.data, "test");
  EXPECT_DOUBLE_EQ(figures.jsd.mean, 0.02);
  EXPECT_DOUBLE_EQ(figures.jsd.sd, 0.01);
  EXPECT_DOUBLE_EQ(figures.requirement.mean, 0.6);
  EXPECT_DOUBLE_EQ(figures.features_kept.mean, 4.0);
  EXPECT_DOUBLE_EQ(figures.features_kept.sd, 1.0);
  EXPECT_DOUBLE_EQ(figures.weights_kept.mean, 0.4);
  EXPECT_DOUBLE_EQ(figures.weights_kept.sd, 0.2);
  EXPECT_DOUBLE_EQ(figures.accuracy_before.mean, 0.82);
  EXPECT_DOUBLE_EQ(figures.accuracy_after.mean, 0.73);
  EXPECT_DOUBLE_EQ(figures.eod_before.mean, 0.40);
  EXPECT_DOUBLE_EQ(figures.eod_after.mean, 0.12);
  EXPECT_DOUBLE_EQ(figures.eod_after.sd, 0.02);
}

}  // namespace
}  // namespace amend
