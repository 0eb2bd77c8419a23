// amend-server in-process on port 0, driven through the client library:
// round trips, target resolution, every bad input's status, reloads under
// load, tokens, deadlines, draining and the metrics endpoint.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <arpa/inet.h>
#include <grpcpp/create_channel.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <regex>
#include <thread>

#include "client/amend_client.h"
#include "core/editor/editor_checkpoint.h"
#include "core/mlp/forward.h"
#include "core/mlp/model_file.h"
#include "core/mlp/parameter_layout.h"
#include "core/receipts/receipt.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/file_io.h"
#include "core/util/sha256.h"
#include "core/util/version.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/amend_server.h"
#include "server/model_codec.h"
#include "tests/server/raw_call.h"
#include "tests/testing/temp_dir.h"

namespace amend::server {
namespace {

using ::testing::HasSubstr;
using testing::TestEditorSpec;
using testing::WriteTestEditor;

Mlp AdultModel(uint64_t seed, int width = 16) {
  Architecture a;
  a.input_dim = 14;
  a.num_classes = 2;
  a.layers = {{width, Activation::kRelu, Norm::kLayerNorm, 0.0, {}},
              {width, Activation::kGelu, Norm::kNone, 0.0, {0}}};
  return InitializeMlp(a, seed).value();
}

std::string ModelBytes(const Mlp& mlp) { return SerializeModel(mlp).value(); }

// The model as the request's tensors, unvalidated (SerializeModel would refuse
// what these tests send).
void SetTensors(const Mlp& mlp, const std::string& architecture_json,
                amend::v1::EditModelRequest& request) {
  amend::v1::TensorModel* tensors = request.mutable_model()->mutable_tensors();
  tensors->set_architecture_json(architecture_json);
  for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
    EncodeTensor(spec.name, mlp.parameters.at(spec.name),
                 tensors->add_tensors());
  }
}

// GET http://127.0.0.1:<port>/metrics, body only.
std::string Scrape(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    ::close(fd);
    return "";
  }
  const std::string request =
      "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)::write(fd, request.data(), request.size());
  std::string response;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0)
    response.append(buffer, n);
  ::close(fd);
  const size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? response : response.substr(body + 4);
}

// The value of one series in a scrape, 0 when absent.
double Series(const std::string& scrape, const std::string& name_and_labels) {
  const size_t at = scrape.find("\n" + name_and_labels + " ");
  if (at == std::string::npos) return 0;
  return std::stod(scrape.substr(at + name_and_labels.size() + 2));
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = temp_.path().string();
    WriteTestEditor(root_, {.requirement = Requirement::kPruning,
                            .lambda = 0.01,
                            .jsd = 0.003,
                            .weights_kept = 0.5});
    WriteTestEditor(root_, {.requirement = Requirement::kPruning,
                            .lambda = 0.1,
                            .jsd = 0.01,
                            .weights_kept = 0.2,
                            .seed = 2});
    WriteTestEditor(root_, {.requirement = Requirement::kDataMinimisation,
                            .lambda = 0.01,
                            .jsd = 0.002,
                            .features_kept = 7,
                            .seed = 3});
    WriteTestEditor(root_, {.requirement = Requirement::kFairness,
                            .lambda = 0.1,
                            .jsd = 0.004,
                            .eod = 0.05,
                            .seed = 4});
    options_.editors_dir = root_;
    options_.port = 0;
    options_.metrics_port = 0;
    options_.host = "127.0.0.1";
    options_.batching.workers = 2;
  }

  void StartServer() {
    auto server = AmendServer::Start(options_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    client::ClientOptions connection;
    connection.address = "127.0.0.1:" + std::to_string(server_->port());
    connection.token = token_;
    client_ = client::AmendClient::Connect(connection).value();
  }

  amend::v1::EditModelRequest Request(const std::string& requirement,
                                      const Mlp& mlp) {
    amend::v1::EditModelRequest request;
    request.set_task("adult");
    request.set_requirement(requirement);
    request.set_lambda(requirement == "pruning" || requirement == "fairness"
                           ? (requirement == "pruning" ? 0.01 : 0.1)
                           : 0.01);
    request.mutable_model()->set_safetensors(ModelBytes(mlp));
    return request;
  }

  absl::Status EditStatus(const amend::v1::EditModelRequest& request) {
    return client_->EditModel(request).status();
  }

  testing::ScopedTempDir temp_;
  std::string root_;
  std::string token_;
  ServerOptions options_;
  std::unique_ptr<AmendServer> server_;
  std::unique_ptr<client::AmendClient> client_;
};

TEST_F(ServerTest, EditsEqualTheInProcessEditForEveryRequirement) {
  StartServer();
  const Mlp mlp = AdultModel(7);
  for (const char* requirement : {"pruning", "data_minimisation", "fairness"}) {
    SCOPED_TRACE(requirement);
    for (const bool as_safetensors : {true, false}) {
      amend::v1::EditModelRequest request = Request(requirement, mlp);
      if (!as_safetensors) {
        request.clear_model();
        amend::v1::TensorModel* tensors =
            request.mutable_model()->mutable_tensors();
        tensors->set_architecture_json(ArchitectureToJson(mlp.architecture));
        for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
          EncodeTensor(spec.name, mlp.parameters.at(spec.name),
                       tensors->add_tensors());
        }
      }
      absl::StatusOr<amend::v1::EditModelResponse> reply =
          client_->EditModel(request);
      ASSERT_TRUE(reply.ok()) << reply.status();
      // The same editor, loaded from disk, edits in this process.
      const std::string dir = reply->editor().requirement() == "fairness"
                                  ? root_ + "/fairness/edit-0.1"
                                  : root_ + "/" + requirement + "/" +
                                        reply->editor().variant() + "-0.01";
      const LoadedEditor loaded = ReadEditorCheckpoint(dir).value();
      const EditResult expected = loaded.editor->Edit({&mlp}).value()[0];
      Mlp served;
      if (as_safetensors) {
        ASSERT_TRUE(reply->edited_model().has_safetensors());
        served = ParseModelFile(reply->edited_model().safetensors()).value();
      } else {
        ASSERT_TRUE(reply->edited_model().has_tensors());
        amend::v1::Model as_model;
        *as_model.mutable_tensors() = reply->edited_model().tensors();
        served = DecodeModel(as_model, {}).value().mlp;
      }
      for (const auto& [name, tensor] : expected.edited.parameters) {
        EXPECT_TRUE(at::equal(served.parameters.at(name), tensor)) << name;
      }
      ASSERT_EQ(reply->masks_size(),
                static_cast<int>(expected.edited.masks.size()));
      for (const amend::v1::Tensor& mask : reply->masks()) {
        const at::Tensor& want = expected.edited.masks.at(mask.name());
        EXPECT_EQ(mask.raw().size(), want.numel() * sizeof(float));
        EXPECT_EQ(
            std::memcmp(mask.raw().data(), want.contiguous().data_ptr<float>(),
                        mask.raw().size()),
            0)
            << mask.name();
      }
      EXPECT_EQ(reply->statistics().weights_kept(),
                expected.statistics.weights_kept);
      EXPECT_EQ(reply->statistics().features_kept(),
                expected.statistics.features_kept);
      EXPECT_EQ(reply->statistics().kept_features_size() +
                    reply->statistics().removed_features_size(),
                14);
      EXPECT_EQ(reply->receipt().editor_sha256(),
                loaded.manifest.weights_sha256);
      EXPECT_EQ(reply->receipt().output_sha256(),
                Sha256Hex(SerializeModel(expected.edited).value()));
      if (as_safetensors) {
        EXPECT_EQ(reply->receipt().input_sha256(),
                  Sha256Hex(request.model().safetensors()));
      }
      EXPECT_GT(reply->server_seconds(), 0);
    }
  }
}

