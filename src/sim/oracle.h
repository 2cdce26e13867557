// What simulate's oracle (--policy oracle) knows that no live policy can: the true service times
// of the current phase. The drift a run applies (--drift) as factors on a sample and on the means,
// and per request the true mean response time on each platform now: the measurements' means for
// its workload and payload times the drift factors active now, Lambda's over the chance that its
// start is cold (the run's cold-start share so far), ECS's after the wait predicted now. Pure.
// Units: ms.
#pragma once

#include <array>
#include <vector>

#include "sim/service_times.h"
#include "sim/simulate.h"

namespace hr::sim {

// The true service times' factors at one moment (the product of every phase that covers it).
struct DriftFactors {
  double service = 1, cold = 1;
};
DriftFactors FactorsAt(const std::vector<DriftPhase>& drift, double t_s, features::Platform p,
                       features::Workload w);
// A sample under drift: the warm part of its times scaled by the service factor, a cold start's
// INIT by the cold factor.
ServiceSample Drifted(ServiceSample s, DriftFactors f);

class Truth {
 public:
  explicit Truth(const ServiceTimes& times);
  // [lambda, ecs]: Lambda's mean with probability `cold_probability` of a cold start, ECS's after
  // waiting `ecs_wait_ms`.
  std::array<double, 2> MeanMs(features::Workload w, uint32_t payload, DriftFactors lambda,
                               DriftFactors ecs, double cold_probability, double ecs_wait_ms) const;

 private:
  std::array<std::vector<ServiceTimes::Means>, features::kWorkloadCount> means_;
};

}  // namespace hr::sim
