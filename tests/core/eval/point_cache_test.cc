// amend-trainer eval's per-family caches: old caches still load, a torn or
// foreign file is recomputed, and a hand-edited one is an error that names
// the file and the field instead of a crash.
#include "core/eval/point_cache.h"

#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

const nlohmann::json& Settings() {
  static const nlohmann::json settings = {{"task", "adult"}, {"seed", 0}};
  return settings;
}

// A cache as `amend-trainer eval` wrote it before the codec was shared.
std::string LegacyCache(const std::string& models) {
  return R"({"settings": {"task": "adult", "seed": 0}, "points": [
    {"method": "original", "setting": "-", "models": )" +
         models + R"(,
     "requirement": [1.0, 0.0], "jsd": [0.0, 0.0], "accuracy": [0.84, 0.01],
     "seconds": [0.0, 0.0], "disagreement": [0.0, 0.0]}]})";
}

TEST(EvalPointCacheTest, OldCachesStillLoad) {
  testing::ScopedTempDir dir;
  const std::string path = dir.file("baselines.json");
  ASSERT_TRUE(WriteFileAtomically(path, LegacyCache("3")).ok());
  const auto cached = ReadCachedPoints(path, Settings());
  ASSERT_TRUE(cached.ok()) << cached.status();
  ASSERT_TRUE(cached->has_value());
  ASSERT_EQ((*cached)->size(), 1u);
  EXPECT_EQ((**cached)[0].method, "original");
  EXPECT_EQ((**cached)[0].models, 3);
  EXPECT_DOUBLE_EQ((**cached)[0].accuracy.mean, 0.84);
}

TEST(EvalPointCacheTest, AHandEditedCacheIsAnErrorNamingFileAndField) {
  testing::ScopedTempDir dir;
  const std::string path = dir.file("baselines.json");
  ASSERT_TRUE(WriteFileAtomically(path, LegacyCache("\"three\"")).ok());
  const auto cached = ReadCachedPoints(path, Settings());
  EXPECT_EQ(cached.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(cached.status().message(), HasSubstr(path));
  EXPECT_THAT(cached.status().message(),
              HasSubstr("points[0].models: must be an integer, got string"));
  ASSERT_TRUE(
      WriteFileAtomically(path, R"({"settings": {"task": "adult", "seed": 0}})")
          .ok());
  EXPECT_THAT(ReadCachedPoints(path, Settings()).status().message(),
              HasSubstr(path + ": points: is required"));
}

TEST(EvalPointCacheTest, NothingToReuseIsRecomputed) {
  testing::ScopedTempDir dir;
  const std::string path = dir.file("baselines.json");
  EXPECT_EQ(ReadCachedPoints(path, Settings()).value(), std::nullopt);
  // Torn, foreign (not an object: once an uncaught throw) or for other
  // settings.
  for (const std::string& text : {std::string("{\"settings\": "),
                                  std::string("[1, 2]"), LegacyCache("3")}) {
    ASSERT_TRUE(WriteFileAtomically(path, text).ok());
    const nlohmann::json other = {{"task", "bank"}, {"seed", 0}};
    const auto cached = ReadCachedPoints(path, other);
    ASSERT_TRUE(cached.ok()) << text << ": " << cached.status();
    EXPECT_EQ(*cached, std::nullopt) << text;
  }
}

TEST(EvalPointCacheTest, WritesReportJsonPointsAndReadsThemBack) {
  testing::ScopedTempDir dir;
  const std::string path = dir.file("runs/editor.json");
  MethodPoint point;
  point.method = "editor";
  point.setting = "lambda=0.1";
  point.models = 4;
  point.seconds = {0.2, 0.01};
  ASSERT_TRUE(WriteCachedPoints(path, Settings(), {point}).ok());
  const nlohmann::json saved =
      nlohmann::json::parse(ReadFileToString(path).value());
  EXPECT_EQ(saved["points"][0]["seconds_per_model"],
            nlohmann::json::parse(R"({"mean": 0.2, "sd": 0.01})"));
  const auto cached = ReadCachedPoints(path, Settings()).value();
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ((*cached)[0].setting, "lambda=0.1");
  EXPECT_DOUBLE_EQ((*cached)[0].seconds.sd, 0.01);
}

}  // namespace
}  // namespace amend
