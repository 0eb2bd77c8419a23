// File: core/data/task_csv.h
//
// Records of a "csv" task card from its parsed files: the card's feature
// columns (empty cells become the missing token), the label mapped to its
// class, the sensitive rule applied. Shared by `task create` (with a card
// that has roles but no statistics yet) and by loading a task folder, so both
// read rows the same way.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(RawTable raw, RawTableFromCsv(card, files));
//
// Thread-safe (pure function).
#ifndef AMEND_CORE_DATA_TASK_CSV_H_
#define AMEND_CORE_DATA_TASK_CSV_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/data/csv_table.h"
#include "core/data/preprocessing.h"
#include "core/data/task_card.h"

namespace amend {

struct ParsedCsvFile {
  std::string name;  // for messages: "data/credit.csv"
  CsvTable table;
  bool is_test = false;  // rows form the test split
};

// Types of the feature columns come from card.features (name, categorical);
// the rest of the card's statistics are not read. InvalidArgument naming the
// file, line, column and value for: a header other than card.columns, a
// missing or unknown label, a missing or non-numeric sensitive value. Test
// files must come after the data file.
absl::StatusOr<RawTable> RawTableFromCsv(
    const TaskCard& card, const std::vector<ParsedCsvFile>& files);

// An empty cell or the missing token: what every reader of a user's CSV
// treats as missing.
bool IsMissingCell(const std::string& cell, const std::string& missing_token);

// The privileged group of one cell under `rule`; InvalidArgument (without a
// location prefix) when the cell is missing or, for a range, not a number.
absl::StatusOr<bool> IsPrivileged(const GroupRule& rule,
                                  const std::string& cell,
                                  const std::string& missing_token);

}  // namespace amend

#endif  // AMEND_CORE_DATA_TASK_CSV_H_
