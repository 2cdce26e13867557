// Cell keys of the replay: the full cell (workload, payload, time_window, load_pattern) and the
// coarser (workload, payload) it falls back to. Internal to eval/.
#pragma once

#include <cstdint>
#include <cstring>

#include "data/record.h"

namespace hr::eval {

inline uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

inline uint64_t CoarseKey(features::Workload w, double payload_kb) {
  uint64_t bits;
  std::memcpy(&bits, &payload_kb, sizeof bits);
  return Mix(bits ^ (static_cast<uint64_t>(w) << 56));
}

inline uint64_t CellKey(features::Workload w, double payload_kb, int time_window,
                        int load_pattern) {
  return Mix(CoarseKey(w, payload_kb) + static_cast<uint64_t>(time_window + 1) * 131 +
             static_cast<uint64_t>(load_pattern + 1) * 7919);
}

inline uint64_t CellKey(const data::Record& r) {
  return CellKey(r.workload, r.target_payload_kb,
                 r.time_window ? static_cast<int>(*r.time_window) : -1,
                 r.load_pattern ? static_cast<int>(*r.load_pattern) : -1);
}

inline uint64_t CellKey(const features::Request& q) {
  return CellKey(q.workload, q.payload_kb, static_cast<int>(q.time_window),
                 static_cast<int>(q.load_pattern));
}

}  // namespace hr::eval
