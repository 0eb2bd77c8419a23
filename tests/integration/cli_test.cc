// End-to-end checks of the amend and amend-trainer binaries, run as a user
// would run them.
#include <ATen/ATen.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/mlp/forward.h"
#include "core/mlp/model_file.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/interrupted_command.h"
#include "tests/testing/run_command.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

using testing::CommandResult;
using testing::KillWhenWritten;
using testing::RunCommand;
using testing::TemporaryFiles;

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Architecture a;
    a.input_dim = 4;
    a.num_classes = 3;
    a.layers = {{8, Activation::kSilu, Norm::kLayerNorm, 0.0, {}},
                {8, Activation::kRelu, Norm::kBatchNorm, 0.0, {0}}};
    mlp_ = *InitializeMlp(a, 42);
    model_path_ = (dir_ / "model.safetensors").string();
    ASSERT_TRUE(WriteModelFile(model_path_, mlp_).ok());
  }
  // Builds a small adult zoo (4 epochs, 512 rows, seed 3) in <dir>/zoo and
  // returns its folder.
  std::string BuildSmallZoo(int runs) {
    const std::string zoo = (dir_ / "zoo").string();
    const CommandResult built = RunCommand(
        std::string(AMEND_TRAINER) + " zoo --task adult --runs " +
        std::to_string(runs) + " --epochs 4 --seed 3 --max_rows 512 --out " +
        zoo + " --data_dir " + AMEND_TEST_DATA_DIR);
    EXPECT_EQ(built.exit_code, 0) << built.output;
    return zoo;
  }

  // Starts amend-server serving `editors` on a free port, waits until it is
  // healthy (EXPECTs it) and returns the `amend --server ...` prefix for it.
  std::string StartServer(const std::string& editors,
                          const std::string& flags = "") {
    const int port = FreePort();
    server_pid_ = ::fork();
    if (server_pid_ == 0) {
      const std::string command =
          std::string("exec ") + AMEND_SERVER_BIN + " --editors " + editors +
          " --host 127.0.0.1 --metrics_port -1 --drain_seconds 0 --port " +
          std::to_string(port) + " " + flags + " 2>" +
          (dir_ / "server.log").string();
      ::execl("/bin/sh", "sh", "-c", command.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    EXPECT_GT(server_pid_, 0);
    const std::string amend =
        std::string(AMEND_CLI) + " --server 127.0.0.1:" + std::to_string(port);
    CommandResult health{-1, ""};
    for (int i = 0; i < 300 && health.exit_code != 0; ++i) {
      ::usleep(100000);
      health = RunCommand(amend + " health");
    }
    EXPECT_EQ(health.exit_code, 0) << health.output;
    health_output_ = health.output;
    return amend;
  }
  // SIGTERM to the server; true when it exited with status 0.
  bool StopServer() {
    ::kill(server_pid_, SIGTERM);
    int status = 0;
    ::waitpid(server_pid_, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }

  testing::ScopedTempDir temp_;
  const fs::path& dir_ = temp_.path();
  pid_t server_pid_ = -1;
  std::string health_output_;
  Mlp mlp_;
  std::string model_path_;
};

TEST_F(CliTest, InspectDescribesAValidModel) {
  const CommandResult result =
      RunCommand(std::string(AMEND_CLI) + " inspect " + model_path_);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("architecture: 4 -> 8 silu+layernorm -> "
                                       "8 relu+batchnorm(skip h0) -> 3"));
  // By hand: weights 32 + 64 + 32 + 24 = 152; biases 8 + 8 + 3; norm 2*8 + 4*8.
  EXPECT_THAT(result.output, HasSubstr("parameters:   219"));
  EXPECT_THAT(result.output, HasSubstr("weights:      152"));
}

TEST_F(CliTest, InspectRefusesACorruptFileWithANonZeroExit) {
  std::string bytes = *ReadFileToString(model_path_);
  const std::string truncated = (dir_ / "truncated.safetensors").string();
  ASSERT_TRUE(
      WriteFileAtomically(truncated, bytes.substr(0, bytes.size() - 10)).ok());
  const CommandResult result =
      RunCommand(std::string(AMEND_CLI) + " inspect " + truncated);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.output,
              HasSubstr("amend inspect: " + truncated + ": tensor"));
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) + " inspect").exit_code, 2);
  EXPECT_EQ(
      RunCommand(std::string(AMEND_CLI) + " inspect /nonexistent.safetensors")
          .exit_code,
      1);
}

TEST_F(CliTest, CompactWritesASmallerModelWithTheSameLogits) {
  // Nothing reads three of the batchnorm layer's eight neurons any more.
  Mlp pruned = mlp_;
  pruned.parameters.at("head.weight").narrow(1, 0, 3).zero_();
  const std::string input = (dir_ / "pruned.safetensors").string();
  const std::string output = (dir_ / "compact.safetensors").string();
  ASSERT_TRUE(WriteModelFile(input, pruned).ok());
  const CommandResult result = RunCommand(std::string(AMEND_CLI) + " compact " +
                                          input + " -o " + output);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  // By hand: the layernorm layer keeps its 8; 219 parameters lose 3 rows of
  // weight (8), skip (4), bias (1) and batchnorm (4) and 3 head columns (3).
  EXPECT_THAT(result.output, HasSubstr("widths:           8, 8 -> 8, 5"));
  EXPECT_THAT(result.output, HasSubstr("parameters:       219 -> 159"));
  const Mlp compact = ReadModelFile(output).value();
  const at::Tensor x = at::randn({16, 4});
  EXPECT_TRUE(at::allclose(
      Logits(compact.architecture, compact.parameters, x).value(),
      Logits(pruned.architecture, pruned.parameters, x).value(), 1e-5, 1e-6));
  const CommandResult json =
      RunCommand(std::string(AMEND_CLI) + " compact --output json " + input +
                 " -o " + output);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const nlohmann::json report = nlohmann::json::parse(json.output);
  EXPECT_EQ(report["widths_after"], nlohmann::json({8, 5}));
  EXPECT_EQ(report["parameters_after"], 159);
  const nlohmann::json inspected = nlohmann::json::parse(
      RunCommand(std::string(AMEND_CLI) + " inspect --output json " + output)
          .output);
  EXPECT_EQ(inspected["parameters"], 159);
  EXPECT_EQ(inspected["architecture"]["layers"][1]["width"], 5);
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) + " compact " + input).exit_code,
            2);
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) +
                       " compact /nonexistent.safetensors -o " + output)
                .exit_code,
            1);
}

