// Cell keys of the replay: the full cell (workload, payload, time_window, load_pattern) and the
// coarser (workload, payload) it falls back to, a payload being the measured size it belongs to,
// and the one fallback rule the replay's draws and the oracles share. Internal to eval/.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

#include "core/mix.h"
#include "data/measured_sizes.h"
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

// The keys of a replay's cells over `records`: payloads are matched to the records' measured sizes
// (features/payload_size.h, the rule the outcome tables and emulate share), so a request or record
// of 1,024.3 KB is in the 1,024 KB cell. The replay and the oracles make it from the same records.
class CellKeys {
 public:
  explicit CellKeys(std::span<const data::Record> records)
      : sizes_(data::MeasuredPayloadSizes(records)) {}
  uint64_t Coarse(features::Workload w, double payload_kb) const {
    return CoarseKey(w, sizes_.Of(w, payload_kb));
  }
  uint64_t Cell(const data::Record& r) const {
    return CellKey(r.workload, sizes_.Of(r.workload, r.target_payload_kb),
                   r.time_window ? static_cast<int>(*r.time_window) : -1,
                   r.load_pattern ? static_cast<int>(*r.load_pattern) : -1);
  }
  uint64_t Cell(const features::Request& q) const {
    return CellKey(q.workload, sizes_.Of(q.workload, q.payload_kb), static_cast<int>(q.time_window),
                   static_cast<int>(q.load_pattern));
  }

 private:
  features::PayloadSizes sizes_;
};

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
