#include "core/util/gzip.h"

#include <zlib.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace amend {

absl::StatusOr<std::string> GunzipToString(absl::string_view compressed,
                                           absl::string_view what,
                                           uint64_t max_output) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip header and trailer (CRC-32 and length are
  // checked by zlib).
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError(
        absl::StrCat(what, ": zlib inflateInit2 failed"));
  }
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());

  std::string output;
  char chunk[1 << 16];
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) {
      const std::string detail =
          stream.msg != nullptr ? stream.msg : "truncated or corrupt data";
      inflateEnd(&stream);
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": not valid gzip: ", detail));
    }
    const size_t produced = sizeof(chunk) - stream.avail_out;
    if (output.size() + produced > max_output) {
      inflateEnd(&stream);
      return absl::ResourceExhaustedError(absl::StrCat(
          what, ": decompressed size must be at most ", max_output, " bytes"));
    }
    output.append(chunk, produced);
    if (result == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": not valid gzip: truncated"));
    }
  }
  inflateEnd(&stream);
  return output;
}

}  // namespace amend