amend::v1::EditStep Step(const std::string& requirement, double lambda) {
  amend::v1::EditStep step;
  step.set_requirement(requirement);
  step.set_lambda(lambda);
  return step;
}

TEST_F(ServerTest, AComposedEditEqualsItsStepsOneByOne) {
  StartServer();
  const std::string model = ModelBytes(AdultModel(9));
  amend::v1::EditModelRequest composed;
  composed.set_task("adult");
  composed.mutable_model()->set_safetensors(model);
  *composed.add_steps() = Step("data_minimisation", 0.01);
  *composed.add_steps() = Step("pruning", 0.01);
  *composed.add_steps() = Step("fairness", 0.1);
  absl::StatusOr<amend::v1::EditModelResponse> reply =
      client_->EditModel(composed);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->steps_size(), 3);

  // The same steps as three calls, each on the previous call's model file.
  std::string current = model;
  std::vector<amend::v1::EditModelResponse> singles;
  for (const auto& [requirement, lambda] :
       std::vector<std::pair<std::string, double>>{
           {"data_minimisation", 0.01}, {"pruning", 0.01}, {"fairness", 0.1}}) {
    amend::v1::EditModelRequest single;
    single.set_task("adult");
    single.set_requirement(requirement);
    single.set_lambda(lambda);
    single.mutable_model()->set_safetensors(current);
    absl::StatusOr<amend::v1::EditModelResponse> one =
        client_->EditModel(single);
    ASSERT_TRUE(one.ok()) << requirement << ": " << one.status();
    current = one->edited_model().safetensors();
    singles.push_back(*one);
  }
  EXPECT_EQ(reply->edited_model().safetensors(), current);
  EXPECT_EQ(reply->receipt().output_sha256(), Sha256Hex(current));
  EXPECT_EQ(reply->masks_size(), singles.back().masks_size());
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const amend::v1::EditStepResult& step = reply->steps(i);
    EXPECT_EQ(step.editor().sha256(), singles[i].editor().sha256());
    EXPECT_EQ(step.statistics().SerializeAsString(),
              singles[i].statistics().SerializeAsString());
  }
  EXPECT_EQ(reply->statistics().SerializeAsString(),
            singles.back().statistics().SerializeAsString());
  EXPECT_EQ(reply->editor().requirement(), "fairness");
  EXPECT_THAT(reply->resolution(), HasSubstr("step 3: "));

  // What step 1 removed stays removed: the final model reads no removed
  // input, though the fairness editor edits every weight.
  const Mlp final_model = ParseModelFile(current).value();
  const at::Tensor input_mask = final_model.masks.at(kInputMaskName);
  const at::Tensor first_layer = final_model.parameters.at(LayerWeightName(1));
  int removed = 0;
  for (int64_t j = 0; j < input_mask.numel(); ++j) {
    if (input_mask[j].item<float>() > 0.5f) continue;
    ++removed;
    EXPECT_EQ(first_layer.select(1, j).abs().sum().item<float>(), 0.0f) << j;
  }
  EXPECT_EQ(removed, 14 - reply->statistics().features_kept());
  bool step_one_masks_input = false;
  for (const amend::v1::Tensor& mask : reply->steps(0).masks())
    step_one_masks_input |= mask.name() == kInputMaskName;
  EXPECT_TRUE(step_one_masks_input);

  // One receipt for the whole call, naming every step's editor.
  const std::vector<Ed25519PublicKey> keys =
      Ed25519PublicKey::AllFromPem(
          client_->GetReceiptKeys()->keys(0).public_key_pem(), "keys")
          .value();
  SignedReceipt signed_receipt;
  signed_receipt.algorithm = reply->receipt().algorithm();
  signed_receipt.key_id = reply->receipt().key_id();
  signed_receipt.payload = reply->receipt().payload();
  signed_receipt.signature = reply->receipt().signature();
  absl::StatusOr<ReceiptBody> body = VerifyReceipt(signed_receipt, keys);
  ASSERT_TRUE(body.ok()) << body.status();
  ASSERT_EQ(body->steps.size(), 3u);
  EXPECT_EQ(body->input_sha256, Sha256Hex(model));
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(body->steps[i].editor_sha256, singles[i].editor().sha256());
  }
}

// 40 rows: features ~ N(0, 1) (seeded), labels 0 1 0 1 ..., groups a a b b a
// a b b ..., so each group has rows of both labels.
amend::v1::AuditData AuditRows(int rows = 40, int64_t input_dim = 14) {
  amend::v1::AuditData audit;
  const at::Tensor features = at::randn(
      {rows, input_dim}, at::detail::createCPUGenerator(/*seed_val=*/17));
  EncodeTensor("features", features, audit.mutable_features());
  for (int r = 0; r < rows; ++r) {
    audit.add_labels(r % 2);
    audit.add_groups((r / 2) % 2 == 0 ? "a" : "b");
  }
  return audit;
}

at::Tensor Predictions(const Mlp& mlp, const amend::v1::AuditData& audit) {
  const int64_t rows = audit.labels_size();
  at::Tensor features = at::empty({rows, mlp.architecture.input_dim});
  std::memcpy(features.data_ptr<float>(), audit.features().raw().data(),
              audit.features().raw().size());
  return Logits(mlp.architecture, mlp.parameters, features).value().argmax(1);
}

