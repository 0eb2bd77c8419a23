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
#include "absl/types/span.h"
#include "amend/v1/editor.pb.h"

namespace amend::server {

// Bytes per element of `tensor`: 4 for FP32, 8 for FP64. Any other datatype is
// InvalidArgument "FIELD: datatype must be FP32 or FP64, got "...""; where
// FIELD is `field`.
absl::StatusOr<size_t> WireElementSize(const amend::v1::Tensor& tensor,
                                       absl::string_view field);

// OK when `tensor` holds exactly the elements of `shape`, `element_size`
// bytes each; else InvalidArgument "FIELD: raw has 60 bytes, expected 128 for
// FP32 [4, 8]". Called before the caller allocates the values, so a request
// that lies about its size costs no allocation, and the message is built only
// on failure (this runs for every tensor of every request).
absl::Status CheckWireSize(const amend::v1::Tensor& tensor, size_t element_size,
                           absl::Span<const int64_t> shape,
                           absl::string_view field);

// Converts the checked tensor's elements to floats at `out` (as many as
// CheckWireSize accepted).
void CopyWireFloats(const amend::v1::Tensor& tensor, size_t element_size,
                    float* out);

}  // namespace amend::server

#endif  // AMEND_SERVER_WIRE_FLOATS_H_
