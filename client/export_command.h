// File: client/export_command.h
//
// `amend export --onnx MODEL.safetensors -o MODEL.onnx [--compact]`: offline,
// the model as an ONNX model for ONNX runtimes (core/mlp/onnx_export.h),
// compacted first with --compact (core/mlp/compact.h). The file's extra
// metadata (e.g. amend.task) travels into the ONNX model's metadata.
//
// Not thread-safe (writes to the given streams).
#ifndef AMEND_CLIENT_EXPORT_COMMAND_H_
#define AMEND_CLIENT_EXPORT_COMMAND_H_

#include <ostream>
#include <string>

#include "client/output_format.h"

namespace amend::client {

struct ExportCommandOptions {
  std::string model_path;
  std::string output_path;
  bool compact = false;  // remove unused neurons before exporting
};

// Returns 0 when the ONNX model was written, 1 when the input is refused or
// the output cannot be written (reason on `err`).
// With OutputFormat::kJson: {"model", "output_path", "format": "onnx",
// "opset", "ir_version", "input": {"name", "shape"}, "output": {"name",
// "shape"} (shapes with "batch" for the dynamic dimension), "widths",
// "parameters", "bytes", "compacted", and with --compact "widths_before",
// "parameters_before", "constant_neurons_folded"}.
int RunExport(const ExportCommandOptions& options, std::ostream& out,
              std::ostream& err, OutputFormat format = OutputFormat::kTable);

}  // namespace amend::client

#endif  // AMEND_CLIENT_EXPORT_COMMAND_H_
