// A workload request as the router sees it: the prototype's four inputs plus an optional
// timestamp, validated into typed values. Unknown or misspelt values are errors naming the field
// and the allowed values, never silent defaults. Pure: no JSON, no I/O. Units: payload in KB.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/civil_time.h"
#include "core/result.h"

namespace hr::features {

enum class Workload : uint8_t {
  kLightweightApi = 0,
  kThumbnailProcessing = 1,
  kMediumProcessing = 2,
  kHeavyProcessing = 3,
};
enum class TimeWindow : uint8_t {
  kEarlyMorning = 0,
  kMorningPeak = 1,
  kMidday = 2,
  kEvening = 3,
  kLateNight = 4,
  kOther = 5,
};
enum class LoadPattern : uint8_t { kLowLoad = 0, kMediumLoad = 1, kBurstLoad = 2, kRampLoad = 3 };
// Where a request runs.
enum class Platform : uint8_t { kLambda = 0, kEcs = 1 };
constexpr Platform Other(Platform p) {
  return p == Platform::kLambda ? Platform::kEcs : Platform::kLambda;
}

inline constexpr int kWorkloadCount = 4;
inline constexpr int kTimeWindowCount = 6;
inline constexpr int kLoadPatternCount = 4;

// Largest payload we accept: 10 GB. Anything above is a client error, not a workload.
inline constexpr double kMaxPayloadKb = 10.0 * 1024 * 1024;

std::string_view Name(Workload w);
std::string_view Name(TimeWindow t);
std::string_view Name(LoadPattern l);
std::string_view Name(Platform p);  // "lambda" / "ecs", lower case as in the API

core::Result<Workload> ParseWorkload(std::string_view text);
core::Result<TimeWindow> ParseTimeWindow(std::string_view text);
core::Result<LoadPattern> ParseLoadPattern(std::string_view text);

// The prototype's time_window of an hour of day: early_morning 2-4, morning_peak 8-10,
// midday 12-14, evening 18-20, late_night 22-1 (all inclusive), otherwise other.
TimeWindow TimeWindowOfHour(int hour);

// Lambda memory the seed-v1 feature assumes per workload: 128 / 512 / 1024 / 2048 MB.
int FeatureLambdaMemoryMb(Workload w);

// Fields as they arrived from a client (JSON, CLI), before validation. Views point into the
// caller's buffer and must outlive the call to Validate.
struct RawRequest {
  std::optional<std::string_view> workload_type;
  std::optional<double> payload_size_kb;
  std::optional<std::string_view> time_window;
  std::optional<std::string_view> load_pattern;
  std::optional<std::string_view> timestamp;
};

struct Request {
  Workload workload = Workload::kLightweightApi;
  double payload_kb = 0;
  TimeWindow time_window = TimeWindow::kOther;
  LoadPattern load_pattern = LoadPattern::kLowLoad;
  int hour_of_day = 0;
  bool is_weekend = false;
  bool time_window_derived = false;     // absent in the request; taken from the hour
  bool load_pattern_defaulted = false;  // absent in the request; low_load as in the prototype
};

// Validates a raw request. `now` supplies hour and weekday when the request has no timestamp.
core::Result<Request> Validate(const RawRequest& raw, const core::CivilTime& now);

// The decision features of a request seen in traffic (route live, simulate in simulated time):
// the hour and weekday of its arrival in the deployment's time zone; the time window it names,
// else its hour's; the load pattern it names, else the one observed in the arrivals (the caller's:
// observing costs a scan, done only when the request names none).
Request FromTraffic(Workload w, double payload_kb, int hour, bool weekend,
                    std::optional<TimeWindow> named_window, LoadPattern load_pattern);

}  // namespace hr::features
