// File: core/data/preprocessing.h
//
// From raw records to model inputs: categorical values become integer codes
// (the rank of the value in byte-wise sorted order of all values the task's
// files contain, so '?' sorts first and is its own value), numeric strings are
// parsed, then every column is standardised with the train split's mean and
// population standard deviation.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(EncodedTable encoded, EncodeTable(raw));
//   Standardize(train_rows, encoded);
//
// Thread-safe (pure functions).
#ifndef AMEND_CORE_DATA_PREPROCESSING_H_
#define AMEND_CORE_DATA_PREPROCESSING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

// Records as read from a task's files, before encoding.
struct RawTable {
  struct Column {
    std::string name;
    bool categorical = false;
  };
  std::vector<Column> columns;  // feature columns in file order
  // [row][column], whitespace-trimmed.
  std::vector<std::vector<std::string>> cells;
  std::vector<int64_t> labels;          // [row]
  std::vector<int8_t> groups;           // [row], 1 = privileged
  std::vector<std::string> row_origin;  // [row], "file:line" for error messages
  // Rows from this index on come from an official test file (adult.test); -1
  // when there is none.
  int64_t official_test_begin = -1;
  // A numeric cell equal to this is missing (NaN when encoded, the train mean
  // when standardised). Empty: every numeric cell must be a number.
  std::string missing_token;
};

struct EncodedTable {
  // [column], empty for numeric columns.
  std::vector<std::vector<std::string>> categories;
  std::vector<double> values;  // [row, column] row-major
  int64_t rows = 0;
  int64_t columns = 0;
};

// The cell's value when it is a finite number (absl::SimpleAtod), else
// nullopt: the one rule every data reader uses for "is a number".
std::optional<double> FiniteNumber(absl::string_view cell);

// Parses numeric cells (InvalidArgument naming the file, line and column when
// one is not a number) and codes categorical cells: by the given code tables
// (one per column, empty for numeric ones; a value not in its table is
// InvalidArgument), or when `categories` is null by a table of every value in
// `raw`.
absl::StatusOr<EncodedTable> EncodeTable(
    const RawTable& raw,
    const std::vector<std::vector<std::string>>* categories = nullptr);

struct ColumnStatistics {
  std::vector<double> mean;    // [column]
  std::vector<double> stddev;  // [column], 1 where the column is constant
};

// Mean and population sd of every column over `rows`, leaving out missing
// (NaN) values.
ColumnStatistics ComputeStatistics(const EncodedTable& table,
                                   const std::vector<int64_t>& rows);

// (value - mean) / stddev for the given rows, as float32, row-major
// [rows.size(), columns]; a missing value becomes 0 (the mean).
std::vector<float> StandardizeRows(const EncodedTable& table,
                                   const ColumnStatistics& statistics,
                                   const std::vector<int64_t>& rows);

}  // namespace amend

#endif  // AMEND_CORE_DATA_PREPROCESSING_H_
