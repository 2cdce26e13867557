// The router's counters and their Prometheus text (appended to the service's /metrics): requests
// by workload, final platform and status class; attempts by platform and verdict; fallbacks and
// why some were denied; breaker transitions; exploration; spill-over; hedges; upstream time; and
// the router's own time per request as a summary (p50, p90, p99, p999 from a fine log-scale
// histogram). Lock-free.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "features/request.h"
#include "policy/decision.h"
#include "policy/learner.h"
#include "route/guards.h"

namespace hr::route {

class RouteMetrics {
 public:
  void Request(features::Workload w, policy::Platform p, int status);
  void Attempt(policy::Platform p, Verdict v) { Add(attempts_[Idx(p)][static_cast<size_t>(v)]); }
  void Fallback(policy::Platform from) { Add(fallbacks_[Idx(from)]); }
  void FallbackDenied(Denied why) { Add(denied_[static_cast<size_t>(why)]); }
  void Breaker(policy::Platform p, BreakerState to) {
    Add(breaker_[Idx(p)][static_cast<size_t>(to)]);
  }
  void Explored() { Add(explored_); }
  // Spillover: a request sent to Lambda because the workload's ECS share was full.
  void Spilled(features::Workload w) { Add(spilled_[static_cast<size_t>(w)]); }
  // Hedging: a second attempt sent to `to` while the first ran; `won`: it answered first.
  void Hedged(policy::Platform to) { Add(hedges_[Idx(to)]); }
  void HedgeWon(policy::Platform to) { Add(hedge_wins_[Idx(to)]); }
  // The attempt of a hedged request that answered after the client had its answer (or was cut
  // off by shutdown): it ran and is billed for `ms` (Lambda's billed duration when reported).
  void HedgeLost(policy::Platform p, double ms) {
    Add(hedge_losers_[Idx(p)]);
    hedge_loser_us_[Idx(p)].fetch_add(static_cast<uint64_t>(std::max(0.0, ms) * 1000),
                                      std::memory_order_relaxed);
  }
  // A call sent again on a new connection after its pooled connection broke (it may have run).
  void Resent(policy::Platform p) { Add(resent_[Idx(p)]); }
  // A Lambda call whose proxy event and payload hash were made off the event loop (a large body).
  void PreparedOffLoop() { Add(prepared_off_loop_); }
  // Throttling: an answer that throttled a platform, and a request sent past a throttled one.
  void Throttled(policy::Platform p) { Add(throttled_[Idx(p)]); }
  void ThrottleRedirect(policy::Platform from) { Add(throttle_redirects_[Idx(from)]); }
  void Refused() { Add(refused_); }  // a client error answered by the router itself (4xx)
  // A request's metadata value the router did not know (read as absent): time_window or pattern.
  void Unknown(std::string_view field) { Add(unknown_[field == "metadata.time_window" ? 0 : 1]); }
  void Overhead(int64_t us);
  void Upstream(double ms);
  // The router's own time per request at quantile q (0..1), microseconds (bucket upper bound).
  double OverheadQuantileUs(double q) const;
  std::string Render(int upstream_in_flight, uint64_t upstream_strays, uint64_t log_written,
                     uint64_t log_dropped) const;

 private:
  static constexpr size_t kOverheadBuckets = 96;  // 1 us x 1.2^i, up to ~40 s
  static void Add(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
  static size_t Idx(policy::Platform p) { return static_cast<size_t>(p); }
  std::array<std::array<std::array<std::atomic<uint64_t>, 5>, 2>, features::kWorkloadCount>
      requests_{};
  std::array<std::array<std::atomic<uint64_t>, 4>, 2> attempts_{};
  std::array<std::atomic<uint64_t>, 2> fallbacks_{};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Denied::kCount)> denied_{};
  std::array<std::array<std::atomic<uint64_t>, 3>, 2> breaker_{};
  std::atomic<uint64_t> explored_{0}, refused_{0}, prepared_off_loop_{0};
  std::array<std::atomic<uint64_t>, 2> unknown_{};  // metadata.time_window, metadata.load_pattern
  std::array<std::atomic<uint64_t>, features::kWorkloadCount> spilled_{};
  std::array<std::atomic<uint64_t>, 2> hedges_{}, hedge_wins_{}, hedge_losers_{};
  std::array<std::atomic<uint64_t>, 2> hedge_loser_us_{}, resent_{};
  std::array<std::atomic<uint64_t>, 2> throttled_{}, throttle_redirects_{};
  std::array<std::atomic<uint64_t>, kOverheadBuckets> overhead_{};
  std::atomic<uint64_t> overhead_sum_us_{0}, overhead_count_{0};
  std::atomic<uint64_t> upstream_sum_us_{0}, upstream_count_{0};
};

// Spill-over: this router's share of each workload's ECS capacity and its requests there now;
// with a discovery `watch`, its successful and failed polls.
class EcsCapacityWatch;
std::string RenderEcsCapacity(const std::array<int, features::kWorkloadCount>& share,
                              const std::array<int, features::kWorkloadCount>& in_flight,
                              const EcsCapacityWatch* watch);

// The adaptive policy: per workload and platform the learned factor on the tables' response
// times, the effective live records behind it, outcomes learned from, and change alarms.
std::string RenderLearner(const policy::Learner& l);

// Signed targets: credential refreshes, failed refreshes and when the credentials in use expire.
std::string RenderAwsCredentials(const aws::CredentialProvider& c);

}  // namespace hr::route
