// The ONNX export end to end: models of every activation x norm x skip
// variant, masked, exported (core/mlp/onnx_export.h and `amend export
// --onnx`), accepted by python3-onnx's checker and evaluated by
// onnxruntime-node, an ONNX runtime that shares no code with Amend, against
// Amend's own forward pass (core/mlp/forward.h).
//
// onnxruntime-node comes from the npm registry into the build tree
// (tests/onnx/install_onnxruntime_node.sh, a ctest fixture); without it these
// tests fail, they do not skip.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/mlp/float_values.h"
#include "core/mlp/forward.h"
#include "core/mlp/mlp_onnx.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using testing::CommandResult;
using ::testing::HasSubstr;
using testing::RunCommand;
using testing::ScopedTempDir;

// |onnxruntime - amend| <= kTolerance * max(1, |amend|), per logit.
constexpr double kTolerance = 1e-5;
constexpr int64_t kRows = 9;

const std::string kSourceDir = AMEND_TEST_SOURCE_DIR;
const std::string kNodeModules =
    std::string(AMEND_ONNXRUNTIME_NODE_DIR) + "/node_modules";

// A model with PyTorch's initialisation, then norm parameters and running
// statistics away from their identity defaults (so a norm exported wrongly
// shows), a quarter of the first weight matrix and one feature masked (the
// weights zeroed as the masks say, as an edit leaves them).
Mlp RandomModel(const Architecture& architecture, uint64_t seed) {
  Mlp mlp = InitializeMlp(architecture, seed).value();
  at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed + 1);
  for (int k = 1; k <= architecture.num_hidden(); ++k) {
    const HiddenLayer& layer = architecture.layers[static_cast<size_t>(k - 1)];
    if (layer.norm == Norm::kNone) continue;
    const int64_t width = layer.width;
    mlp.parameters[NormWeightName(k)] = at::rand({width}, g) + 0.5;
    mlp.parameters[NormBiasName(k)] = at::randn({width}, g) * 0.3;
    if (layer.norm == Norm::kBatchNorm) {
      mlp.parameters[NormRunningMeanName(k)] = at::randn({width}, g) * 0.5;
      mlp.parameters[NormRunningVarName(k)] = at::rand({width}, g) * 2 + 0.1;
    }
  }
  at::Tensor input_mask = at::ones({architecture.input_dim});
  input_mask[1] = 0;
  mlp.masks[kInputMaskName] = input_mask;
  bool first_weight = true;
  for (const TensorSpec& spec : ExpectedTensors(architecture)) {
    if (!IsWeightRole(spec.role)) continue;
    at::Tensor& weight = mlp.parameters[spec.name];
    if (spec.source == 0) weight = weight * input_mask;
    if (first_weight) {
      const at::Tensor mask =
          (at::rand(weight.sizes(), g) > 0.25).to(at::kFloat);
      weight = weight * mask;
      mlp.masks[MaskName(spec.name)] = mask;
      first_weight = false;
    }
  }
  return mlp;
}

std::string ExportBytes(const Mlp& mlp) {
  const absl::StatusOr<std::string> bytes = SerializeMlpAsOnnx(mlp);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.value_or("");
}

void WriteFloats(const std::string& path, const at::Tensor& tensor) {
  const at::Tensor values = CpuFloatValues(tensor);
  ASSERT_TRUE(WriteFileAtomically(
                  path, absl::string_view(
                            reinterpret_cast<const char*>(values.data_ptr()),
                            static_cast<size_t>(values.nbytes())))
                  .ok());
}

at::Tensor ReadFloats(const std::string& path, int64_t rows, int64_t columns) {
  const std::string bytes = ReadFileToString(path).value_or("");
  EXPECT_EQ(static_cast<int64_t>(bytes.size()),
            rows * columns * static_cast<int64_t>(sizeof(float)))
      << path;
  at::Tensor values = at::zeros({rows, columns});
  std::memcpy(values.data_ptr(), bytes.data(),
              std::min<size_t>(bytes.size(), values.nbytes()));
  return values;
}

// One ONNX model to check and evaluate, and the logits Amend computes.
struct Case {
  std::string name;
  std::string onnx_path;
  at::Tensor inputs;
  at::Tensor expected;  // Amend's logits
};

class OnnxRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The install step records why the registry could not be reached (a
    // machine without access to it); then only the checker runs.
    const std::string unavailable =
        std::string(AMEND_ONNXRUNTIME_NODE_DIR) + "/unavailable.txt";
    if (std::filesystem::exists(unavailable)) {
      runtime_unavailable_ = ReadFileToString(unavailable).value_or("?");
      return;
    }
    ASSERT_TRUE(std::filesystem::exists(kNodeModules + "/onnxruntime-node"))
        << "onnxruntime-node is not installed in " << kNodeModules
        << ": run tests/onnx/install_onnxruntime_node.sh "
        << AMEND_ONNXRUNTIME_NODE_DIR
        << " (ctest runs it as the onnxruntime_node fixture; it needs npm and "
           "the npm registry)";
  }

  // A case for `onnx_path` with random inputs of `mlp`'s width and the
  // logits of `mlp` on them.
  Case MakeCase(const std::string& name, const Mlp& mlp,
                const std::string& onnx_path, uint64_t seed) {
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(seed);
    const at::Tensor x = at::randn({kRows, mlp.architecture.input_dim}, g) * 2;
    return {name, onnx_path, x,
            Logits(mlp.architecture, mlp.parameters, x).value()};
  }

  // Runs the checker on every case's model and onnxruntime-node on its
  // inputs; EXPECTs its logits to match Amend's. Returns the largest
  // difference over kTolerance's scale.
  double CheckAndCompare(const std::vector<Case>& cases) {
    std::string checker =
        "/usr/bin/python3 " + kSourceDir + "/tests/onnx/check_onnx.py";
    nlohmann::json jobs = nlohmann::json::array();
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      checker += " " + c.onnx_path;
      const std::string input = dir_.file(absl::StrCat("input", i, ".f32"));
      WriteFloats(input, c.inputs);
      jobs.push_back(
          {{"model", c.onnx_path},
           {"input", input},
           {"rows", c.inputs.size(0)},
           {"columns", c.inputs.size(1)},
           {"output", dir_.file(absl::StrCat("logits", i, ".f32"))}});
    }
    const CommandResult checked = RunCommand(checker);
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
    if (!runtime_unavailable_.empty()) return kNotEvaluated;
    const std::string jobs_path = dir_.file("jobs.json");
    EXPECT_TRUE(WriteFileAtomically(jobs_path, jobs.dump()).ok());
    const CommandResult evaluated =
        RunCommand("NODE_PATH=" + kNodeModules + " node " + kSourceDir +
                   "/tests/onnx/run_onnxruntime.js " + jobs_path);
    EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;
    if (checked.exit_code != 0 || evaluated.exit_code != 0) return INFINITY;

    double worst = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      const at::Tensor actual =
          ReadFloats(jobs[i]["output"].get<std::string>(), c.expected.size(0),
                     c.expected.size(1));
      const at::Tensor scaled_difference =
          (actual - c.expected).abs() / c.expected.abs().clamp_min(1.0);
      const double difference = scaled_difference.max().item<double>();
      EXPECT_LE(difference, kTolerance)
          << c.name << ": onnxruntime " << actual << "\namend " << c.expected;
      worst = std::max(worst, difference);
    }
    return worst;
  }

  // CheckAndCompare's result when only the checker ran.
  static constexpr double kNotEvaluated = -1;
  // Why onnxruntime-node is not installed; empty when it is.
  std::string runtime_unavailable_;
  ScopedTempDir dir_;
};

TEST_F(OnnxRuntimeTest, EveryActivationNormAndSkipMatchesAmendsForwardPass) {
  std::vector<Case> cases;
  uint64_t seed = 1;
  for (const Activation activation : kAllActivations) {
    for (const Norm norm : kAllNorms) {
      for (const bool skips : {false, true}) {
        Architecture a;
        a.input_dim = 5;
        a.num_classes = 3;
        a.layers = {{6, activation, norm, 0.1, {}},
                    {4, activation, norm, 0.0, {}},
                    {3, activation, norm, 0.0, {}}};
        if (skips) {
          a.layers[1].skip_from = {0};
          a.layers[2].skip_from = {0, 1};
        }
        const std::string name =
            absl::StrCat(ActivationName(activation), "_", NormName(norm),
                         skips ? "_skips" : "");
        const Mlp mlp = RandomModel(a, ++seed);
        const std::string path = dir_.file(name + ".onnx");
        ASSERT_TRUE(WriteFileAtomically(path, ExportBytes(mlp)).ok());
        cases.push_back(MakeCase(name, mlp, path, ++seed));
      }
    }
  }
  Architecture logistic;  // no hidden layers: the head alone
  logistic.input_dim = 5;
  logistic.num_classes = 2;
  const Mlp mlp = RandomModel(logistic, ++seed);
  ASSERT_TRUE(
      WriteFileAtomically(dir_.file("logistic.onnx"), ExportBytes(mlp)).ok());
  cases.push_back(
      MakeCase("logistic", mlp, dir_.file("logistic.onnx"), ++seed));

  const double worst = CheckAndCompare(cases);
  if (worst == kNotEvaluated) {
    GTEST_SKIP() << "the ONNX checker accepted every model, but onnxruntime-"
                    "node is not installed, so none was evaluated: "
                 << runtime_unavailable_;
  }
  std::cout << cases.size() << " models: largest |onnxruntime - amend| / "
            << "max(1, |amend|) = " << worst << "\n";
  RecordProperty("largest_relative_difference", std::to_string(worst));
}

