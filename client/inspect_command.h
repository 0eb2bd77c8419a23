// File: client/inspect_command.h
//
// `amend inspect MODEL.safetensors`: offline check of a model file against the
// Amend MLP contract. Prints the architecture, parameter and weight counts and
// every tensor, or the reason the file is refused.
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_INSPECT_COMMAND_H_
#define AMEND_CLIENT_INSPECT_COMMAND_H_

#include <ostream>
#include <string>

#include "client/output_format.h"

namespace amend::client {

// Returns 0 when the file is a valid model, 1 when it is refused (reason on
// `err`).
// With OutputFormat::kJson: {"model", "architecture" (the JSON form),
// "description", "parameters", "weights", "tensors": [{"name", "shape"}],
// "masks": [{"name", "kept", "total"}]}.
int RunInspect(const std::string& path, std::ostream& out, std::ostream& err,
               OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_INSPECT_COMMAND_H_