TEST_F(ServerTest, AuditRowsMeasureTheEditAndJudgeAnEodTarget) {
  StartServer();
  const Mlp original = AdultModel(11);
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.set_requirement("fairness");
  request.set_max_eod(0.2);
  request.mutable_model()->set_safetensors(ModelBytes(original));
  *request.mutable_audit() = AuditRows();
  absl::StatusOr<amend::v1::EditModelResponse> reply =
      client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->has_audit());
  const amend::v1::AuditResult& audit = reply->audit();
  EXPECT_EQ(audit.rows(), 40);
  EXPECT_EQ(audit.groups(), 2);

  // Counted here from the two models' own logits.
  const Mlp edited =
      ParseModelFile(reply->edited_model().safetensors()).value();
  const at::Tensor before = Predictions(original, request.audit());
  const at::Tensor after = Predictions(edited, request.audit());
  const at::Tensor labels = at::tensor(std::vector<int64_t>(
      request.audit().labels().begin(), request.audit().labels().end()));
  EXPECT_DOUBLE_EQ(audit.original().accuracy(),
                   before.eq(labels).sum().item<int64_t>() / 40.0);
  EXPECT_DOUBLE_EQ(audit.edited().accuracy(),
                   after.eq(labels).sum().item<int64_t>() / 40.0);
  EXPECT_DOUBLE_EQ(audit.labels_changed(),
                   before.ne(after).sum().item<int64_t>() / 40.0);
  ASSERT_TRUE(audit.edited().has_eod());
  EXPECT_GE(audit.jsd(), 0.0);
  EXPECT_EQ(audit.features_total(), 14);
  ASSERT_TRUE(reply->has_target_met());
  EXPECT_EQ(reply->target_met(), audit.edited().eod() <= 0.2);

  // The receipt signs the same figures.
  SignedReceipt signed_receipt;
  signed_receipt.algorithm = reply->receipt().algorithm();
  signed_receipt.key_id = reply->receipt().key_id();
  signed_receipt.payload = reply->receipt().payload();
  signed_receipt.signature = reply->receipt().signature();
  const absl::StatusOr<ReceiptBody> body = VerifyReceipt(
      signed_receipt,
      Ed25519PublicKey::AllFromPem(
          client_->GetReceiptKeys()->keys(0).public_key_pem(), "keys")
          .value());
  ASSERT_TRUE(body.ok()) << body.status();
  ASSERT_TRUE(body->measured.has_value());
  EXPECT_EQ(body->measured->rows, 40);
  EXPECT_EQ(body->measured->accuracy_after, audit.edited().accuracy());
  EXPECT_EQ(body->measured->eod_after, audit.edited().eod());
  EXPECT_EQ(body->measured->labels_changed, audit.labels_changed());
}

// Without the caller's rows there is no measured EOD, and a max_eod target is
// resolved on the editors' validation figures only: target_met stays unset
// rather than claiming what nobody measured.
TEST_F(ServerTest, AnEodTargetWithoutAuditRowsLeavesTargetMetUnset) {
  StartServer();
  amend::v1::EditModelRequest request = Request("fairness", AdultModel(11));
  request.set_max_eod(0.2);
  const absl::StatusOr<amend::v1::EditModelResponse> reply =
      client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_FALSE(reply->has_audit());
  EXPECT_FALSE(reply->has_target_met());
  EXPECT_THAT(reply->resolution(), HasSubstr("max_eod"));
}

// A model pruned and minimised elsewhere (its masks in the file) and then
// edited by an editor that edits every weight: what was removed stays
// removed, and the reply's masks still say so.
TEST_F(ServerTest, ASingleEditOfAMaskedModelKeepsItsMasks) {
  StartServer();
  Mlp masked = AdultModel(12);
  at::Tensor weight_mask = at::ones({16, 14});
  weight_mask.narrow(0, 0, 4).zero_();  // neurons 0..3 read nothing
  at::Tensor input_mask = at::ones({14});
  input_mask[5] = 0.0f;  // feature 5 removed
  at::Tensor& weight = masked.parameters["layers.1.weight"];
  weight = weight * weight_mask * input_mask.unsqueeze(0);
  at::Tensor& skip = masked.parameters["layers.2.skip.0.weight"];
  skip = skip * input_mask.unsqueeze(0);
  masked.masks["mask.layers.1.weight"] = weight_mask;
  masked.masks[kInputMaskName] = input_mask;
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.set_requirement("fairness");
  request.set_lambda(0.1);
  request.mutable_model()->set_safetensors(ModelBytes(masked));
  const absl::StatusOr<amend::v1::EditModelResponse> reply =
      client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  const Mlp edited =
      ParseModelFile(reply->edited_model().safetensors()).value();
  const at::Tensor edited_weight = edited.parameters.at("layers.1.weight");
  EXPECT_EQ(edited_weight.narrow(0, 0, 4).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(edited_weight.select(1, 5).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(edited.parameters.at("layers.2.skip.0.weight")
                .select(1, 5)
                .abs()
                .sum()
                .item<float>(),
            0.0f);
  // The editor did edit: a kept weight moved.
  EXPECT_FALSE(
      at::equal(edited_weight.narrow(0, 4, 12), weight.narrow(0, 4, 12)));
  ASSERT_TRUE(edited.masks.contains("mask.layers.1.weight"));
  ASSERT_TRUE(edited.masks.contains(kInputMaskName));
  EXPECT_TRUE(at::equal(edited.masks.at("mask.layers.1.weight"), weight_mask));
  EXPECT_TRUE(at::equal(edited.masks.at(kInputMaskName), input_mask));
}

TEST_F(ServerTest, BadAuditRowsAreRefusedBeforeAnyCompute) {
  StartServer();
  amend::v1::EditModelRequest request = Request("pruning", AdultModel(12));
  const std::string scrape_before = Scrape(server_->metrics_port());
  auto refused = [&](const amend::v1::AuditData& audit) {
    amend::v1::EditModelRequest bad = request;
    *bad.mutable_audit() = audit;
    return EditStatus(bad);
  };
  absl::Status status = refused(AuditRows(40, 13));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      status.message(),
      HasSubstr("audit.features: shape is [40, 13], expected [rows, 14]"));
  amend::v1::AuditData audit = AuditRows();
  audit.mutable_labels()->RemoveLast();
  EXPECT_THAT(refused(audit).message(),
              HasSubstr("audit.labels: has 39 values, expected one per row"));
  audit = AuditRows();
  audit.set_labels(3, 2);
  EXPECT_THAT(refused(audit).message(), HasSubstr("audit.labels[3]"));
  audit = AuditRows(70);
  for (int r = 0; r < 70; ++r) audit.set_groups(r, std::to_string(r));
  EXPECT_THAT(refused(audit).message(),
              HasSubstr("audit.groups: 70 distinct groups, at most 64"));
  audit = AuditRows();
  audit.set_groups(5, "");
  EXPECT_THAT(refused(audit).message(), HasSubstr("audit.groups[5]: is empty"));
  audit = AuditRows();
  audit.mutable_features()->set_datatype("INT8");
  EXPECT_THAT(refused(audit).message(),
              HasSubstr("audit.features: datatype must be FP32 or FP64, got "
                        "\"INT8\""));
  audit = AuditRows();
  audit.mutable_features()->mutable_raw()->resize(12);
  EXPECT_THAT(refused(audit).message(),
              HasSubstr("audit.features: raw has 12 bytes, expected 2240 for "
                        "FP32 [40, 14]"));
  audit = AuditRows();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(audit.mutable_features()->mutable_raw()->data() + 4 * 20, &nan,
              4);
  EXPECT_THAT(refused(audit).message(), HasSubstr("audit.features"));
  EXPECT_EQ(Series(Scrape(server_->metrics_port()), "amend_batch_size_count"),
            Series(scrape_before, "amend_batch_size_count"));
}

TEST_F(ServerTest, AComposedEditIsRefusedWholeNamingTheStep) {
  StartServer();
  amend::v1::EditModelRequest request;
  request.set_task("adult");
  request.mutable_model()->set_safetensors(ModelBytes(AdultModel(10)));
  *request.add_steps() = Step("pruning", 0.01);
  *request.add_steps() = Step("privacy", 0.01);
  const std::string scrape_before = Scrape(server_->metrics_port());
  absl::Status status = EditStatus(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("steps[1].requirement: expected"));
  request.set_task("bank");
  EXPECT_THAT(std::string(EditStatus(request).message()),
              ::testing::MatchesRegex("task: .*\\(steps\\[0\\]\\)"));
  request.set_task("adult");

  request.mutable_steps(1)->set_requirement("fairness");
  request.mutable_steps(1)->set_lambda(9);
  status = EditStatus(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("steps[1].lambda"));
  // Neither call computed a step: no forward pass ran.
  const std::string scrape_after = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape_after, "amend_batch_size_count"),
            Series(scrape_before, "amend_batch_size_count"));
  EXPECT_GT(Series(scrape_after,
                   "amend_edit_requests_total{code=\"NOT_FOUND\","
                   "requirement=\"composed\",task=\"adult\"}"),
            0);

  request.mutable_steps(1)->set_lambda(0.1);
  request.set_requirement("pruning");
  EXPECT_THAT(EditStatus(request).message(),
              HasSubstr("steps: set either steps or requirement"));
  request.clear_requirement();
  for (int i = 0; i < 7; ++i) *request.add_steps() = Step("pruning", 0.01);
  EXPECT_THAT(EditStatus(request).message(),
              HasSubstr("steps: at most 8 steps, got 9"));
}

