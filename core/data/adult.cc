#include "core/data/adult.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/data/dataset_files.h"
#include "core/data/delimited_text.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

// The 14 attributes in file order (adult.names), then the label.
constexpr struct {
  const char* name;
  bool categorical;
} kAdultColumns[] = {{"age", false},
                     {"workclass", true},
                     {"fnlwgt", false},
                     {"education", true},
                     {"education-num", false},
                     {"marital-status", true},
                     {"occupation", true},
                     {"relationship", true},
                     {"race", true},
                     {"sex", true},
                     {"capital-gain", false},
                     {"capital-loss", false},
                     {"hours-per-week", false},
                     {"native-country", true}};
constexpr size_t kAdultFields = std::size(kAdultColumns) + 1;
constexpr size_t kSexColumn = 9;

absl::Status AppendFile(const std::string& data_dir, const std::string& file,
                        RawTable& table) {
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadVerifiedDataFile(data_dir, file));
  const std::vector<absl::string_view> lines = SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string origin = absl::StrCat(file, ":", i + 1);
    if (lines[i].empty()) continue;
    if (i == 0 && absl::StartsWith(lines[i], "|"))
      continue;  // adult.test's junk first line
    std::vector<std::string> fields = SplitTrimmed(lines[i], ',');
    if (fields.size() != kAdultFields) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": must have ", kAdultFields, " fields, got ",
                       fields.size()));
    }
    std::string label = fields.back();
    if (absl::EndsWith(label, "."))
      label.pop_back();  // adult.test writes "<=50K."
    if (label != ">50K" && label != "<=50K") {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ": income must be >50K or <=50K, got \"",
                       fields.back(), "\""));
    }
    const std::string& sex = fields[kSexColumn];
    if (sex != "Male" && sex != "Female") {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ": sex must be Male or Female, got \"", sex, "\""));
    }
    table.labels.push_back(label == ">50K" ? 1 : 0);
    table.groups.push_back(sex == "Male" ? 1 : 0);
    fields.pop_back();
    table.cells.push_back(std::move(fields));
    table.row_origin.push_back(origin);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RawTable> LoadAdultRaw(const std::string& data_dir) {
  RawTable table;
  for (const auto& column : kAdultColumns)
    table.columns.push_back({column.name, column.categorical});
  AMEND_RETURN_IF_ERROR(AppendFile(data_dir, kAdultTrainFile, table));
  table.official_test_begin = static_cast<int64_t>(table.cells.size());
  AMEND_RETURN_IF_ERROR(AppendFile(data_dir, kAdultTestFile, table));
  return table;
}

}  // namespace amend
