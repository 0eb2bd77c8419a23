#include "core/data/task_card.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/data/csv_table.h"
#include "core/util/client_text.h"
#include "core/util/json_field.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr size_t kMaxTaskNameBytes = 64;

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::StatusOr<std::vector<std::string>> StringList(
    const nlohmann::json& object, const char* key, absl::string_view path) {
  const std::string name = absl::StrCat(path, ".", key);
  auto it = object.find(key);
  if (it == object.end()) return FieldError(name, "is required");
  if (!it->is_array()) {
    return FieldError(name,
                      absl::StrCat("must be an array, got ", it->type_name()));
  }
  std::vector<std::string> values;
  for (size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return FieldError(
          absl::StrCat(name, "[", i, "]"),
          absl::StrCat("must be a string, got ", (*it)[i].type_name()));
    }
    values.push_back((*it)[i].get<std::string>());
  }
  return values;
}

absl::StatusOr<nlohmann::json> ObjectField(const nlohmann::json& object,
                                           const char* key,
                                           absl::string_view path) {
  return JsonField<nlohmann::json>(object, key, path);
}

}  // namespace

absl::Status ValidateTaskName(absl::string_view name, absl::string_view field) {
  bool ok =
      !name.empty() && name.size() <= kMaxTaskNameBytes && name.front() != '.';
  for (const char c : name) {
    ok = ok && (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                c == '.' || c == '_' || c == '-');
  }
  if (ok) return absl::OkStatus();
  return FieldError(
      field, absl::StrCat("must be 1..", kMaxTaskNameBytes,
                          " letters, digits, '.', '_' or '-' not starting "
                          "with '.', got \"",
                          ClientText(name), "\""));
}

absl::Status ValidateTaskCard(const TaskCard& card) {
  AMEND_RETURN_IF_ERROR(ValidateTaskName(card.name));
  if (card.reader != "csv" && card.reader != "adult" && card.reader != "bank")
    return FieldError("reader", "must be csv, adult or bank");
  for (size_t i = 0; i < card.files.size(); ++i) {
    const TaskCardFile& file = card.files[i];
    const std::string field = absl::StrCat("files[", i, "]");
    if (file.role != "data" && file.role != "validation" && file.role != "test")
      return FieldError(field + ".role", "must be data, validation or test");
    if (file.path.empty() || file.path.front() == '/' ||
        file.path.find("..") != std::string::npos) {
      return FieldError(field + ".path",
                        "must be a relative path inside the task folder");
    }
    if (file.sha256.size() != 64)
      return FieldError(field + ".sha256", "must be 64 hex digits");
  }
  if (card.reader == "csv" &&
      (card.files.empty() || card.files.front().role != "data")) {
    return FieldError("files", "must start with the data file");
  }
  if (card.missing_token.empty())
    return FieldError("csv.missing", "must not be empty");
  if (!DelimiterFromName(DelimiterName(card.delimiter)).ok())
    return FieldError("csv.delimiter", "must be one of , ; tab |");
  if (!absl::c_linear_search(card.columns, card.label_column))
    return FieldError("label.column", "must be one of columns");
  if (card.class_names.size() < 2 ||
      card.class_names.size() > static_cast<size_t>(kMaxTaskClasses) ||
      std::set<std::string>(card.class_names.begin(), card.class_names.end())
              .size() != card.class_names.size()) {
    return FieldError(
        "label.classes",
        absl::StrCat("must be 2..", kMaxTaskClasses, " different names"));
  }
  if (card.positive_value.empty()) {
    if (card.label_binarized)
      return FieldError("label.positive", "must be set when binarized");
  } else if (card.class_names.size() != 2 ||
             (!card.label_binarized &&
              card.class_names[1] != card.positive_value)) {
    return FieldError("label.classes",
                      "must be two names, the second the positive value, "
                      "when label.positive is set");
  }
  if (card.sensitive &&
      !absl::c_linear_search(card.columns, card.sensitive->column))
    return FieldError("sensitive.column", "must be one of columns");
  if (card.sensitive && card.sensitive->is_range &&
      !(card.sensitive->low < card.sensitive->high)) {
    return FieldError("sensitive.range", "must be [low, high] with low < high");
  }
  if (card.features.empty()) return FieldError("features", "must not be empty");
  std::set<std::string> seen;
  for (size_t i = 0; i < card.features.size(); ++i) {
    const Feature& feature = card.features[i];
    const std::string field = absl::StrCat("features[", i, "]");
    if (!absl::c_linear_search(card.columns, feature.name) ||
        feature.name == card.label_column || !seen.insert(feature.name).second)
      return FieldError(field + ".name",
                        "must be a column other than the label, once");
    if (feature.categorical && feature.categories.empty())
      return FieldError(field + ".categories", "must not be empty");
    if (!std::isfinite(feature.mean))
      return FieldError(field + ".mean", "must be finite");
    if (!std::isfinite(feature.stddev) || feature.stddev <= 0)
      return FieldError(field + ".stddev", "must be finite and > 0");
  }
  const double cut = card.validation_fraction + card.test_fraction;
  // A validation file makes the splits the files: both fractions 0.
  const bool files_split = absl::c_any_of(
      card.files, [](const TaskCardFile& f) { return f.role == "validation"; });
  if (files_split ? (card.validation_fraction != 0 || card.test_fraction != 0)
                  : (card.validation_fraction <= 0 || card.test_fraction < 0 ||
                     cut >= 1)) {
    return FieldError("split",
                      files_split ? "fractions must be 0 with a validation file"
                                  : "fractions must be validation > 0, test "
                                    ">= 0, sum < 1");
  }
  for (const char code : card.split_assignment) {
    if (code != kAssignTrain && code != kAssignValidation &&
        code != kAssignTest) {
      return FieldError("split.assignment", "must hold only 0, 1 and 2");
    }
  }
  return absl::OkStatus();
}

