// Per-key rate limits: a token bucket (rate, burst) and a quota per UTC day for each API key,
// kept by this process alone (every replica counts its own), and the allowed and limited counts
// /metrics shows by key id. The caller passes the time (microseconds since the Unix epoch, UTC),
// so tests move the clock. Opens no files or sockets.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service/api_keys.h"

namespace hr::service {

enum class LimitKind { kNone, kRate, kQuota };

struct LimitVerdict {
  LimitKind limited = LimitKind::kNone;  // kNone: allowed
  int64_t retry_after_s = 0;             // when limited: whole seconds, at least 1
};

// One key's bucket, day count and counters. Thread-safe.
class KeyState {
 public:
  // Takes one request at `now_us` under `limits`: allowed (a token and one of the day's quota
  // spent), or which limit refused it and when to retry.
  LimitVerdict Take(const KeyLimits& limits, int64_t now_us);
  uint64_t allowed() const { return allowed_.load(std::memory_order_relaxed); }
  uint64_t rate_limited() const { return rate_limited_.load(std::memory_order_relaxed); }
  uint64_t quota_exceeded() const { return quota_exceeded_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  bool started_ = false;
  bool bucket_ = false;  // the limits had a rate when last taken
  double tokens_ = 0;
  int64_t last_us_ = 0;
  int64_t day_ = 0;  // the UTC day `used_today_` counts
  int64_t used_today_ = 0;
  std::atomic<uint64_t> allowed_{0}, rate_limited_{0}, quota_exceeded_{0};
};

// The keys in force and each one's state. Immutable once made, but for the states; a reload makes
// a new one that keeps the states of the ids it still has (their buckets, day counts and
// counters carry over), so a reload neither resets a quota nor loses a count.
class KeyGate {
 public:
  KeyGate(ApiKeys keys, const KeyGate* before);
  const ApiKeys& keys() const { return keys_; }
  // For the key at `index` (ApiKeys::Find): allowed, or which limit refused it.
  LimitVerdict Take(size_t index, int64_t now_us) const;
  // The message of a 429 for the key at `index`, naming the limit.
  std::string Explain(size_t index, const LimitVerdict& v) const;
  // hybrid_router_api_key_requests_total{key_id,result} (Prometheus text; empty without keys).
  std::string Render() const;

 private:
  ApiKeys keys_;
  std::vector<std::shared_ptr<KeyState>> states_;
};

}  // namespace hr::service
