// File: server/wire_floats.h
//
// The float tensors of the wire contract (amend.v1.Tensor): FP32, or FP64
// converted to float, as raw little-endian row-major bytes. Shared by the model
// and audit codecs so that both accept and refuse the same datatypes with the
// same words.
//
// Thread-safe (pure functions).
#ifndef AMEND_SERVER_WIRE_FLOATS_H_
#define AMEND_SERVER_WIRE_FLOATS_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "amend/v1/editor.pb.h"

namespace amend::server {

// Bytes per element of `tensor`: 4 for FP32, 8 for FP64. Any other datatype is
// InvalidArgument "FIELD: datatype must be FP32 or FP64, got "...""; where
// FIELD is `field`.
absl::StatusOr<size_t> WireElementSize(const amend::v1::Tensor& tensor,
                                       absl::string_view field);

// Checks that `tensor` holds exactly `count` elements of `element_size` bytes
// (InvalidArgument naming `field`, the byte counts and `shape_text`, e.g.
// "[4, 8]", otherwise), then converts them to floats at `out`.
absl::Status ReadWireFloats(const amend::v1::Tensor& tensor,
                            size_t element_size, uint64_t count,
                            absl::string_view field,
                            absl::string_view shape_text, float* out);

}  // namespace amend::server

#endif  // AMEND_SERVER_WIRE_FLOATS_H_
