#include "core/util/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace amend {
namespace {

absl::Status ErrnoStatus(const std::string& path, absl::string_view what,
                         int error) {
  const std::string message =
      absl::StrCat(path, ": ", what, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM)
    return absl::PermissionDeniedError(message);
  if (error == ENOSPC) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

// Closes the descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view contents,
                      const std::string& path) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, "write failed", errno);
    }
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// True when `name` is `temporary_prefix` ("<target>.tmp.") followed by
// "<pid>.<n>" and no process <pid> exists: the temporary file of a writer that
// was killed between creating and renaming it. A live process, ours included,
// keeps its files.
bool IsTemporaryOfADeadWriter(absl::string_view name,
                              absl::string_view temporary_prefix) {
  if (!absl::ConsumePrefix(&name, temporary_prefix)) return false;
  const std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
  int pid = 0;
  uint64_t sequence = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &pid) ||
      !absl::SimpleAtoi(parts[1], &sequence) || pid <= 0) {
    return false;
  }
  if (pid == ::getpid()) return false;
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// A SIGKILL between open and rename leaves "<path>.tmp.<pid>.<n>" behind, and
// nothing else would ever remove it; the next writer of `path` does. A scan
// of a 3,000-entry folder (a zoo's models/) takes about 1 ms here, below the
// write's own fsyncs; it allocates nothing per entry.
void RemoveTemporariesOfDeadWriters(const std::string& folder,
                                    const std::string& target_name) {
  DIR* dir = ::opendir(folder.empty() ? "." : folder.c_str());
  if (dir == nullptr) return;
  const std::string temporary_prefix = absl::StrCat(target_name, ".tmp.");
  std::vector<std::string> stale;
  while (const dirent* entry = ::readdir(dir)) {
    if (IsTemporaryOfADeadWriter(entry->d_name, temporary_prefix)) {
      stale.push_back(entry->d_name);
    }
  }
  ::closedir(dir);
  for (const std::string& name : stale) {
    ::unlink((folder.empty() ? name : folder + "/" + name).c_str());
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             uint64_t max_bytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(path, "cannot open", errno);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0)
    return ErrnoStatus(path, "cannot stat", errno);
  if (!S_ISREG(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be a regular file"));
  }
  const auto size = static_cast<uint64_t>(info.st_size);
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        path, ": file size must be at most ", max_bytes, " bytes, got ", size));
  }
  std::string contents(size, '\0');
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd.get(), contents.data() + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(path, "read failed", errno);
    }
    if (n == 0) break;  // the file shrank while we read it
    done += static_cast<size_t>(n);
  }
  contents.resize(done);
  return contents;
}

absl::Status CreateDirectories(const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat(path, ": cannot create folder: ", error.message()));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view contents) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path final_path(path);
  const std::string folder = final_path.parent_path().string();
  if (absl::Status status = CreateDirectories(folder); !status.ok())
    return status;

  const std::string temp_path =
      absl::StrCat(path, ".tmp.", ::getpid(), ".", counter.fetch_add(1));
  FileDescriptor fd(::open(temp_path.c_str(),
                           O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return ErrnoStatus(temp_path, "cannot create", errno);

  absl::Status status = WriteAll(fd.get(), contents, temp_path);
  if (status.ok() && ::fsync(fd.get()) != 0)
    status = ErrnoStatus(temp_path, "fsync failed", errno);
  if (status.ok() && ::close(fd.Release()) != 0) {
    status = ErrnoStatus(temp_path, "close failed", errno);
  }
  if (status.ok() && ::rename(temp_path.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(path, "rename failed", errno);
  }
  if (!status.ok()) {
    ::unlink(temp_path.c_str());
    return status;
  }
  // Persist the rename itself: fsync the folder entry.
  FileDescriptor dir(
      ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY));
  if (dir.get() >= 0) ::fsync(dir.get());
  RemoveTemporariesOfDeadWriters(folder, final_path.filename().string());
  return absl::OkStatus();
}

}  // namespace amend
