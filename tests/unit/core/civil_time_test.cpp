#include "core/civil_time.h"

#include <gtest/gtest.h>

namespace hr::core {
namespace {

TEST(ParseIso8601, ReadsZuluWithFraction) {
  auto t = ParseIso8601("2025-11-24T14:21:02.593301Z");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->year, 2025);
  EXPECT_EQ(t->month, 11);
  EXPECT_EQ(t->day, 24);
  EXPECT_EQ(t->hour, 14);
  EXPECT_EQ(t->minute, 21);
  EXPECT_EQ(t->second, 2);
  EXPECT_EQ(t->nanos, 593301000);
  EXPECT_TRUE(t->has_offset);
}

TEST(ParseIso8601, KeepsTheWrittenHourWithAnOffset) {
  auto t = ParseIso8601("2025-11-22T23:30:00+05:30");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->hour, 23);  // as written, not converted to UTC
  EXPECT_EQ(t->offset_minutes, 330);
  auto u = ParseIso8601("2025-11-22T01:00-0800");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->offset_minutes, -480);
}

TEST(ParseIso8601, AcceptsNaiveTimesAsTheDataHasThem) {
  auto t = ParseIso8601("2025-11-22T12:19:33.949905");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->has_offset);
  EXPECT_TRUE(ParseIso8601("2025-11-22 12:19").ok());
}

TEST(ParseIso8601, RejectsMalformedAndImpossibleTimes) {
  for (const char* bad :
       {"", "yesterday", "2025-11-24", "2025-13-01T00:00Z", "2025-02-29T00:00Z", "2025-11-31T10:00",
        "2025-11-24T24:00Z", "2025-11-24T12:60Z", "2025-11-24T12:00:61Z", "2025-11-24T12:00:00.Z",
        "2025-11-24T12:00:00Zjunk", "2025-11-24T12:00+25:00", "1763882029801",
        "2025-11-24T12:00:00.1234567890Z"}) {
    auto t = ParseIso8601(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.error().code, ErrorCode::kInvalidTimestamp);
    EXPECT_EQ(t.error().field, "timestamp");
    EXPECT_NE(t.error().message.find("ISO-8601"), std::string::npos);
  }
  EXPECT_TRUE(ParseIso8601("2024-02-29T00:00Z").ok());  // leap year
}

TEST(Weekday, MatchesTheCalendar) {
  EXPECT_EQ(Weekday(2025, 11, 24), 0);  // Monday
  EXPECT_EQ(Weekday(2025, 11, 22), 5);  // Saturday: the measurement runs
  EXPECT_EQ(Weekday(2025, 11, 23), 6);  // Sunday
  EXPECT_EQ(Weekday(1970, 1, 1), 3);    // Thursday
  EXPECT_EQ(Weekday(2000, 2, 29), 1);   // Tuesday
}

TEST(FromUnixSeconds, GivesTheUtcCivilTime) {
  EXPECT_EQ(FormatUtcMicros(FromUnixSeconds(1764028800)), "2025-11-25T00:00:00.000000Z");
  EXPECT_EQ(FormatUtcMicros(FromUnixSeconds(0)), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatUtcMicros(FromUnixSeconds(951782400 + 86399)), "2000-02-29T23:59:59.000000Z");
}

TEST(FormatUtcMicros, WritesThePrototypesTimestampShape) {
  CivilTime t{2025, 11, 24, 14, 21, 2, 593301999, 0, true};
  EXPECT_EQ(FormatUtcMicros(t), "2025-11-24T14:21:02.593301Z");
}

}  // namespace
}  // namespace hr::core