TEST_F(ServerTest, TargetsResolveToTheEditorWithTheLeastJsdThatMeetsThem) {
  StartServer();
  const Mlp mlp = AdultModel(8);
  amend::v1::EditModelRequest request = Request("pruning", mlp);
  request.set_max_weight_fraction(0.6);  // both meet it: λ 0.01 has less JSD
  auto reply = client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_DOUBLE_EQ(reply->editor().lambda(), 0.01);
  EXPECT_THAT(reply->resolution(), HasSubstr("least JSD of 2 editors"));
  ASSERT_TRUE(reply->has_target_met());
  EXPECT_EQ(reply->target_met(),
            reply->statistics().weights_kept_fraction() <= 0.6);
  request.set_max_weight_fraction(0.3);  // only λ 0.1 keeps <= 0.3
  reply = client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_DOUBLE_EQ(reply->editor().lambda(), 0.1);
  request.set_max_weight_fraction(0.1);
  absl::Status none = EditStatus(request);
  EXPECT_EQ(none.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(none.message(),
              HasSubstr("the closest, lambda 0.1, reaches 0.2"));

  amend::v1::EditModelRequest features = Request("data_minimisation", mlp);
  features.set_max_features(8);
  reply = client_->EditModel(features);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->editor().requirement(), "data_minimisation");
  amend::v1::EditModelRequest fair = Request("fairness", mlp);
  fair.set_max_eod(0.06);
  ASSERT_TRUE(client_->EditModel(fair).ok());
  fair.set_max_eod(0.01);
  EXPECT_EQ(EditStatus(fair).code(), absl::StatusCode::kNotFound);
  request.set_max_features(3);  // a data-minimisation target for pruning
  EXPECT_THAT(EditStatus(request).message(),
              HasSubstr("max_features: is a target for data_minimisation"));
}

