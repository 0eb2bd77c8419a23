// File: core/util/strict_json.h
//
// The one JSON policy for everything Amend reads (safetensors headers,
// architecture JSON, editor and zoo files): the text must be valid JSON and
// no object may repeat a key. nlohmann keeps the last of duplicate keys
// silently, so two readers of the same file could disagree on its meaning;
// the safetensors format forbids duplicates, and we hold every format to it.
//
// Example:
//   StrictJson parsed = ParseStrictJson(text);
//   if (!parsed.error.ok()) return parsed.error;
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_STRICT_JSON_H_
#define AMEND_CORE_UTIL_STRICT_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace amend {

struct StrictJson {
  nlohmann::json value;  // discarded unless error is OK
  // OK; or InvalidArgument "must be valid JSON" / "'<key>' appears twice in
  // one JSON object" (callers prefix the field they parsed).
  absl::Status error;
  // Set with a duplicate: the repeated key (shortened, client text) and the
  // depth of its object (1: the top-level object).
  std::string duplicate_key;
  int duplicate_depth = 0;
};

StrictJson ParseStrictJson(absl::string_view text);

}  // namespace amend

#endif  // AMEND_CORE_UTIL_STRICT_JSON_H_
