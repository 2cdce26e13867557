// Capacity advice: per workload, how many ECS tasks to keep, and how many requests may wait per
// task before the next spills over to Lambda (policy spillover:WAIT, least-outstanding dispatch,
// no autoscaling; WAIT 0, 1, 4 or no limit), so that the total cost is lowest while the p95
// response time meets a target, beside lambda-only and ecs-only (with autoscaling) on the same
// traffic. Searches the task count from 0 (Lambda only) to what the workload's peak would fill,
// on a geometric grid refined around the best. Pure.
#pragma once

#include <string>
#include <vector>

#include "sim/simulate.h"

namespace hr::sim {

struct Advice {
  features::Workload workload = features::Workload::kLightweightApi;
  int tasks = 0;             // advised; 0: Lambda only
  int wait = 0;              // requests that may wait per task before spilling; < 0: never spill
  double p95_target_ms = 0;  // the target the advice met (given, or lambda-only's p95)
  bool meets_target = true;  // false: no configuration met it; the lowest p95 was chosen
  SimResult advised, lambda_only, ecs_only;
  struct Tried {
    int tasks = 0, wait = 0;
    SimResult result;
  };
  std::vector<Tried> tried;  // every configuration simulated
};

// `p95_target_ms` 0: no slower at p95 than lambda-only on the same traffic (+1 %, the quantiles'
// resolution): never dominated by it, since Lambda alone is a candidate. A configuration that
// fails more than 0.1 % of
// requests (a 504 after waiting, a 503 from a full queue, a throttle nobody took) is never
// advised. Workloads without arrivals are skipped.
inline constexpr double kMaxFailedShare = 0.001;
core::Result<std::vector<Advice>> Advise(const SimConfig& base, const ServiceTimes& times,
                                         double p95_target_ms, const SimProgress& progress = {});

// The advice as a `simulate --policy` value: lambda-only (no task), ecs-only (never spill),
// spillover:WAIT; run with --ecs-tasks TASKS --no-autoscale --ecs-dispatch least-outstanding.
std::string AdvisedPolicy(int tasks, int wait);

// The advice of every workload in one run, as `simulate` runs it: each workload's policy and tasks
// (--policy W=POLICY,... --ecs-tasks W=N,...), least-outstanding dispatch, no autoscaling, on
// the whole traffic (the advice's own runs each see one workload's arrivals alone, drawn apart:
// their sum is not what one run of the configuration gives).
struct AdvisedRun {
  SimConfig config;
  // The options that make `simulate` run `config`, beside the same traffic and platform options:
  // "--policy W=POLICY,... --ecs-tasks W=N,... --no-autoscale --ecs-dispatch least-outstanding"
  // (and --ecs-min-tasks 1, --ecs-max-tasks N where the advice needed them).
  std::string options;
};
AdvisedRun CombineAdvice(const SimConfig& base, const std::vector<Advice>& advice);

struct AdviceSet {
  std::vector<Advice> workloads;
  std::string options;  // AdvisedRun's
  SimResult combined;   // its one run: the advice's totals, and per workload (result.workloads)
};
// Advise, then the advised configurations run together.
core::Result<AdviceSet> AdviseTogether(const SimConfig& base, const ServiceTimes& times,
                                       double p95_target_ms, const SimProgress& progress = {});

// Whether `a` is at least as cheap and as fast at p95 as `b`, and better in one by more than the
// simulation's resolution (0.5 % of cost, 1 % of p95: the quantiles' buckets are 0.5 % wide).
inline constexpr double kCostMargin = 0.005, kP95Margin = 0.01;
bool Dominates(const SimResult& a, const SimResult& b);
// The share of requests in the statistics that failed (timeouts, refusals, unserved throttles).
double FailedShare(const SimResult& r);

}  // namespace hr::sim
