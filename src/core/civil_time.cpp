#include "core/civil_time.h"

#include <sys/stat.h>
#include <time.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace hr::core {

namespace {

constexpr std::string_view kExpected =
    "expected ISO-8601 like 2025-11-24T14:21:02Z (YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|+HH:MM])";

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at pos; advances pos. Returns -1 when they are not all digits.
int Digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

Error Bad(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 64));
  return MakeError(ErrorCode::kInvalidTimestamp,
                   "timestamp '" + shown + "' " + std::string(why) + "; " + std::string(kExpected),
                   "timestamp");
}

}  // namespace

Result<CivilTime> ParseIso8601(std::string_view s) {
  CivilTime t;
  size_t p = 0;
  t.year = Digits(s, p, 4);
  if (t.year < 0 || p >= s.size() || s[p++] != '-') return Bad(s, "has no YYYY-MM-DD date");
  t.month = Digits(s, p, 2);
  if (t.month < 0 || p >= s.size() || s[p++] != '-') return Bad(s, "has no YYYY-MM-DD date");
  t.day = Digits(s, p, 2);
  if (t.day < 0) return Bad(s, "has no YYYY-MM-DD date");
  if (t.month < 1 || t.month > 12) return Bad(s, "has a month outside 1-12");
  if (t.day < 1 || t.day > DaysInMonth(t.year, t.month)) return Bad(s, "has no such day");
  if (p >= s.size() || (s[p] != 'T' && s[p] != 't' && s[p] != ' ')) {
    return Bad(s, "has no time of day");
  }
  ++p;
  t.hour = Digits(s, p, 2);
  if (t.hour < 0 || p >= s.size() || s[p++] != ':') return Bad(s, "has no HH:MM time");
  t.minute = Digits(s, p, 2);
  if (t.minute < 0) return Bad(s, "has no HH:MM time");
  if (t.hour > 23 || t.minute > 59) return Bad(s, "has an impossible time of day");
  if (p < s.size() && s[p] == ':') {
    ++p;
    t.second = Digits(s, p, 2);
    if (t.second < 0 || t.second > 59) return Bad(s, "has bad seconds");
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      size_t start = p;
      int64_t scale = 100000000;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        if (scale > 0) t.nanos += static_cast<int>((s[p] - '0') * scale);
        scale /= 10;
        ++p;
      }
      if (p == start) return Bad(s, "has an empty fraction of a second");
      if (p - start > 9) return Bad(s, "has more than 9 fractional digits");
    }
  }
  if (p < s.size()) {
    char c = s[p];
    if (c == 'Z' || c == 'z') {
      ++p;
      t.has_offset = true;
    } else if (c == '+' || c == '-') {
      ++p;
      int oh = Digits(s, p, 2);
      int om = 0;
      if (oh < 0) return Bad(s, "has a bad UTC offset");
      if (p < s.size()) {
        if (s[p] == ':') ++p;
        om = Digits(s, p, 2);
        if (om < 0) return Bad(s, "has a bad UTC offset");
      }
      if (oh > 23 || om > 59) return Bad(s, "has an impossible UTC offset");
      t.offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
      t.has_offset = true;
    }
  }
  if (p != s.size()) return Bad(s, "has trailing characters");
  return t;
}

int64_t DaysFromCivil(int y, int m, int d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2 ? 1 : 0;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + doe - 719468;
}

