// CallTorch: which status a LibTorch exception becomes, by whose inputs the
// computation ran on.
#include "core/util/torch_boundary.h"

#include <ATen/ATen.h>

#include <new>
#include <stdexcept>
#include <string>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// LibTorch's own refusals: a matmul of mismatched shapes (plain c10::Error,
// TORCH_CHECK) and an index past the end (c10::IndexError).
absl::StatusOr<at::Tensor> MismatchedMatmul() {
  return at::matmul(at::ones({2, 3}), at::ones({2, 3}));
}
absl::StatusOr<at::Tensor> IndexPastTheEnd() {
  return at::ones({2}).select(0, 5);
}

TEST(CallTorchTest, ErrorsOnTheCallersTensorsAreInvalidArgument) {
  for (auto* fn : {&MismatchedMatmul, &IndexPastTheEnd}) {
    const absl::StatusOr<at::Tensor> unchecked = CallTorch("forward", fn);
    EXPECT_EQ(unchecked.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(unchecked.status().message()),
                StartsWith("forward: "));
    const absl::StatusOr<at::Tensor> explicit_unchecked =
        CallTorch("forward", TorchInputs::kUnchecked, fn);
    EXPECT_EQ(explicit_unchecked.status().code(),
              absl::StatusCode::kInvalidArgument);
  }
}

TEST(CallTorchTest, ErrorsOnValidatedTensorsAreInternal) {
  for (auto* fn : {&MismatchedMatmul, &IndexPastTheEnd}) {
    const absl::StatusOr<at::Tensor> validated =
        CallTorch("editing", TorchInputs::kValidated, fn);
    EXPECT_EQ(validated.status().code(), absl::StatusCode::kInternal);
    EXPECT_THAT(std::string(validated.status().message()),
                StartsWith("editing: "));
  }
}

TEST(CallTorchTest, TheMessageIsLibTorchsWithoutTheBacktrace) {
  const absl::Status status = CallTorch("forward", [] {
    at::matmul(at::ones({2, 3}), at::ones({2, 3}));
    return absl::OkStatus();
  });
  EXPECT_THAT(status.message(), HasSubstr("cannot be multiplied"));
  EXPECT_THAT(status.message(), Not(HasSubstr("Exception raised from")));
}

TEST(CallTorchTest, OtherExceptionsMapAlikeWhateverTheInputs) {
  for (TorchInputs inputs :
       {TorchInputs::kUnchecked, TorchInputs::kValidated}) {
    EXPECT_EQ(
        CallTorch("a", inputs, []() -> absl::Status { throw std::bad_alloc(); })
            .code(),
        absl::StatusCode::kResourceExhausted);
    const absl::Status other = CallTorch(
        "a", inputs, []() -> absl::Status { throw std::runtime_error("x"); });
    EXPECT_EQ(other.code(), absl::StatusCode::kInternal);
    EXPECT_EQ(other.message(), "a: x");
  }
}

TEST(CallTorchTest, ResultsAndStatusesPassThrough) {
  const absl::StatusOr<int> value = CallTorch(
      "a", TorchInputs::kValidated, []() -> absl::StatusOr<int> { return 3; });
  EXPECT_EQ(value.value(), 3);
  EXPECT_EQ(CallTorch("a", [] { return absl::NotFoundError("gone"); }),
            absl::NotFoundError("gone"));
}

}  // namespace
}  // namespace amend
