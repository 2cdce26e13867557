#include "route/steps.h"

namespace hr::route {

using policy::Platform;

namespace {

using features::Other;

}  // namespace

Usable UsablePlatform(Platform placed, features::Workload w, const std::array<bool, 2>& has_target,
                      const Throttles& throttles, Breakers& breakers, int64_t now_ms) {
  Usable u;
  u.platform = placed;
  const Platform other = Other(placed);
  if (!has_target[static_cast<size_t>(placed)]) {
    u.platform = other;
    u.redirected = true;
    u.why = placed == Platform::kLambda ? "no_target:lambda" : "no_target:ecs";
    return u;
  }
  if (throttles.Active(placed, w, now_ms) && has_target[static_cast<size_t>(other)] &&
      !throttles.Active(other, w, now_ms)) {
    bool probe = false;
    if (breakers.Allow(other, w, now_ms, &probe)) {
      u.platform = other;
      u.probe = probe;
      u.redirected = true;
      u.why = placed == Platform::kLambda ? "throttled:lambda" : "throttled:ecs";
      return u;
    }
  }
  if (breakers.Allow(placed, w, now_ms, &u.probe)) return u;
  bool other_probe = false;
  if (has_target[static_cast<size_t>(other)] && breakers.Allow(other, w, now_ms, &other_probe)) {
    u.platform = other;
    u.probe = other_probe;
    u.redirected = true;
    u.why = placed == Platform::kLambda ? "breaker_open:lambda" : "breaker_open:ecs";
    return u;
  }
  u.why = "breakers_open";  // both open: the placed platform is tried regardless
  return u;
}

NextStep After(const AttemptState& s, Breakers& breakers, RetryBudget& budget, int64_t now_ms) {
  NextStep n;
  if (s.verdict == Verdict::kAnswered) {
    n.next = Next::kRelay;
    return n;
  }
  if (s.outstanding > 0) {  // the other attempt (a hedge) may still answer
    n.next = Next::kWait;
    return n;
  }
  if (s.verdict == Verdict::kConfigError) {
    n.next = Next::kConfigError;
    return n;
  }
  // Not run, or failed: one attempt on the other platform when every guard allows it.
  n.next = Next::kGiveUp;
  if (s.shutdown || s.was_fallback || s.attempts >= 2) return n;  // nothing to count
  const Platform other = Other(s.platform);
  if (!s.other_has_target) {
    n.denied = Denied::kNoTarget;
  } else if (s.verdict == Verdict::kFailed && !s.idempotent) {
    n.denied = Denied::kNotIdempotent;
  } else if (!s.time_left) {
    n.denied = Denied::kDeadline;
  } else if (!breakers.Allow(other, s.workload, now_ms, &n.probe)) {
    n.denied = Denied::kBreaker;
  } else if (!budget.TryFallback(now_ms)) {
    n.denied = Denied::kBudget;
    if (n.probe) breakers.Release(other, s.workload);  // the probe was not sent
    n.probe = false;
  } else {
    n.next = Next::kTryOther;
  }
  return n;
}

std::optional<double> HedgeDelayMs(double fixed_ms, std::optional<double> model_p95_ms,
                                   std::optional<double> recent_p95_ms, double left_ms) {
  const std::optional<double> delay = fixed_ms > 0   ? fixed_ms
                                      : model_p95_ms ? model_p95_ms
                                                     : recent_p95_ms;
  if (!delay || !(*delay > 0) || !(*delay < left_ms)) return std::nullopt;  // NaN, or too late
  return delay;
}

}  // namespace hr::route