int Weekday(int y, int m, int d) {
  const int64_t days = DaysFromCivil(y, m, d);  // 1970-01-01 was a Thursday (3)
  return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

int64_t WallClockMicros(const CivilTime& t) {
  const int64_t seconds = DaysFromCivil(t.year, t.month, t.day) * 86400 + int64_t{t.hour} * 3600 +
                          int64_t{t.minute} * 60 + t.second;
  return seconds * 1'000'000 + t.nanos / 1000;
}

namespace {

template <typename TimePoint>
CivilTime FromTimePoint(TimePoint now) {
  using namespace std::chrono;
  const auto day_point = floor<days>(now);
  const year_month_day ymd{day_point};
  const hh_mm_ss hms{floor<nanoseconds>(now - day_point)};
  CivilTime t;
  t.year = static_cast<int>(ymd.year());
  t.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  t.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  t.hour = static_cast<int>(hms.hours().count());
  t.minute = static_cast<int>(hms.minutes().count());
  t.second = static_cast<int>(hms.seconds().count());
  t.nanos = static_cast<int>(hms.subseconds().count());
  t.has_offset = true;
  return t;
}

}  // namespace

CivilTime NowUtc() { return FromTimePoint(std::chrono::system_clock::now()); }

CivilTime FromUnixSeconds(int64_t seconds) {
  return FromTimePoint(std::chrono::sys_seconds(std::chrono::seconds(seconds)));
}

std::string FormatUtcMicros(const CivilTime& t) {
  // Written by hand: snprintf was the largest cost of a /predict answer.
  std::string out(27, '0');
  auto put = [&out](size_t at, int value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, t.year, 4);
  out[4] = '-';
  put(5, t.month, 2);
  out[7] = '-';
  put(8, t.day, 2);
  out[10] = 'T';
  put(11, t.hour, 2);
  out[13] = ':';
  put(14, t.minute, 2);
  out[16] = ':';
  put(17, t.second, 2);
  out[19] = '.';
  put(20, t.nanos / 1000, 6);
  out[26] = 'Z';
  return out;
}

std::string FormatWallClockMicros(const CivilTime& t) {
  std::string out = FormatUtcMicros(t);
  out.pop_back();  // the 'Z'
  return out;
}

Result<TimeZone> UseTimeZone(std::string_view name) {
  TimeZone z;
  z.name = std::string(name);
  if (name == "UTC" || name == "Z" || name == "utc") return z;
  if (!name.empty() && (name[0] == '+' || name[0] == '-')) {
    size_t p = 1;
    const int hh = Digits(name, p, 2);
    if (p < name.size() && name[p] == ':') ++p;
    const int mm = p == name.size() ? 0 : Digits(name, p, 2);
    if (hh < 0 || hh > 14 || mm < 0 || mm > 59 || p != name.size())
      return MakeError(ErrorCode::kInvalidArgument,
                       "time zone '" + std::string(name.substr(0, 32)) +
                           "' is not an offset like +01:00 or -0530",
                       "time_zone");
    z.offset_minutes = (name[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return z;
  }
  // An IANA name: letters, digits, '/', '_', '-', '+' only, and a file in the zone database.
  bool plain = !name.empty() && name.size() < 64 && name[0] != '/';
  for (char c : name) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' ||
                      c == '-' || c == '+');
  }
  struct stat st {};
  const std::string file = "/usr/share/zoneinfo/" + std::string(name);
  if (!plain || name.find("..") != std::string_view::npos || ::stat(file.c_str(), &st) != 0 ||
      !S_ISREG(st.st_mode))
    return MakeError(ErrorCode::kInvalidArgument,
                     "time zone '" + std::string(name.substr(0, 32)) +
                         "' is not UTC, an offset like +01:00, or a zone in /usr/share/zoneinfo "
                         "(Europe/Dublin)",
                     "time_zone");
  ::setenv("TZ", z.name.c_str(), 1);
  ::tzset();
  z.iana = true;
  return z;
}

CivilTime NowIn(const TimeZone& zone) {
  const auto now = std::chrono::system_clock::now();
  int offset_minutes = zone.offset_minutes;
  if (zone.iana) {
    const time_t secs = std::chrono::system_clock::to_time_t(now);
    struct tm local {};
    ::localtime_r(&secs, &local);
    offset_minutes = static_cast<int>(local.tm_gmtoff / 60);
  }
  CivilTime t = FromTimePoint(now + std::chrono::minutes(offset_minutes));
  t.offset_minutes = offset_minutes;
  return t;
}

}  // namespace hr::core
