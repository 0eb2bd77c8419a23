#include "client/export_command.h"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/compact.h"
#include "core/mlp/mlp_onnx.h"
#include "core/mlp/model_file.h"
#include "core/mlp/onnx_export.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/file_io.h"

namespace amend::client {
namespace {

absl::Status InFile(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

std::vector<int64_t> Widths(const Architecture& architecture) {
  std::vector<int64_t> widths;
  for (const HiddenLayer& layer : architecture.layers) {
    widths.push_back(layer.width);
  }
  return widths;
}

}  // namespace

int RunExport(const ExportCommandOptions& options, std::ostream& out,
              std::ostream& err, OutputFormat format) {
  absl::StatusOr<std::string> bytes =
      ReadFileToString(options.model_path, kMaxModelFileBytes);
  if (!bytes.ok()) return ReportFailure("export", bytes.status(), err, format);
  std::map<std::string, std::string> metadata;
  absl::StatusOr<Mlp> mlp = ParseModelFile(*bytes, {}, &metadata);
  if (!mlp.ok())
    return ReportFailure("export", InFile(options.model_path, mlp.status()),
                         err, format);
  const Architecture original = mlp->architecture;
  std::optional<CompactionReport> compaction;
  if (options.compact) {
    absl::StatusOr<CompactedMlp> compact = CompactMlp(*mlp);
    if (!compact.ok()) {
      return ReportFailure(
          "export", InFile(options.model_path, compact.status()), err, format);
    }
    *mlp = std::move(compact->mlp);
    compaction = compact->report;
  }

  OnnxExportOptions export_options;
  export_options.metadata = std::move(metadata);
  absl::StatusOr<std::string> onnx = SerializeMlpAsOnnx(*mlp, export_options);
  if (!onnx.ok())
    return ReportFailure("export", InFile(options.model_path, onnx.status()),
                         err, format);
  if (absl::Status written = WriteFileAtomically(options.output_path, *onnx);
      !written.ok()) {
    return ReportFailure("export", written, err, format);
  }

  const Architecture& exported = mlp->architecture;
  if (format == OutputFormat::kJson) {
    nlohmann::json json = {
        {"model", options.model_path},
        {"output_path", options.output_path},
        {"format", "onnx"},
        {"opset", kOnnxOpset},
        {"ir_version", kOnnxIrVersion},
        {"input",
         {{"name", kOnnxInputName},
          {"shape", {kOnnxBatchDimension, exported.input_dim}}}},
        {"output",
         {{"name", kOnnxOutputName},
          {"shape", {kOnnxBatchDimension, exported.num_classes}}}},
        {"widths", Widths(exported)},
        {"parameters", CountParameters(exported)},
        {"bytes", onnx->size()},
        {"compacted", compaction.has_value()}};
    if (compaction.has_value()) {
      json["widths_before"] = compaction->widths_before;
      json["parameters_before"] = compaction->parameters_before;
      json["constant_neurons_folded"] = compaction->constant_neurons_folded;
    }
    out << JsonText(json) << "\n";
    return 0;
  }
  out << "architecture: " << DescribeArchitecture(exported) << "\n";
  if (compaction.has_value()) {
    out << "compacted:    widths " << absl::StrJoin(Widths(original), ", ")
        << " -> " << absl::StrJoin(Widths(exported), ", ") << ", parameters "
        << compaction->parameters_before << " -> "
        << compaction->parameters_after << "\n";
  }
  out << "input:        " << kOnnxInputName << " float [" << kOnnxBatchDimension
      << ", " << exported.input_dim << "]\n"
      << "output:       " << kOnnxOutputName << " float ["
      << kOnnxBatchDimension << ", " << exported.num_classes << "]\n"
      << "written:      " << options.output_path << " (ONNX opset "
      << kOnnxOpset << ", " << onnx->size() << " bytes)\n";
  return 0;
}

}  // namespace amend::client