TEST_F(ServerTest, EveryBadInputGetsItsStatusAndNamesTheField) {
  options_.limits.architecture.max_width = 32;
  StartServer();
  const Mlp mlp = AdultModel(9);
  struct Case {
    std::string what;
    std::function<void(amend::v1::EditModelRequest&)> change;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"unknown task", [](auto& r) { r.set_task("credit"); },
       absl::StatusCode::kNotFound, "task: no editors loaded for \"credit\""},
      {"unknown requirement", [](auto& r) { r.set_requirement("privacy"); },
       absl::StatusCode::kInvalidArgument,
       "requirement: expected data_minimisation, fairness or pruning, got "
       "\"privacy\""},
      {"another requirement's variant",
       [](auto& r) { r.set_variant("mask_only"); },
       absl::StatusCode::kInvalidArgument,
       "variant: for pruning expected prune_and_edit, prune_only, "
       "prune_neurons_and_edit or prune_neurons_only, got \"mask_only\""},
      {"a variant with no editors loaded",
       [](auto& r) { r.set_variant("prune_only"); },
       absl::StatusCode::kNotFound,
       "requirement: no editors loaded for adult pruning/prune_only (loaded "
       "for adult: data_minimisation/mask_and_edit, fairness/edit, "
       "pruning/prune_and_edit)"},
      {"unknown lambda", [](auto& r) { r.set_lambda(0.2); },
       absl::StatusCode::kNotFound, "(loaded: 0.01, 0.1)"},
      {"no trade-off", [](auto& r) { r.clear_tradeoff(); },
       absl::StatusCode::kInvalidArgument, "tradeoff: set lambda"},
      {"no model", [](auto& r) { r.clear_model(); },
       absl::StatusCode::kInvalidArgument, "model: must hold tensors"},
      {"malformed safetensors",
       [](auto& r) { r.mutable_model()->set_safetensors("not a model"); },
       absl::StatusCode::kInvalidArgument, "model.safetensors: "},
      {"wrong input size",
       [](auto& r) {
         Architecture a;
         a.input_dim = 10;
         a.num_classes = 2;
         a.layers = {{8, Activation::kRelu, Norm::kNone, 0.0, {}}};
         r.mutable_model()->set_safetensors(
             ModelBytes(InitializeMlp(a, 1).value()));
       },
       absl::StatusCode::kInvalidArgument,
       "model.architecture.input_dim: the editor expects 14, got 10"},
      {"over the width limit",
       [](auto& r) {
         r.mutable_model()->set_safetensors(ModelBytes(AdultModel(1, 64)));
       },
       absl::StatusCode::kInvalidArgument, "width: must be in 1..32"},
      {"NaN weight",
       [&](auto& r) {
         Mlp bad = mlp;  // tensors are shared: change a copy
         bad.parameters["layers.2.weight"] =
             mlp.parameters.at("layers.2.weight").clone();
         bad.parameters.at("layers.2.weight")[0][3] = std::nan("");
         amend::v1::TensorModel* tensors = r.mutable_model()->mutable_tensors();
         tensors->set_architecture_json(ArchitectureToJson(bad.architecture));
         for (const TensorSpec& spec : ExpectedTensors(bad.architecture)) {
           EncodeTensor(spec.name, bad.parameters.at(spec.name),
                        tensors->add_tensors());
         }
       },
       absl::StatusCode::kInvalidArgument, "'layers.2.weight'"},
      {"short tensor",
       [&](auto& r) {
         amend::v1::TensorModel* tensors = r.mutable_model()->mutable_tensors();
         tensors->set_architecture_json(ArchitectureToJson(mlp.architecture));
         for (const TensorSpec& spec : ExpectedTensors(mlp.architecture)) {
           EncodeTensor(spec.name, mlp.parameters.at(spec.name),
                        tensors->add_tensors());
         }
         tensors->mutable_tensors(0)->mutable_raw()->resize(12);
       },
       absl::StatusCode::kInvalidArgument,
       "model.tensors[0] (layers.1.weight): raw has 12 bytes, expected 896 "
       "for FP32 [16, 14]"},
      {"unknown dtype",
       [&](auto& r) {
         amend::v1::TensorModel* tensors = r.mutable_model()->mutable_tensors();
         tensors->set_architecture_json(ArchitectureToJson(mlp.architecture));
         EncodeTensor("layers.1.weight", mlp.parameters.at("layers.1.weight"),
                      tensors->add_tensors());
         tensors->mutable_tensors(0)->set_datatype("INT8");
       },
       absl::StatusCode::kInvalidArgument,
       "datatype must be FP32 or FP64, got \"INT8\""},
      {"a 9 KB task name", [](auto& r) { r.set_task(std::string(9000, 't')); },
       absl::StatusCode::kNotFound,
       "task: no editors loaded for \"" + std::string(64, 't') +
           "...(9000 bytes)\""},
      {"negative lambda", [](auto& r) { r.set_lambda(-1); },
       absl::StatusCode::kInvalidArgument, "lambda: must be >= 0, got -1"},
      {"max_features 0",
       [](auto& r) {
         r.set_requirement("data_minimisation");
         r.set_max_features(0);
       },
       absl::StatusCode::kInvalidArgument, "max_features: must be >= 1, got 0"},
      {"max_features above the feature count",
       [](auto& r) {
         r.set_requirement("data_minimisation");
         r.set_max_features(std::numeric_limits<int32_t>::max());
       },
       absl::StatusCode::kInvalidArgument,
       "max_features: must be in 1..14 (the features of adult), got "
       "2147483647"},
      {"a weight of 1e20",
       [&](auto& r) {
         Mlp huge = mlp;
         huge.parameters["layers.2.weight"] =
             mlp.parameters.at("layers.2.weight").clone();
         huge.parameters.at("layers.2.weight")[0][3] = 1e20;
         r.mutable_model()->set_safetensors(ModelBytes(huge));
       },
       absl::StatusCode::kInvalidArgument,
       "model.parameters.layers.2.weight: magnitudes must be at most 1e+06 "
       "for the editor, got 1e+20 at flat index 3"},
      {"a negative running variance",
       [](auto& r) {
         const Architecture a = testing::AdultArchitecture(
             {8}, Activation::kRelu, Norm::kBatchNorm);
         Mlp bad = InitializeMlp(a, 1).value();
         bad.parameters["layers.1.norm.running_var"] = at::ones({8});
         bad.parameters["layers.1.norm.running_var"][5] = -1;
         SetTensors(bad, ArchitectureToJson(a), r);
       },
       absl::StatusCode::kInvalidArgument,
       "tensor 'layers.1.norm.running_var': a running variance must be >= 0, "
       "got -1 at flat index 5"},
      {"no hidden layer",
       [](auto& r) {
         r.mutable_model()->set_safetensors(ModelBytes(
             InitializeMlp(testing::AdultArchitecture({}), 1).value()));
       },
       absl::StatusCode::kInvalidArgument,
       "model.architecture.layers: the editor supports 1 to 8 hidden layers, "
       "got 0"},
      {"a key twice in architecture_json",
       [&](auto& r) {
         SetTensors(mlp,
                    R"({"input_dim": 14, "input_dim": 14, "num_classes": 2,
                        "layers": []})",
                    r);
       },
       absl::StatusCode::kInvalidArgument,
       "model.tensors.architecture_json: architecture: 'input_dim' appears "
       "twice in one JSON object"},
  };
  for (const Case& c : cases) {
    amend::v1::EditModelRequest request = Request("pruning", mlp);
    c.change(request);
    const absl::Status status = EditStatus(request);
    EXPECT_EQ(status.code(), c.code) << c.what << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.what;
  }
  // The server is still serving after all of them.
  EXPECT_TRUE(client_->EditModel(Request("pruning", mlp)).ok());
}

TEST_F(ServerTest, VariantsAreSelectedByNameAndListingFiltersByRequirement) {
  WriteTestEditor(root_, {.requirement = Requirement::kPruning,
                          .lambda = 0.01,
                          .variant = EditVariant::kMasksOnly,
                          .seed = 5});
  WriteTestEditor(root_, {.requirement = Requirement::kPruning,
                          .lambda = 0.01,
                          .variant = EditVariant::kNeuronsAndEdit,
                          .seed = 6});
  StartServer();
  const Mlp mlp = AdultModel(3);
  amend::v1::EditModelRequest request = Request("pruning", mlp);
  for (const std::string variant :
       {"", "prune_and_edit", "prune_only", "prune_neurons_and_edit"}) {
    SCOPED_TRACE(variant);
    request.set_variant(variant);
    const auto reply = client_->EditModel(request);
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->editor().variant(),
              variant.empty() ? "prune_and_edit" : variant);
  }
  amend::v1::EditModelRequest fair = Request("fairness", mlp);
  fair.set_variant("edit");
  EXPECT_TRUE(client_->EditModel(fair).ok());
  fair.set_variant("mask_only");
  EXPECT_THAT(EditStatus(fair).message(),
              HasSubstr("variant: for fairness expected edit, got "
                        "\"mask_only\""));

  EXPECT_EQ(client_->ListEditors("adult", "pruning")->editors_size(), 4);
  EXPECT_EQ(client_->ListEditors("adult", "")->editors_size(), 6);
  const auto unknown = client_->ListEditors("adult", "privacy");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("requirement: expected data_minimisation"));
}

