#include "core/util/gzip.h"

#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

std::string ReadBundled(const std::string& relative) {
  auto bytes =
      ReadFileToString(std::string(AMEND_TEST_DATA_DIR) + "/" + relative);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.value_or("");
}

TEST(GzipTest, InflatesToTheOriginalUciBytes) {
  // SHA256SUMS.uncompressed pins the original adult.data (5b0026...), hashed
  // before compression.
  auto text = GunzipToString(ReadBundled("adult/adult.data.gz"),
                             "adult.data.gz", 64 << 20);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(Sha256Hex(*text),
            "5b00264637dbfec36bdeaab5676b0b309ff9eb788d63554ca0a249491c86603d");
}

TEST(GzipTest, RefusesTruncatedData) {
  const std::string gz = ReadBundled("adult/adult.data.gz");
  auto text = GunzipToString(gz.substr(0, gz.size() / 2), "half.gz", 64 << 20);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(text.status().message().find("half.gz"), absl::string_view::npos);
}

TEST(GzipTest, RefusesNonGzipBytes) {
  EXPECT_EQ(
      GunzipToString("plain text, not gzip", "x", 1 << 20).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST(GzipTest, StopsAtTheOutputBound) {
  auto text =
      GunzipToString(ReadBundled("adult/adult.data.gz"), "adult.data.gz", 1000);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace amend
