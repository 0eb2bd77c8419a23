#include "core/mlp/model_file.h"

#include <ATen/ATen.h>

#include <cstring>
#include <filesystem>

#include "core/mlp/parameter_layout.h"
#include "core/mlp/safetensors.h"
#include "core/util/file_io.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

Architecture SmallArchitecture() {
  Architecture a;
  a.input_dim = 3;
  a.num_classes = 2;
  a.layers = {{4, Activation::kRelu, Norm::kBatchNorm, 0.1, {}},
              {4, Activation::kGelu, Norm::kLayerNorm, 0.0, {0}}};
  return a;
}

// Re-serialises `mlp` through the raw writer with one change applied to the
// tensor list.
std::string WithTensors(
    const Mlp& mlp,
    const std::function<void(std::vector<Float32TensorView>&,
                             std::vector<std::vector<float>>&)>& change,
    std::map<std::string, std::string> metadata = {}) {
  std::vector<std::vector<float>> storage;
  std::vector<std::pair<std::string, std::vector<int64_t>>> names;
  for (const auto& [name, tensor] : mlp.parameters) {
    const at::Tensor c = tensor.contiguous();
    storage.emplace_back(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    names.push_back({name, c.sizes().vec()});
  }
  std::vector<Float32TensorView> views;
  for (size_t i = 0; i < names.size(); ++i)
    views.push_back({names[i].first, names[i].second, storage[i]});
  change(views, storage);
  if (!metadata.contains(kArchitectureMetadataKey)) {
    metadata[kArchitectureMetadataKey] = ArchitectureToJson(mlp.architecture);
  }
  return SerializeSafetensors(metadata, views);
}

TEST(ModelFileTest, RoundTripPreservesArchitectureTensorsAndMasks) {
  auto mlp = InitializeMlp(SmallArchitecture(), /*seed=*/3);
  ASSERT_TRUE(mlp.ok()) << mlp.status();
  mlp->masks[kInputMaskName] = at::tensor(std::vector<float>{1, 0, 1});
  mlp->masks["mask.head.weight"] = at::ones({2, 4});
  auto bytes = SerializeModel(*mlp, {{"note", "hello"}});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  std::map<std::string, std::string> metadata;
  auto back = ParseModelFile(*bytes, {}, &metadata);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->architecture, mlp->architecture);
  EXPECT_EQ(metadata, (std::map<std::string, std::string>{{"note", "hello"}}));
  ASSERT_EQ(back->parameters.size(), mlp->parameters.size());
  for (const auto& [name, tensor] : mlp->parameters) {
    EXPECT_TRUE(at::equal(back->parameters.at(name), tensor)) << name;
  }
  EXPECT_TRUE(
      at::equal(back->masks.at(kInputMaskName), mlp->masks.at(kInputMaskName)));
  EXPECT_EQ(*SerializeModel(*back, {{"note", "hello"}}),
            *bytes);  // byte-identical
}

TEST(ModelFileTest, InitialisationIsSeededAndFollowsPyTorchBounds) {
  auto a = InitializeMlp(SmallArchitecture(), 5);
  auto b = InitializeMlp(SmallArchitecture(), 5);
  auto c = InitializeMlp(SmallArchitecture(), 6);
  EXPECT_TRUE(at::equal(a->parameters.at("layers.1.weight"),
                        b->parameters.at("layers.1.weight")));
  EXPECT_FALSE(at::equal(a->parameters.at("layers.1.weight"),
                         c->parameters.at("layers.1.weight")));
  // fan_in of layers.2 is 4: U(-1/2, 1/2).
  EXPECT_LE(a->parameters.at("layers.2.weight").abs().max().item<float>(),
            0.5f);
  EXPECT_TRUE(
      at::equal(a->parameters.at("layers.1.norm.running_var"), at::ones({4})));
}

TEST(ModelFileTest, WriteAndReadAFile) {
  testing::ScopedTempDir temp;
  const std::string path = temp.file("m.safetensors");
  auto mlp = InitializeMlp(SmallArchitecture(), 1);
  ASSERT_TRUE(WriteModelFile(path, *mlp).ok());
  auto back = ReadModelFile(path);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(at::equal(back->parameters.at("head.weight"),
                        mlp->parameters.at("head.weight")));
  EXPECT_THAT(std::string(ReadModelFile(path + ".missing").status().message()),
              HasSubstr(".missing"));
}

struct ModelCorruption {
  const char* what;
  std::function<std::string(const Mlp&)> make;
  const char* message;
};

void PrintTo(const ModelCorruption& c, std::ostream* os) { *os << c.what; }

