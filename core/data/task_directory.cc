#include "core/data/task_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "core/data/csv_table.h"
#include "core/data/task_assembly.h"
#include "core/data/task_csv.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

namespace fs = std::filesystem;

// A task card is small; a bigger task.json is not one.
constexpr uint64_t kMaxTaskCardBytes = uint64_t{256} << 20;
constexpr uint64_t kMaxDataBytes = uint64_t{4} << 30;

absl::Status SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return absl::OkStatus();  // best effort: the rename happened
  ::fsync(fd);
  ::close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteTaskDirectory(const CreatedTask& created,
                                const std::string& dir) {
  AMEND_RETURN_IF_ERROR(ValidateTaskCard(created.card));
  std::error_code error;
  if (fs::exists(dir, error)) {
    return absl::AlreadyExistsError(absl::StrCat(
        dir, ": already exists; remove it or choose another --out"));
  }
  fs::path target = fs::path(dir).lexically_normal();
  if (target.filename().empty()) target = target.parent_path();
  const fs::path temporary =
      target.parent_path() /
      absl::StrCat(".", target.filename().string(), ".tmp.", ::getpid());
  fs::remove_all(temporary, error);  // a leftover of a killed run
  auto write_all = [&]() -> absl::Status {
    for (const TaskDataFile& file : created.files) {
      AMEND_RETURN_IF_ERROR(
          WriteFileAtomically((temporary / file.path).string(), file.bytes));
    }
    return WriteFileAtomically((temporary / kTaskCardFileName).string(),
                               TaskCardText(created.card));
  };
  absl::Status written = write_all();
  if (written.ok() && ::rename(temporary.c_str(), target.c_str()) != 0) {
    const int code = errno;
    written =
        code == EEXIST || code == ENOTEMPTY
            ? absl::AlreadyExistsError(absl::StrCat(dir, ": already exists"))
            : absl::UnavailableError(absl::StrCat(
                  dir, ": cannot rename the finished folder into place: ",
                  std::strerror(code)));
  }
  if (!written.ok()) {
    fs::remove_all(temporary, error);
    return written;
  }
  return SyncDirectory(target.parent_path().empty() ? fs::path(".")
                                                    : target.parent_path());
}

absl::StatusOr<std::string> FindTaskDirectory(absl::string_view name,
                                              const std::string& tasks_dir) {
  std::error_code error;
  const fs::path as_given(std::string{name});
  if (fs::is_regular_file(as_given / kTaskCardFileName, error))
    return as_given.string();
  const bool plain_name = as_given.filename() == as_given && !name.empty();
  if (plain_name && !tasks_dir.empty()) {
    const fs::path under = fs::path(tasks_dir) / as_given;
    if (fs::is_regular_file(under / kTaskCardFileName, error))
      return under.string();
  }
  return absl::NotFoundError(
      absl::StrCat("task: \"", std::string(name).substr(0, 200),
                   "\" is not adult, bank, a folder with ", kTaskCardFileName,
                   plain_name && !tasks_dir.empty()
                       ? absl::StrCat(", or a task under ", tasks_dir)
                       : std::string(),
                   " (make one with `amend-trainer task create`)"));
}

absl::StatusOr<TaskCard> ReadTaskCard(const std::string& dir) {
  const std::string path = (fs::path(dir) / kTaskCardFileName).string();
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(path, kMaxTaskCardBytes));
  StrictJson parsed = ParseStrictJson(text);
  if (!parsed.error.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", parsed.error.message()));
  }
  auto card = TaskCardFromJson(parsed.value);
  if (!card.ok()) {
    return absl::Status(card.status().code(),
                        absl::StrCat(path, ": ", card.status().message()));
  }
  if (card->reader != "csv") {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": reader \"", card->reader,
                     "\" is for the bundled tasks; load them by name (--task ",
                     card->reader, ")"));
  }
  return card;
}

absl::StatusOr<Task> LoadTaskDirectory(const std::string& dir) {
  AMEND_ASSIGN_OR_RETURN(const TaskCard card, ReadTaskCard(dir));
  std::vector<ParsedCsvFile> files;
  for (const TaskCardFile& entry : card.files) {
    const std::string path = (fs::path(dir) / entry.path).string();
    AMEND_ASSIGN_OR_RETURN(std::string bytes,
                           ReadFileToString(path, kMaxDataBytes));
    const std::string sha256 = Sha256Hex(bytes);
    if (sha256 != entry.sha256) {
      return absl::DataLossError(absl::StrCat(
          path, ": sha256 is ", sha256, ", task.json says ", entry.sha256,
          ": the file changed after the task was made; make the task again "
          "with `amend-trainer task create`"));
    }
    AMEND_ASSIGN_OR_RETURN(const std::string text,
                           CsvTextOf(path, std::move(bytes)));
    ParsedCsvFile file;
    file.name = entry.path;
    file.is_test = entry.role == "test";
    AMEND_ASSIGN_OR_RETURN(file.table,
                           ParseCsvTable(text, entry.path, card.delimiter));
    files.push_back(std::move(file));
  }
  AMEND_ASSIGN_OR_RETURN(const RawTable raw, RawTableFromCsv(card, files));
  return TaskFromCard(card, raw);
}

}  // namespace amend
