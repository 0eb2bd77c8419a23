#include "core/editor/compute_device.h"

#include <ATen/Context.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

TEST(ComputeDeviceTest, TheCpuIsAlwaysThere) {
  const absl::StatusOr<c10::Device> device =
      ParseComputeDevice("cpu", "--device");
  ASSERT_TRUE(device.ok()) << device.status();
  EXPECT_TRUE(device->is_cpu());
  EXPECT_EQ(ComputeDeviceName(*device), "cpu");
}

TEST(ComputeDeviceTest, OtherTextIsRefusedNamingTheField) {
  for (const char* text : {"", "gpu", "CPU", "cuda:", "cuda:-1", "cuda:x",
                           "cuda:1x", "cuda:+1", "cuda:128", "cuda 0"}) {
    SCOPED_TRACE(text);
    const absl::Status status = ParseComputeDevice(text, "--device").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(),
                HasSubstr("--device: expected cpu, cuda or cuda:N"));
  }
}

TEST(ComputeDeviceTest, ACudaDeviceNeedsACudaBuildAndThatGpu) {
  if (at::hasCUDA()) {
    const absl::StatusOr<c10::Device> first = ParseComputeDevice("cuda", "d");
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(ComputeDeviceName(*first), "cuda:0");
    EXPECT_EQ(ParseComputeDevice("cuda:127", "d").status().code(),
              absl::StatusCode::kFailedPrecondition);
    return;
  }
  for (const char* text : {"cuda", "cuda:0", "cuda:3"}) {
    SCOPED_TRACE(text);
    const absl::Status status = ParseComputeDevice(text, "--device").status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(status.message(), HasSubstr("LibTorch has no CUDA"));
    EXPECT_THAT(status.message(), HasSubstr("-DAMEND_CUDA=ON"));
  }
}

}  // namespace
}  // namespace amend
