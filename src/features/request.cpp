#include "features/request.h"

#include <array>
#include <cmath>
#include <string>

namespace hr::features {

namespace {

constexpr std::array<std::string_view, kWorkloadCount> kWorkloadNames = {
    "lightweight_api", "thumbnail_processing", "medium_processing", "heavy_processing"};
constexpr std::array<std::string_view, kTimeWindowCount> kTimeWindowNames = {
    "early_morning", "morning_peak", "midday", "evening", "late_night", "other"};
constexpr std::array<std::string_view, kLoadPatternCount> kLoadPatternNames = {
    "low_load", "medium_load", "burst_load", "ramp_load"};

template <typename Enum, size_t N>
core::Result<Enum> ParseName(std::string_view text, const std::array<std::string_view, N>& names,
                             const char* field) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  std::string allowed;
  for (size_t i = 0; i < N; ++i) {
    if (i) allowed += ", ";
    allowed += names[i];
  }
  std::string shown(text.substr(0, 64));
  return core::MakeError(core::ErrorCode::kUnknownValue,
                         std::string(field) + " '" + shown + "' is not one of: " + allowed, field);
}

}  // namespace

std::string_view Name(Workload w) { return kWorkloadNames[static_cast<size_t>(w)]; }
std::string_view Name(TimeWindow t) { return kTimeWindowNames[static_cast<size_t>(t)]; }
std::string_view Name(Platform p) { return p == Platform::kLambda ? "lambda" : "ecs"; }

std::string_view Name(LoadPattern l) { return kLoadPatternNames[static_cast<size_t>(l)]; }

core::Result<Workload> ParseWorkload(std::string_view text) {
  return ParseName<Workload>(text, kWorkloadNames, "workload_type");
}
core::Result<TimeWindow> ParseTimeWindow(std::string_view text) {
  return ParseName<TimeWindow>(text, kTimeWindowNames, "time_window");
}
core::Result<LoadPattern> ParseLoadPattern(std::string_view text) {
  return ParseName<LoadPattern>(text, kLoadPatternNames, "load_pattern");
}

TimeWindow TimeWindowOfHour(int hour) {
  if (hour >= 2 && hour <= 4) return TimeWindow::kEarlyMorning;
  if (hour >= 8 && hour <= 10) return TimeWindow::kMorningPeak;
  if (hour >= 12 && hour <= 14) return TimeWindow::kMidday;
  if (hour >= 18 && hour <= 20) return TimeWindow::kEvening;
  if (hour >= 22 || hour <= 1) return TimeWindow::kLateNight;
  return TimeWindow::kOther;
}

int FeatureLambdaMemoryMb(Workload w) {
  static constexpr int kMemoryMb[] = {128, 512, 1024, 2048};
  return kMemoryMb[static_cast<size_t>(w)];
}

core::Result<Request> Validate(const RawRequest& raw, const core::CivilTime& now) {
  using core::ErrorCode;
  using core::MakeError;
  Request r;
  if (!raw.workload_type) {
    return MakeError(ErrorCode::kMissingField,
                     "workload_type is required (one of: lightweight_api, thumbnail_processing, "
                     "medium_processing, heavy_processing)",
                     "workload_type");
  }
  auto workload = ParseWorkload(*raw.workload_type);
  if (!workload) return workload.error();
  r.workload = *workload;

  if (!raw.payload_size_kb) {
    return MakeError(ErrorCode::kMissingField, "payload_size_kb is required (a number of KB)",
                     "payload_size_kb");
  }
  const double p = *raw.payload_size_kb;
  if (!std::isfinite(p) || p < 0 || p > kMaxPayloadKb) {
    return MakeError(ErrorCode::kOutOfRange,
                     "payload_size_kb must be a finite number from 0 to 10485760 (10 GB)",
                     "payload_size_kb");
  }
  r.payload_kb = p;

  core::CivilTime when = now;
  if (raw.timestamp) {
    auto parsed = core::ParseIso8601(*raw.timestamp);
    if (!parsed) return parsed.error();
    when = *parsed;
  }
  r.hour_of_day = when.hour;
  r.is_weekend = core::Weekday(when.year, when.month, when.day) >= 5;

  if (raw.time_window) {
    auto tw = ParseTimeWindow(*raw.time_window);
    if (!tw) return tw.error();
    r.time_window = *tw;
  } else {
    r.time_window = TimeWindowOfHour(r.hour_of_day);
    r.time_window_derived = true;
  }

  if (raw.load_pattern) {
    auto lp = ParseLoadPattern(*raw.load_pattern);
    if (!lp) return lp.error();
    r.load_pattern = *lp;
  } else {
    r.load_pattern_defaulted = true;
  }
  return r;
}

Request FromTraffic(Workload w, double payload_kb, int hour, bool weekend,
                    std::optional<TimeWindow> named_window, LoadPattern load_pattern) {
  Request r;
  r.workload = w;
  r.payload_kb = payload_kb;
  r.hour_of_day = hour;
  r.is_weekend = weekend;
  r.time_window = named_window.value_or(TimeWindowOfHour(hour));
  r.time_window_derived = !named_window;
  r.load_pattern = load_pattern;
  return r;
}

}  // namespace hr::features