// The hand-worked audit of tests/core/audit/certify_test.cc, through the
// binary: the original reads x1 + x2, the edit only x1 (x2 masked out and
// class 0's weights pruned). By hand: accuracy 1 -> 0.625, EOD 0 -> 0.5
// (group B's TPR is 1, A's 0.5), rows 2, 4, 8 change label (0.375), JSD
// 3 (ln 2 - H(1/4)) / 8 = 0.0490545 nats, 1 of 2 inputs, 1 of 4 weights.
TEST_F(CliTest, CertifyMeasuresAModelOnTheCallersRows) {
  const double ln3 = std::log(3.0);
  auto linear = [&](float w1, float w2) {
    Mlp mlp;
    mlp.architecture.input_dim = 2;
    mlp.architecture.num_classes = 2;
    mlp.parameters["head.weight"] =
        at::tensor({0.0f, 0.0f, static_cast<float>(ln3) * w1,
                    static_cast<float>(ln3) * w2})
            .view({2, 2});
    mlp.parameters["head.bias"] = at::zeros({2});
    return mlp;
  };
  Mlp edited = linear(1, 0);
  edited.masks["mask.input"] = at::tensor({1.0f, 0.0f});
  edited.masks["mask.head.weight"] =
      at::tensor({0.0f, 0.0f, 1.0f, 0.0f}).view({2, 2});
  const std::string original_path = (dir_ / "original.safetensors").string();
  const std::string edited_path = (dir_ / "edited.safetensors").string();
  ASSERT_TRUE(WriteModelFile(original_path, linear(1, 1)).ok());
  ASSERT_TRUE(WriteModelFile(edited_path, edited).ok());
  // The label and group sit between the inputs; the group is named "sex".
  const std::string audit = (dir_ / "audit.csv").string();
  ASSERT_TRUE(WriteFileAtomically(audit,
                                  "x1,label,sex,x2\n"
                                  "1,1,A,0\n1,0,A,-2\n-1,0,A,0\n-1,1,A,2\n"
                                  "1,1,B,0\n1,1,B,0\n-1,0,B,0\n1,0,B,-2\n")
                  .ok());
  const std::string certify = std::string(AMEND_CLI) + " certify --model " +
                              edited_path + " --audit " + audit +
                              " --group sex";
  const CommandResult table =
      RunCommand(certify + " --original " + original_path);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_THAT(table.output,
              HasSubstr("8 rows, label column \"label\", 2 groups in column "
                        "\"sex\""));
  EXPECT_THAT(table.output, HasSubstr("accuracy:       1 -> 0.625\n"));
  EXPECT_THAT(table.output, HasSubstr("EOD:            0 -> 0.5\n"));
  EXPECT_THAT(table.output,
              HasSubstr("group B (4 rows): TPR 1 -> 1, FPR 0 -> 0.5\n"));
  EXPECT_THAT(table.output, HasSubstr("JSD:            0.0490545 nats"));
  EXPECT_THAT(table.output, HasSubstr("labels changed: 0.375 of the rows"));
  EXPECT_THAT(table.output,
              HasSubstr("features used:  1 of 2 (removed inputs: 1)"));
  EXPECT_THAT(table.output, HasSubstr("weights kept:   1 of 4 (0.25)"));

  const CommandResult json =
      RunCommand(certify + " --original=" + original_path + " --output json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const nlohmann::json report = nlohmann::json::parse(json.output);
  EXPECT_EQ(report["rows"], 8);
  EXPECT_EQ(report["groups"], 2);
  EXPECT_EQ(report["group_column"], "sex");
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 0.625);
  EXPECT_DOUBLE_EQ(report["eod"].get<double>(), 0.5);
  EXPECT_EQ(report["group_rates"][0]["group"], "A");
  EXPECT_DOUBLE_EQ(report["group_rates"][0]["true_positive_rate"].get<double>(),
                   0.5);
  EXPECT_DOUBLE_EQ(report["original"]["accuracy"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(report["original"]["eod"].get<double>(), 0.0);
  EXPECT_NEAR(report["jsd"].get<double>(), 0.0490545, 1e-6);
  EXPECT_DOUBLE_EQ(report["labels_changed"].get<double>(), 0.375);
  EXPECT_EQ(report["features_used"], 1);
  EXPECT_EQ(report["removed_features"], nlohmann::json({1}));
  EXPECT_EQ(report["weights_kept"], 1);
  EXPECT_EQ(report["weights_total"], 4);
  EXPECT_FALSE(report.contains("eod_not_measured"));

  // Without groups (the "sex" column is then an input, one too many) and
  // without an original.
  const std::string ungrouped = (dir_ / "ungrouped.csv").string();
  ASSERT_TRUE(
      WriteFileAtomically(ungrouped, "x1,x2,label\n1,0,1\n-1,0,1\n").ok());
  const CommandResult plain =
      RunCommand(std::string(AMEND_CLI) + " certify --model " + edited_path +
                 " --audit " + ungrouped);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_THAT(plain.output, HasSubstr("accuracy:       0.5\n"));
  EXPECT_THAT(plain.output, HasSubstr("EOD:            not measured: the "
                                      "audit rows have no group column"));
  EXPECT_THAT(plain.output, Not(HasSubstr("JSD")));

  // A 3-class model: accuracy, but EOD is refused with the reason.
  const std::string three = (dir_ / "three.csv").string();
  ASSERT_TRUE(WriteFileAtomically(three,
                                  "a,b,c,d,label,group\n0,1,2,3,2,x\n"
                                  "1,1,1,1,0,y\n")
                  .ok());
  const CommandResult multiclass =
      RunCommand(std::string(AMEND_CLI) + " certify --output json --model " +
                 model_path_ + " --audit " + three);
  ASSERT_EQ(multiclass.exit_code, 0) << multiclass.output;
  const nlohmann::json three_report = nlohmann::json::parse(multiclass.output);
  EXPECT_TRUE(three_report["eod"].is_null());
  EXPECT_THAT(three_report["eod_not_measured"].get<std::string>(),
              HasSubstr("the model has 3 classes"));
  EXPECT_EQ(three_report["groups"], 2);
}

TEST_F(CliTest, CertifyRefusesBadInputNamingTheFieldWithExitCodes) {
  const std::string amend = std::string(AMEND_CLI) + " certify --model " +
                            model_path_;  // 4 inputs, 3 classes
  auto refused = [&](const std::string& name, const std::string& csv,
                     const std::string& flags = "") {
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(WriteFileAtomically(path, csv).ok());
    return RunCommand(amend + " --audit " + path + " " + flags);
  };
  CommandResult r = refused("wide.csv", "a,b,c,d,e,label\n1,2,3,4,5,0\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output,
              HasSubstr("wide.csv: input columns: must be 4 (the model's "
                        "input_dim), got 5 (a,b,c,d,e)"));
  r = refused("ragged.csv", "a,b,c,d,label\n1,2,3,4,0\n1,2,3,0\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("ragged.csv:3"));
  r = refused("nan.csv", "a,b,c,d,label\n1,2,3,4,nan\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("nan.csv:2: column label: must be a class "
                                  "in 0..2, got \"nan\""));
  r = refused("class.csv", "a,b,c,d,label\n1,2,3,4,3\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("class.csv:2: column label: must be a class "
                                  "in 0..2, got \"3\""));
  std::string many = "a,b,c,d,label,group\n";
  for (int g = 0; g < 65; ++g) absl::StrAppend(&many, "1,2,3,4,0,", g, "\n");
  r = refused("groups.csv", many);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("column group: groups: at most 64 distinct "
                                  "groups, got 65"));
  r = refused("empty.csv", "");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("empty.csv: has no header line"));
  r = refused("nolabel.csv", "a,b,c,d,label\n1,2,3,4,0\n", "--label y");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("label column \"y\": not in the header"));

  // Errors as one JSON object in --output json.
  r = refused("nan.csv", "a,b,c,d,label\n1,2,3,4,nan\n", "--output json");
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json error = nlohmann::json::parse(r.output);
  EXPECT_EQ(error["error"]["command"], "certify");
  EXPECT_EQ(error["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_THAT(error["error"]["message"].get<std::string>(),
              HasSubstr("column label"));

  // A model that does not load, and usage errors.
  const std::string broken = (dir_ / "broken.safetensors").string();
  ASSERT_TRUE(WriteFileAtomically(broken, "not a model").ok());
  r = RunCommand(std::string(AMEND_CLI) + " certify --model " + broken +
                 " --audit " + (dir_ / "nan.csv").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr("amend certify: " + broken));
  r = RunCommand(amend + " --audit " + (dir_ / "nan.csv").string() +
                 " --original " + broken);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.output, HasSubstr(broken));
  EXPECT_EQ(RunCommand(amend).exit_code, 2);
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) + " certify --audit " +
                       (dir_ / "nan.csv").string())
                .exit_code,
            2);
  EXPECT_EQ(RunCommand(amend + " --audit a.csv extra").exit_code, 2);
}

