#include "route/guards.h"

#include <gtest/gtest.h>

namespace hr::route {
namespace {

using features::LoadPattern;
using features::Workload;
using policy::Platform;

TEST(Judge, FallsBackOnlyWhenTheRequestProvablyDidNotRun) {
  // Never sent: safe to send elsewhere, whatever the workload.
  for (upstream::Failure t :
       {upstream::Failure::kConnect, upstream::Failure::kResolve, upstream::Failure::kTls})
    EXPECT_EQ(Judge(Platform::kLambda, t, 0, ""), Verdict::kNotRun);
  // Sent: it may have run.
  for (upstream::Failure t :
       {upstream::Failure::kTimeout, upstream::Failure::kBroken, upstream::Failure::kOther})
    EXPECT_EQ(Judge(Platform::kEcs, t, 0, ""), Verdict::kFailed);
  EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, 429, ""), Verdict::kNotRun);
  EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, 413, ""), Verdict::kNotRun);
  EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, 502, "ResourceNotReadyException"),
            Verdict::kNotRun);
  EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, 502, ""), Verdict::kFailed);
  EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, 503, ""), Verdict::kFailed);
  EXPECT_EQ(Judge(Platform::kEcs, upstream::Failure::kNone, 503, ""),
            Verdict::kNotRun);  // ALB: no target
  EXPECT_EQ(Judge(Platform::kEcs, upstream::Failure::kNone, 413, ""), Verdict::kAnswered);
  EXPECT_EQ(Judge(Platform::kEcs, upstream::Failure::kNone, 500, ""), Verdict::kFailed);
  for (int s : {401, 403, 404, 405}) {  // credentials; a target path the target does not serve
    EXPECT_EQ(Judge(Platform::kLambda, upstream::Failure::kNone, s, ""), Verdict::kConfigError);
    EXPECT_EQ(Judge(Platform::kEcs, upstream::Failure::kNone, s, ""), Verdict::kConfigError);
  }
  for (int s : {200, 201, 400, 422})
    EXPECT_EQ(Judge(Platform::kEcs, upstream::Failure::kNone, s, ""), Verdict::kAnswered);
}

TEST(RetryBudget, CapsFallbacksAtTheShareOfRequestsWithAFloorPerSecond) {
  RetryBudget b({0.2, 10, 0.5});  // floor: 5 per 10 s
  int64_t t = 1'000'000;
  int allowed = 0;
  for (int i = 0; i < 100; ++i) {
    b.Request(t);
    allowed += b.TryFallback(t) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 20);  // 20 % of 100
  RetryBudget floor({0.2, 10, 0.5});
  allowed = 0;
  for (int i = 0; i < 10; ++i) {
    floor.Request(t);
    allowed += floor.TryFallback(t) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 5);  // 20 % of 10 is 2; the floor allows 5
  // The window slides: eleven seconds later the old requests and fallbacks are forgotten.
  t += 11'000;
  allowed = 0;
  for (int i = 0; i < 10; ++i) {
    floor.Request(t);
    allowed += floor.TryFallback(t) ? 1 : 0;
  }
  EXPECT_EQ(allowed, 5);
}

TEST(Breakers, OpenAfterConsecutiveFailuresProbeOnceAndClose) {
  Breakers br({3, 1000});
  const auto L = Platform::kLambda;
  const auto H = Workload::kHeavyProcessing;
  int64_t t = 5'000;
  bool probe = false;
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(br.Allow(L, H, t, &probe));
    EXPECT_FALSE(br.Record(L, H, false, probe, t));
  }
  ASSERT_TRUE(br.Allow(L, H, t, &probe));
  br.Record(L, H, true, probe, t);  // a success resets the count
  for (int i = 0; i < 2; ++i) br.Record(L, H, false, false, t);
  EXPECT_EQ(br.State(L, H, t), BreakerState::kClosed);
  EXPECT_EQ(br.Record(L, H, false, false, t), BreakerState::kOpen);
  EXPECT_FALSE(br.Allow(L, H, t + 999, &probe));
  EXPECT_TRUE(br.Allow(Platform::kEcs, H, t, &probe));             // other platform
  EXPECT_TRUE(br.Allow(L, Workload::kLightweightApi, t, &probe));  // other workload
  // Half-open: exactly one probe; others still refused while it is out.
  ASSERT_TRUE(br.Allow(L, H, t + 1000, &probe));
  EXPECT_TRUE(probe);
  EXPECT_FALSE(br.Allow(L, H, t + 1001, &probe));
  // The probe fails: open again for another second.
  EXPECT_EQ(br.Record(L, H, false, true, t + 1002), BreakerState::kOpen);
  EXPECT_FALSE(br.Allow(L, H, t + 1500, &probe));
  ASSERT_TRUE(br.Allow(L, H, t + 2002, &probe));
  ASSERT_TRUE(probe);
  // A late success of an old attempt does not close it; the probe's does.
  EXPECT_FALSE(br.Record(L, H, true, false, t + 2003));
  EXPECT_EQ(br.Record(L, H, true, true, t + 2004), BreakerState::kClosed);
  EXPECT_TRUE(br.Allow(L, H, t + 2005, &probe));
  EXPECT_FALSE(probe);
  Breakers off({0, 1000});  // failures 0: never opens
  for (int i = 0; i < 100; ++i) off.Record(L, H, false, false, t);
  EXPECT_TRUE(off.Allow(L, H, t, &probe));
}

TEST(HedgeDelays, AreTheCellsRecentP95OnceEnoughAnswersCame) {
  HedgeDelays d;
  const auto lambda = policy::Platform::kLambda;
  const auto heavy = features::Workload::kHeavyProcessing;
  EXPECT_FALSE(d.DelayMs(lambda, heavy, 100));
  // 19 answers of 1..19 ms: not yet enough to hedge on.
  for (int i = 1; i < 20; ++i) d.Record(lambda, heavy, 100, i);
  EXPECT_FALSE(d.DelayMs(lambda, heavy, 100));
  d.Record(lambda, heavy, 100, 20);  // 1..20: the 95th percentile is 20 (index 19 of 20)
  ASSERT_TRUE(d.DelayMs(lambda, heavy, 100));
  EXPECT_EQ(*d.DelayMs(lambda, heavy, 100), 20);
  // Another payload class of the workload borrows the workload's window until it has its own.
  EXPECT_EQ(*d.DelayMs(lambda, heavy, 4000), 20);
  for (int i = 0; i < 32; ++i) d.Record(lambda, heavy, 4000, 1000);
  EXPECT_EQ(*d.DelayMs(lambda, heavy, 4000), 1000);
  EXPECT_EQ(*d.DelayMs(lambda, heavy, 100), 20);
  EXPECT_FALSE(d.DelayMs(policy::Platform::kEcs, heavy, 100));
  // Old answers leave the window: 256 answers of 5 ms replace them.
  for (size_t i = 0; i < HedgeDelays::kWindow; ++i) d.Record(lambda, heavy, 100, 5);
  EXPECT_EQ(*d.DelayMs(lambda, heavy, 100), 5);
  EXPECT_EQ(HedgeDelays::PayloadClass(1), 0u);
  EXPECT_EQ(HedgeDelays::PayloadClass(100), 3u);
  EXPECT_EQ(HedgeDelays::PayloadClass(1e9), HedgeDelays::kPayloadClasses - 1);
}

}  // namespace
}  // namespace hr::route
