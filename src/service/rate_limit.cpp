#include "service/rate_limit.h"

#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace hr::service {

namespace {

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string Format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

LimitVerdict KeyState::Take(const KeyLimits& limits, int64_t now_us) {
  if (!limits.any()) {
    allowed_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  const int64_t day = FloorDiv(now_us, kDayUs);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!started_) {
    started_ = true;
    tokens_ = limits.burst;
    last_us_ = now_us;
    day_ = day;
  }
  if (limits.rate_per_s > 0) {
    if (!bucket_) tokens_ = limits.burst;  // a rate given by a reload starts full
    if (now_us > last_us_)
      tokens_ += static_cast<double>(now_us - last_us_) / 1e6 * limits.rate_per_s;
    tokens_ = std::min(tokens_, limits.burst);
  }
  bucket_ = limits.rate_per_s > 0;
  last_us_ = std::max(last_us_, now_us);  // a clock stepped back refills nothing
  if (day > day_) {                       // a new UTC day: the quota starts again
    day_ = day;
    used_today_ = 0;
  }
  LimitVerdict v;
  if (limits.quota_per_day > 0 && used_today_ >= limits.quota_per_day) {
    v.limited = LimitKind::kQuota;
    const int64_t left_us = (day_ + 1) * kDayUs - now_us;
    v.retry_after_s = std::max<int64_t>(1, (left_us + 999'999) / 1'000'000);
    quota_exceeded_.fetch_add(1, std::memory_order_relaxed);
    return v;
  }
  if (limits.rate_per_s > 0 && tokens_ < 1) {
    v.limited = LimitKind::kRate;
    v.retry_after_s =
        std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - tokens_) / limits.rate_per_s)));
    rate_limited_.fetch_add(1, std::memory_order_relaxed);
    return v;
  }
  if (limits.rate_per_s > 0) tokens_ -= 1;
  ++used_today_;
  allowed_.fetch_add(1, std::memory_order_relaxed);
  return v;
}

KeyGate::KeyGate(ApiKeys keys, const KeyGate* before) : keys_(std::move(keys)) {
  std::unordered_map<std::string, std::shared_ptr<KeyState>> kept;
  if (before) {
    for (size_t i = 0; i < before->keys_.size(); ++i)
      kept.emplace(before->keys_.entry(i).id, before->states_[i]);
  }
  states_.reserve(keys_.size());
  for (const KeyEntry& e : keys_.entries()) {
    auto it = kept.find(e.id);
    states_.push_back(it != kept.end() ? it->second : std::make_shared<KeyState>());
  }
}

LimitVerdict KeyGate::Take(size_t index, int64_t now_us) const {
  return states_[index]->Take(keys_.entry(index).limits, now_us);
}

std::string KeyGate::Explain(size_t index, const LimitVerdict& v) const {
  const KeyEntry& e = keys_.entry(index);
  if (v.limited == LimitKind::kQuota) {
    return "API key " + e.id + " has used its quota of " + std::to_string(e.limits.quota_per_day) +
           " requests for this UTC day; retry after " + std::to_string(v.retry_after_s) + " s";
  }
  return "API key " + e.id + " is over its rate limit of " + Format(e.limits.rate_per_s) +
         " requests/s (burst " + Format(e.limits.burst) + "); retry after " +
         std::to_string(v.retry_after_s) + " s";
}

std::string KeyGate::Render() const {
  if (!keys_.enabled()) return {};
  std::string out =
      "# HELP hybrid_router_api_key_requests_total Requests that presented a valid API key, by "
      "key id and result (allowed, rate_limited, quota_exceeded); counted by this replica.\n"
      "# TYPE hybrid_router_api_key_requests_total counter\n";
  for (size_t i = 0; i < keys_.size(); ++i) {
    const std::string label =
        "hybrid_router_api_key_requests_total{key_id=\"" + keys_.entry(i).id + "\",result=\"";
    const KeyState& s = *states_[i];
    out += label + "allowed\"} " + std::to_string(s.allowed()) + "\n";
    out += label + "rate_limited\"} " + std::to_string(s.rate_limited()) + "\n";
    out += label + "quota_exceeded\"} " + std::to_string(s.quota_exceeded()) + "\n";
  }
  return out;
}

}  // namespace hr::service
