// Deterministic pseudo-random numbers for splits, shuffles, weight initialisation and simulation:
// xoshiro256** seeded through splitmix64. Same seed, same sequence, on every platform and
// standard library (unlike std:: distributions).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/mix.h"

namespace hr::core {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ull;
      s = core::Mix64(seed);
    }
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n), unbiased (rejection).
  uint64_t Below(uint64_t n) {
    const uint64_t limit = ~0ull - (~0ull % n);
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return x % n;
  }
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace hr::core