// A CPU batch gains nothing from waiting for more edits (docs/BENCHMARKS.md,
// "Batching on the CPU"); a GPU batch does, so the default wait differs.
TEST(ServerDefaultsTest, OnlyAGpuWaitsForABatchByDefault) {
  EXPECT_EQ(DefaultBatchWait(c10::Device(c10::kCPU)).count(), 0);
  EXPECT_EQ(DefaultBatchWait(c10::Device(c10::kCUDA, 1)).count(), 500);
}

TEST_F(ServerTest, BadOptionsAreRefusedAtStart) {
  options_.device = "gpu";
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("--device: expected cpu, cuda or cuda:N, got \"gpu\""));
  if (!at::hasCUDA()) {
    options_.device = "cuda";
    const absl::Status no_cuda = AmendServer::Start(options_).status();
    EXPECT_EQ(no_cuda.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(no_cuda.message(), HasSubstr("-DAMEND_CUDA=ON"));
  }
  options_.device = "cpu";
  options_.edit_tokens_path = temp_.file("missing.tokens");
  EXPECT_EQ(AmendServer::Start(options_).status().code(),
            absl::StatusCode::kNotFound);
  ASSERT_TRUE(WriteFileAtomically(temp_.file("empty.tokens"), "# none\n").ok());
  options_.edit_tokens_path = temp_.file("empty.tokens");
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("holds no token"));
  options_.edit_tokens_path = "";
  options_.receipts.signing_key_path = temp_.file("missing.pem");
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("--receipt_key " + temp_.file("missing.pem")));
  ASSERT_TRUE(
      WriteFileAtomically(temp_.file("public.pem"),
                          Ed25519PrivateKey::Generate()->public_key().Pem())
          .ok());
  options_.receipts.signing_key_path = temp_.file("public.pem");
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("is not a PEM private key"));
  options_.receipts.signing_key_path = "";
  options_.receipts.public_key_paths = {temp_.file("empty.tokens")};
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("--receipt_public_keys " + temp_.file("empty.tokens") +
                        ": holds no"));
  options_.receipts.public_key_paths = {};
  options_.tls.enabled = true;
  EXPECT_THAT(AmendServer::Start(options_).status().message(),
              HasSubstr("--tls_cert and --tls_key"));
}

TEST_F(ServerTest, ReceiptsAreSignedAndVerifyWithThePublishedKeys) {
  const Ed25519PrivateKey signing =
      *Ed25519PrivateKey::FromSeed(std::string(32, 'n'));
  const Ed25519PrivateKey retired =
      *Ed25519PrivateKey::FromSeed(std::string(32, 'o'));
  ASSERT_TRUE(
      WriteFileAtomically(temp_.file("receipt.pem"), signing.Pem()).ok());
  ASSERT_TRUE(WriteFileAtomically(temp_.file("retired.pub.pem"),
                                  retired.public_key().Pem())
                  .ok());
  options_.receipts.signing_key_path = temp_.file("receipt.pem");
  options_.receipts.public_key_paths = {temp_.file("retired.pub.pem")};
  options_.receipts.public_keys_out = temp_.file("published/keys.pem");
  // Public keys need no token; edits do.
  ASSERT_TRUE(
      WriteFileAtomically(temp_.file("edit.tokens"), "edit-secret\n").ok());
  options_.edit_tokens_path = temp_.file("edit.tokens");
  StartServer();

  absl::StatusOr<amend::v1::GetReceiptKeysResponse> listed =
      client_->GetReceiptKeys();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->keys_size(), 2);
  EXPECT_EQ(listed->keys(0).key_id(), signing.public_key().id());
  EXPECT_TRUE(listed->keys(0).signing());
  EXPECT_EQ(listed->keys(1).key_id(), retired.public_key().id());
  EXPECT_FALSE(listed->keys(1).signing());
  std::string published_pem;
  for (const amend::v1::ReceiptKey& key : listed->keys()) {
    EXPECT_EQ(key.algorithm(), "ed25519");
    published_pem += key.public_key_pem();
  }
  EXPECT_EQ(ReadFileToString(temp_.file("published/keys.pem")).value(),
            published_pem);
  const std::vector<Ed25519PublicKey> trusted =
      Ed25519PublicKey::AllFromPem(published_pem, "keys").value();

  client::ClientOptions connection;
  connection.address = "127.0.0.1:" + std::to_string(server_->port());
  connection.token = "edit-secret";
  client_ = client::AmendClient::Connect(connection).value();
  const amend::v1::EditModelRequest request = Request("pruning", AdultModel(5));
  absl::StatusOr<amend::v1::EditModelResponse> reply =
      client_->EditModel(request);
  ASSERT_TRUE(reply.ok()) << reply.status();
  const amend::v1::Receipt& receipt = reply->receipt();
  EXPECT_EQ(receipt.key_id(), signing.public_key().id());
  SignedReceipt signed_receipt;
  signed_receipt.algorithm = receipt.algorithm();
  signed_receipt.key_id = receipt.key_id();
  signed_receipt.payload = receipt.payload();
  signed_receipt.signature = receipt.signature();
  absl::StatusOr<ReceiptBody> body = VerifyReceipt(signed_receipt, trusted);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->input_sha256, Sha256Hex(request.model().safetensors()));
  EXPECT_EQ(body->output_sha256,
            Sha256Hex(reply->edited_model().safetensors()));
  EXPECT_EQ(body->output_sha256, receipt.output_sha256());
  ASSERT_EQ(body->steps.size(), 1u);
  EXPECT_EQ(body->steps[0].task, "adult");
  EXPECT_EQ(body->steps[0].requirement, "pruning");
  EXPECT_EQ(body->steps[0].variant, reply->editor().variant());
  EXPECT_EQ(body->steps[0].lambda, 0.01);
  EXPECT_EQ(body->steps[0].editor_sha256, reply->editor().sha256());
  EXPECT_EQ(body->steps[0].weights_kept, reply->statistics().weights_kept());
  EXPECT_EQ(body->steps[0].weights_total, reply->statistics().weights_total());
  EXPECT_EQ(body->steps[0].features_kept, reply->statistics().features_kept());
  EXPECT_EQ(body->server_version, kAmendVersion);
  EXPECT_THAT(body->issued_at,
              ::testing::MatchesRegex("20[0-9][0-9]-[01][0-9]-[0-3][0-9]T"
                                      "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z"));
  // Only the retired key: this receipt is refused.
  EXPECT_FALSE(VerifyReceipt(signed_receipt, {retired.public_key()}).ok());
}

TEST_F(ServerTest, MessagesOverTheLimitAreResourceExhausted) {
  options_.max_message_bytes = 4096;
  StartServer();
  const absl::Status status = EditStatus(Request("pruning", AdultModel(1, 32)));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted) << status;
}

