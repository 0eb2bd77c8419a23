// The flags of amend-trainer task create and task synth.
#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/data/csv_table.h"
#include "core/util/status_macros.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

ABSL_FLAG(std::string, data, "",
          "task create: the CSV file (.csv or .csv.gz, with a header line).");
ABSL_FLAG(std::string, test, "",
          "task create: a CSV file of the same columns whose rows are the "
          "test split.");
ABSL_FLAG(std::string, name, "",
          "task create: the task's name (default: the --out folder's name).");
ABSL_FLAG(std::string, label, "", "task create: the label column.");
ABSL_FLAG(std::string, positive, "",
          "task create: the label value that is class 1 (leave it out for a "
          "multi-class task: every value a class; no fairness editors).");
ABSL_FLAG(bool, binarize_label, false,
          "task create: accept a label of more than two values: --positive "
          "is class 1, every other value class 0.");
ABSL_FLAG(std::string, sensitive, "",
          "task create: the sensitive attribute's column (fairness).");
ABSL_FLAG(std::string, privileged, "",
          "task create: the privileged group: VALUE or VALUE,VALUE of a "
          "categorical column, LO..HI (LO <= x < HI) of a numeric one.");
ABSL_FLAG(std::string, categorical, "",
          "task create: columns to treat as categorical (comma-separated).");
ABSL_FLAG(std::string, numeric, "",
          "task create: columns to treat as numeric (comma-separated).");
ABSL_FLAG(std::string, ignore, "",
          "task create: columns that are not model inputs (comma-separated).");
ABSL_FLAG(std::string, missing, "?",
          "task create: the missing-value token (empty cells are missing "
          "too).");
ABSL_FLAG(std::string, delimiter, "",
          "task create: the separator: , ; tab or | (default: sniffed from "
          "the header).");
ABSL_FLAG(std::string, split, "",
          "task create: train/validation/test percentages, e.g. 60/20/20 "
          "(the default), or train/validation with --test (default 80/20).");
ABSL_FLAG(std::string, validation, "",
          "task create: with --test, a CSV file of the same columns whose rows "
          "are the validation split (the files are then the splits).");
ABSL_FLAG(bool, inputs_as_is, false,
          "task create: the columns are the model's inputs as your own "
          "preprocessing made them: every one a number, none standardised.");
ABSL_FLAG(std::string, feature_groups, "",
          "task create: attributes made of several columns (e.g. one-hot): "
          "NAME groups the columns NAME<separator>... (comma-separated); "
          "with --inputs_as_is every column containing the separator is "
          "grouped by default.");
ABSL_FLAG(std::string, group_separator, "=",
          "task create: the separator between an attribute and its value in "
          "grouped column names, e.g. occupation=Sales.");
ABSL_FLAG(int64_t, rows, 4000, "task synth: number of rows.");

namespace amend::trainer {
namespace {

std::vector<std::string> ColumnList(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipEmpty());
}

absl::StatusOr<TaskCreateCommandOptions> TaskCreateOptionsFromFlags() {
  TaskCreateCommandOptions options;
  TaskCreateOptions& task = options.task;
  options.output_dir = OutFromFlags();
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_dir, "out"));
  task.data_path = absl::GetFlag(FLAGS_data);
  AMEND_RETURN_IF_ERROR(RequireFlag(task.data_path, "data"));
  task.label = absl::GetFlag(FLAGS_label);
  AMEND_RETURN_IF_ERROR(RequireFlag(task.label, "label"));
  task.positive = absl::GetFlag(FLAGS_positive);
  task.name = absl::GetFlag(FLAGS_name);
  if (task.name.empty()) {
    task.name = std::filesystem::path(options.output_dir)
                    .lexically_normal()
                    .filename()
                    .string();
    if (task.name.empty()) {
      task.name = std::filesystem::path(options.output_dir)
                      .lexically_normal()
                      .parent_path()
                      .filename()
                      .string();
    }
  }
  task.test_path = absl::GetFlag(FLAGS_test);
  task.validation_path = absl::GetFlag(FLAGS_validation);
  task.inputs_as_is = absl::GetFlag(FLAGS_inputs_as_is);
  task.feature_groups = ColumnList(absl::GetFlag(FLAGS_feature_groups));
  task.group_separator = absl::GetFlag(FLAGS_group_separator);
  task.binarize_label = absl::GetFlag(FLAGS_binarize_label);
  task.sensitive = absl::GetFlag(FLAGS_sensitive);
  task.privileged = absl::GetFlag(FLAGS_privileged);
  task.categorical = ColumnList(absl::GetFlag(FLAGS_categorical));
  task.numeric = ColumnList(absl::GetFlag(FLAGS_numeric));
  task.ignore = ColumnList(absl::GetFlag(FLAGS_ignore));
  task.missing_token = absl::GetFlag(FLAGS_missing);
  if (const std::string delimiter = absl::GetFlag(FLAGS_delimiter);
      !delimiter.empty()) {
    auto parsed = DelimiterFromName(delimiter);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", parsed.status().message()));
    }
    task.delimiter = *parsed;
  }
  if (const std::string split = absl::GetFlag(FLAGS_split); !split.empty()) {
    for (absl::string_view part : absl::StrSplit(split, '/')) {
      double percent = 0.0;
      if (!absl::SimpleAtod(part, &percent)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--split: must be percentages like 60/20/20, got \"", split, "\""));
      }
      task.split_percent.push_back(percent);
    }
  }
  task.seed =
      absl::GetFlag(FLAGS_seed) == 0 ? kSplitSeed : absl::GetFlag(FLAGS_seed);
  return options;
}

absl::StatusOr<TaskSynthCommandOptions> TaskSynthOptionsFromFlags() {
  TaskSynthCommandOptions options;
  options.output_path = OutFromFlags();
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_path, "out"));
  options.synthetic.rows = absl::GetFlag(FLAGS_rows);
  if (options.synthetic.rows < 10) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rows: must be at least 10, got ", options.synthetic.rows));
  }
  options.synthetic.seed = absl::GetFlag(FLAGS_seed);
  return options;
}

}  // namespace

Subcommand TaskCreateSubcommand() {
  return {"task create",
          "--data F.csv --label COL [--positive V] [--sensitive COL "
          "--privileged V|LO..HI] [--test F.csv | --split 60/20/20] --out "
          "tasks/NAME   make a task folder from your data",
          {"data",
           "test",
           "validation",
           "inputs_as_is",
           "feature_groups",
           "group_separator",
           "name",
           "label",
           "positive",
           "binarize_label",
           "sensitive",
           "privileged",
           "categorical",
           "numeric",
           "ignore",
           "missing",
           "delimiter",
           "split",
           "seed",
           "out",
           "o"},
          [] {
            return RunWithOptions("task create", TaskCreateOptionsFromFlags(),
                                  RunTaskCreateCommand);
          }};
}

Subcommand TaskSynthSubcommand() {
  return {"task synth",
          "--rows N --seed S --out F.csv   a synthetic data set with planted "
          "features (for trying the chain)",
          {"rows", "seed", "out", "o"},
          [] {
            return RunWithOptions("task synth", TaskSynthOptionsFromFlags(),
                                  RunTaskSynthCommand);
          }};
}

}  // namespace amend::trainer
