// The editors on the front of their validation figures: what the sweep
// reports and the server marks.
#include "core/editor/editor_front.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

EditorManifest WithValidation(double requirement, double jsd) {
  EditorManifest manifest;
  manifest.validation.requirement.mean = requirement;
  manifest.validation.jsd.mean = jsd;
  // Were test figures read, every editor would tie on the front.
  manifest.test.requirement.mean = 0.0;
  manifest.test.jsd.mean = 0.0;
  return manifest;
}

TEST(EditorFrontTest, ByValidationRequirementAndJsd) {
  const EditorManifest a = WithValidation(0.5, 0.01);
  const EditorManifest b = WithValidation(0.3, 0.02);
  const EditorManifest dominated = WithValidation(0.6, 0.03);
  const EditorManifest same_as_a = WithValidation(0.5, 0.01);
  EXPECT_THAT(ParetoOptimalEditors({&a, &b, &dominated, &same_as_a}),
              ::testing::ElementsAre(true, true, false, true));
  EXPECT_TRUE(ParetoOptimalEditors({}).empty());
}

}  // namespace
}  // namespace amend
