#include "core/zoo/run_streams.h"

#include <cmath>
#include <numeric>

namespace amend {
namespace {

constexpr uint64_t kDataOrderStream = 0x6461746100000000ULL;  // "data"
constexpr uint64_t kDropoutStream = 0x64726f706f757400ULL;    // "dropout"

}  // namespace

std::vector<int64_t> EpochOrder(uint64_t run_seed, int epoch, int64_t rows) {
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  SeededRandom random(
      SeededRandom::Combine(SeededRandom::Combine(run_seed, kDataOrderStream),
                            static_cast<uint64_t>(epoch)));
  random.Shuffle(order);
  return order;
}

SeededRandom DropoutStream(uint64_t run_seed) {
  return SeededRandom(SeededRandom::Combine(run_seed, kDropoutStream));
}

void DrawDropoutMask(SeededRandom& stream, double keep, int64_t batch,
                     int64_t width, int64_t stride, float* out) {
  const auto threshold = static_cast<uint64_t>(std::ldexp(keep, 32));
  const auto scale = static_cast<float>(1.0 / keep);
  const int64_t count = batch * width;
  uint64_t bits = 0;
  for (int64_t i = 0; i < count; ++i) {
    if (i % 2 == 0) bits = stream.Next();
    const uint64_t draw = i % 2 == 0 ? (bits & 0xffffffffULL) : (bits >> 32);
    out[(i / width) * stride + i % width] = draw < threshold ? scale : 0.0f;
  }
}

}  // namespace amend
