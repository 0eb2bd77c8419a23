#include "core/data/task_create.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/data/csv_table.h"
#include "core/data/task_assembly.h"
#include "core/data/task_csv.h"
#include "core/util/client_text.h"
#include "core/util/file_io.h"
#include "core/util/gzip.h"
#include "core/util/sha256.h"
#include "core/util/status_macros.h"

namespace amend {
namespace {

constexpr uint64_t kMaxCsvBytes = uint64_t{4} << 30;
constexpr size_t kValuesShown = 8;

absl::Status Invalid(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

std::string ShowValues(const std::set<std::string>& values) {
  std::vector<std::string> shown;
  for (const std::string& value : values) {
    if (shown.size() == kValuesShown) break;
    shown.push_back(absl::StrCat("\"", ClientText(value), "\""));
  }
  std::string text = absl::StrJoin(shown, ", ");
  if (values.size() > kValuesShown)
    absl::StrAppend(&text, ", ... (", values.size(), " in all)");
  return text;
}

// Walks one column of every file in order.
class Columns {
 public:
  explicit Columns(const std::vector<ParsedCsvFile>& files) : files_(files) {}

  // Visit(cell, file, row) returns false to stop.
  template <typename Visit>
  void ForEach(size_t column, Visit visit) const {
    for (const ParsedCsvFile& file : files_) {
      for (size_t r = 0; r < file.table.rows.size(); ++r) {
        if (!visit(file.table.rows[r][column], file, r)) return;
      }
    }
  }

 private:
  const std::vector<ParsedCsvFile>& files_;
};

std::string Where(const ParsedCsvFile& file, size_t row,
                  absl::string_view column) {
  return absl::StrCat(file.name, ":", file.table.line[row], ": column ",
                      ClientText(column));
}

absl::StatusOr<std::vector<double>> ParseSplit(
    const std::vector<double>& percent, bool has_test_file) {
  std::vector<double> split = percent;
  if (split.empty())
    split = has_test_file ? std::vector<double>{80, 20}
                          : std::vector<double>{60, 20, 20};
  const size_t expected = has_test_file ? 2 : 3;
  double sum = 0.0;
  for (const double p : split) sum += p;
  bool ok = split.size() == expected && std::abs(sum - 100.0) < 1e-9 &&
            split[0] > 0 && split[1] > 0;
  for (const double p : split) ok = ok && std::isfinite(p) && p >= 0;
  if (ok && !has_test_file) ok = split[2] > 0;
  if (!ok) {
    return Invalid(absl::StrCat(
        "split: must be ",
        has_test_file ? "train/validation percentages (a test file gives the "
                        "test split), e.g. 80/20"
                      : "train/validation/test percentages, e.g. 60/20/20",
        ", each > 0, summing to 100, got ", absl::StrJoin(split, "/")));
  }
  return split;
}

absl::StatusOr<ParsedCsvFile> ReadCsv(const std::string& path, bool is_test,
                                      char delimiter, std::string& bytes) {
  auto read = ReadFileToString(path, kMaxCsvBytes);
  if (!read.ok()) {
    return absl::Status(read.status().code(),
                        absl::StrCat(path, ": ", read.status().message()));
  }
  bytes = *std::move(read);
  AMEND_ASSIGN_OR_RETURN(const std::string text, CsvTextOf(path, bytes));
  ParsedCsvFile file;
  file.name = path;  // messages name the user's file while creating
  file.is_test = is_test;
  AMEND_ASSIGN_OR_RETURN(file.table, ParseCsvTable(text, path, delimiter));
  return file;
}

// Every label value its own class: in numeric order when every value is a
// number (so "2" comes before "10"), else in byte order.
absl::StatusOr<std::vector<std::string>> EveryValueAClass(
    const std::string& label, const std::set<std::string>& values) {
  if (values.size() < 2) {
    return Invalid(absl::StrCat("column ", ClientText(label), ": every row is ",
                                ShowValues(values),
                                "; a classifier needs two classes"));
  }
  if (values.size() > static_cast<size_t>(kMaxTaskClasses)) {
    return Invalid(absl::StrCat("column ", ClientText(label), ": has ",
                                values.size(), " values, more than the ",
                                kMaxTaskClasses,
                                " classes a task may have (is it a label?)"));
  }
  std::vector<std::string> classes(values.begin(), values.end());
  if (absl::c_all_of(classes, [](const std::string& v) {
        return FiniteNumber(v).has_value();
      })) {
    std::stable_sort(classes.begin(), classes.end(),
                     [](const std::string& a, const std::string& b) {
                       return *FiniteNumber(a) < *FiniteNumber(b);
                     });
  }
  return classes;
}

// Sets each feature's attribute from --feature_groups (or, with
// --inputs_as_is, the separator) and says which columns each attribute has.
absl::Status AssignAttributes(const TaskCreateOptions& options,
                              std::vector<Feature>& features,
                              CreatedTask& created) {
  const std::string& separator = options.group_separator;
  if (options.feature_groups.empty() &&
      (!options.inputs_as_is || separator.empty())) {
    return absl::OkStatus();
  }
  if (separator.empty()) {
    return Invalid(
        "--group_separator: must not be empty with --feature_groups");
  }
  std::map<std::string, std::vector<std::string>> columns_of;
  for (Feature& feature : features) {
    if (options.feature_groups.empty()) {
      const size_t at = feature.name.find(separator);
      if (at != std::string::npos && at > 0)
        feature.attribute = feature.name.substr(0, at);
    } else {
      for (const std::string& group : options.feature_groups) {
        if (absl::StartsWith(feature.name, group + separator)) {
          feature.attribute = group;
          break;
        }
      }
    }
    if (!feature.attribute.empty())
      columns_of[feature.attribute].push_back(feature.name);
  }
  for (const std::string& group : options.feature_groups) {
    if (!columns_of.count(group)) {
      return Invalid(absl::StrCat("--feature_groups: no column starts with \"",
                                  ClientText(group + separator), "\""));
    }
  }
  for (const Feature& feature : features) {
    if (feature.attribute.empty() && columns_of.count(feature.name)) {
      return Invalid(absl::StrCat(
          "column ", ClientText(feature.name),
          ": has the name of the attribute of columns ",
          ClientText(absl::StrJoin(columns_of[feature.name], ", "), 200),
          "; rename it or --ignore it"));
    }
  }
  for (const auto& [attribute, columns] : columns_of) {
    created.notes.push_back(
        absl::StrCat("attribute ", ClientText(attribute), ": ", columns.size(),
                     " inputs (", ClientText(absl::StrJoin(columns, ", "), 200),
                     "), kept or removed together"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> CsvTextOf(const std::string& path,
                                      std::string bytes) {
  if (!absl::EndsWith(path, ".gz")) return bytes;
  return GunzipToString(bytes, path, kMaxCsvBytes);
}

absl::StatusOr<CreatedTask> CreateTask(const TaskCreateOptions& options) {
  CreatedTask created;
  TaskCard& card = created.card;
  AMEND_RETURN_IF_ERROR(ValidateTaskName(options.name, "--name"));
  if (options.name == "adult" || options.name == "bank") {
    return Invalid(absl::StrCat("--name: \"", options.name,
                                "\" is a bundled task; choose another name"));
  }
  if (options.data_path.empty()) return Invalid("--data is required");
  if (options.label.empty()) return Invalid("--label is required");
  if (options.missing_token.empty())
    return Invalid(
        "--missing: must not be empty (empty cells are missing too)");
  if (options.sensitive.empty() != options.privileged.empty())
    return Invalid("--sensitive and --privileged go together");
  const bool has_test = !options.test_path.empty();
  // A validation file with a test file: the files are the splits.
  const bool files_split = !options.validation_path.empty();
  if (files_split && !has_test)
    return Invalid("--validation needs --test (the files are the splits)");
  if (files_split && !options.split_percent.empty()) {
    return Invalid(
        "--split: the --data, --validation and --test files are the splits");
  }
  AMEND_ASSIGN_OR_RETURN(std::vector<double> split,
                         files_split
                             ? absl::StatusOr<std::vector<double>>(
                                   std::vector<double>{100.0, 0.0, 0.0})
                             : ParseSplit(options.split_percent, has_test));

  card.name = options.name;
  card.reader = "csv";
  card.missing_token = options.missing_token;
  card.split_seed = options.seed;
  card.validation_fraction = split[1] / 100.0;
  card.test_fraction = has_test ? 0.0 : split[2] / 100.0;

  std::vector<ParsedCsvFile> files;
  const std::filesystem::path data_path(options.data_path);
  {
    std::string bytes;
    const std::string stored =
        (std::filesystem::path("data") / data_path.filename()).string();
    AMEND_ASSIGN_OR_RETURN(
        ParsedCsvFile file,
        ReadCsv(options.data_path, false, options.delimiter, bytes));
    card.delimiter = file.table.delimiter;
    card.columns = file.table.header;
    card.files.push_back(
        {stored, "data", Sha256Hex(bytes), static_cast<int64_t>(bytes.size())});
    created.files.push_back({stored, std::move(bytes)});
    files.push_back(std::move(file));
  }
  // The validation and test files: the data file's columns, stored under
  // their role's folder.
  for (const auto& [path, role] :
       {std::pair{&options.validation_path, "validation"},
        std::pair{&options.test_path, "test"}}) {
    if (path->empty()) continue;
    std::string bytes;
    const std::string stored =
        (std::filesystem::path(role) / std::filesystem::path(*path).filename())
            .string();
    AMEND_ASSIGN_OR_RETURN(
        ParsedCsvFile file,
        ReadCsv(*path, std::string(role) == "test", card.delimiter, bytes));
    if (file.table.header != card.columns) {
      return Invalid(
          absl::StrCat(*path, ": its header must equal the data file's (",
                       ClientText(absl::StrJoin(card.columns, ","), 200), ")"));
    }
    card.files.push_back(
        {stored, role, Sha256Hex(bytes), static_cast<int64_t>(bytes.size())});
    created.files.push_back({stored, std::move(bytes)});
    files.push_back(std::move(file));
  }
  created.notes.push_back(absl::StrCat("separator '",
                                       DelimiterName(card.delimiter), "', ",
                                       card.columns.size(), " columns"));

  const std::vector<std::string>& header = card.columns;
  auto require_column = [&](const std::string& name,
                            absl::string_view flag) -> absl::Status {
    if (absl::c_linear_search(header, name)) return absl::OkStatus();
    return Invalid(absl::StrCat(
        "--", flag, ": no column \"", ClientText(name), "\" in ",
        options.data_path,
        " (columns: ", ClientText(absl::StrJoin(header, ", "), 300), ")"));
  };
  AMEND_RETURN_IF_ERROR(require_column(options.label, "label"));
  for (const auto& [list, flag] :
       {std::pair{&options.categorical, "categorical"},
        std::pair{&options.numeric, "numeric"},
        std::pair{&options.ignore, "ignore"}}) {
    for (const std::string& name : *list) {
      AMEND_RETURN_IF_ERROR(require_column(name, flag));
      if (name == options.label) {
        return Invalid(absl::StrCat("--", flag, ": \"", ClientText(name),
                                    "\" is the label"));
      }
    }
  }
  for (const std::string& name : options.categorical) {
    if (absl::c_linear_search(options.numeric, name)) {
      return Invalid(absl::StrCat("\"", ClientText(name),
                                  "\" is in both --categorical and --numeric"));
    }
  }
  if (!options.sensitive.empty())
    AMEND_RETURN_IF_ERROR(require_column(options.sensitive, "sensitive"));
  card.label_column = options.label;
  card.ignored = options.ignore;

  const Columns columns(files);
  const std::string& missing = options.missing_token;
  auto index_of = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) -
                               header.begin());
  };

  // The label.
  std::set<std::string> label_values;
  absl::Status label_status;
  columns.ForEach(
      index_of(options.label),
      [&](const std::string& cell, const ParsedCsvFile& file, size_t row) {
        if (IsMissingCell(cell, missing)) {
          label_status = Invalid(absl::StrCat(Where(file, row, options.label),
                                              ": the label is missing"));
          return false;
        }
        label_values.insert(cell);
        return true;
      });
  AMEND_RETURN_IF_ERROR(label_status);
  if (options.positive.empty()) {
    AMEND_ASSIGN_OR_RETURN(card.class_names,
                           EveryValueAClass(options.label, label_values));
    created.notes.push_back(absl::StrCat(
        "label ", options.label, ": ", card.class_names.size(),
        " classes, in this order: ",
        ClientText(absl::StrJoin(card.class_names, ", ")),
        card.class_names.size() == 2
            ? absl::StrCat(" (\"", card.class_names[1],
                           "\" is class 1; --positive names it)")
            : "; fairness editors need a binary label (--positive V "
              "--binarize_label)"));
  } else if (!label_values.count(options.positive)) {
    return Invalid(absl::StrCat("--positive: \"", ClientText(options.positive),
                                "\" never occurs in column ", options.label,
                                " (its values: ", ShowValues(label_values),
                                ")"));
  } else if (label_values.size() == 1) {
    return Invalid(absl::StrCat("column ", options.label, ": every row is \"",
                                ClientText(options.positive),
                                "\"; a classifier needs two classes"));
  } else if (label_values.size() == 2) {
    card.positive_value = options.positive;
    label_values.erase(options.positive);
    card.class_names = {*label_values.begin(), options.positive};
  } else if (options.binarize_label) {
    card.positive_value = options.positive;
    card.label_binarized = true;
    card.class_names = {absl::StrCat("not ", options.positive),
                        options.positive};
    created.notes.push_back(absl::StrCat(
        "label ", options.label, ": ", label_values.size(), " values; \"",
        options.positive, "\" is class 1, the others class 0"));
  } else {
    return Invalid(absl::StrCat(
        "column ", options.label, ": has ", label_values.size(), " values (",
        ShowValues(label_values), "); pass --binarize_label to make \"",
        ClientText(options.positive),
        "\" class 1 and every other value class 0 (fairness editors need "
        "two classes), or leave out --positive for a ",
        label_values.size(), "-class task (pruning and data minimisation)"));
  }

  // Feature columns: their types, inferred where not given.
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string& name = header[c];
    if (name == options.label || absl::c_linear_search(options.ignore, name))
      continue;
    std::set<std::string> values;
    int64_t missing_cells = 0;
    const std::string* first_text = nullptr;
    std::string first_text_where;
    columns.ForEach(
        c, [&](const std::string& cell, const ParsedCsvFile& file, size_t row) {
          if (IsMissingCell(cell, missing)) {
            ++missing_cells;
            return true;
          }
          if (first_text == nullptr && !FiniteNumber(cell)) {
            first_text = &cell;
            first_text_where = Where(file, row, name);
          }
          values.insert(cell);
          return true;
        });
    if (values.empty()) {
      return Invalid(absl::StrCat("column ", ClientText(name),
                                  ": every value is missing; leave it out "
                                  "with --ignore ",
                                  ClientText(name)));
    }
    if (options.inputs_as_is && (missing_cells > 0 || first_text != nullptr)) {
      return Invalid(absl::StrCat(
          first_text != nullptr ? first_text_where
                                : absl::StrCat("column ", ClientText(name)),
          ": --inputs_as_is, but ",
          first_text != nullptr
              ? absl::StrCat("\"", ClientText(*first_text),
                             "\" is not a number")
              : absl::StrCat(missing_cells, " cells are missing"),
          " (every model input must be a number; --ignore a column that is "
          "not one)"));
    }
    if (values.size() == 1 && missing_cells == 0 && options.inputs_as_is) {
      created.notes.push_back(absl::StrCat(
          ClientText(name), ": constant (\"", ClientText(*values.begin()),
          "\"), kept: it is one of the model's inputs"));
    } else if (values.size() == 1 && missing_cells == 0) {
      return Invalid(absl::StrCat(
          "column ", ClientText(name), ": is constant (\"",
          ClientText(*values.begin()),
          "\" in every row), so no model can use it; leave it out with "
          "--ignore ",
          ClientText(name)));
    }
    const bool forced_numeric = absl::c_linear_search(options.numeric, name);
    const bool forced_categorical =
        absl::c_linear_search(options.categorical, name);
    if (forced_numeric && first_text != nullptr) {
      return Invalid(absl::StrCat(first_text_where, ": --numeric, but \"",
                                  ClientText(*first_text),
                                  "\" is not a number"));
    }
    const bool categorical =
        forced_categorical || (!forced_numeric && first_text != nullptr);
    std::string note = absl::StrCat(
        name, ": ", categorical ? "categorical" : "numeric",
        categorical
            ? absl::StrCat(", ", values.size() + (missing_cells > 0), " values")
            : "");
    if (forced_numeric || forced_categorical) {
      absl::StrAppend(&note, " (as given)");
    } else if (categorical) {
      absl::StrAppend(&note, " (inferred: \"", ClientText(*first_text),
                      "\" is not a number, ", first_text_where, ")");
    } else {
      absl::StrAppend(&note, " (inferred: every value is a number)");
    }
    if (missing_cells > 0) {
      absl::StrAppend(&note, "; ", missing_cells, " missing",
                      categorical ? " (a category of their own)"
                                  : " (set to the train mean)");
    }
    created.notes.push_back(std::move(note));
    Feature feature;
    feature.name = name;
    feature.categorical = categorical;
    card.features.push_back(std::move(feature));
  }
  if (card.features.empty()) {
    return Invalid(
        "no feature columns left: every column is the label or ignored");
  }

  // The sensitive attribute.
  if (!options.sensitive.empty()) {
    const size_t column = index_of(options.sensitive);
    std::set<std::string> values;
    bool all_numbers = true;
    columns.ForEach(
        column, [&](const std::string& cell, const ParsedCsvFile&, size_t) {
          if (!IsMissingCell(cell, missing)) {
            values.insert(cell);
            all_numbers = all_numbers && FiniteNumber(cell).has_value();
          }
          return true;
        });
    GroupRule rule;
    rule.column = options.sensitive;
    const std::vector<std::string> range =
        absl::StrSplit(options.privileged, "..");
    double low = 0.0, high = 0.0;
    const bool is_range = range.size() == 2 &&
                          absl::SimpleAtod(range[0], &low) &&
                          absl::SimpleAtod(range[1], &high);
    const bool feature_is_categorical = std::any_of(
        card.features.begin(), card.features.end(), [&](const Feature& f) {
          return f.name == options.sensitive && f.categorical;
        });
    if (is_range && all_numbers && !feature_is_categorical) {
      if (!(std::isfinite(low) && std::isfinite(high) && low < high)) {
        return Invalid(
            absl::StrCat("--privileged: the range must be LO..HI "
                         "with LO < HI, got \"",
                         ClientText(options.privileged), "\""));
      }
      rule.is_range = true;
      rule.low = low;
      rule.high = high;
      rule.group_names = {
          absl::StrCat(options.sensitive, " < ", range[0], " or ",
                       options.sensitive, " >= ", range[1]),
          absl::StrCat(range[0], " <= ", options.sensitive, " < ", range[1])};
    } else {
      rule.privileged_values = absl::StrSplit(options.privileged, ',');
      std::sort(rule.privileged_values.begin(), rule.privileged_values.end());
      rule.privileged_values.erase(std::unique(rule.privileged_values.begin(),
                                               rule.privileged_values.end()),
                                   rule.privileged_values.end());
      for (const std::string& value : rule.privileged_values) {
        if (!values.count(value)) {
          return Invalid(absl::StrCat(
              "--privileged: \"", ClientText(value),
              "\" never occurs in column ", options.sensitive,
              " (its values: ", ShowValues(values),
              is_range ? "; a LO..HI range needs a numeric column" : "", ")"));
        }
      }
      std::set<std::string> others = values;
      for (const std::string& value : rule.privileged_values)
        others.erase(value);
      const std::string privileged = absl::StrJoin(rule.privileged_values, ",");
      rule.group_names = {
          others.size() == 1
              ? *others.begin()
              : absl::StrCat(options.sensitive, " not in {", privileged, "}"),
          rule.privileged_values.size() == 1
              ? privileged
              : absl::StrCat(options.sensitive, " in {", privileged, "}")};
    }
    card.sensitive = std::move(rule);
  }

  AMEND_ASSIGN_OR_RETURN(const RawTable raw, RawTableFromCsv(card, files));
  if (card.sensitive) {
    const int64_t privileged =
        std::count(raw.groups.begin(), raw.groups.end(), int8_t{1});
    if (privileged == 0 ||
        privileged == static_cast<int64_t>(raw.groups.size())) {
      return Invalid(absl::StrCat(
          "--sensitive ", options.sensitive, ": every row is in the ",
          privileged == 0 ? "unprivileged" : "privileged",
          " group; equalised odds needs rows of both"));
    }
    created.notes.push_back(absl::StrCat(
        "groups by ", options.sensitive, ": \"", card.sensitive->group_names[1],
        "\" privileged (", privileged, " rows), \"",
        card.sensitive->group_names[0], "\" (",
        raw.groups.size() - static_cast<size_t>(privileged), " rows)"));
  }

  // The split: stratified by label, seeded.
  const int64_t data_rows = has_test ? raw.official_test_begin
                                     : static_cast<int64_t>(raw.labels.size());
  const std::vector<int64_t> data_labels(raw.labels.begin(),
                                         raw.labels.begin() + data_rows);
  SplitRows parts;
  if (files_split) {
    const auto train_rows = static_cast<int64_t>(files[0].table.rows.size());
    for (int64_t r = 0; r < data_rows; ++r)
      parts[r < train_rows ? 0 : 1].push_back(r);
    for (int64_t r = data_rows; r < static_cast<int64_t>(raw.labels.size());
         ++r)
      parts[2].push_back(r);
  } else if (has_test) {
    std::vector<std::vector<int64_t>> cut = StratifiedSplit(
        data_labels, {card.validation_fraction}, card.split_seed);
    parts[0] = cut[1];
    parts[1] = cut[0];
    for (int64_t r = data_rows; r < static_cast<int64_t>(raw.labels.size());
         ++r)
      parts[2].push_back(r);
  } else {
    std::vector<std::vector<int64_t>> cut = StratifiedSplit(
        data_labels, {card.validation_fraction, card.test_fraction},
        card.split_seed);
    parts = {cut[2], cut[0], cut[1]};
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    std::vector<int64_t> rows_of_class(card.class_names.size(), 0);
    for (const int64_t r : parts[p])
      ++rows_of_class[static_cast<size_t>(raw.labels[static_cast<size_t>(r)])];
    const int64_t rows = static_cast<int64_t>(parts[p].size());
    for (size_t k = 0; k < rows_of_class.size(); ++k) {
      if (rows > 0 && rows_of_class[k] == 0) {
        return Invalid(absl::StrCat(
            "split: the ", SplitNameString(kAllSplits[p]), " split (", rows,
            " rows) has no row of class \"", ClientText(card.class_names[k]),
            "\"; use more data or other --split fractions"));
      }
    }
  }
  AMEND_RETURN_IF_ERROR(CompleteTaskCard(raw, parts, card));
  AMEND_RETURN_IF_ERROR(AssignAttributes(options, card.features, created));
  if (options.inputs_as_is) {
    for (Feature& feature : card.features) {
      feature.mean = 0.0;  // the user's preprocessing made the inputs
      feature.stddev = 1.0;
    }
  }
  AMEND_RETURN_IF_ERROR(ValidateTaskCard(card));
  if (files_split) {
    created.notes.push_back(
        absl::StrCat("split by file: train ", parts[0].size(), ", validation ",
                     parts[1].size(), ", test ", parts[2].size(), " rows"));
    return created;
  }
  created.notes.push_back(absl::StrCat(
      "split (seed ", card.split_seed, "): train ", parts[0].size(),
      ", validation ", parts[1].size(), ", test ", parts[2].size(), " rows"));
  return created;
}

}  // namespace amend