TEST_F(CliTest, ForwardWritesTheSameProbabilitiesAsTheLibrary) {
  const std::string input = (dir_ / "x.csv").string();
  const std::string output = (dir_ / "p.csv").string();
  ASSERT_TRUE(
      WriteFileAtomically(input, "a,b,c,d\n0.5,-1,2,0\n1,1,1,1\n-3,0.25,0,7\n")
          .ok());
  const CommandResult result =
      RunCommand(std::string(AMEND_TRAINER) + " forward --model " +
                 model_path_ + " --input " + input + " --out " + output);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string csv = *ReadFileToString(output);
  const at::Tensor x =
      at::tensor(std::vector<float>{0.5, -1, 2, 0, 1, 1, 1, 1, -3, 0.25, 0, 7})
          .reshape({3, 4});
  const at::Tensor expected =
      at::softmax(*Logits(mlp_.architecture, mlp_.parameters, x), -1);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "p_class_0,p_class_1,p_class_2");
  for (int64_t r = 0; r < 3; ++r) {
    ASSERT_TRUE(std::getline(lines, line));
    std::istringstream cells(line);
    std::string cell;
    for (int64_t c = 0; c < 3; ++c) {
      ASSERT_TRUE(std::getline(cells, cell, ','));
      EXPECT_NEAR(std::stod(cell), expected.index({r, c}).item<float>(), 1e-7);
    }
  }
}

TEST_F(CliTest, ForwardRefusesInputsOfTheWrongWidth) {
  const std::string input = (dir_ / "x.csv").string();
  ASSERT_TRUE(WriteFileAtomically(input, "1,2,3\n").ok());
  const CommandResult result = RunCommand(
      std::string(AMEND_TRAINER) + " forward --model " + model_path_ +
      " --input " + input + " --out " + (dir_ / "p.csv").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(
      result.output,
      HasSubstr("rows must have 4 values (the model's input_dim), got 3"));
  EXPECT_FALSE(fs::exists(dir_ / "p.csv"));
}

TEST_F(CliTest, DataPrintsTheTaskSummary) {
  const CommandResult result =
      RunCommand(std::string(AMEND_TRAINER) + " data --task bank --data_dir " +
                 AMEND_TEST_DATA_DIR);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("\"rows\": 45211"));
  EXPECT_THAT(result.output, HasSubstr("\"sensitive_attribute\": \"age\""));
  EXPECT_EQ(RunCommand(std::string(AMEND_TRAINER) + " data").exit_code, 2);
  EXPECT_EQ(RunCommand(std::string(AMEND_TRAINER) + " frobnicate").exit_code,
            2);
}

TEST_F(CliTest, ZooRefusesBadFlagsWithUsageOrMessage) {
  const std::string zoo = std::string(AMEND_TRAINER) +
                          " zoo --task adult --out " + (dir_ / "z").string() +
                          " --runs 1 --epochs 1 --max_rows 512";
  const CommandResult shard = RunCommand(zoo + " --shard 2/2");
  EXPECT_EQ(shard.exit_code, 2);
  EXPECT_THAT(shard.output,
              HasSubstr("--shard must be i/n with 0 <= i < n, got \"2/2\""));
  EXPECT_EQ(RunCommand(zoo + " --shard 0/1x").exit_code, 2);
  const CommandResult trainer = RunCommand(zoo + " --trainer cuda");
  // A flag's value: a usage error, refused before anything runs.
  EXPECT_EQ(trainer.exit_code, 2);
  EXPECT_THAT(trainer.output,
              HasSubstr("--trainer must be fused or libtorch, got \"cuda\""));
  EXPECT_EQ(RunCommand(zoo + " --epochs 0").exit_code, 2);
  const CommandResult deep = RunCommand(zoo + " --depths 2,9");
  EXPECT_EQ(deep.exit_code, 2);
  EXPECT_THAT(deep.output,
              HasSubstr("--depths: must be hidden-layer counts in 1..8"));
  // Parsed as int itself: 2^32 + 2 does not wrap to 2.
  EXPECT_EQ(RunCommand(zoo + " --depths 4294967298").exit_code, 2);
  const CommandResult activation = RunCommand(zoo + " --activations relu,elu");
  EXPECT_EQ(activation.exit_code, 2);
  EXPECT_THAT(activation.output, HasSubstr("--activations: must be one of"));
  EXPECT_EQ(RunCommand(std::string(AMEND_TRAINER) + " zoo-merge").exit_code, 2);
}

TEST_F(CliTest, EvalAndScalarisationRefuseBadFlags) {
  const std::string trainer(AMEND_TRAINER);
  const std::string eval = trainer + " eval --task adult --zoo " +
                           (dir_ / "no-zoo").string() + " --out " +
                           (dir_ / "report").string();
  EXPECT_EQ(RunCommand(eval).exit_code, 2);  // no --requirement
  const CommandResult nothing =
      RunCommand(eval + " --requirement pruning --baselines=false");
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.output, HasSubstr("nothing to run"));
  const CommandResult levels =
      RunCommand(eval + " --requirement pruning --lottery_levels 0");
  EXPECT_EQ(levels.exit_code, 2);
  EXPECT_THAT(levels.output, HasSubstr("--lottery_levels"));
  // A zoo that is not there: the command runs and fails with a message.
  const CommandResult missing = RunCommand(eval + " --requirement pruning");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.output, HasSubstr("amend-trainer eval:"));
  EXPECT_FALSE(fs::exists(dir_ / "report" / "report.json"));
  const CommandResult scalarisation = RunCommand(
      trainer +
      " train --task adult --requirement pruning --lambda 0.1 --zoo " +
      (dir_ / "no-zoo").string() + " --out " + (dir_ / "e").string() +
      " --scalarisation weighted");
  EXPECT_EQ(scalarisation.exit_code, 2);
  EXPECT_THAT(
      scalarisation.output,
      HasSubstr("--scalarisation must be linear or epo, got \"weighted\""));
}