std::string TaskCardText(const TaskCard& card) {
  return TaskCardToJson(card).dump(2) + "\n";
}

nlohmann::json TaskCardToJson(const TaskCard& card) {
  nlohmann::json files = nlohmann::json::array();
  for (const TaskCardFile& file : card.files) {
    files.push_back({{"path", file.path},
                     {"role", file.role},
                     {"sha256", file.sha256},
                     {"bytes", file.bytes}});
  }
  nlohmann::json features = nlohmann::json::array();
  for (const Feature& feature : card.features) {
    nlohmann::json entry = {
        {"name", feature.name},
        {"type", feature.categorical ? "categorical" : "numeric"},
        {"mean", feature.mean},
        {"stddev", feature.stddev}};
    if (feature.categorical) entry["categories"] = feature.categories;
    // Written only when set, so cards without attributes keep their bytes.
    if (!feature.attribute.empty()) entry["attribute"] = feature.attribute;
    features.push_back(std::move(entry));
  }
  nlohmann::json sensitive = nullptr;
  if (card.sensitive) {
    sensitive = {{"column", card.sensitive->column},
                 {"group_names", card.sensitive->group_names}};
    if (card.sensitive->is_range) {
      sensitive["range"] = {card.sensitive->low, card.sensitive->high};
    } else {
      sensitive["privileged_values"] = card.sensitive->privileged_values;
    }
  }
  return {{"format", kTaskCardFormat},
          {"name", card.name},
          {"reader", card.reader},
          {"files", files},
          {"csv",
           {{"delimiter", DelimiterName(card.delimiter)},
            {"missing", card.missing_token}}},
          {"columns", card.columns},
          {"label",
           {{"column", card.label_column},
            {"positive", card.positive_value},
            {"binarized", card.label_binarized},
            {"classes", card.class_names}}},
          {"sensitive", sensitive},
          {"ignored", card.ignored},
          {"features", features},
          {"split",
           {{"seed", card.split_seed},
            {"validation_fraction", card.validation_fraction},
            {"test_fraction", card.test_fraction},
            {"assignment", card.split_assignment}}}};
}

