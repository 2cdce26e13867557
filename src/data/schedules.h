// The load schedules a measurement campaign was sent by: per load pattern, the total request rate
// over its 4 workloads x 2 platforms, as points (seconds from the run's start, requests per second)
// joined linearly (a step is two points at one time). audit's censoring section compares what was
// logged with what they sent. The prototype's are built in; another campaign's are read from a
// file (`audit --schedules FILE`). Pure but for ReadSchedules.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "features/request.h"

namespace hr::data {

struct LoadSchedule {
  std::vector<std::pair<double, double>> points;  // (seconds, requests/s), seconds non-decreasing
  bool known() const { return points.size() >= 2; }
  double Seconds() const { return points.empty() ? 0 : points.back().first; }
  // Requests sent in the first `d` seconds (all of them after Seconds()).
  double SentBy(double d) const;
};

struct LoadSchedules {
  std::array<LoadSchedule, features::kLoadPatternCount> by_pattern;
  std::string source;  // for people: where they come from
  const LoadSchedule& of(features::LoadPattern p) const {
    return by_pattern[static_cast<size_t>(p)];
  }
};

// The prototype's load tests (its README and load driver): low 5/s and medium 15/s for an hour,
// burst 5/s for 10 min, 30/s for 5 min, 5/s for 5 min, ramp 5/s rising linearly to 25/s in an hour.
LoadSchedules PrototypeSchedules();

inline constexpr size_t kMaxScheduleBytes = 64 << 10;
inline constexpr size_t kMaxSchedulePoints = 1000;

// {"low_load": [[0, 5], [3600, 5]], "burst_load": [[0, 5], [600, 5], [600, 30], ...], ...}: a
// pattern left out has no schedule (its runs are not compared); an unknown pattern, a first point
// not at 0 s, seconds going back or past 1e7, a rate outside 0 to 1e6 or more than
// kMaxSchedulePoints points are errors naming the pattern.
core::Result<LoadSchedules> ParseSchedules(std::string_view text, const std::string& source);
core::Result<LoadSchedules> ReadSchedules(const std::string& path);

}  // namespace hr::data
