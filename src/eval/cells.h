// Cell keys of the replay: the full cell (workload, payload, time_window, load_pattern) and the
// coarser (workload, payload) it falls back to, and the one fallback rule the replay's draws and
// the oracles share. Internal to eval/.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/mix.h"
#include "data/record.h"

namespace hr::eval {

using core::Mix64;

inline uint64_t CoarseKey(features::Workload w, double payload_kb) {
  uint64_t bits;
  std::memcpy(&bits, &payload_kb, sizeof bits);
  return Mix64(bits ^ (static_cast<uint64_t>(w) << 56));
}

inline uint64_t CellKey(features::Workload w, double payload_kb, int time_window,
                        int load_pattern) {
  return Mix64(CoarseKey(w, payload_kb) + static_cast<uint64_t>(time_window + 1) * 131 +
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

// Where a platform's outcomes for a request come from: the request's cell where the platform has
// records there, else its (workload, payload) cell, else its workload; each platform on its own
// (a cell measured on Lambda only draws Lambda from the cell and ECS from the coarser level). The
// replay draws by this rule and the oracles compare means by it, so an oracle decides on what the
// replay serves.
enum class Level { kCell, kPayload, kWorkload, kNone };

// `has(level)`: the platform has records of the request at `level`.
template <typename Has>
Level FallbackLevel(Has has) {
  for (Level l : {Level::kCell, Level::kPayload, Level::kWorkload})
    if (has(l)) return l;
  return Level::kNone;
}

}  // namespace hr::eval
