// File: core/data/adult.h
//
// Reader of UCI Adult (adult.data then adult.test) into a RawTable. Handles the
// files' quirks:
// ", " separators (fields are trimmed), no header, the junk first line "|1x3
// Cross validator" of adult.test, labels ending in '.' there, '?' for missing
// values (kept as its own category), and the trailing empty line. Label 1 =
// ">50K"; group 1 = sex "Male" (privileged), 0 = "Female".
//
// Thread-safe.
#ifndef AMEND_CORE_DATA_ADULT_H_
#define AMEND_CORE_DATA_ADULT_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/data/preprocessing.h"

namespace amend {

inline constexpr char kAdultTrainFile[] = "adult/adult.data.gz";
inline constexpr char kAdultTestFile[] = "adult/adult.test.gz";

absl::StatusOr<RawTable> LoadAdultRaw(const std::string& data_dir);

}  // namespace amend

#endif  // AMEND_CORE_DATA_ADULT_H_
