#include "core/mlp/safetensors.h"

#include <cmath>
#include <cstring>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace amend {
namespace {

using ::testing::HasSubstr;

// A safetensors file assembled by hand: 8-byte little-endian length, header,
// buffer.
std::string MakeFile(const std::string& header, const std::string& buffer) {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + buffer;
}

std::string FloatBytes(std::initializer_list<float> values) {
  std::string bytes;
  for (float v : values) bytes.append(reinterpret_cast<const char*>(&v), 4);
  return bytes;
}

TEST(SafetensorsTest, ReadsAHandWrittenFile) {
  const std::string file = MakeFile(
      R"({"__metadata__":{"k":"v"},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
      R"("a":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}})",
      FloatBytes({1.5f, -2.0f, 3.0f, 4.25f}));
  auto parsed = ParseSafetensors(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->metadata.at("k"), "v");
  ASSERT_EQ(parsed->tensors.size(), 2u);
  EXPECT_EQ(parsed->tensors[0].name, "a");  // ordered by offset
  EXPECT_EQ(parsed->tensors[0].shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(*DecodeFloat32(parsed->tensors[0]),
            (std::vector<float>{1.5f, -2.0f}));
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("b")),
            (std::vector<float>{3.0f, 4.25f}));
}

TEST(SafetensorsTest, WriterRoundTripsAndIsDeterministic) {
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  const std::vector<float> b = {-1, 0.5};
  auto write = [&] {
    return SerializeSafetensors({{"amend.architecture", "{}"}},
                                {{"z.bias", {2}, b}, {"a.weight", {2, 3}, w}});
  };
  const std::string bytes = write();
  EXPECT_EQ(bytes, write());
  uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), 8);
  EXPECT_EQ(header_size % 8, 0u);
  auto parsed = ParseSafetensors(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->metadata.at("amend.architecture"), "{}");
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("a.weight")), w);
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("z.bias")), b);
  EXPECT_EQ(parsed->Find("a.weight")->shape, (std::vector<int64_t>{2, 3}));
}

TEST(SafetensorsTest, ConvertsF64F16AndBf16ToF32) {
  std::string buffer;
  const double doubles[] = {0.1, -3.0};
  buffer.append(reinterpret_cast<const char*>(doubles), 16);
  // F16: 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 = 0.333251953125, 0x0001 = 2^-24
  // (subnormal).
  const uint16_t halves[] = {0x3C00, 0xC000, 0x3555, 0x0001};
  buffer.append(reinterpret_cast<const char*>(halves), 8);
  // BF16: 0x3F80 = 1.0, 0xC040 = -3.0.
  const uint16_t brains[] = {0x3F80, 0xC040};
  buffer.append(reinterpret_cast<const char*>(brains), 4);
  // The tensors view the file's bytes: they must outlive the parse.
  const std::string file =
      MakeFile(R"({"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
               R"("h":{"dtype":"F16","shape":[4],"data_offsets":[16,24]},)"
               R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]}})",
               buffer);
  auto parsed = ParseSafetensors(file);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("d")),
            (std::vector<float>{0.1f, -3.0f}));
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("h")),
            (std::vector<float>{1.0f, -2.0f, 0.333251953125f,
                                std::ldexp(1.0f, -24)}));
  EXPECT_EQ(*DecodeFloat32(*parsed->Find("b")),
            (std::vector<float>{1.0f, -3.0f}));
}

struct Corruption {
  const char* what;
  std::string file;
  const char* message;
};

void PrintTo(const Corruption& c, std::ostream* os) { *os << c.what; }

