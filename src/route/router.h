// `route`: the gateway in front of the user's Lambda functions and ECS services (DESIGN.md
// "Routing real traffic"). Per workload request it derives the decision features (path, body
// metadata, the clock in its time zone, the arrival rate it observes), decides with the model and
// objective (or a fixed policy, or explores), forwards the body unchanged to the chosen platform,
// falls back to the other only when the guards allow it, relays the answer with X-Route-*
// headers, and logs every attempt as a measurement. Everything that is not a workload path
// (health, readiness, model, metrics, reload, /predict) is the service's. Adapter.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "core/civil_time.h"
#include "core/result.h"
#include "http/server.h"
#include "route/ecs_capacity.h"
#include "route/guards.h"
#include "route/outcome_log.h"
#include "route/route_config.h"
#include "service/service.h"
#include "upstream/upstream.h"

namespace hr::route {

// kSpillover: ECS while the router's own requests in flight there are below the workload's ECS
// capacity (its share of it), Lambda for the rest. kSpilloverModel: the same, and a request with
// a free slot still goes to Lambda when the model's objective prefers Lambda's predicted outcome
// to ECS's at zero marginal cost (policy::DecideWithFreeEcsSlot; no wait: the router never
// queues at ECS).
enum class FixedPolicy : uint8_t { kModel, kLambdaOnly, kEcsOnly, kSpillover, kSpilloverModel };
inline constexpr std::string_view kPolicyNames =
    "model, lambda-only, ecs-only, spillover, spillover-model";
inline bool Spills(FixedPolicy p) {
  return p == FixedPolicy::kSpillover || p == FixedPolicy::kSpilloverModel;
}
std::string_view Name(FixedPolicy p);
std::optional<FixedPolicy> ParsePolicy(std::string_view text);

struct RouterConfig {
  service::ServiceConfig service;  // model, objective, keys, logs: as `serve`
  RouteTargets targets;
  FixedPolicy policy = FixedPolicy::kModel;
  double explore = 0;  // share of requests (model policy) sent to a platform drawn at random
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
  upstream::UpstreamOptions upstream;
  OutcomeLogOptions outcome_log;  // dir empty: no outcome log
  // Signs the targets that need it (RouteTargets::signs()); Create refuses such targets without.
  std::shared_ptr<aws::CredentialProvider> credentials;
  // Idempotent workloads: when the first attempt has not answered after the chosen platform's
  // p95 for the request's cell (the model's outcome tables; for a model without them, the
  // router's recent answers), send the request to the other platform as well; the first success
  // answers, the other is still logged. Hedges count against the retry budget.
  bool hedge = false;
  double hedge_after_ms = 0;  // > 0: hedge after this fixed delay instead
};

class Router {
 public:
  static core::Result<std::unique_ptr<Router>> Create(const RouterConfig& config);
  // Destroy after the server has drained: transfers still running end as kShutdown (answered
  // 502 if their clients are still there), and the outcome log is written out.
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The server's handler.
  void Handle(const http::Request& req, http::Response& res);
  service::Service& service();

 private:
  Router() = default;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace hr::route
