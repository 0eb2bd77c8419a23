#include "core/util/sha256.h"

#include <string>

#include "gtest/gtest.h"

namespace amend {
namespace {

// FIPS 180-2 appendix B test vectors.
TEST(Sha256Test, MatchesFipsVectors) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, IncrementalUpdatesEqualOneShotAtEverySplitPoint) {
  std::string message;
  for (int i = 0; i < 200; ++i) message.push_back(static_cast<char>(i * 7 + 3));
  const std::string expected = Sha256Hex(message);
  for (size_t split = 0; split <= message.size(); ++split) {
    Sha256 hasher;
    hasher.Update(absl::string_view(message).substr(0, split));
    hasher.Update(absl::string_view(message).substr(split));
    EXPECT_EQ(hasher.HexDigest(), expected) << "split at " << split;
  }
}

TEST(Sha256Test, FileHashMatchesTheChecksumListOfTheBundledData) {
  // data/SHA256SUMS was made with coreutils' sha256sum, an independent
  // implementation.
  auto digest =
      Sha256OfFile(std::string(AMEND_TEST_DATA_DIR) + "/adult/adult.names");
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest,
            "c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a");
}

TEST(Sha256Test, MissingFileIsNotFound) {
  EXPECT_EQ(Sha256OfFile("/nonexistent/amend/file").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace amend
