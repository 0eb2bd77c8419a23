// File: client/compact_command.h
//
// `amend compact MODEL.safetensors -o COMPACT.safetensors`: offline, the
// smaller dense model that computes what a pruned one does (core/mlp/
// compact.h): neurons nothing reads, or that read nothing, removed. Prints
// the widths before and after and the parameter counts.
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_COMPACT_COMMAND_H_
#define AMEND_CLIENT_COMPACT_COMMAND_H_

#include <ostream>
#include <string>

#include "client/output_format.h"

namespace amend::client {

// Returns 0 when the compact model was written, 1 when the input is refused
// or the output cannot be written (reason on `err`).
// With OutputFormat::kJson: {"model", "output_path", "widths_before",
// "widths_after", "parameters_before", "parameters_after",
// "constant_neurons_folded"}.
int RunCompact(const std::string& input_path, const std::string& output_path,
               std::ostream& out, std::ostream& err,
               OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_COMPACT_COMMAND_H_
