#include "features/arrival_rates.h"

#include <gtest/gtest.h>

namespace hr::features {
namespace {

TEST(ArrivalRates, ResembleThePrototypesLoadPatterns) {
  const auto W = Workload::kMediumProcessing;
  auto feed = [](ArrivalRates& r, int64_t from_s, int seconds, int per_second) {
    for (int s = 0; s < seconds; ++s)
      for (int i = 0; i < per_second; ++i) r.Arrive(W, (from_s + s) * 1000 + i);
  };
  {
    ArrivalRates r;
    feed(r, 100, 60, 5);
    EXPECT_NEAR(r.Rate(W, 160'000, 0, 60), 5, 1e-9);
    EXPECT_EQ(r.Pattern(W, 160'000), LoadPattern::kLowLoad);
    EXPECT_EQ(r.Pattern(Workload::kHeavyProcessing, 160'000), LoadPattern::kLowLoad);
  }
  {
    ArrivalRates r;
    feed(r, 100, 60, 15);
    EXPECT_EQ(r.Pattern(W, 160'000), LoadPattern::kMediumLoad);
  }
  {  // 5 rps, then 30 rps for the last 10 s
    ArrivalRates r;
    feed(r, 100, 50, 5);
    feed(r, 150, 10, 30);
    EXPECT_EQ(r.Pattern(W, 160'000), LoadPattern::kBurstLoad);
    // ... and 5 rps again for a minute: low.
    feed(r, 160, 60, 5);
    EXPECT_EQ(r.Pattern(W, 220'000), LoadPattern::kLowLoad);
  }
  {  // 5 -> 25 rps over a minute
    ArrivalRates r;
    for (int s = 0; s < 60; ++s)
      for (int i = 0; i < 5 + s / 3; ++i) r.Arrive(W, (100 + s) * 1000 + i);
    EXPECT_EQ(r.Pattern(W, 160'000), LoadPattern::kRampLoad);
  }
}

}  // namespace
}  // namespace hr::features
