// The rules that keep a router from making an outage worse (nginx's proxy_next_upstream and
// Envoy's retry policy are the models): what an attempt's result means (answered; provably not
// run; failed and maybe run; a configuration error), a retry budget over a sliding window, and a
// circuit breaker per platform and workload. Pure: the caller passes the time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

#include "features/request.h"
#include "policy/decision.h"
#include "upstream/upstream.h"

namespace hr::route {

enum class Verdict : uint8_t {
  kAnswered,     // the platform answered (2xx-4xx but those below): relay it
  kNotRun,       // provably not run: connect/DNS/TLS failure, 429, Lambda 413 or 502
                 // ResourceNotReady, ALB 503; a fallback is safe for any workload
  kFailed,       // may have run: timeout, broken connection, other 5xx; fallback only when the
                 // workload is idempotent
  kConfigError,  // 401/403 (credentials), 404/405 (the target's path): the router's own
                 // configuration is wrong; never a fallback, never an outcome line
};
std::string_view Name(Verdict v);

// Why a failed attempt was not followed by one on the other platform (or a hedge not sent).
enum class Denied : uint8_t {
  kNotIdempotent,
  kBudget,
  kDeadline,
  kBreaker,
  kNoTarget,
  kCapacity,     // a hedge to ECS under spill-over found no free slot
  kHedgeBudget,  // a hedge over the hedges' share of the requests (--hedge-share)
  kCount
};

// `error_type` is the answer's X-Amzn-ErrorType header (empty when absent).
Verdict Judge(policy::Platform platform, upstream::Failure failure, int status,
              std::string_view error_type);

// Fallbacks at most `ratio` of the requests over the last `window_s` seconds, but always at least
// `floor_per_s` per second of the window (Finagle's and Envoy's retry budgets).
struct BudgetOptions {
  double ratio = 0.2;
  int window_s = 10;
  double floor_per_s = 3;
};

class RetryBudget {
 public:
  explicit RetryBudget(BudgetOptions options = {}) : options_(options) {}
  void Request(int64_t now_ms);
  // True (and counted) when one more fallback fits in the budget.
  bool TryFallback(int64_t now_ms);

 private:
  struct Bucket {
    int64_t second = -1;
    uint64_t requests = 0, fallbacks = 0;
  };
  Bucket& At(int64_t now_ms);
  BudgetOptions options_;
  std::mutex mutex_;
  std::array<Bucket, 64> buckets_{};
};

// Opens after `failures` consecutive failed attempts (0: never) for `open_ms`; then lets one
// probe through (half-open): its success closes the breaker, its failure opens it again.
struct BreakerOptions {
  int failures = 5;
  int open_ms = 30'000;
};

enum class BreakerState : uint8_t { kClosed, kOpen, kHalfOpen };
std::string_view Name(BreakerState s);

class Breakers {
 public:
  explicit Breakers(BreakerOptions options = {}) : options_(options) {}
  // Whether an attempt may go to (platform, workload) now; `probe` is set when this attempt is
  // the half-open probe (its result must be recorded).
  bool Allow(policy::Platform p, features::Workload w, int64_t now_ms, bool* probe);
  // The result of an attempt that Allow let through. Returns the new state when it changed.
  std::optional<BreakerState> Record(policy::Platform p, features::Workload w, bool success,
                                     bool probe, int64_t now_ms);
  // A probe that Allow let through but that was not sent: the next attempt may probe instead.
  void Release(policy::Platform p, features::Workload w);
  BreakerState State(policy::Platform p, features::Workload w, int64_t now_ms) const;

 private:
  struct One {
    BreakerState state = BreakerState::kClosed;
    int consecutive = 0;
    int64_t open_until_ms = 0;
    bool probe_out = false;
  };
  One& At(policy::Platform p, features::Workload w) {
    return all_[static_cast<size_t>(p)][static_cast<size_t>(w)];
  }
  BreakerOptions options_;
  mutable std::mutex mutex_;
  std::array<std::array<One, features::kWorkloadCount>, 2> all_{};
};

// Throttling: a platform that answered 429 (or, for ECS, the ALB's 503: no healthy target) for a
// workload is skipped for that workload for its Retry-After (whole seconds, at most 60 s), else
// for the back-off: requests go straight to the other platform meanwhile. Lock-free.
class Throttles {
 public:
  static constexpr int64_t kMaxMs = 60'000;
  explicit Throttles(int backoff_ms = 1'000) : backoff_ms_(backoff_ms) {}
  // `retry_after` is the answer's Retry-After header (empty when absent).
  void Throttled(policy::Platform p, features::Workload w, int64_t now_ms,
                 std::string_view retry_after);
  bool Active(policy::Platform p, features::Workload w, int64_t now_ms) const {
    return until_ms_[static_cast<size_t>(p)][static_cast<size_t>(w)].load(
               std::memory_order_relaxed) > now_ms;
  }

 private:
  int backoff_ms_;
  std::array<std::array<std::atomic<int64_t>, features::kWorkloadCount>, 2> until_ms_{};
};

// Hedging's delay: the p95 of a platform's recent answers for a cell (workload and payload class:
// sizes within a factor of 4, 1 KB to 4 MB and above), from the last `kWindow` answers of that
// cell, else of the workload; unknown below `kMinSamples`. Recomputed every 16 answers.
class HedgeDelays {
 public:
  static constexpr size_t kWindow = 256;
  static constexpr size_t kMinSamples = 20;
  static constexpr size_t kPayloadClasses = 8;
  static size_t PayloadClass(double kb);
  void Record(policy::Platform p, features::Workload w, double payload_kb, double ms);
  std::optional<double> DelayMs(policy::Platform p, features::Workload w, double payload_kb) const;

 private:
  struct Window {
    std::array<double, kWindow> ms{};
    size_t count = 0;  // answers seen
    double p95 = -1;   // < 0: not yet known
  };
  static void Add(Window& win, double ms);
  mutable std::mutex mutex_;
  // [platform][workload][payload class], the last class slot holding the workload's whole window.
  std::array<std::array<std::array<Window, kPayloadClasses + 1>, features::kWorkloadCount>, 2>
      windows_{};
};

}  // namespace hr::route