TEST_F(ServerTest, AnEditOverThePerRequestBudgetIsRefusedNamingBoth) {
  options_.limits.max_edit_bytes = 8 << 20;
  StartServer();
  // 14*16 + 16*16 + 14*16 + 16*2 weights: far below 8 MiB.
  EXPECT_TRUE(client_->EditModel(Request("pruning", AdultModel(1))).ok());
  // 14*512 + 512*512 + 14*512 + 512*2 = 277,504 weights: far above it.
  const absl::Status status =
      EditStatus(Request("pruning", AdultModel(1, 512)));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(status.message(),
              HasSubstr("(277504 weights, 1040 neurons), more than the "
                        "per-request budget of 8 MiB (--max_edit_mb)"));
  // Both were estimated, the refused one too.
  const std::string scrape = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape, "amend_edit_cost_bytes_count"), 2);
}

TEST_F(ServerTest, AnEditWhoseClientGaveUpStopsAndFreesItsWorker) {
  options_.batching.workers = 1;
  StartServer();
  // 277,504 weights: a forward pass of about a second on one core. Cancel it
  // once it is queued or computing (the reserved-memory gauge is set when an
  // edit is submitted), so the pass must stop part-way.
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                          grpc::InsecureChannelCredentials());
  auto stub = amend::v1::ModelEditor::NewStub(channel);
  grpc::ClientContext context;
  grpc::Status big_status;
  std::thread big([&] {
    amend::v1::EditModelResponse response;
    big_status = stub->EditModel(
        &context, Request("pruning", AdultModel(1, 512)), &response);
  });
  bool submitted = false;
  for (int poll = 0; poll < 2000 && !submitted; ++poll) {
    submitted = Series(Scrape(server_->metrics_port()),
                       "amend_memory_reserved_bytes") > 0;
    if (!submitted) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  context.TryCancel();
  big.join();
  ASSERT_TRUE(submitted) << "the edit never showed in the reserved memory";
  ASSERT_EQ(big_status.error_code(), grpc::StatusCode::CANCELLED)
      << "the edit finished before it could be cancelled";
  // The one worker takes the next edit only after the first pass ended: by
  // then the pass must have been stopped, not finished.
  EXPECT_TRUE(client_->EditModel(Request("pruning", AdultModel(2))).ok());
  const std::string scrape = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape, "amend_forward_passes_stopped_total"), 1);
  EXPECT_EQ(Series(scrape, "amend_memory_reserved_bytes"), 0);
}

TEST_F(ServerTest, AnExpiredDeadlineIsDeadlineExceeded) {
  options_.limits.max_request_time = std::chrono::milliseconds(0);
  StartServer();
  EXPECT_EQ(EditStatus(Request("pruning", AdultModel(1))).code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST_F(ServerTest, ReloadsUnderLoadLoseNoRequestAndACorruptEditorIsRefused) {
  options_.batching.max_wait = std::chrono::microseconds(2000);
  StartServer();
  std::atomic<bool> stop{false};
  std::atomic<int> done{0}, failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      const Mlp mlp = AdultModel(100 + t);
      const amend::v1::EditModelRequest request = Request("pruning", mlp);
      while (!stop) {
        if (client_->EditModel(request).ok()) {
          ++done;
        } else {
          ++failed;
        }
      }
    });
  }
  for (int i = 0; i < 5; ++i) {
    WriteTestEditor(root_, {.requirement = Requirement::kPruning,
                            .lambda = 0.2 + i,
                            .weights_kept = 0.1,
                            .seed = 10u + i});
    auto reload = client_->ReloadEditors();
    ASSERT_TRUE(reload.ok()) << reload.status();
    EXPECT_EQ(reload->errors_size(), 0);
    EXPECT_EQ(reload->editors_loaded(), 5 + i);
  }
  // A corrupt checkpoint: the reload is refused and the 9 editors serve on.
  const std::string bad = WriteTestEditor(
      root_, {.requirement = Requirement::kPruning, .lambda = 7, .seed = 30});
  std::string bytes = ReadFileToString(bad + "/editor.safetensors").value();
  bytes[bytes.size() / 2] ^= 1;
  ASSERT_TRUE(WriteFileAtomically(bad + "/editor.safetensors", bytes).ok());
  auto refused = client_->ReloadEditors();
  ASSERT_TRUE(refused.ok());
  ASSERT_EQ(refused->errors_size(), 1);
  EXPECT_THAT(refused->errors(0), HasSubstr("sha256"));
  EXPECT_EQ(refused->editors_loaded(), 9);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  for (std::thread& sender : senders) sender.join();
  EXPECT_EQ(failed, 0);
  EXPECT_GT(done, 0);
  EXPECT_EQ(client_->ListEditors("adult", "pruning")->editors_size(), 7);

  const std::string scrape = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape, "amend_reloads_total{outcome=\"failed\"}"), 1);
  EXPECT_EQ(Series(scrape, "amend_reloads_total{outcome=\"ok\"}"), 5);
  EXPECT_EQ(Series(scrape, "amend_editors_loaded"), 9);
  // Every request is counted once, and some were batched together.
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"OK\",requirement="
                   "\"pruning\",task=\"adult\"}"),
            done.load());
  EXPECT_LT(Series(scrape, "amend_batch_size_count"), done.load());
  EXPECT_EQ(Series(scrape, "amend_batch_size_sum"), done.load());
}

TEST_F(ServerTest, MetricsCountEveryCallByCode) {
  StartServer();
  const Mlp mlp = AdultModel(3);
  ASSERT_TRUE(client_->EditModel(Request("pruning", mlp)).ok());
  ASSERT_TRUE(client_->EditModel(Request("fairness", mlp)).ok());
  amend::v1::EditModelRequest unknown = Request("pruning", mlp);
  unknown.set_task("nonsense-task");
  EXPECT_FALSE(client_->EditModel(unknown).ok());
  EXPECT_FALSE(client_->EditModel(Request("privacy", mlp)).ok());
  const std::string scrape = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"OK\",requirement="
                   "\"pruning\",task=\"adult\"}"),
            1);
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"OK\",requirement="
                   "\"fairness\",task=\"adult\"}"),
            1);
  // A client's made-up task is not a label value.
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"NOT_FOUND\","
                   "requirement=\"pruning\",task=\"other\"}"),
            1);
  // Nor is a made-up requirement, which is refused as an argument.
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"INVALID_ARGUMENT\","
                   "requirement=\"other\",task=\"adult\"}"),
            1);
  EXPECT_EQ(Series(scrape,
                   "amend_edit_latency_seconds_count{requirement=\"pruning\"}"),
            2);
  EXPECT_EQ(Series(scrape, "amend_inflight_requests"), 0);
  EXPECT_EQ(
      Series(scrape, "amend_build_info{device=\"cpu\",version=\"0.1.0\"}"), 1);
}

