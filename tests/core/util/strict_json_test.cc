#include "core/util/strict_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

TEST(StrictJsonTest, ParsesValidJson) {
  const StrictJson parsed = ParseStrictJson(R"({"a": 1, "b": {"a": 2}})");
  ASSERT_TRUE(parsed.error.ok()) << parsed.error;
  EXPECT_EQ(parsed.value["b"]["a"], 2);  // the same key in another object
}

TEST(StrictJsonTest, RefusesADuplicateKeyAtAnyDepth) {
  const StrictJson top = ParseStrictJson(R"({"a": 1, "a": 2})");
  EXPECT_THAT(top.error.message(),
              HasSubstr("'a' appears twice in one JSON object"));
  EXPECT_EQ(top.duplicate_key, "a");
  EXPECT_EQ(top.duplicate_depth, 1);
  EXPECT_TRUE(top.value.is_discarded());

  const StrictJson nested =
      ParseStrictJson(R"({"layers": [{"width": 1, "width": 2}]})");
  EXPECT_EQ(nested.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(nested.duplicate_key, "width");
  EXPECT_EQ(nested.duplicate_depth, 3);  // object, array, object
}

TEST(StrictJsonTest, RefusesInvalidJson) {
  const StrictJson parsed = ParseStrictJson("{\"a\": ");
  EXPECT_EQ(parsed.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(parsed.error.message(), HasSubstr("must be valid JSON"));
  EXPECT_TRUE(parsed.duplicate_key.empty());
}

}  // namespace
}  // namespace amend
