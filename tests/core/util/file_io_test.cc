#include "core/util/file_io.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
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

// The pid of a child that has exited and been reaped: no process has it until
// the kernel hands it out again, which takes a full cycle of the pid space.
int PidOfAnExitedProcess() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST_F(FileIoTest, WriteRemovesWhatAKilledWriterOfTheSameFileLeft) {
  const int dead = PidOfAnExitedProcess();
  const std::string path = (dir_ / "report.json").string();
  const auto touch = [&](const std::string& name) {
    std::ofstream(dir_ / name) << "partial";
  };
  touch(absl::StrCat("report.json.tmp.", dead, ".0"));
  touch(absl::StrCat("report.json.tmp.", dead, ".7"));
  // Kept: a live writer (our parent), a different file, names that merely
  // look alike.
  touch(absl::StrCat("report.json.tmp.", ::getppid(), ".0"));
  touch(absl::StrCat("other.json.tmp.", dead, ".0"));
  touch(absl::StrCat("report.json.tmp.", dead));
  touch("report.json.tmp.notapid.0");
  ASSERT_TRUE(WriteFileAtomically(path, "final").ok());
  EXPECT_EQ(*ReadFileToString(path), "final");
  std::vector<std::string> kept = {
      absl::StrCat("other.json.tmp.", dead, ".0"), "report.json",
      absl::StrCat("report.json.tmp.", dead),
      absl::StrCat("report.json.tmp.", ::getppid(), ".0"),
      "report.json.tmp.notapid.0"};
  std::sort(kept.begin(), kept.end());
  EXPECT_EQ(Entries(), kept);
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