std::vector<Corruption> Corruptions() {
  const std::string good_header =
      R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const std::string good = MakeFile(good_header, FloatBytes({1, 2}));
  std::string huge_length = good;
  const uint64_t huge = uint64_t{1} << 62;
  std::memcpy(huge_length.data(), &huge, 8);
  std::string past_end = good;
  const uint64_t too_long = good_header.size() + 9;
  std::memcpy(past_end.data(), &too_long, 8);
  return {
      {"shorter than the length prefix", "abc",
       "must start with an 8-byte header length"},
      {"truncated buffer", good.substr(0, good.size() - 3),
       "must satisfy begin <= end <= 5"},
      {"huge header length", huge_length,
       "header length must be at most 1048576 bytes"},
      {"header past the end", past_end, "runs past the end"},
      {"bad JSON", MakeFile("{\"w\": [", ""), "header must be valid JSON"},
      {"header not an object", MakeFile("[1,2]", ""),
       "header must be a JSON object, got array"},
      {"unknown dtype",
       MakeFile(R"({"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})",
                FloatBytes({1, 2})),
       "tensor 'w'.dtype: must be a safetensors dtype"},
      {"offsets out of range",
       MakeFile(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}})",
                FloatBytes({1, 2})),
       "tensor 'w'.data_offsets: must satisfy begin <= end <= 8"},
      {"begin after end",
       MakeFile(R"({"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})",
                FloatBytes({1, 2})),
       "must satisfy begin <= end"},
      {"overlapping tensors",
       MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                FloatBytes({1, 2, 3})),
       "tensor 'b'.data_offsets: overlaps the previous tensor"},
      {"hole in the buffer",
       MakeFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                FloatBytes({1, 2, 3})),
       "tensor 'b'.data_offsets: leaves a hole"},
      {"bytes beyond the last tensor",
       MakeFile(good_header, FloatBytes({1, 2, 3})),
       "the tensors cover 8 of the buffer's 12 bytes"},
      {"shape does not match the byte range",
       MakeFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                FloatBytes({1, 2})),
       "must span 3 x 4 bytes for shape [3] and dtype F32, got 8"},
      {"negative dimension",
       MakeFile(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                FloatBytes({1, 2})),
       "tensor 'w'.shape[0]: must be a non-negative integer"},
      {"overflowing shape",
       MakeFile(
           R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
           FloatBytes({1, 2})),
       "element count overflows"},
      {"duplicate tensor name",
       MakeFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                FloatBytes({1, 2})),
       "tensor 'w': appears twice"},
      {"duplicate field inside an entry",
       MakeFile(
           R"({"w":{"dtype":"F16","dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
           FloatBytes({1, 2})),
       "field 'dtype' appears twice in one header object"},
      {"duplicate metadata key",
       MakeFile(
           R"({"__metadata__":{"k":"a","k":"b"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
           FloatBytes({1, 2})),
       "field 'k' appears twice"},
      {"metadata value not a string",
       MakeFile(
           R"({"__metadata__":{"k":1},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
           FloatBytes({1, 2})),
       "__metadata__.k must be a string"},
      {"entry not an object", MakeFile(R"({"w":[1,2]})", ""),
       "tensor 'w': must be an object, got array"},
  };
}

class SafetensorsCorruptionTest : public ::testing::TestWithParam<Corruption> {
};

TEST_P(SafetensorsCorruptionTest, IsRefusedWithItsMessage) {
  auto parsed = ParseSafetensors(GetParam().file);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(Table, SafetensorsCorruptionTest,
                         ::testing::ValuesIn(Corruptions()));

TEST(SafetensorsTest, DecodeRefusesNanAndNamesTheIndex) {
  const std::string file =
      MakeFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}})",
               FloatBytes({1.0f, std::nanf(""), 2.0f}));
  auto parsed = ParseSafetensors(file);
  ASSERT_TRUE(parsed.ok());
  auto values = DecodeFloat32(parsed->tensors[0]);
  EXPECT_THAT(
      std::string(values.status().message()),
      HasSubstr("tensor 'w': values must be finite, got nan at flat index 1"));
}

TEST(SafetensorsTest, DecodeRefusesF64BeyondFloatRange) {
  const double big = 1e300;
  // The tensors view the file's bytes: they must outlive the parse.
  const std::string file =
      MakeFile(R"({"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})",
               std::string(reinterpret_cast<const char*>(&big), 8));
  auto parsed = ParseSafetensors(file);
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(
      std::string(DecodeFloat32(parsed->tensors[0]).status().message()),
      HasSubstr(
          "values must be finite, got inf at flat index 0 (after conversion)"));
}

TEST(SafetensorsTest, DecodeRefusesIntegerDtypes) {
  // The tensors view the file's bytes: they must outlive the parse.
  const std::string file =
      MakeFile(R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})",
               std::string(8, '\0'));
  auto parsed = ParseSafetensors(file);
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(std::string(DecodeFloat32(parsed->tensors[0]).status().message()),
              HasSubstr("tensor 'w'.dtype: must be F32 (F64, F16 and BF16 are "
                        "converted), got I64"));
}

TEST(SafetensorsTest, EveryTruncationOfAValidFileIsRefusedWithoutCrashing) {
  const std::string file = SerializeSafetensors(
      {{"a", "b"}}, {{"w", {3}, std::vector<float>{1, 2, 3}}});
  for (size_t length = 0; length < file.size(); ++length) {
    EXPECT_FALSE(
        ParseSafetensors(absl::string_view(file).substr(0, length)).ok())
        << length;
  }
}

}  // namespace
}  // namespace amend
