// File: core/util/seeded_random.h
//
// A small, fully specified pseudo-random generator (SplitMix64, Steele et al.
// 2014) and the few draws Amend needs from it. Unlike std::shuffle or
// std::uniform_int_distribution, whose outputs differ between standard
// libraries, these give the same numbers on every platform, so a seed fixes
// data splits and zoo configurations everywhere.
//
// Example:
//   SeededRandom random(/*seed=*/42);
//   random.Shuffle(indices);
//   double lr = random.LogUniform(1e-4, 1e-2);
//
// Thread-compatible.
#ifndef AMEND_CORE_UTIL_SEEDED_RANDOM_H_
#define AMEND_CORE_UTIL_SEEDED_RANDOM_H_

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace amend {

class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  // Mixes two values into one seed, e.g. (global seed, run index), so streams
  // are independent.
  static uint64_t Combine(uint64_t a, uint64_t b) {
    SeededRandom mixer(a ^ (b * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL));
    return mixer.Next();
  }

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n). REQUIRES: n > 0. Rejection sampling, so there is
  // no modulo bias.
  uint64_t Below(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return x % n;
  }

  // exp(Uniform(log lo, log hi)).
  double LogUniform(double lo, double hi) {
    return std::exp(std::log(lo) + Uniform() * (std::log(hi) - std::log(lo)));
  }

  template <typename T>
  const T& Choice(const std::vector<T>& values) {
    return values[Below(values.size())];
  }

  // Fisher-Yates.
  template <typename T>
  void Shuffle(std::vector<T>& values) {
    for (size_t i = values.size(); i > 1; --i)
      std::swap(values[i - 1], values[Below(i)]);
  }

 private:
  uint64_t state_;
};

}  // namespace amend

#endif  // AMEND_CORE_UTIL_SEEDED_RANDOM_H_
