// File: tests/testing/interrupted_command.h
//
// Interrupting the binaries as a crash or an operator would: run a command in
// a child, SIGKILL it at a chosen moment, and find the temporary files a
// write in progress left behind. For the resume tests of the long commands.
//
// Not thread-safe (fork).
#ifndef AMEND_TESTS_TESTING_INTERRUPTED_COMMAND_H_
#define AMEND_TESTS_TESTING_INTERRUPTED_COMMAND_H_

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace amend::testing {

// Runs `command` (a shell command, output discarded) in a child, waits until
// `should_kill` says so (polled every 5 ms) or the child exits, and SIGKILLs
// it; true when the kill interrupted it.
inline bool KillWhen(const std::string& command,
                     const std::function<bool()>& should_kill) {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const std::string shell = "exec " + command + " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (!should_kill()) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status);
}

// SIGKILL as soon as `path` exists and is not empty (at most 60 s).
inline bool KillWhenWritten(const std::string& command,
                            const std::filesystem::path& path) {
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  return KillWhen(command, [&] {
    std::error_code error;
    const bool written = std::filesystem::file_size(path, error) > 0 && !error;
    return written || std::chrono::steady_clock::now() >= give_up;
  });
}

// SIGKILL after `delay`.
inline bool KillAfter(const std::string& command,
                      std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  return KillWhen(command,
                  [&] { return std::chrono::steady_clock::now() >= until; });
}

// Files under `dir` that a write in progress left behind (WriteFileAtomically
// names them <file>.tmp.<pid>.<n>).
inline std::vector<std::string> TemporaryFiles(
    const std::filesystem::path& dir) {
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) {
      left.push_back(entry.path().string());
    }
  }
  return left;
}

}  // namespace amend::testing

#endif  // AMEND_TESTS_TESTING_INTERRUPTED_COMMAND_H_
