// Fuzz target: audit CSVs as `amend certify` reads them (core/audit/
// audit_set.h), on any bytes. The first byte picks the model (1 to 4 inputs,
// 2 or 3 classes) and whether the label and group columns are named; the rest
// is the file. A refusal must say why; an accepted audit must pass
// ValidateAuditSet for that model (sizes, finite inputs, labels that are
// classes, groups within the bound) and have distinct group names.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "core/audit/audit_set.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  amend::AuditCsvOptions options;
  options.input_dim = 1 + data[0] % 4;
  options.num_classes = 2 + (data[0] / 4) % 2;
  if ((data[0] & 0x10) != 0) options.label_column = "y";
  if ((data[0] & 0x20) != 0) options.group_column = "g";
  const absl::string_view text(reinterpret_cast<const char*>(data) + 1,
                               size - 1);
  const absl::StatusOr<amend::AuditSet> audit =
      amend::ParseAuditCsv(text, "fuzz.csv", options);
  if (!audit.ok()) {
    if (audit.status().message().empty()) std::abort();
    return 0;
  }
  if (!amend::ValidateAuditSet(*audit, options.input_dim, options.num_classes)
           .ok()) {
    std::abort();
  }
  const std::set<std::string> names(audit->group_names.begin(),
                                    audit->group_names.end());
  if (names.size() != audit->group_names.size()) std::abort();
  if (audit->has_groups() == audit->group_column.empty()) std::abort();
  return 0;
}
