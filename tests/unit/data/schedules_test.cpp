#include "data/schedules.h"

#include <gtest/gtest.h>

namespace hr::data {
namespace {

using features::LoadPattern;

// The prototype's schedules, worked out by hand: what each sent in total, and a ramp's first half
// (5/s rising to 15/s over 30 min: 1800 s x 10/s on average).
TEST(LoadSchedules, ThePrototypesSendWhatItsLoadTestsSent) {
  const LoadSchedules s = PrototypeSchedules();
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kLowLoad).SentBy(3600), 18'000);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kMediumLoad).SentBy(1e9), 54'000);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kBurstLoad).SentBy(1200), 5 * 600 + 30 * 300 + 5 * 300);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kBurstLoad).SentBy(700), 5 * 600 + 30 * 100);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kBurstLoad).Seconds(), 1200);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kRampLoad).SentBy(1800), 18'000);
  EXPECT_DOUBLE_EQ(s.of(LoadPattern::kRampLoad).SentBy(3600), 54'000);
}

TEST(LoadSchedules, AFileGivesSomePatternsAndRefusesWhatCannotBeASchedule) {
  auto s = ParseSchedules(R"({"medium_load": [[0, 2], [100, 2], [100, 0], [200, 0]]})", "f");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_DOUBLE_EQ(s->of(LoadPattern::kMediumLoad).SentBy(1000), 200);
  EXPECT_FALSE(s->of(LoadPattern::kLowLoad).known());
  EXPECT_EQ(s->source, "f");
  for (const char* bad : {"[]", "{\"low_load\": [[0, 1]]}", "{\"low_load\": [[1, 1], [2, 1]]}",
                          "{\"low_load\": [[0, 1], [0, 1]]}", "{\"low_load\": [[0, 1, 2], [3, 4]]}",
                          "{\"low_load\": [[0, 1], [5, 1]], \"low_load\": [[0, 1], [5, 1]]}",
                          "{\"low_load\": [[0, \"1\"], [5, 1]]}", "not json"}) {
    EXPECT_FALSE(ParseSchedules(bad, "f")) << bad;
  }
  EXPECT_FALSE(ParseSchedules(std::string(kMaxScheduleBytes + 1, ' '), "f"));
}

}  // namespace
}  // namespace hr::data
