#include "route/guards.h"

#include <algorithm>
#include <charconv>

namespace hr::route {

using policy::Platform;

std::string_view Name(Verdict v) {
  switch (v) {
    case Verdict::kAnswered:
      return "answered";
    case Verdict::kNotRun:
      return "not_run";
    case Verdict::kFailed:
      return "failed";
    case Verdict::kConfigError:
      return "config_error";
  }
  return "failed";
}

std::string_view Name(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
  }
  return "closed";
}

Verdict Judge(Platform platform, upstream::Failure failure, int status,
              std::string_view error_type) {
  if (upstream::NeverSent(failure)) return Verdict::kNotRun;
  if (failure != upstream::Failure::kNone) return Verdict::kFailed;
  // The router's credentials, or a target URL whose path the target does not serve (the
  // prototype's handlers answer every request to their own path): the configuration is wrong.
  if (status == 401 || status == 403 || status == 404 || status == 405)
    return Verdict::kConfigError;
  if (status == 429) return Verdict::kNotRun;  // throttled (Lambda, API Gateway, or the service)
  if (platform == Platform::kLambda) {
    if (status == 413) return Verdict::kNotRun;  // over Lambda's 6 MB payload limit
    if (status == 502 && error_type.find("ResourceNotReady") != std::string_view::npos)
      return Verdict::kNotRun;
  } else if (status == 503) {
    return Verdict::kNotRun;  // the ALB has no healthy target
  }
  return status >= 500 ? Verdict::kFailed : Verdict::kAnswered;
}

// ---- RetryBudget ----

RetryBudget::Bucket& RetryBudget::At(int64_t now_ms) {
  const int64_t second = now_ms / 1000;
  Bucket& b = buckets_[static_cast<size_t>(second) % buckets_.size()];
  if (b.second != second) b = Bucket{second, 0, 0};
  return b;
}

void RetryBudget::Request(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++At(now_ms).requests;
}

bool RetryBudget::TryFallback(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t second = now_ms / 1000;
  const int window = std::clamp(options_.window_s, 1, static_cast<int>(buckets_.size()) - 1);
  uint64_t requests = 0, fallbacks = 0;
  for (const Bucket& b : buckets_) {
    if (b.second > second - window && b.second <= second) {
      requests += b.requests;
      fallbacks += b.fallbacks;
    }
  }
  const double allowed =
      std::max(options_.ratio * static_cast<double>(requests), options_.floor_per_s * window);
  if (static_cast<double>(fallbacks + 1) > allowed) return false;
  ++At(now_ms).fallbacks;
  return true;
}

// ---- Breakers ----

bool Breakers::Allow(Platform p, features::Workload w, int64_t now_ms, bool* probe) {
  *probe = false;
  if (options_.failures <= 0) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  One& b = At(p, w);
  switch (b.state) {
    case BreakerState::kClosed:
      return true;
    case BreakerState::kOpen:
      if (now_ms < b.open_until_ms) return false;
      b.state = BreakerState::kHalfOpen;
      b.probe_out = false;
      [[fallthrough]];
    case BreakerState::kHalfOpen:
      if (b.probe_out) return false;
      b.probe_out = true;
      *probe = true;
      return true;
  }
  return true;
}

std::optional<BreakerState> Breakers::Record(Platform p, features::Workload w, bool success,
                                             bool probe, int64_t now_ms) {
  if (options_.failures <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  One& b = At(p, w);
  const BreakerState before = b.state;
  if (probe) b.probe_out = false;
  if (success) {
    b.consecutive = 0;
    // A late success of an attempt sent before the breaker opened does not close it: only the
    // probe's does.
    if (b.state == BreakerState::kHalfOpen && probe) b.state = BreakerState::kClosed;
  } else {
    ++b.consecutive;
    if ((b.state == BreakerState::kHalfOpen && probe) ||
        (b.state == BreakerState::kClosed && b.consecutive >= options_.failures)) {
      b.state = BreakerState::kOpen;
      b.open_until_ms = now_ms + options_.open_ms;
    }
  }
  if (b.state != before) return b.state;
  return std::nullopt;
}

void Breakers::Release(Platform p, features::Workload w) {
  std::lock_guard<std::mutex> lock(mutex_);
  At(p, w).probe_out = false;
}

BreakerState Breakers::State(Platform p, features::Workload w, int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const One& b = all_[static_cast<size_t>(p)][static_cast<size_t>(w)];
  if (b.state == BreakerState::kOpen && now_ms >= b.open_until_ms) return BreakerState::kHalfOpen;
  return b.state;
}

// ---- Throttles ----

void Throttles::Throttled(Platform p, features::Workload w, int64_t now_ms,
                          std::string_view retry_after) {
  int64_t ms = backoff_ms_;
  unsigned seconds = 0;
  const auto [end, ec] =
      std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
  if (!retry_after.empty() && ec == std::errc() && end == retry_after.data() + retry_after.size())
    ms = std::max<int64_t>(ms, static_cast<int64_t>(seconds) * 1000);  // else an HTTP date
  until_ms_[static_cast<size_t>(p)][static_cast<size_t>(w)].store(now_ms + std::min(ms, kMaxMs),
                                                                  std::memory_order_relaxed);
}

// ---- HedgeDelays ----

size_t HedgeDelays::PayloadClass(double kb) {
  size_t c = 0;
  for (double upper = 2; c + 1 < kPayloadClasses && !(kb < upper); upper *= 4) ++c;
  return c;
}

void HedgeDelays::Add(Window& win, double ms) {
  win.ms[win.count % kWindow] = ms;
  ++win.count;
  if (win.count >= kMinSamples && (win.count % 16 == 0 || win.count == kMinSamples)) {
    const size_t n = std::min(win.count, kWindow);
    std::array<double, kWindow> copy = win.ms;
    const size_t k = std::min(n - 1, static_cast<size_t>(0.95 * static_cast<double>(n)));
    std::nth_element(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(k),
                     copy.begin() + static_cast<std::ptrdiff_t>(n));
    win.p95 = copy[k];
  }
}

void HedgeDelays::Record(policy::Platform p, features::Workload w, double payload_kb, double ms) {
  if (!(ms >= 0)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto& cells = windows_[static_cast<size_t>(p)][static_cast<size_t>(w)];
  Add(cells[PayloadClass(payload_kb)], ms);
  Add(cells[kPayloadClasses], ms);
}

std::optional<double> HedgeDelays::DelayMs(policy::Platform p, features::Workload w,
                                           double payload_kb) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto& cells = windows_[static_cast<size_t>(p)][static_cast<size_t>(w)];
  for (const Window* win : {&cells[PayloadClass(payload_kb)], &cells[kPayloadClasses]}) {
    if (win->p95 >= 0) return win->p95;
  }
  return std::nullopt;
}

}  // namespace hr::route
