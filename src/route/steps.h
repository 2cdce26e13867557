// The gateway's decisions around an attempt, as pure functions beside guards.h (Envoy's retry
// state is the model: the function says what to do and why, the router acts): whether the placed
// platform can take the request at all (a target for the workload, a breaker that lets it
// through), and what follows an attempt's result: relay it, try the other platform once, wait for
// an attempt still running, or give up, with the reason. No I/O; the caller passes the time.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "features/request.h"
#include "policy/decision.h"
#include "route/guards.h"

namespace hr::route {

// Where the request goes after the placement: the placed platform, or the other when the placed
// one has no target for the workload or its breaker is open (not a fallback: nothing failed).
struct Usable {
  policy::Platform platform = policy::Platform::kLambda;
  bool probe = false;       // this attempt is its breaker's half-open probe (record its result)
  bool redirected = false;  // not the placed platform
  // "no_target:lambda", "throttled:lambda", "breaker_open:ecs", "breakers_open" or empty
  std::string_view why;
};
// `has_target[p]`: the workload has a target on platform p. A throttled platform is skipped
// while the other is neither throttled nor without a target (nor behind an open breaker).
Usable UsablePlatform(policy::Platform placed, features::Workload w,
                      const std::array<bool, 2>& has_target, const Throttles& throttles,
                      Breakers& breakers, int64_t now_ms);

enum class Next : uint8_t {
  kRelay,        // the platform answered: its answer is the client's
  kTryOther,     // one attempt on the other platform (a fallback)
  kWait,         // another attempt of this request is still running: its result decides
  kGiveUp,       // no (more) attempt: the platform's own answer if it gave one, else 502/504
  kConfigError,  // the router's credentials or the target's permissions: 502, never elsewhere
};

// The request as an attempt's result arrives.
struct AttemptState {
  policy::Platform platform = policy::Platform::kLambda;  // where this attempt went
  features::Workload workload = features::Workload::kLightweightApi;
  Verdict verdict = Verdict::kAnswered;
  bool shutdown = false;      // the router is stopping
  bool was_fallback = false;  // this attempt followed a failed one
  int attempts = 1;           // attempts sent so far for the request
  int outstanding = 0;        // attempts of the request still running
  bool other_has_target = true;
  bool idempotent = false;  // the workload may run twice
  bool time_left = true;    // the request's deadline allows another attempt
};

struct NextStep {
  Next next = Next::kGiveUp;
  std::optional<Denied> denied;  // kGiveUp: why the other platform was not tried (when it counts)
  bool probe = false;            // kTryOther: the attempt is the other breaker's probe
};

// Decides, taking a fallback from `budget` and, for an open breaker's probe, from `breakers`.
NextStep After(const AttemptState& s, Breakers& breakers, RetryBudget& budget, int64_t now_ms);

// When to hedge a request sent to `first`: after `fixed_ms` when it is set (> 0); else the p95
// `model_p95_ms` of the request's cell on that platform from the model's outcome tables; else the
// cell's recent p95 (`recent`, unknown until enough answers came). Not the recent p95 first: when
// a tenth of a platform's answers are slow, the recent p95 lies in that slow tail and a hedge
// would come too late to help (measured: p99 21.6 s against 10-13 s). A platform that became
// uniformly slower is hedged more often; the hedges' own budget (RouterConfig::hedge_share)
// bounds what that costs the other platform. Nothing when the delay is unknown, not positive, or
// not before the deadline `left_ms`.
std::optional<double> HedgeDelayMs(double fixed_ms, std::optional<double> model_p95_ms,
                                   std::optional<double> recent_p95_ms, double left_ms);

}  // namespace hr::route