TEST_F(CliTest, TrainerUsageListsEverySubcommand) {
  const CommandResult usage = RunCommand(AMEND_TRAINER);
  EXPECT_EQ(usage.exit_code, 2);
  for (const char* name :
       {"data", "task create", "task synth", "forward", "init", "zoo",
        "zoo-merge", "train", "sweep", "edit", "eval", "pipeline"}) {
    EXPECT_THAT(usage.output, HasSubstr(std::string("\n  ") + name + " "))
        << name;
  }
}

TEST_F(CliTest, ASubcommandRefusesAFlagOfAnotherSubcommand) {
  const std::string trainer = AMEND_TRAINER;
  const CommandResult data =
      RunCommand(trainer + " data --task adult --lambda 0.1");
  EXPECT_EQ(data.exit_code, 2);
  EXPECT_THAT(data.output, HasSubstr("amend-trainer data: --lambda is a flag "
                                     "of train, not of data"));
  const fs::path zoo_dir = dir_ / "z";
  const CommandResult zoo =
      RunCommand(trainer + " zoo --task adult --runs 1 --epochs 1 --out " +
                 zoo_dir.string() + " --lambdas 0.1,0.2");
  EXPECT_EQ(zoo.exit_code, 2);
  EXPECT_THAT(zoo.output,
              HasSubstr("--lambdas is a flag of sweep, not of zoo"));
  EXPECT_FALSE(fs::exists(zoo_dir));
  // A flag several subcommands read names them all; -o is not init's.
  const CommandResult init =
      RunCommand(trainer + " init --architecture x --out m --zoo z --seed 1");
  EXPECT_EQ(init.exit_code, 2);
  EXPECT_THAT(init.output,
              HasSubstr("--zoo is a flag of zoo-merge, train, sweep, eval, "
                        "not of init"));
  const CommandResult short_out =
      RunCommand(trainer + " init --architecture x -o m");
  EXPECT_EQ(short_out.exit_code, 2);
  EXPECT_THAT(short_out.output, HasSubstr("-o is a flag of"));
  EXPECT_THAT(short_out.output, Not(HasSubstr("--o ")));
  EXPECT_THAT(short_out.output, HasSubstr("not of init"));
  // --threads belongs to every subcommand.
  EXPECT_EQ(RunCommand(trainer + " data --task bank --threads 1 --data_dir " +
                       AMEND_TEST_DATA_DIR)
                .exit_code,
            0);
}

TEST_F(CliTest, LambdaAndLambdasAcceptTheSameForms) {
  const std::string common = " --task adult --requirement pruning --zoo " +
                             (dir_ / "no-zoo").string() + " --out " +
                             (dir_ / "e").string() + " --data_dir " +
                             AMEND_TEST_DATA_DIR;
  const std::string trainer = AMEND_TRAINER;
  const std::vector<std::string> commands = {
      trainer + " train" + common + " --lambda=",
      trainer + " sweep" + common + " --lambdas="};
  // Refused before anything runs, with the same reason and a usage exit code.
  for (const std::string& command : commands) {
    for (const char* form : {"-0.1", "inf", "nan"}) {
      const CommandResult refused = RunCommand(command + form);
      EXPECT_EQ(refused.exit_code, 2) << command << form << refused.output;
      EXPECT_THAT(refused.output,
                  HasSubstr(": must be a finite number >= 0, got "));
    }
    for (const char* form : {"abc", "0.1x"}) {
      const CommandResult refused = RunCommand(command + form);
      EXPECT_EQ(refused.exit_code, 2) << command << form << refused.output;
      EXPECT_THAT(refused.output,
                  HasSubstr(std::string(": must be a number, got \"") + form));
    }
  }
  // Accepted: the command gets as far as the missing zoo and fails there.
  for (const std::string& command : commands) {
    for (const char* form : {"0", "0.1", "1e-2", "3"}) {
      const CommandResult accepted = RunCommand(command + form);
      EXPECT_EQ(accepted.exit_code, 1) << command << form << accepted.output;
      EXPECT_THAT(accepted.output, HasSubstr("no-zoo"));
    }
  }
  EXPECT_THAT(RunCommand(commands[0] + "0.1,0.2").output,
              HasSubstr("--lambda: must be a number, got \"0.1,0.2\""));
}

// A real interruption: SIGKILL while the zoo is being built, then the same
// command again.
TEST_F(CliTest, ZooKilledMidwayResumesToTheSameManifest) {
  const std::string common =
      std::string(
          " zoo --task adult --runs 8 --epochs 4 --seed 3 --max_rows 512 "
          "--group_size 1 --workers 1 --data_dir ") +
      AMEND_TEST_DATA_DIR;
  const std::string whole = (dir_ / "whole").string();
  ASSERT_EQ(RunCommand(std::string(AMEND_TRAINER) + common + " --out " + whole)
                .exit_code,
            0);

  const std::string killed = (dir_ / "killed").string();
  // Killed as soon as the first run is in the manifest.
  const fs::path manifest = fs::path(killed) / "manifest.jsonl";
  ASSERT_TRUE(KillWhenWritten(
      std::string(AMEND_TRAINER) + common + " --out " + killed, manifest))
      << "the build finished before it could be interrupted";

  const CommandResult resumed =
      RunCommand(std::string(AMEND_TRAINER) + common + " --out " + killed);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, ::testing::Not(HasSubstr(" 0 already done")));
  EXPECT_EQ(*ReadFileToString(manifest.string()),
            *ReadFileToString(whole + "/manifest.jsonl"));
  EXPECT_THAT(TemporaryFiles(killed), ::testing::IsEmpty());
}

// The same for an editor: SIGKILL once a training state was saved, then the
// same command resumes from it to the editor an uninterrupted run writes.
TEST_F(CliTest, TrainKilledMidwayResumesToTheSameEditor) {
  const std::string trainer = AMEND_TRAINER;
  const std::string data = std::string(" --data_dir ") + AMEND_TEST_DATA_DIR;
  const std::string zoo = BuildSmallZoo(8);
  ASSERT_FALSE(HasFailure()) << "the zoo was not built";
  const std::string common =
      trainer +
      " train --task adult --requirement pruning --lambda 0.05 --steps 12 "
      "--eval_every 3 --checkpoint_every 3 --hidden 8 --layers 1 "
      "--max_test_rows 300 --zoo " +
      zoo + data + " --out ";
  const std::string whole = (dir_ / "whole").string();
  const CommandResult straight = RunCommand(common + whole);
  ASSERT_EQ(straight.exit_code, 0) << straight.output;

  const std::string killed = (dir_ / "killed").string();
  ASSERT_TRUE(KillWhenWritten(common + killed,
                              fs::path(killed) / "training_state.json"))
      << "the training finished before it could be interrupted";
  const CommandResult resumed = RunCommand(common + killed);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_THAT(resumed.output, HasSubstr(": resumed at step "));
  EXPECT_EQ(*ReadFileToString(killed + "/editor.safetensors"),
            *ReadFileToString(whole + "/editor.safetensors"));
  EXPECT_THAT(TemporaryFiles(killed), ::testing::IsEmpty());
}

