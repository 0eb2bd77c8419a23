#include "core/data/bank.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/data/dataset_files.h"
#include "core/data/delimited_text.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr struct {
  const char* name;
  bool categorical;
} kBankColumns[] = {{"age", false},      {"job", true},     {"marital", true},
                    {"education", true}, {"default", true}, {"balance", false},
                    {"housing", true},   {"loan", true},    {"contact", true},
                    {"day", false},      {"month", true},   {"duration", false},
                    {"campaign", false}, {"pdays", false},  {"previous", false},
                    {"poutcome", true}};
constexpr size_t kBankFields = std::size(kBankColumns) + 1;
constexpr size_t kAgeColumn = 0;

// AIF360's BankDataset: privileged = 25 <= age < 60.
constexpr int kPrivilegedAgeMin = 25;
constexpr int kPrivilegedAgeEnd = 60;

}  // namespace

absl::StatusOr<RawTable> LoadBankRaw(const std::string& data_dir) {
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadVerifiedDataFile(data_dir, kBankFile));
  const std::vector<absl::string_view> lines = SplitLines(text);
  RawTable table;
  std::vector<std::string> expected_header;
  for (const auto& column : kBankColumns) {
    table.columns.push_back({column.name, column.categorical});
    expected_header.push_back(column.name);
  }
  expected_header.push_back("y");
  if (lines.empty())
    return absl::InvalidArgumentError(absl::StrCat(kBankFile, ": is empty"));
  auto header = SplitQuotedCsv(lines[0], ';');
  if (!header.ok() || *header != expected_header) {
    return absl::InvalidArgumentError(absl::StrCat(
        kBankFile, ":1: header must be ", absl::StrJoin(expected_header, ";")));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::string origin = absl::StrCat(kBankFile, ":", i + 1);
    auto fields = SplitQuotedCsv(lines[i], ';');
    if (!fields.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": ", fields.status().message()));
    }
    if (fields->size() != kBankFields) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": must have ", kBankFields, " fields, got ",
                       fields->size()));
    }
    const std::string& label = fields->back();
    if (label != "yes" && label != "no") {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": y must be yes or no, got \"", label, "\""));
    }
    int age;
    if (!absl::SimpleAtoi((*fields)[kAgeColumn], &age)) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": age must be an integer, got \"",
                       (*fields)[kAgeColumn], "\""));
    }
    table.labels.push_back(label == "yes" ? 1 : 0);
    table.groups.push_back(
        age >= kPrivilegedAgeMin && age < kPrivilegedAgeEnd ? 1 : 0);
    fields->pop_back();
    table.cells.push_back(*std::move(fields));
    table.row_origin.push_back(origin);
  }
  return table;
}

}  // namespace amend
