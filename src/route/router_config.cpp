#include "route/router_config.h"

namespace hr::route {

using core::ErrorCode;

int CapacityOf(const RouterConfig& c, size_t w) {
  if (!c.targets.workloads[w].ecs_service.empty()) return 0;
  const int own = c.targets.workloads[w].ecs_capacity;
  return own >= 0 ? own : c.ecs_capacity[w];
}

core::Status Check(const RouterConfig& config) {
  if (!(config.explore >= 0 && config.explore <= 1))
    return core::MakeError(ErrorCode::kInvalidArgument, "--explore must be from 0 to 1", "explore");
  if (config.explore > 0 && config.policy.kind == policy::PolicyKind::kAdaptive)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--explore is the model policy's uniform exploration; the adaptive "
                           "policy (the default) explores by Thompson sampling, each platform kept "
                           "at --explore-floor or more (0.05 for a log meant for evaluate "
                           "--off-policy): give --explore-floor, or --policy model (or --learn "
                           "off) with --explore",
                           "explore");
  if (config.replicas < 1 || config.replica_index < 0 || config.replica_index >= config.replicas)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--replica-index must be from 0 to --replicas - 1", "replica_index");
  if (config.policy.spills() && config.policy.spill_wait != 0)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--policy " + config.policy.text +
                               ": the router never queues at ECS (a request without a free slot "
                               "goes to Lambda), so spill-over takes no wait here",
                           "policy");
  if (!config.policy.model_file.empty())
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--policy names a policy; the model is --model", "policy");
  bool any_capacity = config.targets.discovers();
  for (size_t w = 0; w < config.ecs_capacity.size(); ++w)
    any_capacity = any_capacity || CapacityOf(config, w) > 0;
  if (config.policy.spills() && !any_capacity)
    return core::MakeError(
        ErrorCode::kInvalidArgument,
        "--policy " + config.policy.text +
            " needs --ecs-capacity or ecs_capacity in the route "
            "config (requests each ECS service runs at once: tasks x requests per "
            "task), or ecs_service there (its running tasks, asked of ECS)",
        "ecs_capacity");
  if (config.targets.signs() && !config.credentials)
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "targets called with AWS SigV4 (lambda_function, lambda_auth iam) need "
                           "AWS credentials",
                           "credentials");
  return {};
}

core::Status ApplyLearn(std::string_view learn, policy::PolicySpec& policy) {
  if (learn != "on" && learn != "off")
    return core::MakeError(ErrorCode::kInvalidArgument,
                           "--learn '" + std::string(learn.substr(0, 32)) +
                               "' is not known; allowed: on (the adaptive policy learns from "
                               "every outcome) or off (it decides as the model policy)",
                           "learn");
  if (learn == "off" && policy.kind == policy::PolicyKind::kAdaptive) {
    policy.kind = policy::PolicyKind::kModel;
    policy.text = "model";
  }
  return {};
}

}  // namespace hr::route
