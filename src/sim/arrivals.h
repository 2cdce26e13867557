// Where simulated requests come from: Poisson arrivals at a rate, evenly spaced arrivals (for
// deterministic tests), a non-homogeneous Poisson process following a rate profile (e.g. a diurnal
// shape, repeating), or a recorded trace; workloads drawn from a mix unless the trace names them.
// Pure: the profile and trace readers (sim/trace_file.h) turn files into these. Units: s, req/s.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.h"
#include "features/request.h"

namespace hr::sim {

struct ProfilePoint {
  double t_s = 0;   // from the start of the profile
  double rate = 0;  // requests per second; linear between points, a step where two share a time
};

struct TraceEntry {
  double t_s = 0;  // from the first arrival
  features::Workload workload = features::Workload::kLightweightApi;
  float payload_kb = -1;  // < 0: not recorded (drawn from the data's shares)
};

using Mix = std::array<double, features::kWorkloadCount>;  // shares, summing to 1

struct ArrivalSpec {
  enum class Kind { kPoisson, kUniform, kProfile, kTrace };
  Kind kind = Kind::kPoisson;
  double rate = 1;                                       // kPoisson, kUniform
  std::vector<ProfilePoint> profile;                     // kProfile: repeats after its last point
  std::shared_ptr<const std::vector<TraceEntry>> trace;  // kTrace: sorted by time
  Mix mix{1, 0, 0, 0};
  double MeanRate() const;  // over one profile period; the trace's over its span
  // The mean rate over [from_s, to_s): a profile's over that span (what a run of that span
  // simulates), otherwise MeanRate().
  double MeanRate(double from_s, double to_s) const;
  // A profile's period (its last point's time); 0 for other kinds.
  double PeriodS() const;
};

struct Arrival {
  double t_s = 0;
  features::Workload workload = features::Workload::kLightweightApi;
  float payload_kb = -1;
};

class ArrivalStream {
 public:
  ArrivalStream(const ArrivalSpec& spec, uint64_t seed);
  // The next arrival before `end_s`; false when there is none.
  bool Next(double end_s, Arrival& out);

 private:
  double RateAt(double t_s) const;
  features::Workload DrawWorkload();
  const ArrivalSpec& spec_;
  core::Rng rng_;
  double t_s_ = 0;
  uint64_t n_ = 0;
  size_t trace_at_ = 0;
  double max_rate_ = 0, period_s_ = 0;
  Mix cdf_{};
};

// Rate of a profile at `t_s` (repeating after its last point).
double ProfileRate(const std::vector<ProfilePoint>& profile, double t_s);
// Expected arrivals of a profile from 0 to `t_s` (the integral of its rate, repeating).
double ProfileArrivals(const std::vector<ProfilePoint>& profile, double t_s);

}  // namespace hr::sim
