// File: tests/testing/temp_dir.h
//
// A fresh, empty folder per test: ctest runs each test in its own process,
// often in parallel, so the folder name carries the suite, the test and the
// process id. Removed on destruction.
//
// Not thread-safe.
#ifndef AMEND_TESTS_TESTING_TEMP_DIR_H_
#define AMEND_TESTS_TESTING_TEMP_DIR_H_

#include <unistd.h>

#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace amend::testing {

class ScopedTempDir {
 public:
  ScopedTempDir() {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            Sanitize("amend_" + std::string(info->test_suite_name()) + "_" +
                     info->name() + "_" + std::to_string(::getpid()) + "_" +
                     std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const {
    return (path_ / name).string();
  }

 private:
  // Parameterised test names contain '/'; keep the folder flat.
  static std::string Sanitize(std::string name) {
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    return name;
  }

  static inline int counter_ = 0;  // several folders in one test
  std::filesystem::path path_;
};

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_TEMP_DIR_H_
