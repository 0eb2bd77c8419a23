// File: core/util/json_field.h
//
// Reads one typed field of a JSON object, with an error that names it:
//   "config.batch_size: must be a number, got string".
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_JSON_FIELD_H_
#define AMEND_CORE_UTIL_JSON_FIELD_H_

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace amend {

template <typename T>
absl::StatusOr<T> JsonField(const nlohmann::json& object, const char* key,
                            absl::string_view path) {
  const std::string name = path.empty() ? key : absl::StrCat(path, ".", key);
  auto it = object.find(key);
  if (it == object.end())
    return absl::InvalidArgumentError(absl::StrCat(name, ": is required"));
  bool ok;
  const char* expected;
  if constexpr (std::is_same_v<T, std::string>) {
    ok = it->is_string();
    expected = "a string";
  } else if constexpr (std::is_same_v<T, nlohmann::json>) {
    ok = it->is_object();
    expected = "an object";
  } else if constexpr (std::is_floating_point_v<T>) {
    ok = it->is_number();
    expected = "a number";
  } else if constexpr (std::is_unsigned_v<T>) {
    ok = it->is_number_unsigned();
    expected = "a non-negative integer";
  } else {
    ok = it->is_number_integer();
    expected = "an integer";
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": must be ", expected, ", got ", it->type_name()));
  }
  if constexpr (std::is_integral_v<T>) {
    // get<T>() would wrap values outside T (2^63 and above into negatives).
    const bool fits =
        it->is_number_unsigned()
            ? it->template get<uint64_t>() <=
                  static_cast<uint64_t>(std::numeric_limits<T>::max())
            : it->template get<int64_t>() >=
                      static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                  (it->template get<int64_t>() < 0 ||
                   static_cast<uint64_t>(it->template get<int64_t>()) <=
                       static_cast<uint64_t>(std::numeric_limits<T>::max()));
    if (!fits) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": must be in ", std::numeric_limits<T>::min(), "..",
          std::numeric_limits<T>::max(), ", got ", it->dump()));
    }
  }
  return it->template get<T>();
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_JSON_FIELD_H_
