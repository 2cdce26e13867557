#include "sim/arrivals.h"

#include <algorithm>
#include <cmath>

namespace hr::sim {

double ProfileRate(const std::vector<ProfilePoint>& profile, double t_s) {
  if (profile.empty()) return 0;
  const double period = profile.back().t_s;
  if (period > 0) t_s = std::fmod(t_s, period);
  // The last point at or before t (the later of two sharing a time: a step takes effect there).
  auto after = std::upper_bound(profile.begin(), profile.end(), t_s,
                                [](double t, const ProfilePoint& p) { return t < p.t_s; });
  if (after == profile.begin()) return profile.front().rate;
  if (after == profile.end()) return profile.back().rate;
  const ProfilePoint& a = *(after - 1);
  const ProfilePoint& b = *after;
  const double span = b.t_s - a.t_s;
  return span <= 0 ? b.rate : a.rate + (b.rate - a.rate) * (t_s - a.t_s) / span;
}

double ProfileArrivals(const std::vector<ProfilePoint>& profile, double t_s) {
  if (profile.empty() || t_s <= 0) return 0;
  const double period = profile.back().t_s;
  if (period <= 0) return profile.front().rate * t_s;
  // Whole periods, then the segments of the last partial one (linear between points).
  auto upto = [&](double x) {
    double area = 0;
    for (size_t i = 1; i < profile.size(); ++i) {
      const ProfilePoint &a = profile[i - 1], &b = profile[i];
      if (a.t_s >= x) break;
      const double end = std::min(x, b.t_s), span = b.t_s - a.t_s;
      if (span <= 0) continue;
      const double rate_end = a.rate + (b.rate - a.rate) * (end - a.t_s) / span;
      area += (end - a.t_s) * (a.rate + rate_end) / 2;
    }
    return area;
  };
  const double whole = std::floor(t_s / period);
  return whole * upto(period) + upto(t_s - whole * period);
}

double ArrivalSpec::PeriodS() const {
  return kind == Kind::kProfile && !profile.empty() ? profile.back().t_s : 0;
}

double ArrivalSpec::MeanRate(double from_s, double to_s) const {
  if (kind != Kind::kProfile || !(to_s > from_s)) return MeanRate();
  return (ProfileArrivals(profile, to_s) - ProfileArrivals(profile, from_s)) / (to_s - from_s);
}

double ArrivalSpec::MeanRate() const {
  switch (kind) {
    case Kind::kPoisson:
    case Kind::kUniform:
      return rate;
    case Kind::kProfile: {
      double area = 0;
      for (size_t i = 1; i < profile.size(); ++i)
        area += (profile[i].t_s - profile[i - 1].t_s) * (profile[i].rate + profile[i - 1].rate) / 2;
      const double period = profile.empty() ? 0 : profile.back().t_s;
      return period > 0 ? area / period : (profile.empty() ? 0 : profile.front().rate);
    }
    case Kind::kTrace: {
      if (!trace || trace->size() < 2) return 0;
      const double span = trace->back().t_s - trace->front().t_s;
      return span > 0 ? static_cast<double>(trace->size() - 1) / span : 0;
    }
  }
  return 0;
}

ArrivalStream::ArrivalStream(const ArrivalSpec& spec, uint64_t seed) : spec_(spec), rng_(seed) {
  double run = 0;
  for (size_t i = 0; i < cdf_.size(); ++i) cdf_[i] = run += spec.mix[i];
  for (double& c : cdf_) c /= run > 0 ? run : 1;
  for (const ProfilePoint& p : spec.profile) max_rate_ = std::max(max_rate_, p.rate);
  period_s_ = spec.profile.empty() ? 0 : spec.profile.back().t_s;
}

features::Workload ArrivalStream::DrawWorkload() {
  const double u = rng_.Uniform();
  for (size_t i = 0; i + 1 < cdf_.size(); ++i)
    if (u < cdf_[i]) return static_cast<features::Workload>(i);
  return static_cast<features::Workload>(cdf_.size() - 1);
}

bool ArrivalStream::Next(double end_s, Arrival& out) {
  auto exp = [&](double rate) { return -std::log(1.0 - rng_.Uniform()) / rate; };
  switch (spec_.kind) {
    case ArrivalSpec::Kind::kPoisson:
      if (spec_.rate <= 0) return false;
      t_s_ += exp(spec_.rate);
      break;
    case ArrivalSpec::Kind::kUniform:
      if (spec_.rate <= 0) return false;
      // Counted, not summed: no drift over millions of arrivals.
      t_s_ = static_cast<double>(++n_) / spec_.rate;
      break;
    case ArrivalSpec::Kind::kProfile:
      // Thinning (Lewis and Shedler): candidates at the highest rate, each kept with
      // probability rate(t) / highest.
      if (max_rate_ <= 0) return false;
      for (;;) {
        t_s_ += exp(max_rate_);
        if (t_s_ >= end_s) return false;
        if (rng_.Uniform() * max_rate_ < ProfileRate(spec_.profile, t_s_)) break;
      }
      break;
    case ArrivalSpec::Kind::kTrace: {
      if (!spec_.trace || trace_at_ >= spec_.trace->size()) return false;
      const TraceEntry& e = (*spec_.trace)[trace_at_++];
      if (e.t_s >= end_s) return false;
      out = {e.t_s, e.workload, e.payload_kb};
      return true;
    }
  }
  if (t_s_ >= end_s) return false;
  out = {t_s_, DrawWorkload(), -1};
  return true;
}

}  // namespace hr::sim