TEST_F(OnnxRuntimeTest, TheCliExportsAPrunedModelWholeAndCompacted) {
  Architecture a;
  a.input_dim = 4;
  a.num_classes = 3;
  a.layers = {{8, Activation::kSilu, Norm::kLayerNorm, 0.0, {}},
              {8, Activation::kGelu, Norm::kBatchNorm, 0.0, {0}}};
  Mlp pruned = RandomModel(a, 7);
  // Nothing reads three of the batchnorm layer's neurons any more, so
  // --compact removes them.
  at::Tensor head_mask = at::ones({3, 8});
  head_mask.narrow(1, 0, 3).zero_();
  pruned.parameters[kHeadWeightName] =
      pruned.parameters[kHeadWeightName] * head_mask;
  pruned.masks[MaskName(kHeadWeightName)] = head_mask;
  const std::string model = dir_.file("pruned.safetensors");
  ASSERT_TRUE(WriteModelFile(model, pruned, {{"amend.task", "adult"}}).ok());

  const std::string cli = std::string(AMEND_CLI) + " export --onnx ";
  const CommandResult table =
      RunCommand(cli + model + " -o " + dir_.file("whole.onnx"));
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output,
              HasSubstr("input:        features float [batch, 4]"));
  EXPECT_THAT(table.output, HasSubstr("output:       logits float [batch, 3]"));
  EXPECT_THAT(table.output, HasSubstr("(ONNX opset 17, "));

  const CommandResult json =
      RunCommand(cli + "--compact --output json " + model + " -o " +
                 dir_.file("compact.onnx"));
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const nlohmann::json report = nlohmann::json::parse(json.output);
  EXPECT_EQ(report["format"], "onnx");
  EXPECT_EQ(report["opset"], 17);
  EXPECT_EQ(report["input"], nlohmann::json::parse(
                                 R"({"name":"features","shape":["batch",4]})"));
  EXPECT_EQ(report["output"],
            nlohmann::json::parse(R"({"name":"logits","shape":["batch",3]})"));
  EXPECT_EQ(report["compacted"], true);
  EXPECT_EQ(report["widths_before"], nlohmann::json({8, 8}));
  EXPECT_EQ(report["widths"], nlohmann::json({8, 5}));
  EXPECT_GT(report["bytes"].get<int64_t>(), 0);

  // Both files compute the pruned model's logits.
  const double worst = CheckAndCompare(
      {MakeCase("whole", pruned, dir_.file("whole.onnx"), 11),
       MakeCase("compact", pruned, dir_.file("compact.onnx"), 12)});
  if (worst == kNotEvaluated) {
    GTEST_SKIP() << "the ONNX checker accepted both files, but onnxruntime-"
                    "node is not installed, so neither was evaluated: "
                 << runtime_unavailable_;
  }
  std::cout << "CLI exports: largest |onnxruntime - amend| / max(1, |amend|) = "
            << worst << "\n";
}

TEST_F(OnnxRuntimeTest, TheCliRefusesBadInvocationsAndFiles) {
  const std::string cli = std::string(AMEND_CLI) + " export ";
  const std::string out = dir_.file("out.onnx");
  // No format, no output, no model: usage.
  EXPECT_EQ(RunCommand(cli + "model.safetensors -o " + out).exit_code, 2);
  EXPECT_EQ(RunCommand(cli + "--onnx model.safetensors").exit_code, 2);
  EXPECT_EQ(RunCommand(cli + "--onnx -o " + out).exit_code, 2);
  // A file that is not a model: refused with the reason, nothing written.
  const std::string bad = dir_.file("bad.safetensors");
  ASSERT_TRUE(WriteFileAtomically(bad, "not a model").ok());
  const CommandResult refused =
      RunCommand(cli + "--onnx --output json " + bad + " -o " + out);
  EXPECT_EQ(refused.exit_code, 1);
  const nlohmann::json error = nlohmann::json::parse(refused.output);
  EXPECT_EQ(error["error"]["command"], "export");
  EXPECT_EQ(error["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(error["error"]["message"].get<std::string>(), HasSubstr(bad));
  EXPECT_FALSE(std::filesystem::exists(out));
  const CommandResult missing =
      RunCommand(cli + "--onnx /nonexistent.safetensors -o " + out);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("amend export: "));
}

}  // namespace
}  // namespace amend
