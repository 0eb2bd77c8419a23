#include <iostream>

#include "core/mlp/architecture.h"
#include "core/mlp/model_file.h"
#include "core/util/status_macros.h"
#include "trainer/commands.h"

namespace amend::trainer {
namespace {

absl::Status Init(const InitCommandOptions& options) {
  AMEND_ASSIGN_OR_RETURN(const Architecture architecture,
                         ParseArchitectureJson(options.architecture_json));
  AMEND_ASSIGN_OR_RETURN(const Mlp mlp,
                         InitializeMlp(architecture, options.seed));
  return WriteModelFile(options.output_path, mlp);
}

}  // namespace

int RunInitCommand(const InitCommandOptions& options) {
  if (absl::Status status = Init(options); !status.ok()) {
    std::cerr << "amend-trainer init: --architecture: " << status.message()
              << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace amend::trainer
