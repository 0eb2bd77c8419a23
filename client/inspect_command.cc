#include "client/inspect_command.h"

#include <ATen/core/Tensor.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/mlp/architecture.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"

namespace amend::client {

int RunInspect(const std::string& path, std::ostream& out, std::ostream& err,
               OutputFormat format) {
  absl::StatusOr<Mlp> mlp = ReadModelFile(path);
  if (!mlp.ok()) return ReportFailure("inspect", mlp.status(), err, format);
  const Architecture& architecture = mlp->architecture;
  if (format == OutputFormat::kJson) {
    nlohmann::json json;
    json["model"] = path;
    json["architecture"] =
        nlohmann::json::parse(ArchitectureToJson(architecture));
    json["description"] = DescribeArchitecture(architecture);
    json["parameters"] = CountParameters(architecture);
    json["weights"] = CountWeights(architecture);
    json["tensors"] = nlohmann::json::array();
    for (const TensorSpec& spec : ExpectedTensors(architecture)) {
      json["tensors"].push_back({{"name", spec.name}, {"shape", spec.shape}});
    }
    json["masks"] = nlohmann::json::array();
    for (const auto& [name, mask] : mlp->masks) {
      json["masks"].push_back({{"name", name},
                               {"kept", (mask > 0.5).sum().item<int64_t>()},
                               {"total", mask.numel()}});
    }
    out << JsonText(json) << "\n";
    return 0;
  }
  out << "model:        " << path << "\n"
      << "architecture: " << DescribeArchitecture(architecture) << "\n"
      << "json:         " << ArchitectureToJson(architecture) << "\n"
      << "parameters:   " << CountParameters(architecture) << "\n"
      << "weights:      " << CountWeights(architecture)
      << " (prunable: layer, skip, head)\n"
      << "tensors:\n";
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    out << absl::StrFormat("  %-32s [%s]\n", spec.name,
                           absl::StrJoin(spec.shape, ", "));
  }
  if (!mlp->masks.empty()) {
    out << "masks:\n";
    for (const auto& [name, mask] : mlp->masks) {
      const int64_t kept = (mask > 0.5).sum().item<int64_t>();
      out << absl::StrFormat("  %-32s kept %d of %d\n", name, kept,
                             mask.numel());
    }
  }
  return 0;
}

}  // namespace amend::client
