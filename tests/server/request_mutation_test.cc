// Mutated EditModel requests into an in-process amend-server, in every ctest
// run: the quick companion of the coverage-guided target
// tests/fuzz/edit_request_fuzz.cc, whose g++ build is too slow for CI. The
// valid requests of the fuzz seed corpus (tests/fuzz/corpus/edit_request) are
// mutated with a seeded generator, as libFuzzer's mutators do (flip, insert,
// erase, duplicate, truncate), and sent as raw bytes. Whatever arrives, the
// answer must be one a client can act on: OK with an edited model that
// decodes, or a client error with a message. Under scripts/test.sh
// AMEND_SANITIZE=address,undefined this is a sanitizer run of the whole
// request path.
#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "amend/v1/editor.pb.h"
#include "core/testing/editor_fixtures.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/amend_server.h"
#include "server/model_codec.h"
#include "tests/server/raw_call.h"
#include "tests/testing/temp_dir.h"

namespace amend::server {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SeedRequests() {
  std::vector<std::string> seeds;
  const fs::path dir =
      fs::path(AMEND_TEST_SOURCE_DIR) / "tests/fuzz/corpus/edit_request";
  std::vector<fs::path> paths;
  for (const auto& entry : fs::directory_iterator(dir))
    paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());  // the same order on every machine
  for (const fs::path& path : paths) {
    seeds.push_back(ReadFileToString(path.string()).value());
  }
  return seeds;
}

// One to eight of libFuzzer's kinds of mutation.
std::string Mutate(std::string bytes, std::mt19937_64& random) {
  auto index = [&](size_t size) {
    return std::uniform_int_distribution<size_t>(0, size - 1)(random);
  };
  const int count = std::uniform_int_distribution<int>(1, 8)(random);
  for (int i = 0; i < count && !bytes.empty(); ++i) {
    switch (std::uniform_int_distribution<int>(0, 5)(random)) {
      case 0:  // flip one bit
        bytes[index(bytes.size())] ^= static_cast<char>(1 << index(8));
        break;
      case 1:  // a random byte
        bytes[index(bytes.size())] = static_cast<char>(index(256));
        break;
      case 2:  // insert a byte
        bytes.insert(bytes.begin() + index(bytes.size()),
                     static_cast<char>(index(256)));
        break;
      case 3: {  // erase a run
        const size_t at = index(bytes.size());
        bytes.erase(at, 1 + index(std::min<size_t>(16, bytes.size() - at)));
        break;
      }
      case 4: {  // duplicate a run elsewhere
        const size_t at = index(bytes.size());
        const std::string run = bytes.substr(at, 1 + index(32));
        bytes.insert(index(bytes.size()), run);
        break;
      }
      default:  // truncate
        bytes.resize(index(bytes.size()));
    }
  }
  return bytes;
}

TEST(RequestMutationTest, EveryMutatedRequestGetsAnActionableAnswer) {
  testing::ScopedTempDir temp;
  const std::string root = temp.path().string();
  using testing::WriteTestEditor;
  ASSERT_FALSE(WriteTestEditor(
                   root, {.requirement = Requirement::kPruning, .lambda = 0.01})
                   .empty());
  ASSERT_FALSE(
      WriteTestEditor(root, {.requirement = Requirement::kDataMinimisation,
                             .lambda = 0.01,
                             .seed = 2})
          .empty());
  ASSERT_FALSE(WriteTestEditor(root, {.requirement = Requirement::kFairness,
                                      .lambda = 0.1,
                                      .seed = 3})
                   .empty());
  ServerOptions options;
  options.editors_dir = root;
  options.host = "127.0.0.1";
  options.port = 0;
  options.metrics_port = -1;
  auto server = AmendServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                          grpc::InsecureChannelCredentials());

  const std::vector<std::string> seeds = SeedRequests();
  ASSERT_GE(seeds.size(), 6u);
  // The seeds themselves are edited: mutations start past the parser.
  for (const std::string& seed : seeds) {
    const grpc::Status status = CallWithBytes(*channel, "EditModel", seed);
    EXPECT_TRUE(status.ok() ||
                status.error_code() == grpc::StatusCode::NOT_FOUND)
        << status.error_message();
  }
  std::mt19937_64 random(20261130);
  int edited = 0, refused = 0;
  for (int i = 0; i < 600; ++i) {
    const std::string request =
        Mutate(seeds[static_cast<size_t>(i) % seeds.size()], random);
    std::string reply;
    const grpc::Status status =
        CallWithBytes(*channel, "EditModel", request, &reply);
    if (status.ok()) {
      ++edited;
      amend::v1::EditModelResponse response;
      ASSERT_TRUE(response.ParseFromString(reply)) << "mutation " << i;
      EXPECT_TRUE(DecodeModel(response.edited_model(), {}).ok())
          << "mutation " << i;
    } else {
      ++refused;
      EXPECT_TRUE(IsActionableClientError(status.error_code()))
          << "mutation " << i << ": " << status.error_code() << " "
          << status.error_message();
      EXPECT_FALSE(status.error_message().empty()) << "mutation " << i;
    }
  }
  // Both sides of validation were reached (a weight changed by a mutation is
  // still a model; a broken header is not).
  EXPECT_GT(edited, 0);
  EXPECT_GT(refused, 0);
  (*server)->Shutdown(std::chrono::seconds(1));
}

}  // namespace
}  // namespace amend::server
