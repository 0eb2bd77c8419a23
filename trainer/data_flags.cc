// The flags of amend-trainer data, forward and init: the small subcommands.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/util/status_macros.h"
#include "trainer/common_flags.h"
#include "trainer/subcommand.h"

ABSL_FLAG(std::string, format, "json", "data: output format, json or text.");
ABSL_FLAG(
    std::string, features_out, "",
    "data: also write --features_split's model inputs (standardised, in the "
    "task's feature order), then amend:label, amend:group and "
    "amend:source_row, as CSV here.");
ABSL_FLAG(std::string, features_split, "test",
          "data: the split --features_out writes: train, validation or "
          "test.");
ABSL_FLAG(std::string, input, "",
          "forward: CSV of numeric inputs, one row per example.");
ABSL_FLAG(std::string, architecture, "",
          "init: the architecture JSON (docs/MODEL_FORMAT.md).");

namespace amend::trainer {
namespace {

absl::StatusOr<DataCommandOptions> DataOptionsFromFlags() {
  DataCommandOptions options;
  options.task = absl::GetFlag(FLAGS_task);
  options.data_dir = DataDirFromFlags();
  options.tasks_dir = TasksDirFromFlags();
  AMEND_RETURN_IF_ERROR(RequireFlag(options.task, "task"));
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "json" && format != "text") {
    return absl::InvalidArgumentError(
        absl::StrCat("--format must be json or text, got \"", format, "\""));
  }
  options.text = format == "text";
  options.split = absl::GetFlag(FLAGS_features_split);
  options.features_out = absl::GetFlag(FLAGS_features_out);
  if (options.split != "train" && options.split != "validation" &&
      options.split != "test") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--features_split must be train, validation or test, got \"",
        options.split, "\""));
  }
  return options;
}

absl::StatusOr<ForwardCommandOptions> ForwardOptionsFromFlags() {
  ForwardCommandOptions options{absl::GetFlag(FLAGS_model),
                                absl::GetFlag(FLAGS_input),
                                absl::GetFlag(FLAGS_out)};
  AMEND_RETURN_IF_ERROR(RequireFlag(options.model_path, "model"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.input_path, "input"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_path, "out"));
  return options;
}

absl::StatusOr<InitCommandOptions> InitOptionsFromFlags() {
  InitCommandOptions options{absl::GetFlag(FLAGS_architecture),
                             absl::GetFlag(FLAGS_seed),
                             absl::GetFlag(FLAGS_out)};
  AMEND_RETURN_IF_ERROR(RequireFlag(options.architecture_json, "architecture"));
  AMEND_RETURN_IF_ERROR(RequireFlag(options.output_path, "out"));
  return options;
}

}  // namespace

Subcommand DataSubcommand() {
  return {"data",
          "--task T   print a JSON summary of a task's data",
          {"task", "data_dir", "tasks_dir", "format", "features_split",
           "features_out"},
          [] {
            return RunWithOptions("data", DataOptionsFromFlags(),
                                  RunDataCommand);
          }};
}

Subcommand ForwardSubcommand() {
  return {"forward",
          "--model M --input X.csv --out P.csv   class "
          "probabilities of a model",
          {"model", "input", "out"},
          [] {
            return RunWithOptions("forward", ForwardOptionsFromFlags(),
                                  RunForwardCommand);
          }};
}

Subcommand InitSubcommand() {
  return {"init",
          "--architecture JSON --seed S --out M   a freshly "
          "initialised model",
          {"architecture", "seed", "out"},
          [] {
            return RunWithOptions("init", InitOptionsFromFlags(),
                                  RunInitCommand);
          }};
}

}  // namespace amend::trainer
