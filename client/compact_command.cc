#include "client/compact_command.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/mlp/compact.h"
#include "core/mlp/model_file.h"

namespace amend::client {

int RunCompact(const std::string& input_path, const std::string& output_path,
               std::ostream& out, std::ostream& err, OutputFormat format) {
  absl::StatusOr<Mlp> mlp = ReadModelFile(input_path);
  if (!mlp.ok()) return ReportFailure("compact", mlp.status(), err, format);
  absl::StatusOr<CompactedMlp> compact = CompactMlp(*mlp);
  if (!compact.ok()) {
    return ReportFailure("compact",
                         absl::Status(compact.status().code(),
                                      absl::StrCat(input_path, ": ",
                                                   compact.status().message())),
                         err, format);
  }
  if (absl::Status written = WriteModelFile(output_path, compact->mlp);
      !written.ok()) {
    return ReportFailure("compact", written, err, format);
  }
  const CompactionReport& report = compact->report;
  if (format == OutputFormat::kJson) {
    out << JsonText(nlohmann::json{
               {"model", input_path},
               {"output_path", output_path},
               {"widths_before", report.widths_before},
               {"widths_after", report.widths_after},
               {"parameters_before", report.parameters_before},
               {"parameters_after", report.parameters_after},
               {"constant_neurons_folded", report.constant_neurons_folded}})
        << "\n";
    return 0;
  }
  out << "widths:           " << absl::StrJoin(report.widths_before, ", ")
      << " -> " << absl::StrJoin(report.widths_after, ", ") << "\n"
      << "parameters:       " << report.parameters_before << " -> "
      << report.parameters_after << "\n"
      << "constants folded: " << report.constant_neurons_folded << "\n"
      << "written:          " << output_path << "\n";
  return 0;
}

}  // namespace amend::client
