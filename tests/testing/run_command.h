// File: tests/testing/run_command.h
//
// Runs a shell command as a user would and captures what it printed (stdout
// and stderr together) and its exit code, for end-to-end tests of the
// binaries.
//
// Not thread-safe (popen).
#ifndef AMEND_TESTS_TESTING_RUN_COMMAND_H_
#define AMEND_TESTS_TESTING_RUN_COMMAND_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace amend::testing {

struct CommandResult {
  int exit_code;       // -1 when the command did not exit normally
  std::string output;  // stdout and stderr together
};

inline CommandResult RunCommand(const std::string& command) {
  CommandResult result{-1, ""};
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0)
    result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_RUN_COMMAND_H_
