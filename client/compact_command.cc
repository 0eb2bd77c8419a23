#include "client/compact_command.h"

#include "absl/strings/str_join.h"
#include "core/mlp/compact.h"
#include "core/mlp/model_file.h"

namespace amend::client {

int RunCompact(const std::string& input_path, const std::string& output_path,
               std::ostream& out, std::ostream& err) {
  absl::StatusOr<Mlp> mlp = ReadModelFile(input_path);
  if (!mlp.ok()) {
    err << "amend compact: " << mlp.status().message() << "\n";
    return 1;
  }
  absl::StatusOr<CompactedMlp> compact = CompactMlp(*mlp);
  if (!compact.ok()) {
    err << "amend compact: " << input_path << ": " << compact.status().message()
        << "\n";
    return 1;
  }
  if (absl::Status written = WriteModelFile(output_path, compact->mlp);
      !written.ok()) {
    err << "amend compact: " << written.message() << "\n";
    return 1;
  }
  const CompactionReport& report = compact->report;
  out << "widths:           " << absl::StrJoin(report.widths_before, ", ")
      << " -> " << absl::StrJoin(report.widths_after, ", ") << "\n"
      << "parameters:       " << report.parameters_before << " -> "
      << report.parameters_after << "\n"
      << "constants folded: " << report.constant_neurons_folded << "\n"
      << "written:          " << output_path << "\n";
  return 0;
}

}  // namespace amend::client