TEST_F(ServerTest, BytesThatAreNotARequestAreAnInvalidArgumentAndCounted) {
  StartServer();
  // Field 1 (task, a string) announcing 100 bytes with 3 present: truncated.
  const std::string truncated(
      "\x0a\x64"
      "abc",
      5);
  for (const std::string method :
       {"EditModel", "ListEditors", "ReloadEditors"}) {
    const grpc::Status status =
        CallWithBytes(server_->port(), method, truncated);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << method;
    EXPECT_THAT(status.error_message(), HasSubstr("request: 5 bytes"));
    EXPECT_THAT(status.error_message(), HasSubstr("Request"));
  }
  const grpc::Status edit = CallWithBytes(server_->port(), "EditModel",
                                          std::string("\xff\xff\xff", 3));
  EXPECT_THAT(
      edit.error_message(),
      HasSubstr("3 bytes that do not parse as amend.v1.EditModelRequest"));
  // Valid bytes still reach the service: an empty ListEditorsRequest lists.
  EXPECT_TRUE(CallWithBytes(server_->port(), "ListEditors", "").ok());
  const std::string scrape = Scrape(server_->metrics_port());
  EXPECT_EQ(Series(scrape,
                   "amend_rpcs_total{code=\"INVALID_ARGUMENT\",method="
                   "\"EditModel\"}"),
            2);
  EXPECT_EQ(Series(scrape,
                   "amend_rpcs_total{code=\"INVALID_ARGUMENT\",method="
                   "\"ReloadEditors\"}"),
            1);
  EXPECT_EQ(Series(scrape,
                   "amend_edit_requests_total{code=\"INVALID_ARGUMENT\","
                   "requirement=\"other\",task=\"other\"}"),
            2);
  // The server still edits.
  EXPECT_TRUE(client_->EditModel(Request("pruning", AdultModel(5))).ok());
}

TEST_F(ServerTest, TokensHaveAnEditAndAnAdminScope) {
  ASSERT_TRUE(
      WriteFileAtomically(temp_.file("edit.tokens"), "# editors\nedit-secret\n")
          .ok());
  ASSERT_TRUE(
      WriteFileAtomically(temp_.file("admin.tokens"), "admin-secret\n").ok());
  options_.edit_tokens_path = temp_.file("edit.tokens");
  options_.admin_tokens_path = temp_.file("admin.tokens");
  StartServer();  // no token
  const amend::v1::EditModelRequest request = Request("pruning", AdultModel(1));
  EXPECT_EQ(EditStatus(request).code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(client_->ListEditors().status().code(),
            absl::StatusCode::kUnauthenticated);
  // Health needs no token (probes cannot send one).
  EXPECT_EQ(client_->Health(kServiceName).value(),
            grpc::health::v1::HealthCheckResponse::SERVING);
  auto with_token = [&](const std::string& token) {
    client::ClientOptions connection;
    connection.address = "127.0.0.1:" + std::to_string(server_->port());
    connection.token = token;
    return client::AmendClient::Connect(connection).value();
  };
  EXPECT_EQ(with_token("guess")->EditModel(request).status().code(),
            absl::StatusCode::kUnauthenticated);
  const auto editor = with_token("edit-secret");
  EXPECT_TRUE(editor->EditModel(request).ok());
  EXPECT_EQ(editor->ReloadEditors().status().code(),
            absl::StatusCode::kPermissionDenied);
  const auto admin = with_token("admin-secret");
  EXPECT_TRUE(admin->ReloadEditors().ok());
  EXPECT_TRUE(admin->EditModel(request).ok());
}

TEST_F(ServerTest, ReadinessFollowsTheEditorsAndShutdownDrainsInFlightCalls) {
  options_.editors_dir = temp_.file("empty");
  std::filesystem::create_directories(options_.editors_dir);
  StartServer();
  EXPECT_EQ(client_->Health("").value(),
            grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(client_->Health(kServiceName).value(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  std::filesystem::rename(root_ + "/pruning",
                          options_.editors_dir + "/pruning");
  ASSERT_EQ(server_->ReloadNow(), 2);
  EXPECT_EQ(client_->Health(kServiceName).value(),
            grpc::health::v1::HealthCheckResponse::SERVING);

  // Calls in flight when the drain starts all finish.
  std::atomic<int> ok{0};
  std::vector<std::thread> calls;
  for (int i = 0; i < 6; ++i) {
    calls.emplace_back([&, i] {
      if (client_->EditModel(Request("pruning", AdultModel(i, 64))).ok()) ++ok;
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread stopper(
      [&] { server_->Shutdown(std::chrono::milliseconds(300)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Draining: readiness is off while the calls finish.
  EXPECT_EQ(client_->Health("").value(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  for (std::thread& call : calls) call.join();
  stopper.join();
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(client_->Health("").status().code(),
            absl::StatusCode::kUnavailable);
}

// A CA, and server (localhost) and client certificates it signed, made with
// the openssl command.
bool MakeCertificates(const std::string& dir) {
  const std::string script =
      "set -e; cd " + dir +
      "; openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
      "-days 2 -subj /CN=amend-test-ca"
      "; printf 'subjectAltName=DNS:localhost,IP:127.0.0.1' > san.ext"
      "; for who in server client; do"
      "  openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr "
      "-subj /CN=localhost;"
      "  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key "
      "-CAcreateserial -out $who.pem -days 2 -extfile san.ext; done";
  return std::system(("(" + script + ") >/dev/null 2>&1").c_str()) == 0;
}

TEST_F(ServerTest, TlsAndMutualTls) {
  const std::string certs = temp_.file("certs");
  std::filesystem::create_directories(certs);
  ASSERT_TRUE(MakeCertificates(certs));
  options_.tls.enabled = true;
  options_.tls.certificate_path = certs + "/server.pem";
  options_.tls.key_path = certs + "/server.key";
  StartServer();
  auto connect = [&](bool tls, bool client_certificate) {
    client::ClientOptions connection;
    // By address: a minimal root may have no "localhost" in /etc/hosts; the
    // certificate names IP 127.0.0.1 too.
    connection.address = "127.0.0.1:" + std::to_string(server_->port());
    connection.tls = tls;
    connection.ca_path = certs + "/ca.pem";
    if (client_certificate) {
      connection.certificate_path = certs + "/client.pem";
      connection.key_path = certs + "/client.key";
    }
    connection.timeout = std::chrono::seconds(5);
    return client::AmendClient::Connect(connection).value();
  };
  const amend::v1::EditModelRequest request = Request("pruning", AdultModel(1));
  EXPECT_TRUE(connect(true, false)->EditModel(request).ok());
  EXPECT_EQ(connect(false, false)->EditModel(request).status().code(),
            absl::StatusCode::kUnavailable);
  server_.reset();

  options_.tls.client_ca_path = certs + "/ca.pem";  // mutual TLS
  StartServer();
  EXPECT_EQ(connect(true, false)->EditModel(request).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_TRUE(connect(true, true)->EditModel(request).ok());
}

}  // namespace
}  // namespace amend::server
