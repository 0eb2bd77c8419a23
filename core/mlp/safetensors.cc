#include "core/mlp/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/util/client_text.h"
#include "core/util/status_macros.h"
#include "core/util/strict_json.h"

namespace amend {
namespace {

static_assert(
    std::endian::native == std::endian::little,
    "safetensors is little-endian; add byte swapping for big-endian hosts");

using Json = nlohmann::json;

// Bytes per element of every dtype the format defines; only the float ones are
// decoded.
int64_t DtypeSize(absl::string_view dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16")
    return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2") {
    return 1;
  }
  return 0;
}

uint64_t ReadLittleEndianU64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof(value));
  return value;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf or NaN
  } else {
    bits =
        sign | ((exponent + 112) << 23) | (mantissa << 13);  // rebias 15 -> 127
  }
  return std::bit_cast<float>(bits);
}

float Bfloat16ToFloat(uint16_t b) {
  return std::bit_cast<float>(uint32_t{b} << 16);
}

// Only the three fields the format defines, so a typo is not ignored.
absl::Status CheckEntryFields(const std::string& path, const Json& entry) {
  if (!entry.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an object, got ", entry.type_name()));
  }
  for (auto it = entry.begin(); it != entry.end(); ++it) {
    if (it.key() != "dtype" && it.key() != "shape" &&
        it.key() != "data_offsets") {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".", ClientText(it.key()),
                       ": unknown field; expected dtype, shape, data_offsets"));
    }
  }
  return absl::OkStatus();
}

// Sets tensor.dtype; returns its element size in bytes.
absl::StatusOr<int64_t> ParseDtype(const std::string& path, const Json& entry,
                                   SafetensorsTensor& tensor) {
  auto dtype = entry.find("dtype");
  if (dtype == entry.end() || !dtype->is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".dtype: must be a string"));
  }
  tensor.dtype = dtype->get<std::string>();
  const int64_t element_size = DtypeSize(tensor.dtype);
  if (element_size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path,
                     ".dtype: must be a safetensors dtype (F32, F64, F16, "
                     "BF16, ...), got \"",
                     tensor.dtype, "\""));
  }
  return element_size;
}

// Sets tensor.shape; returns its element count, refusing one that overflows.
absl::StatusOr<int64_t> ParseShape(const std::string& path, const Json& entry,
                                   const SafetensorsLimits& limits,
                                   SafetensorsTensor& tensor) {
  auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".shape: must be an array"));
  }
  if (shape->size() > limits.max_rank) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ".shape: must have rank at most ", limits.max_rank,
                     ", got ", shape->size()));
  }
  int64_t numel = 1;
  for (size_t i = 0; i < shape->size(); ++i) {
    const Json& dim = (*shape)[i];
    if (!dim.is_number_unsigned() &&
        !(dim.is_number_integer() && dim.get<int64_t>() >= 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ".shape[", i, "]: must be a non-negative integer, got ",
          dim.type_name(),
          dim.is_number() ? absl::StrCat(" ", dim.dump()) : ""));
    }
    const uint64_t value = dim.get<uint64_t>();
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        __builtin_mul_overflow(numel, static_cast<int64_t>(value), &numel)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ".shape: element count overflows"));
    }
    tensor.shape.push_back(static_cast<int64_t>(value));
  }
  return numel;
}

absl::Status ParseOffsets(const std::string& path, const Json& entry,
                          uint64_t buffer_size, uint64_t& begin,
                          uint64_t& end) {
  auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ".data_offsets: must be [begin, end] with non-negative integers"));
  }
  begin = (*offsets)[0].get<uint64_t>();
  end = (*offsets)[1].get<uint64_t>();
  if (begin > end || end > buffer_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".data_offsets: must satisfy begin <= ", "end <= ", buffer_size,
        " (buffer size), got [", begin, ", ", end, "]"));
  }
  return absl::OkStatus();
}

// The offsets must span exactly the bytes the shape and dtype call for.
absl::Status CheckSpan(const std::string& path, const SafetensorsTensor& tensor,
                       int64_t numel, int64_t element_size, uint64_t begin,
                       uint64_t end) {
  int64_t expected_bytes;
  if (__builtin_mul_overflow(numel, element_size, &expected_bytes) ||
      static_cast<uint64_t>(expected_bytes) != end - begin) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ".data_offsets: must span ", numel, " x ", element_size,
        " bytes for shape [", absl::StrJoin(tensor.shape, ", "), "] and dtype ",
        tensor.dtype, ", got ", end - begin));
  }
  return absl::OkStatus();
}