absl::StatusOr<TaskCard> TaskCardFromJson(const nlohmann::json& json) {
  constexpr absl::string_view kRoot = "task";
  if (!json.is_object()) return FieldError(kRoot, "must be a JSON object");
  AMEND_ASSIGN_OR_RETURN(const std::string format,
                         JsonField<std::string>(json, "format", kRoot));
  if (format != kTaskCardFormat) {
    return FieldError("task.format",
                      absl::StrCat("must be \"", kTaskCardFormat, "\", got \"",
                                   ClientText(format), "\""));
  }
  TaskCard card;
  AMEND_ASSIGN_OR_RETURN(card.name,
                         JsonField<std::string>(json, "name", kRoot));
  AMEND_ASSIGN_OR_RETURN(card.reader,
                         JsonField<std::string>(json, "reader", kRoot));
  auto files = json.find("files");
  if (files == json.end() || !files->is_array())
    return FieldError("task.files", "must be an array");
  for (size_t i = 0; i < files->size(); ++i) {
    const std::string path = absl::StrCat("task.files[", i, "]");
    TaskCardFile file;
    AMEND_ASSIGN_OR_RETURN(file.path,
                           JsonField<std::string>((*files)[i], "path", path));
    AMEND_ASSIGN_OR_RETURN(file.role,
                           JsonField<std::string>((*files)[i], "role", path));
    AMEND_ASSIGN_OR_RETURN(file.sha256,
                           JsonField<std::string>((*files)[i], "sha256", path));
    AMEND_ASSIGN_OR_RETURN(file.bytes,
                           JsonField<int64_t>((*files)[i], "bytes", path));
    card.files.push_back(std::move(file));
  }
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json csv,
                         ObjectField(json, "csv", kRoot));
  AMEND_ASSIGN_OR_RETURN(const std::string delimiter,
                         JsonField<std::string>(csv, "delimiter", "task.csv"));
  auto delimiter_char = DelimiterFromName(delimiter);
  if (!delimiter_char.ok())
    return FieldError("task.csv.delimiter", delimiter_char.status().message());
  card.delimiter = *delimiter_char;
  AMEND_ASSIGN_OR_RETURN(card.missing_token,
                         JsonField<std::string>(csv, "missing", "task.csv"));
  AMEND_ASSIGN_OR_RETURN(card.columns, StringList(json, "columns", kRoot));
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json label,
                         ObjectField(json, "label", kRoot));
  AMEND_ASSIGN_OR_RETURN(card.label_column,
                         JsonField<std::string>(label, "column", "task.label"));
  AMEND_ASSIGN_OR_RETURN(
      card.positive_value,
      JsonField<std::string>(label, "positive", "task.label"));
  auto binarized = label.find("binarized");
  if (binarized == label.end() || !binarized->is_boolean())
    return FieldError("task.label.binarized", "must be true or false");
  card.label_binarized = binarized->get<bool>();
  AMEND_ASSIGN_OR_RETURN(card.class_names,
                         StringList(label, "classes", "task.label"));
  auto sensitive = json.find("sensitive");
  if (sensitive == json.end())
    return FieldError("task.sensitive", "is required (null when none)");
  if (!sensitive->is_null()) {
    constexpr absl::string_view kPath = "task.sensitive";
    GroupRule rule;
    AMEND_ASSIGN_OR_RETURN(rule.column,
                           JsonField<std::string>(*sensitive, "column", kPath));
    AMEND_ASSIGN_OR_RETURN(const std::vector<std::string> names,
                           StringList(*sensitive, "group_names", kPath));
    if (names.size() != 2)
      return FieldError("task.sensitive.group_names", "must hold two names");
    rule.group_names = {names[0], names[1]};
    if (auto range = sensitive->find("range"); range != sensitive->end()) {
      if (!range->is_array() || range->size() != 2 ||
          !(*range)[0].is_number() || !(*range)[1].is_number()) {
        return FieldError("task.sensitive.range", "must be [low, high]");
      }
      rule.is_range = true;
      rule.low = (*range)[0].get<double>();
      rule.high = (*range)[1].get<double>();
    } else {
      AMEND_ASSIGN_OR_RETURN(
          rule.privileged_values,
          StringList(*sensitive, "privileged_values", kPath));
    }
    card.sensitive = std::move(rule);
  }
  AMEND_ASSIGN_OR_RETURN(card.ignored, StringList(json, "ignored", kRoot));
  auto features = json.find("features");
  if (features == json.end() || !features->is_array())
    return FieldError("task.features", "must be an array");
  for (size_t i = 0; i < features->size(); ++i) {
    const std::string path = absl::StrCat("task.features[", i, "]");
    const nlohmann::json& entry = (*features)[i];
    Feature feature;
    AMEND_ASSIGN_OR_RETURN(feature.name,
                           JsonField<std::string>(entry, "name", path));
    AMEND_ASSIGN_OR_RETURN(const std::string type,
                           JsonField<std::string>(entry, "type", path));
    if (type != "numeric" && type != "categorical")
      return FieldError(path + ".type", "must be numeric or categorical");
    feature.categorical = type == "categorical";
    if (feature.categorical) {
      AMEND_ASSIGN_OR_RETURN(feature.categories,
                             StringList(entry, "categories", path));
    }
    AMEND_ASSIGN_OR_RETURN(feature.mean,
                           JsonField<double>(entry, "mean", path));
    AMEND_ASSIGN_OR_RETURN(feature.stddev,
                           JsonField<double>(entry, "stddev", path));
    if (entry.contains("attribute")) {
      AMEND_ASSIGN_OR_RETURN(feature.attribute,
                             JsonField<std::string>(entry, "attribute", path));
      if (feature.attribute.empty())
        return FieldError(path + ".attribute", "must not be empty when given");
    }
    card.features.push_back(std::move(feature));
  }
  AMEND_ASSIGN_OR_RETURN(const nlohmann::json split,
                         ObjectField(json, "split", kRoot));
  AMEND_ASSIGN_OR_RETURN(card.split_seed,
                         JsonField<uint64_t>(split, "seed", "task.split"));
  AMEND_ASSIGN_OR_RETURN(
      card.validation_fraction,
      JsonField<double>(split, "validation_fraction", "task.split"));
  AMEND_ASSIGN_OR_RETURN(
      card.test_fraction,
      JsonField<double>(split, "test_fraction", "task.split"));
  AMEND_ASSIGN_OR_RETURN(
      card.split_assignment,
      JsonField<std::string>(split, "assignment", "task.split"));
  absl::Status valid = ValidateTaskCard(card);
  if (!valid.ok())
    return absl::InvalidArgumentError(absl::StrCat("task.", valid.message()));
  return card;
}

}  // namespace amend
