// ISO-8601 timestamps as clients write them, reduced to what the features need: the wall-clock
// hour and the day of the week *as written* (the timestamp's own offset, never converted), plus
// the current UTC time for requests that carry none. Pure: no I/O beyond reading the system clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hr::core {

struct CivilTime {
  int year = 1970;
  int month = 1;   // 1..12
  int day = 1;     // 1..31
  int hour = 0;    // 0..23
  int minute = 0;  // 0..59
  int second = 0;  // 0..59
  int nanos = 0;
  int offset_minutes = 0;  // the written offset from UTC (0 for Z or none)
  bool has_offset = false;
};

// Accepts YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|z|+HH:MM|-HH:MM|+HHMM|+HH].
// Rejects anything else, and impossible dates or times, with kInvalidTimestamp.
Result<CivilTime> ParseIso8601(std::string_view text);

// Day of week of a proleptic Gregorian date, 0 = Monday ... 6 = Sunday (Python's weekday()).
int Weekday(int year, int month, int day);

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int year, int month, int day);

// Microseconds since 1970 of the wall-clock time as written (its offset ignored).
int64_t WallClockMicros(const CivilTime& t);

// The current time in UTC.
CivilTime NowUtc();

// UTC civil time of a Unix time in seconds (e.g. SOURCE_DATE_EPOCH).
CivilTime FromUnixSeconds(int64_t seconds);

// "2025-11-24T14:21:02.123456Z": UTC, microseconds, as the prototype wrote metrics.timestamp.
std::string FormatUtcMicros(const CivilTime& t);
// "2025-11-24T14:21:02.123456": wall-clock time without an offset, as the prototype's load tests
// wrote the measurement logs' timestamp.
std::string FormatWallClockMicros(const CivilTime& t);

// The zone whose wall clock gives a request its hour (and time window) when it carries no
// timestamp: "UTC", a fixed offset ("+01:00", "-0530"), or an IANA name ("Europe/Dublin", read
// from /usr/share/zoneinfo; the process's TZ is set to it, so one IANA zone per process).
struct TimeZone {
  std::string name = "UTC";
  bool iana = false;
  int offset_minutes = 0;  // fixed zones
};
Result<TimeZone> UseTimeZone(std::string_view name);
// The current wall-clock time in `zone` (offset_minutes filled, has_offset true).
CivilTime NowIn(const TimeZone& zone);

}  // namespace hr::core
