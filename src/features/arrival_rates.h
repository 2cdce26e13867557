// Arrival rates per workload over the last minute and the prototype's load pattern they resemble,
// for requests that do not name their own (route) and simulated traffic (sim). Pure: the caller
// passes the time; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "features/request.h"

namespace hr::features {

// Arrivals per workload in one-second buckets, and the prototype's load pattern they resemble
// (the prototype's load test: low 5 rps, medium 15, burst 5 -> 30 -> 5, ramp 5 -> 25):
// burst when the last 10 s ran at >= 20 rps and >= 2x the 50 s before; ramp when each of the
// last three 20 s thirds ran >= 1.3x the one before and the last at >= 8 rps; medium when the
// last 60 s averaged >= 10 rps; low otherwise.
class ArrivalRates {
 public:
  void Arrive(Workload w, int64_t now_ms);
  // Arrivals per second over the `seconds` (1..60) before the current second.
  double Rate(Workload w, int64_t now_ms, int from_s_ago, int seconds) const;
  LoadPattern Pattern(Workload w, int64_t now_ms) const;

 private:
  struct Bucket {
    int64_t second = -1;
    uint32_t count = 0;
  };
  mutable std::mutex mutex_;
  std::array<std::array<Bucket, 64>, kWorkloadCount> buckets_{};
};

}  // namespace hr::features
