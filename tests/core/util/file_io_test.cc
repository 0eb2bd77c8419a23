#include "core/util/file_io.h"

#include <filesystem>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

namespace fs = std::filesystem;

class FileIoTest : public ::testing::Test {
 protected:
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(dir_)) {
      names.push_back(fs::relative(entry.path(), dir_).string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  testing::ScopedTempDir temp_;
  const fs::path& dir_ = temp_.path();
};

TEST_F(FileIoTest, WritesAtomicallyAndLeavesNoTemporaryFile) {
  const std::string path = (dir_ / "sub" / "file.bin").string();
  ASSERT_TRUE(WriteFileAtomically(path, std::string("a\0b", 3)).ok());
  auto contents = ReadFileToString(path);
  ASSERT_TRUE(contents.ok());
  EXPECT_EQ(*contents, std::string("a\0b", 3));
  EXPECT_EQ(Entries(), (std::vector<std::string>{"sub", "sub/file.bin"}));
}

TEST_F(FileIoTest, OverwriteReplacesTheWholeFile) {
  const std::string path = (dir_ / "f").string();
  ASSERT_TRUE(WriteFileAtomically(path, "a long first version").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "short").ok());
  EXPECT_EQ(*ReadFileToString(path), "short");
}

TEST_F(FileIoTest, FailedWriteKeepsTheOldFileAndCleansUp) {
  const std::string path = (dir_ / "target").string();
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  // A folder where the file should be renamed to: the rename fails.
  const std::string blocked = (dir_ / "blocked").string();
  fs::create_directories(fs::path(blocked) / "child");
  EXPECT_FALSE(WriteFileAtomically(blocked, "new").ok());
  EXPECT_EQ(*ReadFileToString(path), "old");
  EXPECT_EQ(Entries(),
            (std::vector<std::string>{"blocked", "blocked/child", "target"}));
}

TEST_F(FileIoTest, ReadRefusesFilesOverTheLimitBeforeAllocating) {
  const std::string path = (dir_ / "big").string();
  ASSERT_TRUE(WriteFileAtomically(path, std::string(100, 'x')).ok());
  auto result = ReadFileToString(path, /*max_bytes=*/99);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(result.status().message().find("at most 99 bytes, got 100"),
            absl::string_view::npos)
      << result.status();
}

TEST_F(FileIoTest, ReadOfMissingFileIsNotFoundAndNamesThePath) {
  auto result = ReadFileToString((dir_ / "missing").string());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find("missing"), absl::string_view::npos);
}

TEST_F(FileIoTest, ReadOfAFolderIsInvalidArgument) {
  EXPECT_EQ(ReadFileToString(dir_.string()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace amend
