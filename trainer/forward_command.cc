#include <ATen/ATen.h>

#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/data/delimited_text.h"
#include "core/mlp/forward.h"
#include "core/mlp/model_file.h"
#include "core/util/file_io.h"
#include "core/util/status_macros.h"
#include "trainer/commands.h"

namespace amend::trainer {
namespace {

// CSV inputs of this size are far beyond any tabular batch we expect; refuse
// rather than swap.
constexpr uint64_t kMaxInputBytes = uint64_t{1} << 30;

absl::Status Forward(const ForwardCommandOptions& options) {
  AMEND_ASSIGN_OR_RETURN(const Mlp mlp, ReadModelFile(options.model_path));
  AMEND_ASSIGN_OR_RETURN(const std::string text,
                         ReadFileToString(options.input_path, kMaxInputBytes));
  auto matrix = ParseNumericCsv(text);
  if (!matrix.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.input_path, ": ", matrix.status().message()));
  }
  if (matrix->rows > 0 && matrix->columns != mlp.architecture.input_dim) {
    return absl::InvalidArgumentError(absl::StrCat(
        options.input_path, ": rows must have ", mlp.architecture.input_dim,
        " values (the model's input_dim), got ", matrix->columns));
  }
  std::string out;
  for (int64_t c = 0; c < mlp.architecture.num_classes; ++c) {
    absl::StrAppend(&out, c == 0 ? "" : ",", "p_class_", c);
  }
  out += "\n";
  if (matrix->rows > 0) {
    const at::Tensor inputs = at::from_blob(
        matrix->values.data(), {matrix->rows, matrix->columns}, at::kFloat);
    AMEND_ASSIGN_OR_RETURN(const at::Tensor logits,
                           Logits(mlp.architecture, mlp.parameters, inputs));
    const at::Tensor probabilities =
        at::softmax(logits, /*dim=*/-1).contiguous();
    const float* p = probabilities.data_ptr<float>();
    for (int64_t r = 0; r < matrix->rows; ++r) {
      for (int64_t c = 0; c < mlp.architecture.num_classes; ++c) {
        absl::StrAppendFormat(&out, "%s%.9g", c == 0 ? "" : ",",
                              p[r * mlp.architecture.num_classes + c]);
      }
      out += "\n";
    }
  }
  return WriteFileAtomically(options.output_path, out);
}

}  // namespace

int RunForwardCommand(const ForwardCommandOptions& options) {
  if (absl::Status status = Forward(options); !status.ok()) {
    std::cerr << "amend-trainer forward: " << status.message() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace amend::trainer
