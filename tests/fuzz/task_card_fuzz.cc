// Fuzz target: what `amend-trainer task create` and every task load read from
// a user: the CSV reader (any bytes, separator sniffed) and task.json. A table
// it accepts must be rectangular with unique, non-empty header names and rows
// in file order; a task card it accepts must validate and round-trip through
// its JSON to an equal card.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/data/csv_table.h"
#include "core/data/task_card.h"
#include "core/util/strict_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<amend::CsvTable> table =
      amend::ParseCsvTable(text, "fuzz.csv", /*delimiter=*/0);
  if (table.ok()) {
    std::set<std::string> names(table->header.begin(), table->header.end());
    if (names.size() != table->header.size() || names.count("") != 0)
      std::abort();
    if (table->rows.empty() || table->rows.size() != table->line.size())
      std::abort();
    for (size_t r = 0; r < table->rows.size(); ++r) {
      if (table->rows[r].size() != table->header.size()) std::abort();
      if (r > 0 && table->line[r] <= table->line[r - 1]) std::abort();
    }
  }
  amend::StrictJson parsed = amend::ParseStrictJson(text);
  if (!parsed.error.ok()) return 0;
  const absl::StatusOr<amend::TaskCard> card =
      amend::TaskCardFromJson(parsed.value);
  if (!card.ok()) return 0;
  if (!amend::ValidateTaskCard(*card).ok()) std::abort();
  const absl::StatusOr<amend::TaskCard> again =
      amend::TaskCardFromJson(amend::TaskCardToJson(*card));
  if (!again.ok() || !(*again == *card)) std::abort();
  return 0;
}
