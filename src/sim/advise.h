// Capacity advice: per workload, how many ECS tasks to keep with the rest spilled over to
// Lambda (policy spillover, least-outstanding dispatch, no autoscaling) so that the total cost is
// lowest while the p95 response time meets a target, beside lambda-only and ecs-only (with
// autoscaling) on the same traffic. Searches the task count from 0 (Lambda only) to what the
// workload's peak would fill, on a geometric grid refined around the best. Pure.
#pragma once

#include <vector>

#include "sim/simulate.h"

namespace hr::sim {

struct Advice {
  features::Workload workload = features::Workload::kLightweightApi;
  int tasks = 0;             // advised; 0: Lambda only
  bool meets_target = true;  // false: no task count met it; the lowest p95 was chosen
  SimResult advised, lambda_only, ecs_only;
  std::vector<std::pair<int, SimResult>> tried;  // every task count simulated, ascending
};

// `p95_target_ms` 0: the cheapest, whatever its p95. Workloads without arrivals are skipped.
core::Result<std::vector<Advice>> Advise(const SimConfig& base, const ServiceTimes& times,
                                         double p95_target_ms, const SimProgress& progress = {});

// Whether `a` is at least as cheap and as fast at p95 as `b`, and better in one by more than the
// simulation's resolution (0.5 % of cost, 1 % of p95: the quantiles' buckets are 0.5 % wide).
inline constexpr double kCostMargin = 0.005, kP95Margin = 0.01;
bool Dominates(const SimResult& a, const SimResult& b);

}  // namespace hr::sim