TEST_F(CliTest, SweepTrainsEditorsAndEditWritesTheEditedModel) {
  const std::string trainer = AMEND_TRAINER;
  const std::string data = std::string(" --data_dir ") + AMEND_TEST_DATA_DIR;
  const std::string zoo = BuildSmallZoo(10);
  ASSERT_FALSE(HasFailure()) << "the zoo was not built";
  const std::string editors = (dir_ / "editors").string();
  const CommandResult sweep = RunCommand(
      trainer +
      " sweep --task adult --requirement data_minimisation --lambdas 0.01,0.5 "
      "--steps 6 --eval_every 3 --hidden 8 --layers 1 --max_test_rows 500 "
      "--zoo " +
      zoo + " --out " + editors + data);
  ASSERT_EQ(sweep.exit_code, 0) << sweep.output;
  EXPECT_THAT(sweep.output, HasSubstr("permutation_importance_fs"));
  const std::string summary = *ReadFileToString(editors + "/sweep.json");
  EXPECT_THAT(summary, HasSubstr("\"dir\": \"0.5\""));
  EXPECT_THAT(summary, HasSubstr("\"on_front\": true"));
  ASSERT_TRUE(fs::exists(editors + "/0.01/editor.json"));
  // Another editor's folder is refused, and the hint names the flag to change.
  const CommandResult taken = RunCommand(
      trainer +
      " train --task adult --requirement data_minimisation --lambda 0.02 "
      "--steps 6 --eval_every 3 --hidden 8 --layers 1 --max_test_rows 500 "
      "--zoo " +
      zoo + " --out " + editors + "/0.5" + data);
  EXPECT_EQ(taken.exit_code, 1) << taken.output;
  EXPECT_THAT(taken.output,
              HasSubstr("other settings; use another --out or delete the "
                        "folder"));

  const std::string model =
      (dir_ / "zoo/models/r000000-e004.safetensors").string();
  const std::string edited = (dir_ / "edited.safetensors").string();
  const CommandResult edit =
      RunCommand(trainer + " edit --editor " + editors + "/0.5 --model " +
                 model + " -o " + edited);
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  EXPECT_THAT(edit.output, HasSubstr("features kept: "));
  EXPECT_THAT(edit.output, HasSubstr("editor sha256: "));
  const absl::StatusOr<Mlp> result = ReadModelFile(edited);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->masks.count("mask.input"));
  EXPECT_EQ(result->masks.at("mask.input").numel(), 14);

  // A model of another task is refused with the reason and a usage exit code.
  const CommandResult wrong =
      RunCommand(trainer + " edit --editor " + editors + "/0.5 --model " +
                 model_path_ + " -o " + (dir_ / "never.safetensors").string());
  EXPECT_EQ(wrong.exit_code, 2) << wrong.output;
  EXPECT_THAT(
      wrong.output,
      HasSubstr("architecture.input_dim: the editor expects 14, got 4"));
  EXPECT_FALSE(fs::exists(dir_ / "never.safetensors"));
}

// A user's CSV through the chain: task create, data, zoo, train, edit, by
// task name under --tasks_dir and by folder path.
// One-hot inputs of the user's own preprocessing: "c=a", "c=b", "c=c" form
// one attribute, counted and named as one from task create to the edit.
TEST_F(CliTest, OneHotInputsAreEditedAsAttributes) {
  const std::string trainer = AMEND_TRAINER;
  auto write = [&](const std::string& name, int begin, int end) {
    std::string csv = "x1,x2,c=a,c=b,c=c,label\n";
    for (int r = begin; r < end; ++r) {
      const double x1 = ((r * 37) % 101) / 50.0 - 1,
                   x2 = ((r * 53) % 89) / 44.0 - 1;
      const int c = (r * 7) % 3;
      absl::StrAppend(&csv, x1, ",", x2, ",", c == 0, ",", c == 1, ",", c == 2,
                      ",", x1 + (c == 1) > 0.3 ? "yes" : "no", "\n");
    }
    const std::string path = (dir_ / name).string();
    EXPECT_TRUE(WriteFileAtomically(path, csv).ok());
    return path;
  };
  const std::string tasks = (dir_ / "tasks").string();
  const CommandResult created = RunCommand(
      trainer + " task create --inputs_as_is --data " + write("a.csv", 0, 600) +
      " --validation " + write("b.csv", 600, 800) + " --test " +
      write("c.csv", 800, 1000) + " --label label --positive yes --out " +
      tasks + "/onehot");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_THAT(created.output,
              HasSubstr("attribute c: 3 inputs (c=a, c=b, c=c), kept or "
                        "removed together"));
  EXPECT_THAT(created.output, HasSubstr("3 attributes (data minimisation keeps "
                                        "or removes each whole): x1, x2, c (3 "
                                        "inputs)"));
  const std::string zoo = (dir_ / "zoo").string();
  ASSERT_EQ(RunCommand(trainer + " zoo --task " + tasks +
                       "/onehot --runs 8 --epochs 2 --seed 3 --out " + zoo)
                .exit_code,
            0);
  const std::string editor = (dir_ / "editor").string();
  const CommandResult trained = RunCommand(
      trainer + " train --task " + tasks +
      "/onehot --requirement data_minimisation --lambda 0.05 --steps 2 "
      "--eval_every 2 --hidden 8 --layers 1 --zoo " +
      zoo + " --out " + editor);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const CommandResult edit =
      RunCommand(trainer + " edit --editor " + editor + " --model " + zoo +
                 "/models/r000000-e002.safetensors -o " +
                 (dir_ / "out.safetensors").string());
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  EXPECT_THAT(edit.output, HasSubstr(" of 3"));
  EXPECT_THAT(edit.output, ::testing::Not(HasSubstr(" of 5")));
}

