// The gateway's pure steps: which platform can take a request, and what follows an attempt.
#include "route/steps.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hr::route {
namespace {

using features::Workload;
using policy::Platform;
constexpr Workload kW = Workload::kMediumProcessing;

AttemptState Failed(Verdict v) {
  AttemptState s;
  s.platform = Platform::kLambda;
  s.workload = kW;
  s.verdict = v;
  s.idempotent = true;
  return s;
}

TEST(UsablePlatform, SkipsAPlatformWithoutATargetOrWithAnOpenBreaker) {
  Breakers b({1, 1'000});
  const Throttles none;
  auto u = UsablePlatform(Platform::kLambda, kW, {false, true}, none, b, 0);
  EXPECT_EQ(u.platform, Platform::kEcs);
  EXPECT_TRUE(u.redirected);
  EXPECT_EQ(u.why, "no_target:lambda");
  b.Record(Platform::kLambda, kW, false, false, 0);  // opens
  u = UsablePlatform(Platform::kLambda, kW, {true, true}, none, b, 10);
  EXPECT_EQ(u.platform, Platform::kEcs);
  EXPECT_EQ(u.why, "breaker_open:lambda");
  b.Record(Platform::kEcs, kW, false, false, 0);
  u = UsablePlatform(Platform::kLambda, kW, {true, true}, none, b, 10);
  EXPECT_EQ(u.platform, Platform::kLambda);
  EXPECT_FALSE(u.redirected);
  EXPECT_EQ(u.why, "breakers_open");
  u = UsablePlatform(Platform::kLambda, kW, {true, true}, none, b, 2'000);  // half-open: a probe
  EXPECT_EQ(u.platform, Platform::kLambda);
  EXPECT_TRUE(u.probe);
}

TEST(UsablePlatform, ATrottledPlatformIsSkippedForItsRetryAfter) {
  Breakers b;
  Throttles t(1'000);
  t.Throttled(Platform::kLambda, kW, 0, "3");  // Retry-After: 3 (seconds)
  auto u = UsablePlatform(Platform::kLambda, kW, {true, true}, t, b, 2'999);
  EXPECT_EQ(u.platform, Platform::kEcs);
  EXPECT_EQ(u.why, "throttled:lambda");
  EXPECT_EQ(UsablePlatform(Platform::kLambda, kW, {true, true}, t, b, 3'000).platform,
            Platform::kLambda);
  // Without a Retry-After (or with a date), the back-off; never beyond 60 s.
  t.Throttled(Platform::kEcs, kW, 0, "Wed, 21 Oct 2026 07:28:00 GMT");
  EXPECT_TRUE(t.Active(Platform::kEcs, kW, 999));
  EXPECT_FALSE(t.Active(Platform::kEcs, kW, 1'000));
  t.Throttled(Platform::kEcs, kW, 0, "86400");
  EXPECT_FALSE(t.Active(Platform::kEcs, kW, 60'000));
  // Both throttled: the placed platform is tried (nothing better).
  t.Throttled(Platform::kLambda, kW, 0, "");
  EXPECT_EQ(UsablePlatform(Platform::kLambda, kW, {true, true}, t, b, 10).platform,
            Platform::kLambda);
  // Another workload is not affected.
  EXPECT_EQ(UsablePlatform(Platform::kLambda, features::Workload::kHeavyProcessing, {true, true}, t,
                           b, 10)
                .platform,
            Platform::kLambda);
}

TEST(After, RelaysAnswersWaitsForHedgesAndNeverRetriesConfigurationErrors) {
  Breakers b;
  RetryBudget budget;
  EXPECT_EQ(After(Failed(Verdict::kAnswered), b, budget, 0).next, Next::kRelay);
  AttemptState s = Failed(Verdict::kFailed);
  s.outstanding = 1;
  EXPECT_EQ(After(s, b, budget, 0).next, Next::kWait);
  EXPECT_EQ(After(Failed(Verdict::kConfigError), b, budget, 0).next, Next::kConfigError);
}

TEST(After, TriesTheOtherPlatformOnceWhenEveryGuardAllows) {
  Breakers b({1, 1'000});
  RetryBudget budget({0.0, 10, 0.2});  // two per 10 s
  EXPECT_EQ(After(Failed(Verdict::kNotRun), b, budget, 0).next, Next::kTryOther);
  AttemptState s = Failed(Verdict::kNotRun);
  s.was_fallback = true;  // the one cross-platform attempt is spent
  NextStep n = After(s, b, budget, 0);
  EXPECT_EQ(n.next, Next::kGiveUp);
  EXPECT_FALSE(n.denied);
  s = Failed(Verdict::kFailed);
  s.idempotent = false;
  EXPECT_EQ(After(s, b, budget, 0).denied, Denied::kNotIdempotent);
  s = Failed(Verdict::kNotRun);
  s.other_has_target = false;
  EXPECT_EQ(After(s, b, budget, 0).denied, Denied::kNoTarget);
  s = Failed(Verdict::kNotRun);
  s.time_left = false;
  EXPECT_EQ(After(s, b, budget, 0).denied, Denied::kDeadline);
  EXPECT_EQ(After(Failed(Verdict::kNotRun), b, budget, 0).next, Next::kTryOther);  // 2nd of 2
  EXPECT_EQ(After(Failed(Verdict::kNotRun), b, budget, 0).denied, Denied::kBudget);
  b.Record(Platform::kEcs, kW, false, false, 0);  // ECS's breaker opens
  EXPECT_EQ(After(Failed(Verdict::kNotRun), b, budget, 10).denied, Denied::kBreaker);
}

TEST(After, AProbeTheBudgetRefusesIsHandedBack) {
  Breakers b({1, 100});
  RetryBudget budget({0.0, 10, 0.0});
  b.Record(Platform::kEcs, kW, false, false, 0);  // open; half-open from 100 ms
  const NextStep n = After(Failed(Verdict::kNotRun), b, budget, 200);
  EXPECT_EQ(n.denied, Denied::kBudget);
  EXPECT_FALSE(n.probe);
  EXPECT_EQ(b.State(Platform::kEcs, kW, 200), BreakerState::kHalfOpen);
  bool probe = false;
  EXPECT_TRUE(b.Allow(Platform::kEcs, kW, 200, &probe));  // the probe is free again
  EXPECT_TRUE(probe);
}

TEST(HedgeDelayMs, AFixedDelayThenTheModelsP95ThenTheRecentOne) {
  EXPECT_EQ(HedgeDelayMs(50, 900, 700, 10'000), 50);
  EXPECT_EQ(HedgeDelayMs(0, 900, 20'000, 10'000), 900);  // a slow tenth: the recent p95 is late
  EXPECT_EQ(HedgeDelayMs(0, 900, std::nullopt, 10'000), 900);
  EXPECT_EQ(HedgeDelayMs(0, std::nullopt, 700, 10'000), 700);
  EXPECT_FALSE(HedgeDelayMs(0, std::nullopt, std::nullopt, 10'000));
  EXPECT_FALSE(HedgeDelayMs(0, 12'000, 700, 10'000));  // past the deadline
  EXPECT_FALSE(HedgeDelayMs(0, std::nan(""), std::nullopt, 10'000));
}

}  // namespace
}  // namespace hr::route
