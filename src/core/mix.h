// SplitMix64's finaliser (Steele, Lea and Flood): a well-mixed 64-bit value of any input, for
// seeded draws, hash keys and ids; and a double in [0, 1) from one. Pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace hr::core {

inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// FNV-1a (64-bit): data fingerprints, model fingerprints, key ids. Start from kFnv1aOffset and
// feed bytes in order.
inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ull;
inline void Fnv1a(uint64_t& h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
}

// The top 53 bits as a double in [0, 1).
inline double UnitInterval(uint64_t r) { return static_cast<double>(r >> 11) * 0x1.0p-53; }

}  // namespace hr::core