TEST_F(CliTest, AUserTaskGoesFromCsvToAnEditedModel) {
  const std::string trainer = AMEND_TRAINER;
  const std::string csv = (dir_ / "synth.csv").string();
  const std::string tasks = (dir_ / "tasks").string();
  ASSERT_EQ(RunCommand(trainer + " task synth --rows 800 --seed 5 --out " + csv)
                .exit_code,
            0);
  const CommandResult created = RunCommand(
      trainer + " task create --data " + csv +
      " --label label --positive yes --sensitive group --privileged A --out " +
      tasks + "/synth");
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_THAT(created.output,
              HasSubstr("region: categorical, 4 values (inferred: \""));
  EXPECT_THAT(created.output, HasSubstr("synth: 800 rows, 10 features"));
  // The same command again refuses to overwrite the folder.
  const CommandResult again =
      RunCommand(trainer + " task create --data " + csv +
                 " --label label --positive yes --out " + tasks + "/synth");
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_THAT(again.output, HasSubstr("already exists"));
  // Bad input: a usage exit code and the column's name.
  const CommandResult bad =
      RunCommand(trainer + " task create --data " + csv +
                 " --label label --positive yes --numeric region --out " +
                 tasks + "/never");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_THAT(bad.output, HasSubstr("column region: --numeric, but"));
  EXPECT_FALSE(fs::exists(tasks + "/never"));

  const CommandResult data = RunCommand(
      trainer + " data --task synth --tasks_dir " + tasks + " --format text");
  ASSERT_EQ(data.exit_code, 0) << data.output;
  EXPECT_THAT(data.output, HasSubstr("sensitive attribute: group"));

  const std::string zoo = (dir_ / "zoo").string();
  const CommandResult built =
      RunCommand(trainer + " zoo --task " + tasks +
                 "/synth --runs 8 --epochs 4 --seed 3 --out " + zoo);
  ASSERT_EQ(built.exit_code, 0) << built.output;
  const std::string editor = (dir_ / "editor").string();
  const CommandResult trained =
      RunCommand(trainer + " train --task synth --tasks_dir " + tasks +
                 " --requirement data_minimisation --lambda 0.05 --steps 4 "
                 "--eval_every 2 --hidden 8 --layers 1 --zoo " +
                 zoo + " --out " + editor);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_THAT(trained.output, HasSubstr("synth / data_minimisation"));
  const CommandResult edit =
      RunCommand(trainer + " edit --editor " + editor + " --model " + zoo +
                 "/models/r000000-e004.safetensors -o " +
                 (dir_ / "out.safetensors").string());
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  EXPECT_THAT(edit.output, HasSubstr(" of 10 ("));

  // A task without a sensitive attribute has no fairness editors.
  ASSERT_EQ(
      RunCommand(trainer + " task create --data " + csv +
                 " --label label --positive yes --out " + tasks + "/plain")
          .exit_code,
      0);
  const CommandResult plain = RunCommand(
      trainer + " data --task plain --format text --tasks_dir " + tasks);
  EXPECT_THAT(plain.output,
              HasSubstr("sensitive attribute: none (no fairness editors)"));
  const CommandResult fairness =
      RunCommand(trainer + " train --task plain --tasks_dir " + tasks +
                 " --requirement fairness --lambda 0.1 --steps 4 --zoo " + zoo +
                 " --out " + (dir_ / "never").string());
  EXPECT_EQ(fairness.exit_code, 2) << fairness.output;
  EXPECT_THAT(fairness.output,
              HasSubstr("requirement fairness: task plain has no sensitive "
                        "attribute"));
  const CommandResult eval =
      RunCommand(trainer + " eval --task plain --tasks_dir " + tasks +
                 " --requirement fairness --zoo " + zoo + " --out " +
                 (dir_ / "never-eval").string());
  EXPECT_EQ(eval.exit_code, 2) << eval.output;
  EXPECT_THAT(eval.output, HasSubstr("task plain has no sensitive attribute"));
  // The pipeline refuses it before building a zoo.
  const CommandResult pipeline = RunCommand(
      trainer + " pipeline --task plain --tasks_dir " + tasks +
      " --requirements fairness --out " + (dir_ / "never-pipeline").string());
  EXPECT_EQ(pipeline.exit_code, 2) << pipeline.output;
  EXPECT_THAT(pipeline.output,
              HasSubstr("--requirements: requirement fairness: task plain has "
                        "no sensitive attribute"));
  EXPECT_FALSE(fs::exists(dir_ / "never-pipeline"));
  // Without --positive every value of the label is a class: the chain runs,
  // fairness is refused (equalised odds needs two classes).
  const CommandResult regions =
      RunCommand(trainer + " task create --data " + csv +
                 " --label region --ignore label --out " + tasks + "/regions");
  ASSERT_EQ(regions.exit_code, 0) << regions.output;
  EXPECT_THAT(regions.output, HasSubstr("label region: 4 classes"));
  const std::string region_zoo = (dir_ / "region-zoo").string();
  ASSERT_EQ(
      RunCommand(trainer + " zoo --task " + tasks +
                 "/regions --runs 8 --epochs 2 --seed 3 --out " + region_zoo)
          .exit_code,
      0);
  const CommandResult region_editor = RunCommand(
      trainer + " train --task regions --tasks_dir " + tasks +
      " --requirement pruning --lambda 0.05 --steps 2 --eval_every 2 "
      "--hidden 8 --layers 1 --zoo " +
      region_zoo + " --out " + (dir_ / "region-editor").string());
  ASSERT_EQ(region_editor.exit_code, 0) << region_editor.output;
  const CommandResult region_fairness =
      RunCommand(trainer + " train --task regions --tasks_dir " + tasks +
                 " --requirement fairness --lambda 0.1 --steps 2 --zoo " +
                 region_zoo + " --out " + (dir_ / "never").string());
  EXPECT_EQ(region_fairness.exit_code, 2) << region_fairness.output;
  EXPECT_THAT(region_fairness.output,
              HasSubstr("has 4 classes; equalised odds needs a binary label"));
  // A zoo of one task never trains an editor of another.
  const CommandResult crossed =
      RunCommand(trainer + " train --task plain --tasks_dir " + tasks +
                 " --requirement pruning --lambda 0.1 --steps 2 --zoo " +
                 region_zoo + " --out " + (dir_ / "never").string());
  EXPECT_NE(crossed.exit_code, 0) << crossed.output;
  EXPECT_THAT(crossed.output,
              HasSubstr("the zoo is of task \"regions\", not \"plain\""));
  const CommandResult split = RunCommand(
      trainer + " data --task plain --tasks_dir " + tasks +
      " --features_split dev --features_out " + (dir_ / "f.csv").string());
  EXPECT_EQ(split.exit_code, 2) << split.output;
  EXPECT_THAT(split.output,
              HasSubstr("--features_split must be train, validation or test, "
                        "got \"dev\""));
}

