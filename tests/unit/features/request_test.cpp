#include "features/request.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace hr::features {
namespace {

using core::ErrorCode;

const core::CivilTime kSaturdayNoon{2025, 11, 22, 12, 0, 0, 0, 0, true};

RawRequest Prototype() {
  RawRequest r;
  r.workload_type = "lightweight_api";
  r.payload_size_kb = 5.0;
  r.time_window = "midday";
  r.load_pattern = "medium_load";
  r.timestamp = "2025-11-24T14:21:02Z";
  return r;
}

TEST(Validate, AcceptsThePrototypesRequest) {
  auto r = Validate(Prototype(), kSaturdayNoon);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->workload, Workload::kLightweightApi);
  EXPECT_EQ(r->payload_kb, 5.0);
  EXPECT_EQ(r->time_window, TimeWindow::kMidday);
  EXPECT_EQ(r->load_pattern, LoadPattern::kMediumLoad);
  EXPECT_EQ(r->hour_of_day, 14);
  EXPECT_FALSE(r->is_weekend);  // a Monday
  EXPECT_FALSE(r->time_window_derived);
  EXPECT_FALSE(r->load_pattern_defaulted);
}

TEST(Validate, UsesTheClockWithoutATimestamp) {
  RawRequest raw = Prototype();
  raw.timestamp.reset();
  auto r = Validate(raw, kSaturdayNoon);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hour_of_day, 12);
  EXPECT_TRUE(r->is_weekend);
}

TEST(Validate, DerivesAMissingTimeWindowFromTheHour) {
  struct Case {
    const char* ts;
    TimeWindow want;
  } cases[] = {
      {"2025-11-24T02:00:00Z", TimeWindow::kEarlyMorning},
      {"2025-11-24T04:59:00Z", TimeWindow::kEarlyMorning},
      {"2025-11-24T05:00:00Z", TimeWindow::kOther},
      {"2025-11-24T08:00:00Z", TimeWindow::kMorningPeak},
      {"2025-11-24T10:30:00Z", TimeWindow::kMorningPeak},
      {"2025-11-24T11:00:00Z", TimeWindow::kOther},
      {"2025-11-24T12:00:00Z", TimeWindow::kMidday},
      {"2025-11-24T14:59:00Z", TimeWindow::kMidday},
      {"2025-11-24T18:00:00Z", TimeWindow::kEvening},
      {"2025-11-24T20:00:00Z", TimeWindow::kEvening},
      {"2025-11-24T21:00:00Z", TimeWindow::kOther},
      {"2025-11-24T22:00:00Z", TimeWindow::kLateNight},
      {"2025-11-24T00:15:00Z", TimeWindow::kLateNight},
      {"2025-11-24T01:59:00Z", TimeWindow::kLateNight},
  };
  for (const auto& c : cases) {
    RawRequest raw = Prototype();
    raw.time_window.reset();
    raw.timestamp = c.ts;
    auto r = Validate(raw, kSaturdayNoon);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->time_window, c.want) << c.ts;
    EXPECT_TRUE(r->time_window_derived);
  }
}

TEST(Validate, MissingLoadPatternIsLowLoadAsInThePrototype) {
  RawRequest raw = Prototype();
  raw.load_pattern.reset();
  auto r = Validate(raw, kSaturdayNoon);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->load_pattern, LoadPattern::kLowLoad);
  EXPECT_TRUE(r->load_pattern_defaulted);
}

TEST(Validate, UnknownValuesNameTheFieldAndTheAllowedValues) {
  RawRequest raw = Prototype();
  raw.workload_type = "lightweight-api";
  auto r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnknownValue);
  EXPECT_EQ(r.error().field, "workload_type");
  EXPECT_NE(r.error().message.find("lightweight-api"), std::string::npos);
  EXPECT_NE(r.error().message.find("thumbnail_processing"), std::string::npos);

  raw = Prototype();
  raw.time_window = "Midday";
  r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "time_window");
  EXPECT_NE(r.error().message.find("early_morning, morning_peak, midday"), std::string::npos);

  raw = Prototype();
  raw.load_pattern = "spike";
  r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "load_pattern");
}

TEST(Validate, RequiredFieldsAreRequired) {
  RawRequest raw = Prototype();
  raw.workload_type.reset();
  auto r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kMissingField);
  EXPECT_EQ(r.error().field, "workload_type");
  raw = Prototype();
  raw.payload_size_kb.reset();
  r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "payload_size_kb");
}

TEST(Validate, RejectsImpossiblePayloads) {
  for (double bad : {-1.0, -0.001, std::nan(""), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity(), kMaxPayloadKb * 1.0001, 1e300}) {
    RawRequest raw = Prototype();
    raw.payload_size_kb = bad;
    auto r = Validate(raw, kSaturdayNoon);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kOutOfRange);
    EXPECT_EQ(r.error().field, "payload_size_kb");
  }
  for (double good : {0.0, 0.5, kMaxPayloadKb}) {
    RawRequest raw = Prototype();
    raw.payload_size_kb = good;
    EXPECT_TRUE(Validate(raw, kSaturdayNoon).ok()) << good;
  }
}

TEST(Validate, BadTimestampsAreErrors) {
  RawRequest raw = Prototype();
  raw.timestamp = "2025-11-24T25:00:00Z";
  auto r = Validate(raw, kSaturdayNoon);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidTimestamp);
}

}  // namespace
}  // namespace hr::features
