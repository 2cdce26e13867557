#include "features/seed_v1.h"

#include <gtest/gtest.h>

#include <cmath>

namespace hr::features {
namespace {

Request Make(const char* workload, double payload, const char* window, const char* pattern,
             const char* ts) {
  RawRequest raw;
  raw.workload_type = workload;
  raw.payload_size_kb = payload;
  raw.time_window = window;
  raw.load_pattern = pattern;
  raw.timestamp = ts;
  auto r = Validate(raw, core::NowUtc());
  EXPECT_TRUE(r.ok());
  return *r;
}

// Hand-computed from docs/design.md's definitions.
TEST(SeedV1, ThePrototypesLightweightRequest) {
  auto x =
      SeedV1Features(Make("lightweight_api", 5.0, "midday", "medium_load", "2025-11-24T14:21:02Z"));
  const SeedV1Vector want = {
      0,                // workload_type_encoded
      5,                // payload_size_kb
      2,                // time_window_encoded: midday
      1,                // load_pattern_encoded: medium_load
      14,               // hour_of_day
      0,                // is_weekend: Monday
      128,              // lambda_memory_limit_mb
      25,               // payload_squared
      std::log1p(5.0),  // payload_log
      0,                // payload x workload
      70,               // payload x hour
      10,               // payload x time_window
      0,                // workload x time_window
      5,                // payload x load_pattern
      2,                // time_window x load_pattern
  };
  for (size_t i = 0; i < kSeedV1Size; ++i) EXPECT_EQ(x[i], want[i]) << kSeedV1Names[i];
  EXPECT_NEAR(x[8], 1.791759469228055, 1e-15);
}

TEST(SeedV1, ThePrototypesHeavyRequestOnAWeekend) {
  auto x = SeedV1Features(
      Make("heavy_processing", 5120.0, "evening", "burst_load", "2025-11-22T19:05:00.5+01:00"));
  const SeedV1Vector want = {3,     5120,  3,     2, 19,    1, 2048, 26214400, std::log1p(5120.0),
                             15360, 97280, 15360, 9, 10240, 6};
  for (size_t i = 0; i < kSeedV1Size; ++i) EXPECT_EQ(x[i], want[i]) << kSeedV1Names[i];
}

TEST(SeedV1, MemoryFollowsTheFeaturesTableNotTheDeployment) {
  EXPECT_EQ(
      SeedV1Features(Make("thumbnail_processing", 1, "other", "ramp_load", "2025-11-24T06:00Z"))[6],
      512);
  EXPECT_EQ(
      SeedV1Features(Make("medium_processing", 1, "other", "ramp_load", "2025-11-24T06:00Z"))[6],
      1024);
}

}  // namespace
}  // namespace hr::features
