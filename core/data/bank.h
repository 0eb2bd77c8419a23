// File: core/data/bank.h
//
// Reader of UCI Bank Marketing (bank-full.csv, 2012 version) into a RawTable:
// ';'-separated with a header row and double-quoted strings. All 16 attributes
// are kept, `duration` included (see docs/DATA.md). Label 1 = y "yes"; group 1
// = 25 <= age < 60 (privileged, the AIF360 convention).
//
// Thread-safe.
#ifndef AMEND_CORE_DATA_BANK_H_
#define AMEND_CORE_DATA_BANK_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/data/preprocessing.h"

namespace amend {

inline constexpr char kBankFile[] = "bank-marketing/bank-full.csv.gz";

absl::StatusOr<RawTable> LoadBankRaw(const std::string& data_dir);

}  // namespace amend

#endif  // AMEND_CORE_DATA_BANK_H_
