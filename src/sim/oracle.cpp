#include "sim/oracle.h"

namespace hr::sim {

DriftFactors FactorsAt(const std::vector<DriftPhase>& drift, double t_s, features::Platform p,
                       features::Workload w) {
  DriftFactors f;
  for (const DriftPhase& d : drift) {
    if (t_s < d.from_s || t_s >= d.until_s || d.platform != p || (d.workload && *d.workload != w))
      continue;
    f.service *= d.service_factor;
    f.cold *= d.cold_factor;
  }
  return f;
}

ServiceSample Drifted(ServiceSample s, DriftFactors f) {
  if (f.service == 1 && f.cold == 1) return s;
  s.response_ms = (s.response_ms - s.init_ms) * f.service + s.init_ms * f.cold;
  s.busy_ms = (s.busy_ms - s.init_ms) * f.service + s.init_ms * f.cold;
  s.init_ms *= f.cold;
  return s;
}

Truth::Truth(const ServiceTimes& times) {
  for (size_t w = 0; w < features::kWorkloadCount; ++w) {
    const auto workload = static_cast<features::Workload>(w);
    const size_t payloads = times.Payloads(workload).size();
    for (uint32_t p = 0; p < payloads; ++p) means_[w].push_back(times.MeanMs(workload, p));
  }
}

std::array<double, 2> Truth::MeanMs(features::Workload w, uint32_t payload, DriftFactors lambda,
                                    DriftFactors ecs, double cold_probability,
                                    double ecs_wait_ms) const {
  const ServiceTimes::Means& m = means_[static_cast<size_t>(w)][payload];
  // Drifted() on the means: it is linear in a sample's times.
  const double warm = m.lambda_warm_ms * lambda.service;
  const double cold =
      (m.lambda_cold_ms - m.lambda_init_ms) * lambda.service + m.lambda_init_ms * lambda.cold;
  return {(1 - cold_probability) * warm + cold_probability * cold,
          m.ecs_ms * ecs.service + ecs_wait_ms};
}

}  // namespace hr::sim