// One entry's checks run in the order the format lists its fields, so the
// first error reported is the first a reader of the header would meet.
absl::Status ParseEntry(const std::string& name, const Json& entry,
                        const SafetensorsLimits& limits, uint64_t buffer_size,
                        SafetensorsTensor& tensor, uint64_t& begin,
                        uint64_t& end) {
  const std::string path = absl::StrCat("tensor '", ClientText(name), "'");
  AMEND_RETURN_IF_ERROR(CheckEntryFields(path, entry));
  AMEND_ASSIGN_OR_RETURN(const int64_t element_size,
                         ParseDtype(path, entry, tensor));
  AMEND_ASSIGN_OR_RETURN(const int64_t numel,
                         ParseShape(path, entry, limits, tensor));
  AMEND_RETURN_IF_ERROR(ParseOffsets(path, entry, buffer_size, begin, end));
  return CheckSpan(path, tensor, numel, element_size, begin, end);
}

// Reads the 8-byte header length and checks it against the limit and the
// file.
absl::StatusOr<uint64_t> ReadHeaderSize(absl::string_view bytes,
                                        const SafetensorsLimits& limits) {
  if (bytes.size() < 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "safetensors: must start with an 8-byte header length, got a ",
        bytes.size(), "-byte file"));
  }
  const uint64_t header_size = ReadLittleEndianU64(bytes.data());
  if (header_size > limits.max_header_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("safetensors: header length must be at most ",
                     limits.max_header_bytes, " bytes, got ", header_size));
  }
  if (header_size > bytes.size() - 8) {
    return absl::InvalidArgumentError(absl::StrCat(
        "safetensors: header length ", header_size,
        " runs past the end of the ", bytes.size(), "-byte file (truncated?)"));
  }
  return header_size;
}

// The header as a JSON object of at most limits.max_tensors tensors (plus
// __metadata__), with no key repeated in any object.
absl::StatusOr<Json> ParseHeaderJson(absl::string_view header,
                                     const SafetensorsLimits& limits) {
  StrictJson parsed = ParseStrictJson(header);
  if (!parsed.duplicate_key.empty()) {
    return absl::InvalidArgumentError(
        parsed.duplicate_depth == 1
            ? absl::StrCat("tensor '", parsed.duplicate_key,
                           "': appears twice in the header")
            : absl::StrCat("safetensors: field '", parsed.duplicate_key,
                           "' appears twice in one header object"));
  }
  if (!parsed.error.ok()) {
    return absl::InvalidArgumentError("safetensors: header must be valid JSON");
  }
  Json json = std::move(parsed.value);
  if (!json.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "safetensors: header must be a JSON object, got ", json.type_name()));
  }
  if (json.size() > limits.max_tensors + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("safetensors: must hold at most ", limits.max_tensors,
                     " tensors, got ", json.size()));
  }
  return json;
}

absl::Status ParseMetadata(const Json& json,
                           std::map<std::string, std::string>& metadata) {
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        "safetensors: __metadata__ must be an object");
  }
  for (auto meta = json.begin(); meta != json.end(); ++meta) {
    if (!meta->is_string()) {
      return absl::InvalidArgumentError(
          absl::StrCat("safetensors: __metadata__.", ClientText(meta.key()),
                       " must be a string, got ", meta->type_name()));
    }
    metadata[meta.key()] = meta->get<std::string>();
  }
  return absl::OkStatus();
}

// Where one tensor's bytes lie in the buffer; `index` is its place in
// SafetensorsFile::tensors.
struct Range {
  uint64_t begin, end;
  size_t index;
};

// Fills the file's metadata and tensors (in header order) from the header,
// and `ranges` with each tensor's bytes.
absl::Status ParseEntries(const Json& json, const SafetensorsLimits& limits,
                          absl::string_view buffer, SafetensorsFile& file,
                          std::vector<Range>& ranges) {
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == "__metadata__") {
      AMEND_RETURN_IF_ERROR(ParseMetadata(*it, file.metadata));
      continue;
    }
    SafetensorsTensor tensor;
    tensor.name = it.key();
    uint64_t begin = 0, end = 0;
    AMEND_RETURN_IF_ERROR(ParseEntry(tensor.name, *it, limits, buffer.size(),
                                     tensor, begin, end));
    tensor.data = buffer.substr(begin, end - begin);
    ranges.push_back({begin, end, file.tensors.size()});
    file.tensors.push_back(std::move(tensor));
  }
  return absl::OkStatus();
}