TEST_F(CliTest, AmendTalksToTheServerWithExitCodesAScriptCanUse) {
  const std::string editors = (dir_ / "editors").string();
  // Two editors of one task, trained on zoos of different architectures.
  ArchitectureRange wide;
  wide.min_hidden_layers = 1;
  wide.max_hidden_layers = 3;
  wide.min_width = 4;
  wide.max_width = 64;
  wide.activations = {Activation::kRelu};
  wide.norms = {Norm::kNone};
  ArchitectureRange narrow = wide;
  narrow.max_hidden_layers = 2;
  testing::WriteTestEditor(editors, {.requirement = Requirement::kPruning,
                                     .lambda = 0.01,
                                     .weights_kept = 0.5,
                                     .trained_architectures = wide});
  testing::WriteTestEditor(editors,
                           {.requirement = Requirement::kDataMinimisation,
                            .lambda = 0.02,
                            .seed = 2,
                            .trained_architectures = narrow});
  const std::string amend = StartServer(editors);
  ASSERT_FALSE(HasFailure());
  EXPECT_THAT(health_output_, HasSubstr("amend.v1.ModelEditor   SERVING"));
  const CommandResult listed = RunCommand(amend + " editors");
  EXPECT_THAT(listed.output,
              HasSubstr("adult  pruning            prune_and_edit  0.01"));
  // Each range once, naming its editors (not only the first editor's).
  EXPECT_THAT(listed.output,
              HasSubstr("trained on 1-3 hidden layers of 4-64, relu, norms "
                        "none, up to 0 skips (pruning/prune_and_edit λ 0.01)"));
  EXPECT_THAT(listed.output,
              HasSubstr("trained on 1-2 hidden layers of 4-64, relu, norms "
                        "none, up to 0 skips (data_minimisation/"));
  EXPECT_THAT(listed.output,
              HasSubstr("task adult: 14 features (age, workclass, fnlwgt, "));
  EXPECT_THAT(listed.output, HasSubstr("classes (<=50K, >50K)"));

  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  a.layers = {{8, Activation::kRelu, Norm::kNone, 0.0, {}}};
  const std::string model = (dir_ / "adult.safetensors").string();
  ASSERT_TRUE(WriteModelFile(model, *InitializeMlp(a, 3)).ok());
  const std::string edited = (dir_ / "edited.safetensors").string();
  const CommandResult edit = RunCommand(
      amend + " edit --task adult --requirement pruning --max-weights 0.6 " +
      model + " -o " + edited);
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  EXPECT_THAT(edit.output, HasSubstr("receipt        input "));
  const absl::StatusOr<Mlp> result = ReadModelFile(edited);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->masks.count("mask.head.weight"));

  const CommandResult refused = RunCommand(
      amend + " edit --task adult --requirement pruning --lambda 9 " + model +
      " -o " + edited);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("NOT_FOUND: lambda"));
  EXPECT_EQ(RunCommand(amend + " edit --task adult " + model).exit_code, 2);

  // --output json: one object a pipeline parses, the same figures.
  const CommandResult edit_json =
      RunCommand(amend +
                 " edit --output json --task adult --requirement pruning "
                 "--max-weights 0.6 " +
                 model + " -o " + edited);
  ASSERT_EQ(edit_json.exit_code, 0) << edit_json.output;
  const nlohmann::json edit_reply = nlohmann::json::parse(edit_json.output);
  EXPECT_EQ(edit_reply["output_path"], edited);
  // int64 is a string in protobuf's JSON mapping; 14 * 8 + 8 * 2 weights.
  EXPECT_EQ(edit_reply["statistics"]["weights_total"], "128");
  EXPECT_EQ(edit_reply["editor"]["requirement"], "pruning");
  EXPECT_EQ(edit_reply["receipt"]["output_sha256"].get<std::string>().size(),
            64u);
  EXPECT_FALSE(edit_reply.contains("edited_model"));
  EXPECT_TRUE(edit_reply["masks"].is_array());
  const nlohmann::json listed_json = nlohmann::json::parse(
      RunCommand(amend + " editors --output json").output);
  ASSERT_EQ(listed_json["editors"].size(), 2u);
  EXPECT_EQ(listed_json["editors"][0]["task"], "adult");
  const nlohmann::json health_json =
      nlohmann::json::parse(RunCommand(amend + " health --output json").output);
  EXPECT_EQ(health_json["ready"], true);
  EXPECT_EQ(health_json["services"]["amend.v1.ModelEditor"], "SERVING");
  const CommandResult refused_json =
      RunCommand(amend +
                 " edit --output json --task adult --requirement pruning "
                 "--lambda 9 " +
                 model + " -o " + edited);
  EXPECT_EQ(refused_json.exit_code, 1);
  const nlohmann::json error = nlohmann::json::parse(refused_json.output);
  EXPECT_EQ(error["error"]["code"], "NOT_FOUND");
  EXPECT_EQ(error["error"]["command"], "edit");
  EXPECT_EQ(RunCommand(amend + " health --output yaml").exit_code, 2);

  // Two requirements in one call.
  const std::string composed = (dir_ / "composed.safetensors").string();
  const std::string steps =
      " edit --task adult --steps data_minimisation:lambda=0.02,"
      "pruning/prune_and_edit:lambda=0.01 ";
  const CommandResult both =
      RunCommand(amend + steps + model + " -o " + composed);
  ASSERT_EQ(both.exit_code, 0) << both.output;
  EXPECT_THAT(both.output, HasSubstr("step 1         data_minimisation"));
  EXPECT_THAT(both.output,
              HasSubstr("step 2         pruning (prune_and_edit)"));
  const absl::StatusOr<Mlp> composed_model = ReadModelFile(composed);
  ASSERT_TRUE(composed_model.ok()) << composed_model.status();
  EXPECT_TRUE(composed_model->masks.count("mask.input"));
  EXPECT_TRUE(composed_model->masks.count("mask.head.weight"));
  const nlohmann::json both_json = nlohmann::json::parse(
      RunCommand(amend + steps + "--output json " + model + " -o " + composed)
          .output);
  ASSERT_EQ(both_json["steps"].size(), 2u);
  EXPECT_EQ(both_json["steps"][1]["editor"]["requirement"], "pruning");
  EXPECT_TRUE(both_json["steps"][0]["masks"].is_array());
  const CommandResult malformed =
      RunCommand(amend + " edit --task adult --steps pruning " + model +
                 " -o " + composed);
  EXPECT_EQ(malformed.exit_code, 2) << malformed.output;
  EXPECT_THAT(malformed.output,
              HasSubstr("--steps: step 1 \"pruning\" has no"));
  EXPECT_EQ(RunCommand(amend + steps + "--requirement pruning " + model +
                       " -o " + composed)
                .exit_code,
            2);
  const CommandResult unknown = RunCommand(
      amend +
      " edit --task adult --steps pruning:lambda=0.01,privacy:lambda=1 " +
      model + " -o " + composed);
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_THAT(unknown.output, HasSubstr("steps[1].requirement"));

  EXPECT_TRUE(StopServer());
  const CommandResult gone = RunCommand(amend + " health --timeout_seconds 2");
  EXPECT_EQ(gone.exit_code, 3) << gone.output;
  EXPECT_THAT(gone.output, HasSubstr("UNAVAILABLE"));
}

