// File: core/util/client_text.h
//
// Text that came from a client (a task name, a tensor name, a JSON key) as it
// may appear in an error message: at most 64 bytes of it (cut at a UTF-8
// character boundary), control bytes escaped as \xNN, and the full length
// said when it was cut. Unbounded echoes let a
// 9 KB task name turn NOT_FOUND into a RESOURCE_EXHAUSTED from gRPC's
// metadata limit, and fill logs.
//
// Example:
//   absl::StrCat("task: no editors loaded for \"", ClientText(task), "\"")
//
// Thread-safe.
#ifndef AMEND_CORE_UTIL_CLIENT_TEXT_H_
#define AMEND_CORE_UTIL_CLIENT_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace amend {

inline constexpr size_t kClientTextMaxBytes = 64;

inline std::string ClientText(absl::string_view text,
                              size_t max_bytes = kClientTextMaxBytes) {
  size_t kept = text.size();
  if (kept > max_bytes) {
    kept = max_bytes;
    // Back off over UTF-8 continuation bytes (10xxxxxx).
    while (kept > 0 && (static_cast<unsigned char>(text[kept]) & 0xC0) == 0x80)
      --kept;
  }
  std::string out;
  for (const char c : text.substr(0, kept)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += {'\\', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
    } else {
      out += c;
    }
  }
  if (kept < text.size()) absl::StrAppend(&out, "...(", text.size(), " bytes)");
  return out;
}

}  // namespace amend

#endif  // AMEND_CORE_UTIL_CLIENT_TEXT_H_
