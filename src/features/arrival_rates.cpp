#include "features/arrival_rates.h"

#include <algorithm>

namespace hr::features {

void ArrivalRates::Arrive(Workload w, int64_t now_ms) {
  const int64_t second = now_ms / 1000;
  std::lock_guard<std::mutex> lock(mutex_);
  auto& ring = buckets_[static_cast<size_t>(w)];
  Bucket& b = ring[static_cast<size_t>(second) % ring.size()];
  if (b.second != second) b = Bucket{second, 0};
  ++b.count;
}

double ArrivalRates::Rate(Workload w, int64_t now_ms, int from_s_ago, int seconds) const {
  const int64_t current = now_ms / 1000;
  const int64_t last = current - 1 - from_s_ago;  // the newest full second counted
  const int64_t first = last - seconds + 1;
  std::lock_guard<std::mutex> lock(mutex_);
  uint64_t n = 0;
  for (const Bucket& b : buckets_[static_cast<size_t>(w)]) {
    if (b.second >= first && b.second <= last) n += b.count;
  }
  return static_cast<double>(n) / std::max(1, seconds);
}

LoadPattern ArrivalRates::Pattern(Workload w, int64_t now_ms) const {
  const double last10 = Rate(w, now_ms, 0, 10);
  const double before = Rate(w, now_ms, 10, 50);
  if (last10 >= 20 && last10 >= 2 * before) return LoadPattern::kBurstLoad;
  const double a = Rate(w, now_ms, 40, 20), b = Rate(w, now_ms, 20, 20), c = Rate(w, now_ms, 0, 20);
  if (c >= 8 && a > 0 && b >= 1.3 * a && c >= 1.3 * b) return LoadPattern::kRampLoad;
  if (Rate(w, now_ms, 0, 60) >= 10) return LoadPattern::kMediumLoad;
  return LoadPattern::kLowLoad;
}

}  // namespace hr::features
