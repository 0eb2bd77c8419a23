// File: core/mlp/safetensors.h
//
// A strict reader and a deterministic writer for the safetensors container
// (https://huggingface.co/docs/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON header {"__metadata__": {str: str}, name: {"dtype",
// "shape", "data_offsets": [begin, end]}}, then the data buffer. Free of
// LibTorch: it deals in bytes and float vectors only.
//
// The reader refuses, with a message naming the tensor or field and what was
// expected: a file too short for its header, a header length beyond the file or
// the limit, invalid JSON, a non-object entry, unknown dtypes, negative or
// overflowing shapes, offsets outside the buffer, a byte range that does not
// match dtype x shape, overlapping ranges or holes in the buffer, duplicate
// names. Nothing a file contains makes it allocate more than the file's own
// size plus bounded overhead.
//
// Example:
//   AMEND_ASSIGN_OR_RETURN(SafetensorsFile file, ParseSafetensors(bytes));
//   AMEND_ASSIGN_OR_RETURN(std::vector<float> values,
//                          DecodeFloat32(file.tensors[0]));
//
// Thread-safe (pure functions). A SafetensorsFile views the bytes it was parsed
// from: keep them.
#ifndef AMEND_CORE_MLP_SAFETENSORS_H_
#define AMEND_CORE_MLP_SAFETENSORS_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace amend {

struct SafetensorsLimits {
  uint64_t max_header_bytes =
      1 << 20;  // 1 MiB of JSON header (a 4-layer MLP needs ~2 KiB)
  size_t max_tensors = 4096;
  size_t max_rank = 8;
};

// One tensor entry; `data` points into the parsed file's bytes.
struct SafetensorsTensor {
  std::string name;
  std::string dtype;  // as written: "F32", "F64", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;
  absl::string_view data;

  int64_t numel() const;
};

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsTensor> tensors;  // in order of their data offsets

  // nullptr when absent.
  const SafetensorsTensor* Find(absl::string_view name) const;
};

absl::StatusOr<SafetensorsFile> ParseSafetensors(
    absl::string_view bytes, const SafetensorsLimits& limits = {});

// The tensor's values as float32. F32 is copied; F64, F16 and BF16 are
// converted. Any other dtype is refused. Non-finite values (NaN, ±inf, or F64
// values beyond float range) are refused with the tensor name and the flat
// index of the first one.
absl::StatusOr<std::vector<float>> DecodeFloat32(
    const SafetensorsTensor& tensor);

// A float32 tensor to write.
struct Float32TensorView {
  std::string name;
  std::vector<int64_t> shape;
  std::span<const float> values;  // row-major, numel(shape) values
};

// Serialises tensors in name order with the metadata, header padded with spaces
// to a multiple of 8 bytes (as the reference implementation does). The same
// inputs give the same bytes.
std::string SerializeSafetensors(
    const std::map<std::string, std::string>& metadata,
    std::vector<Float32TensorView> tensors);

}  // namespace amend

#endif  // AMEND_CORE_MLP_SAFETENSORS_H_