// The buffer must be covered exactly: `ranges`, sorted by offset, each start
// where the last ended.
absl::Status CheckCoverage(const std::vector<Range>& ranges,
                           const std::vector<SafetensorsTensor>& tensors,
                           uint64_t buffer_size) {
  uint64_t expected_begin = 0;
  for (const Range& range : ranges) {
    const std::string& name = tensors[range.index].name;
    if (range.begin < expected_begin) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor '", ClientText(name),
          "'.data_offsets: overlaps the previous tensor (begins at ",
          range.begin, ", must begin at ", expected_begin, " or later)"));
    }
    if (range.begin > expected_begin) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor '", ClientText(name),
          "'.data_offsets: leaves a hole in the buffer (begins at ",
          range.begin, ", expected ", expected_begin, ")"));
    }
    expected_begin = range.end;
  }
  if (expected_begin != buffer_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("safetensors: the tensors cover ", expected_begin,
                     " of the buffer's ", buffer_size, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

int64_t SafetensorsTensor::numel() const {
  int64_t n = 1;
  for (int64_t dim : shape) n *= dim;
  return n;
}

const SafetensorsTensor* SafetensorsFile::Find(absl::string_view name) const {
  for (const SafetensorsTensor& tensor : tensors) {
    if (tensor.name == name) return &tensor;
  }
  return nullptr;
}

// Checks run in file order (length, header, entries, buffer coverage), so
// the error reported is the first a reader of the file would meet.
absl::StatusOr<SafetensorsFile> ParseSafetensors(
    absl::string_view bytes, const SafetensorsLimits& limits) {
  AMEND_ASSIGN_OR_RETURN(const uint64_t header_size,
                         ReadHeaderSize(bytes, limits));
  const absl::string_view header = bytes.substr(8, header_size);
  const absl::string_view buffer = bytes.substr(8 + header_size);
  AMEND_ASSIGN_OR_RETURN(const Json json, ParseHeaderJson(header, limits));
  SafetensorsFile file;
  std::vector<Range> ranges;
  AMEND_RETURN_IF_ERROR(ParseEntries(json, limits, buffer, file, ranges));
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  AMEND_RETURN_IF_ERROR(CheckCoverage(ranges, file.tensors, buffer.size()));
  // Tensors are returned in buffer order.
  std::vector<SafetensorsTensor> ordered;
  ordered.reserve(file.tensors.size());
  for (const Range& range : ranges)
    ordered.push_back(std::move(file.tensors[range.index]));
  file.tensors = std::move(ordered);
  return file;
}

absl::StatusOr<std::vector<float>> DecodeFloat32(
    const SafetensorsTensor& tensor) {
  const auto numel = static_cast<size_t>(tensor.numel());
  std::vector<float> values(numel);
  const char* p = tensor.data.data();
  if (tensor.dtype == "F32") {
    std::memcpy(values.data(), p, numel * sizeof(float));
  } else if (tensor.dtype == "F64") {
    for (size_t i = 0; i < numel; ++i) {
      double v;
      std::memcpy(&v, p + 8 * i, 8);
      // A double beyond float's range has no float value (the cast would be
      // undefined behaviour): it becomes infinite and is refused below.
      values[i] =
          !(std::fabs(v) > std::numeric_limits<float>::max())
              ? static_cast<float>(v)  // NaN stays NaN
              : std::copysign(std::numeric_limits<float>::infinity(), v);
    }
  } else if (tensor.dtype == "F16" || tensor.dtype == "BF16") {
    const bool half = tensor.dtype == "F16";
    for (size_t i = 0; i < numel; ++i) {
      uint16_t v;
      std::memcpy(&v, p + 2 * i, 2);
      values[i] = half ? HalfToFloat(v) : Bfloat16ToFloat(v);
    }
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "tensor '", ClientText(tensor.name),
        "'.dtype: must be F32 (F64, F16 and BF16 are converted), got ",
        ClientText(tensor.dtype)));
  }
  for (size_t i = 0; i < numel; ++i) {
    if (!std::isfinite(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tensor '", ClientText(tensor.name), "': values must be finite, got ",
          values[i], " at flat index ", i,
          tensor.dtype == "F32" ? "" : " (after conversion)"));
    }
  }
  return values;
}

std::string SerializeSafetensors(
    const std::map<std::string, std::string>& metadata,
    std::vector<Float32TensorView> tensors) {
  std::sort(tensors.begin(), tensors.end(),
            [](const Float32TensorView& a, const Float32TensorView& b) {
              return a.name < b.name;
            });
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const Float32TensorView& tensor : tensors) {
    const uint64_t bytes = tensor.values.size() * sizeof(float);
    header[tensor.name] = {{"dtype", "F32"},
                           {"shape", tensor.shape},
                           {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string out;
  out.reserve(8 + header_text.size() + offset);
  const uint64_t header_size = header_text.size();
  out.append(reinterpret_cast<const char*>(&header_size), 8);
  out.append(header_text);
  for (const Float32TensorView& tensor : tensors) {
    out.append(reinterpret_cast<const char*>(tensor.values.data()),
               tensor.values.size() * sizeof(float));
  }
  return out;
}

}  // namespace amend
