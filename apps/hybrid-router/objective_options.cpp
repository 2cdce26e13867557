#include "objective_options.h"

namespace hr::app {

void AddObjectiveOptions(CLI::App& sub, ObjectiveOptions& o) {
  sub.add_option("--objective", o.objective,
                 "What decisions optimise unless a request names its own: latency (lowest "
                 "expected response time), p95 (least likely to exceed --slo-ms), cost (lowest "
                 "expected cost under --cost-model), balanced (cost + --value-of-time x seconds), "
                 "classifier (the prototype's label)")
      ->capture_default_str()
      ->check(CLI::IsMember(policy::ObjectiveNames()))
      ->envname("HYBRID_ROUTER_OBJECTIVE");
  sub.add_option("--cost-model", o.cost_model,
                 "Cost model of the cost and balanced objectives and of expected.cost_usd: "
                 "provisioned (Fargate task-hours over the requests served, as AWS bills and "
                 "simulate bills), seed-prorated (the prototype's: ECS billed only while a "
                 "request runs), seed-prorated-deployed-memory")
      ->capture_default_str()
      ->check(CLI::IsMember(policy::CostModelNames()))
      ->envname("HYBRID_ROUTER_COST_MODEL");
  sub.add_option("--slo-ms", o.slo_ms,
                 "Response time the p95 objective keeps requests under (default: the model's, the "
                 "better single platform's p95 in its training data)")
      ->check(CLI::Range(1.0, policy::kMaxSloMs))
      ->envname("HYBRID_ROUTER_SLO_MS");
  sub.add_option("--value-of-time", o.value_of_time,
                 "USD per second of response time, for the balanced objective (0 to 1)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, policy::kMaxValueOfTime))
      ->envname("HYBRID_ROUTER_VALUE_OF_TIME");
}

policy::Objective ToObjective(const ObjectiveOptions& o) {
  policy::Objective out;
  out.kind = policy::ParseObjectiveKind(o.objective).value_or(policy::ObjectiveKind::kLatency);
  out.cost_model = cost::ParseCostModel(o.cost_model).value_or(policy::kDefaultCostModel);
  if (o.slo_ms > 0) out.slo_ms = o.slo_ms;
  out.value_of_time_usd_per_s = o.value_of_time;
  return out;
}

}  // namespace hr::app
