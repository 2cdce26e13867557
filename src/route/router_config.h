// What `route` is configured with (targets, policy, guards, logs, capacity, hedging) and the
// checks a configuration must pass before a router starts. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "aws/credentials.h"
#include "core/civil_time.h"
#include "core/result.h"
#include "http/server.h"
#include "policy/placement.h"
#include "route/guards.h"
#include "route/outcome_log.h"
#include "route/route_config.h"
#include "service/service.h"
#include "upstream/upstream.h"

namespace hr::route {

struct RouterConfig {
  service::ServiceConfig service;  // model, objective, keys, logs: as `serve`
  RouteTargets targets;
  // policy/placement.h: adaptive (route's default), model, lambda-only, ecs-only, split:S,
  // spillover, spillover-model (the router never queues at ECS: spill-over's W is 0). Spill-over
  // counts the router's own requests in flight at each workload's ECS service against its share of
  // the capacity.
  policy::PolicySpec policy;
  double explore = 0;  // share of requests (model policy) sent to a platform drawn at random
  policy::LearnOptions learn;  // the adaptive policy's learner
  // adaptive: a snapshot of the learner read at start (when it exists) and written every
  // `learn_state_every_s` and at stop, so a restart does not start from the prior again.
  std::string learn_state;
  int learn_state_every_s = 60;
  // Spillover: requests each workload's ECS service runs at once (tasks x k; a workload's
  // `ecs_capacity` in the route config takes precedence), split over
  // `replicas` routers: replica i (0-based) takes capacity / replicas, plus one while i is below
  // the remainder, so the shares add up to the capacity exactly.
  std::array<int, features::kWorkloadCount> ecs_capacity{};
  int replicas = 1, replica_index = 0;
  int ecs_discover_every_s = 15;  // workloads with an ecs_service: how often ECS is asked
  uint64_t seed = 0;              // exploration's random stream; 0: from the system
  core::TimeZone zone;
  BudgetOptions budget;
  BreakerOptions breaker;
  // A platform that answers 429 (or the ALB's 503) is skipped for the workload for its
  // Retry-After, else for this long (guards.h Throttles).
  int throttle_backoff_ms = 1'000;
  upstream::UpstreamOptions upstream;  // its budget (answers) is also the requests' (Route)
  OutcomeLogOptions outcome_log;       // dir empty: no outcome log
  // Signs the targets that need it (RouteTargets::signs()); Create refuses such targets without.
  std::shared_ptr<aws::CredentialProvider> credentials;
  // Idempotent workloads: when the first attempt has not answered after the chosen platform's
  // p95 for the request's cell (the model's outcome tables; for a model without them, the
  // router's recent answers), send the request to the other platform as well; the first success
  // answers, the other is still logged (and billed: RouteMetrics counts its time).
  bool hedge = false;
  double hedge_after_ms = 0;  // > 0: hedge after this fixed delay instead
  // Hedges have a budget of their own: at most this share of the requests of the last 10 s, with
  // no floor (a floor would let hedging double a platform's load at low rates).
  double hedge_share = 0.2;
  // What sends the calls of each event loop; empty: an upstream::Upstream (tests script one).
  std::function<core::Result<std::unique_ptr<upstream::Sender>>(http::Loop&)> senders;
};

// A configuration that cannot work is refused, naming its option.
core::Status Check(const RouterConfig& config);
// `--learn on|off` (any other value is an error naming --learn). off freezes the adaptive policy,
// whether it is the default or given, to the model policy: the same model and tables, never
// corrected (a switch that turns learning off must work however the policy was chosen). The other
// policies never learn, so --learn leaves them as they are.
core::Status ApplyLearn(std::string_view learn, policy::PolicySpec& policy);
// A workload's ECS capacity: its own from the route config, else the command line's; 0 for one
// discovered from ECS (its watch sets it).
int CapacityOf(const RouterConfig& c, size_t w);

}  // namespace hr::route