// The operator's path (keys made with openssl, one rotated out) and the
// auditor's (keys fetched once, receipts checked offline).
TEST_F(CliTest, ReceiptsAreSignedFetchedAndVerifiedOffline) {
  const std::string editors = (dir_ / "editors").string();
  testing::WriteTestEditor(editors, {.requirement = Requirement::kPruning,
                                     .lambda = 0.01,
                                     .weights_kept = 0.5});
  const std::string key = (dir_ / "receipt.pem").string();
  const std::string old_key = (dir_ / "old.pem").string();
  const std::string old_public = (dir_ / "old.pub.pem").string();
  for (const std::string& command :
       {"openssl genpkey -algorithm ed25519 -out " + key,
        "openssl genpkey -algorithm ed25519 -out " + old_key,
        "openssl pkey -in " + old_key + " -pubout -out " + old_public}) {
    const CommandResult made = RunCommand(command + " 2>&1");
    ASSERT_EQ(made.exit_code, 0) << command << ": " << made.output;
  }
  const std::string amend = StartServer(
      editors, "--receipt_key " + key + " --receipt_public_keys " + old_public);
  ASSERT_FALSE(HasFailure());

  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  a.layers = {{8, Activation::kRelu, Norm::kNone, 0.0, {}}};
  const std::string model = (dir_ / "adult.safetensors").string();
  ASSERT_TRUE(WriteModelFile(model, *InitializeMlp(a, 5)).ok());
  const std::string edited = (dir_ / "edited.safetensors").string();
  const CommandResult edit = RunCommand(
      amend + " edit --task adult --requirement pruning --lambda 0.01 " +
      model + " -o " + edited);
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  const std::string receipt = edited + ".receipt.json";
  EXPECT_THAT(edit.output, HasSubstr("receipt " + receipt));
  ASSERT_TRUE(fs::exists(receipt));

  const std::string keys = (dir_ / "keys.pem").string();
  const CommandResult fetched = RunCommand(amend + " keys -o " + keys);
  ASSERT_EQ(fetched.exit_code, 0) << fetched.output;
  EXPECT_THAT(fetched.output, HasSubstr("2 public keys written to " + keys));
  EXPECT_THAT(fetched.output, HasSubstr("signs new receipts"));
  EXPECT_THAT(fetched.output, HasSubstr("verifies earlier receipts"));
  EXPECT_TRUE(StopServer());

  // Offline from here.
  const std::string verify =
      std::string(AMEND_CLI) + " verify " + receipt + " --public-key " + keys;
  const CommandResult valid =
      RunCommand(verify + " --model " + edited + " --input " + model);
  EXPECT_EQ(valid.exit_code, 0) << valid.output;
  EXPECT_THAT(valid.output, HasSubstr("receipt valid: signed by key "));
  EXPECT_THAT(valid.output, HasSubstr("matches " + edited));
  EXPECT_THAT(valid.output, HasSubstr("step 1  adult / pruning"));
  const nlohmann::json as_json =
      nlohmann::json::parse(RunCommand(verify + " --output json").output);
  EXPECT_EQ(as_json["valid"], true);
  EXPECT_EQ(as_json["receipt"]["steps"][0]["requirement"], "pruning");
  EXPECT_EQ(as_json["receipt"]["steps"][0]["weights_total"], 128);

  const CommandResult other_model = RunCommand(verify + " --model " + model);
  EXPECT_EQ(other_model.exit_code, 1) << other_model.output;
  EXPECT_THAT(other_model.output,
              HasSubstr("not the model this receipt is for"));

  nlohmann::json file =
      nlohmann::json::parse(ReadFileToString(receipt).value());
  std::string payload = file["payload"];
  const std::string claimed = "\"requirement\":\"pruning\"";
  const size_t at = payload.find(claimed);
  ASSERT_NE(at, std::string::npos) << payload;
  payload.replace(at, claimed.size(), "\"requirement\":\"fairness\"");
  file["payload"] = payload;
  const std::string tampered = (dir_ / "tampered.json").string();
  ASSERT_TRUE(WriteFileAtomically(tampered, file.dump()).ok());
  const CommandResult refused = RunCommand(std::string(AMEND_CLI) + " verify " +
                                           tampered + " --public-key " + keys);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_THAT(refused.output, HasSubstr("the payload or the signature was "
                                        "changed"));

  const CommandResult untrusted =
      RunCommand(std::string(AMEND_CLI) + " verify " + receipt +
                 " --public-key " + old_public);
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.output;
  EXPECT_THAT(untrusted.output,
              HasSubstr("is not among the trusted public keys"));
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) + " verify " + receipt +
                       " --public-key " + (dir_ / "missing.pem").string())
                .exit_code,
            2);
  EXPECT_EQ(RunCommand(std::string(AMEND_CLI) + " verify " + receipt).exit_code,
            2);
}

// One command from a task to served editors: the quick pipeline on a user
// task, resumed, then served and used through the amend CLI.
TEST_F(CliTest, ThePipelineOfAUserTaskIsServedByTheServer) {
  const std::string trainer = AMEND_TRAINER;
  const std::string csv = (dir_ / "synth.csv").string();
  const std::string task = (dir_ / "tasks/synth").string();
  ASSERT_EQ(
      RunCommand(trainer + " task synth --rows 1500 --seed 2 --out " + csv)
          .exit_code,
      0);
  ASSERT_EQ(RunCommand(trainer + " task create --data " + csv +
                       " --label label --positive yes --sensitive group "
                       "--privileged A --out " +
                       task)
                .exit_code,
            0);
  const std::string out = (dir_ / "pipeline").string();
  // Editors straight into the folder a server serves (--editors_out).
  const std::string served = (dir_ / "served").string();
  const std::string pipeline = trainer + " pipeline --task " + task +
                               " --size quick --requirements pruning --out " +
                               out + " --editors_out " + served;
  const CommandResult first = RunCommand(pipeline);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("[pipeline] 3/3 steps done"));
  EXPECT_THAT(first.output, HasSubstr("pruning: editor: hypervolume "));
  EXPECT_TRUE(fs::exists(out + "/reports/pruning/summary.md"));
  const CommandResult again = RunCommand(pipeline);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_THAT(again.output,
              HasSubstr("step 2/3 editors pruning: done earlier"));
  const CommandResult other =
      RunCommand(trainer + " pipeline --task " + task + " --out " + out);
  EXPECT_EQ(other.exit_code, 1) << other.output;
  EXPECT_THAT(other.output, HasSubstr("holds a pipeline with other settings"));

  EXPECT_TRUE(fs::exists(served + "/synth/pruning/sweep.json"));
  EXPECT_FALSE(fs::exists(out + "/editors"));
  const std::string amend = StartServer(served);
  ASSERT_FALSE(HasFailure());
  const CommandResult editors = RunCommand(amend + " editors");
  EXPECT_THAT(editors.output,
              HasSubstr("task synth: 10 features (income, debt, tenure, "
                        "region, noise1"));
  const std::string model = out + "/zoo/models/r000000-e005.safetensors";
  const CommandResult edit =
      RunCommand(amend +
                 " edit --task synth --requirement pruning --lambda "
                 "0.03 " +
                 model + " -o " + (dir_ / "edited.safetensors").string());
  EXPECT_EQ(edit.exit_code, 0) << edit.output;
  // A model of another task (14 inputs) is refused, naming both widths.
  const CommandResult wrong =
      RunCommand(amend +
                 " edit --task synth --requirement pruning --lambda "
                 "0.03 " +
                 model_path_ + " -o " + (dir_ / "never.safetensors").string());
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_THAT(wrong.output, HasSubstr("the editor expects 10, got 4"));

  // A model of the task but wider than any zoo model: edited and flagged,
  // or refused in strict mode.
  Architecture wide;
  wide.input_dim = 10;
  wide.num_classes = 2;
  wide.layers = {{200, Activation::kRelu, Norm::kNone, 0.0, {}}};
  const std::string wide_path = (dir_ / "wide.safetensors").string();
  ASSERT_TRUE(WriteModelFile(wide_path, *InitializeMlp(wide, 5)).ok());
  const std::string edit_wide =
      amend + " edit --task synth --requirement pruning --lambda 0.03 " +
      wide_path + " -o " + (dir_ / "wide-edited.safetensors").string();
  const CommandResult flagged = RunCommand(edit_wide);
  EXPECT_EQ(flagged.exit_code, 0) << flagged.output;
  EXPECT_THAT(flagged.output,
              HasSubstr("EXTRAPOLATION  hidden layer 1 is 200 wide; the zoo's "
                        "widths are "));
  EXPECT_THAT(edit.output, Not(HasSubstr("EXTRAPOLATION")));
  const CommandResult strict = RunCommand(edit_wide + " --strict");
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
  EXPECT_THAT(strict.output, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(strict.output, HasSubstr("refused in strict mode"));
  EXPECT_TRUE(StopServer());
}

}  // namespace
}  // namespace amend
