// `simulate` as a library call: a discrete-event simulation of one policy placing requests on
// Lambda functions (sim/lambda_pool.h) and ECS services (sim/ecs_service.h), one of each per
// workload, with what each platform bills; and a sweep of it over arrival rates. Memory grows
// with instances, tasks and queued requests, never with the requests simulated. Pure: the
// caller supplies the arrival spec, service times, prices and model. Units: s, ms, USD.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "cost/cost.h"
#include "model/mlp.h"
#include "policy/objective.h"
#include "policy/placement.h"
#include "sim/arrivals.h"
#include "sim/ecs_service.h"
#include "sim/lambda_pool.h"
#include "sim/service_times.h"

namespace hr::sim {

// The policy a simulation runs: one of policy/placement.h's grammar (spill-over's W, requests that
// may wait per running task before the next spills; -1 here: no limit), with the model and
// objective of the model policies, and the name the results carry.
struct SimPolicy {
  policy::PolicySpec spec = *policy::ParsePolicy("lambda-only");
  std::shared_ptr<const model::Model> model;  // model, spillover-model
  policy::Objective objective;
  std::string name = "lambda-only";
};
// A policy that needs no model (lambda-only, ecs-only, split, spillover, oracle), named as written.
SimPolicy Fixed(std::string_view text);

enum class ApiGateway : uint8_t { kNone, kHttp, kRest };

// `--policy W=POLICY,...`: a policy per workload, one that needs no model (lambda-only, ecs-only,
// split:S, spillover[:W]); none: the run's policy.
using PolicyByWorkload = std::array<std::optional<policy::PolicySpec>, features::kWorkloadCount>;

// A change of the true service times during a run (--drift FILE): from `from_s` until `until_s`,
// every service time of `platform` for `workload` (all: every workload) times `service_factor`,
// and Lambda's cold-start INIT time times `cold_factor`.
struct DriftPhase {
  double from_s = 0, until_s = 0;
  features::Platform platform = features::Platform::kEcs;
  std::optional<features::Workload> workload;  // none: all
  double service_factor = 1, cold_factor = 1;
};
// Reads --drift's JSON array; errors name the element and field ("drift[1].service_factor").
core::Result<std::vector<DriftPhase>> ParseDrift(std::string_view json);

// One attempt as the outcome log would show it (simulate --outcome-log): the request's features
// at its arrival, where it went, why and with what probability, and how it came out.
struct SimLine {
  uint64_t sequence = 0;  // arrival number, from 1 (warm-up included)
  double arrival_s = 0;
  features::Request request;
  policy::Placement placed;  // the policy's choice (with --explore's mix), propensity included
  features::Platform platform = features::Platform::kLambda;  // where this attempt went
  bool fallback = false;  // sent to ECS after Lambda throttled the first attempt
  int status = 200;       // 200; 429 Lambda throttled; 503 ECS queue full; 504 ECS timed out
  double response_ms = 0, execution_ms = 0, memory_mb = 0, init_ms = 0;
  bool cold_start = false;
};

struct SimConfig {
  ArrivalSpec arrivals;
  double duration_s = 3600;
  double warmup_s = 0;  // requests arriving before are simulated but not in the statistics
  uint64_t seed = 1;
  int start_hour = 0;  // hour of day at t = 0 (the model policy's time window)
  SimPolicy policy;
  // Per workload (--policy W=POLICY,...): given for one, needed for every workload that arrives
  // (Simulate says which lack one); `policy` then only names the run.
  PolicyByWorkload policy_by_workload;
  bool PerWorkloadPolicy() const;
  // The policy that places `w`'s requests.
  const policy::PolicySpec& PolicyOf(features::Workload w) const;
  policy::LearnOptions learn;     // the adaptive policy's learner
  std::vector<DriftPhase> drift;  // changes of the true service times
  // With drift: run the oracle (sim/oracle.h) alongside, on the same seed and arrivals, for each
  // phase's regret. (Payload sizes share the random stream with the service times and the
  // policies' draws, so they differ between the two runs: a stream of their own moved the
  // published SimFaaS and off-policy calibration checks past their bounds.)
  bool regret = true;
  // --explore P: every policy but adaptive (which explores by Thompson sampling) sends a share P
  // of requests to a platform drawn at random (policy::MixUniform).
  double explore = 0;
  // Called with every attempt of a request arriving in the statistics window, in completion
  // order (ECS's when the service reports them); empty: none made.
  std::function<void(const SimLine&)> on_line;
  LambdaOptions lambda;
  // For every service; `task` is replaced per workload unless ecs_task_set; `tasks` 0 (the
  // default here) starts each service with the tasks its share of the mean arrival rate needs at
  // the target utilisation, had every request gone to ECS (within min and max).
  EcsOptions ecs = [] {
    EcsOptions o;
    o.tasks = 0;
    return o;
  }();
  bool ecs_task_set = false;
  // --ecs-tasks W=N,...: a workload's tasks at the start (-1: `ecs.tasks`).
  std::array<int, features::kWorkloadCount> ecs_tasks_by_workload = {-1, -1, -1, -1};
  cost::Pricing pricing;
  ApiGateway api_gateway = ApiGateway::kNone;
  bool alb = false;  // one load balancer's hours (plus one LCU) when ECS serves
  core::Status Validate() const;
};

struct Quantiles {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

struct SimResult {
  std::string policy;
  double rate = 0;                                 // mean arrival rate over the run
  double duration_s = 0, window_s = 0, end_s = 0;  // end: when the last request finished
  uint64_t requests = 0;                           // arrived inside the statistics window
  uint64_t requests_total = 0;  // all arrivals (warm-up included): what the costs cover
  uint64_t lambda_requests = 0, ecs_requests = 0;  // in the window
  uint64_t throttled = 0;  // Lambda refused (lambda-only: failed; otherwise sent to ECS)
  uint64_t fallbacks = 0;  // throttled requests that ECS served
  uint64_t spilled = 0;    // spillover: sent to Lambda because no ECS slot was free
  Quantiles response_ms;   // every answered request in the window, waits and cold starts included
  // Per workload that arrives: its policy, its requests in the window, their response times, and
  // what its Lambda function and ECS service cost (API Gateway included; the ALB is shared, not
  // in a workload's cost).
  struct Part {
    features::Workload workload = features::Workload::kLightweightApi;
    std::string policy;
    int ecs_tasks_max = 0;
    uint64_t requests = 0, lambda_requests = 0, ecs_requests = 0, spilled = 0;
    Quantiles response_ms;
    double cost_usd = 0, cost_per_day = 0;
  };
  std::vector<Part> workloads;
  struct {
    uint64_t cold_starts = 0;
    double cold_start_probability = 0;
    double instances_mean = 0, running_mean = 0, idle_mean = 0;
  } lambda;
  struct {
    uint64_t waited = 0, timeouts = 0;
    uint64_t refused = 0;  // at the queue limit: answered 503 at once, in no time or wait below
    // Over the ECS requests the service took (not those refused), 0 for those that did not wait:
    // P(wait) and Wq.
    double wait_probability = 0;
    double wait_ms_mean = 0;
    double tasks_mean = 0, running_tasks_mean = 0, utilisation = 0;
    int tasks_max = 0;
    std::vector<std::pair<int, ScalingStep>> scaling;  // (workload, step)
  } ecs;
  struct {
    double lambda = 0, ecs = 0, api_gateway = 0, alb = 0, total = 0;
    double per_million = 0, per_day = 0;
  } cost_usd;
  // With --drift: the run cut at every phase's start and end; each part's answered requests (by
  // arrival) and their mean response time; the oracle's on the same seed and arrivals, and the
  // regret, this policy's mean minus the oracle's (with `regret`; the oracle: its own, 0). The
  // learner's change alarms (adaptive).
  struct Phase {
    double from_s = 0, until_s = 0;
    uint64_t requests = 0;
    double response_ms_mean = 0;
    double oracle_ms_mean = 0, regret_ms = 0;
  };
  std::vector<Phase> phases;
  struct DriftAlarm {
    double at_s = 0;
    features::Platform platform = features::Platform::kEcs;
    features::Workload workload = features::Workload::kLightweightApi;
  };
  std::vector<DriftAlarm> drift_events;
  double seconds = 0;  // wall time of the run (not in the reports: it differs run to run)
};

using SimProgress = std::function<void(double simulated_s)>;

core::Result<SimResult> Simulate(const SimConfig& config, const ServiceTimes& times,
                                 const SimProgress& progress = {});

}  // namespace hr::sim

namespace hr::sim {

// The same run at each rate (Poisson or evenly spaced arrivals) for each policy; results in rate
// order, policies in the given order within a rate.
core::Result<std::vector<SimResult>> Sweep(const SimConfig& base, const ServiceTimes& times,
                                           const std::vector<double>& rates,
                                           const std::vector<SimPolicy>& policies,
                                           const SimProgress& progress = {});
// "A:B:N": N rates from A to B, evenly spaced (N >= 2), 0 < A < B <= 100000.
core::Result<std::vector<double>> ParseSweep(std::string_view text);

}  // namespace hr::sim