std::vector<ModelCorruption> ModelCorruptions() {
  using Views = std::vector<Float32TensorView>;
  using Storage = std::vector<std::vector<float>>;
  auto find = [](Views& views, const std::string& name) -> Float32TensorView& {
    for (auto& v : views) {
      if (v.name == name) return v;
    }
    throw std::runtime_error("no tensor " + name);
  };
  return {
      {"no architecture",
       [](const Mlp& m) {
         return SerializeSafetensors(
             {}, {{"head.bias", {2}, std::vector<float>{0, 0}}});
       },
       "__metadata__.amend.architecture: is missing"},
      {"invalid architecture",
       [](const Mlp& m) {
         return WithTensors(
             m, [](Views&, Storage&) {},
             {{kArchitectureMetadataKey, R"({"input_dim": 3})"}});
       },
       "__metadata__.amend.architecture: num_classes: is required"},
      {"missing tensor",
       [find](const Mlp& m) {
         return WithTensors(m, [](Views& v, Storage&) {
           std::erase_if(v, [](const Float32TensorView& t) {
             return t.name == "layers.2.skip.0.weight";
           });
         });
       },
       "tensor 'layers.2.skip.0.weight': is missing; the architecture needs it "
       "with shape [4, 3]"},
      {"unknown tensor",
       [](const Mlp& m) {
         static const std::vector<float> extra = {1};
         return WithTensors(m, [](Views& v, Storage&) {
           v.push_back({"layers.9.weight", {1}, extra});
         });
       },
       "tensor 'layers.9.weight': is not a parameter of this architecture"},
      {"shape mismatch",
       [find](const Mlp& m) {
         return WithTensors(m, [find](Views& v, Storage&) {
           find(v, "layers.1.weight").shape = {3, 4};
         });
       },
       "tensor 'layers.1.weight': shape must be [4, 3], got [3, 4]"},
      {"NaN weight",
       [find](const Mlp& m) {
         return WithTensors(m, [find](Views& v, Storage& s) {
           for (size_t i = 0; i < v.size(); ++i) {
             if (v[i].name == "head.weight") {
               s[i][5] = std::nanf("");
               v[i].values = s[i];
             }
           }
         });
       },
       "tensor 'head.weight': values must be finite, got nan at flat index 5"},
      {"mask with a value other than 0 or 1",
       [](const Mlp& m) {
         static const std::vector<float> mask = {1, 0.5, 1};
         return WithTensors(m, [](Views& v, Storage&) {
           v.push_back({"mask.input", {3}, mask});
         });
       },
       "tensor 'mask.input': mask values must be 0 or 1"},
      {"mask of a bias",
       [](const Mlp& m) {
         static const std::vector<float> mask = {1, 1};
         return WithTensors(m, [](Views& v, Storage&) {
           v.push_back({"mask.head.bias", {2}, mask});
         });
       },
       "tensor 'mask.head.bias': must be mask.input or mask.<weight name>"},
  };
}

class ModelFileCorruptionTest
    : public ::testing::TestWithParam<ModelCorruption> {};

TEST_P(ModelFileCorruptionTest, IsRefusedWithItsMessage) {
  auto mlp = InitializeMlp(SmallArchitecture(), 2);
  ASSERT_TRUE(mlp.ok());
  auto parsed = ParseModelFile(GetParam().make(*mlp));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(Table, ModelFileCorruptionTest,
                         ::testing::ValuesIn(ModelCorruptions()));

TEST(ModelFileTest, ANegativeRunningVarianceIsRefused) {
  Architecture a = SmallArchitecture();
  a.layers[0].norm = Norm::kBatchNorm;
  Mlp mlp = InitializeMlp(a, 2).value();
  mlp.parameters["layers.1.norm.running_var"] = at::ones({a.layers[0].width});
  mlp.parameters["layers.1.norm.running_var"][2] = -0.5;
  EXPECT_THAT(std::string(SerializeModel(mlp).status().message()),
              HasSubstr("tensor 'layers.1.norm.running_var': a running "
                        "variance must be >= 0, got -0.5 at flat index 2"));
}

TEST(ModelFileTest, SerializeRefusesAnInvalidModel) {
  auto mlp = InitializeMlp(SmallArchitecture(), 2);
  mlp->parameters["head.bias"] =
      at::full({2}, std::numeric_limits<float>::infinity());
  EXPECT_THAT(std::string(SerializeModel(*mlp).status().message()),
              HasSubstr("tensor 'head.bias': values must be finite"));
}

}  // namespace
}  // namespace amend
