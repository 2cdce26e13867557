#include "cost/cost.h"

#include <algorithm>
#include <cmath>

namespace hr::cost {

EcsTask MeasuredTask(features::Workload w) {
  static constexpr EcsTask kTasks[] = {{0.25, 0.5}, {0.5, 1.0}, {1.0, 2.0}, {1.0, 2.0}};
  return kTasks[static_cast<size_t>(w)];
}

double MeasuredLambdaMemoryMb(features::Workload w) {
  static constexpr double kMemoryMb[] = {128, 256, 512, 512};
  return kMemoryMb[static_cast<size_t>(w)];
}

double LambdaInvocationCostUsd(double duration_ms, double memory_mb, const Pricing& p) {
  const double memory_gb = memory_mb / 1024;
  const double seconds = duration_ms / 1000;
  const double duration_cost = memory_gb * seconds * p.lambda_gb_second_usd;
  return duration_cost + p.lambda_request_usd;
}

double EcsProratedSeedCostUsd(double duration_ms, EcsTask task, const Pricing& p) {
  const double hours = duration_ms / 1000 / 3600;
  const double cpu = task.vcpu * p.seed_vcpu_hour_usd * hours;
  const double memory = task.memory_gb * p.seed_gb_hour_usd * hours;
  return cpu + memory;
}

double LambdaBilledUsd(double billed_ms, double memory_mb, double gb_second_usd, const Pricing& p) {
  const double ms = std::ceil(std::max(0.0, billed_ms) - 1e-9);
  return ms / 1000 * (memory_mb / 1024) * gb_second_usd + p.lambda_request_usd;
}

double FargateTaskUsd(double alive_s, EcsTask task, const Pricing& p) {
  const double seconds = std::max(60.0, std::ceil(std::max(0.0, alive_s) - 1e-9));
  return seconds / 3600 * TaskHourFargateUsd(task, p);
}

double TaskHourSeedUsd(EcsTask task, const Pricing& p) {
  return task.vcpu * p.seed_vcpu_hour_usd + task.memory_gb * p.seed_gb_hour_usd;
}

double TaskHourFargateUsd(EcsTask task, const Pricing& p) {
  return task.vcpu * p.fargate_vcpu_hour_usd + task.memory_gb * p.fargate_gb_hour_usd;
}

std::string_view Name(CostModel m) {
  switch (m) {
    case CostModel::kSeedProrated:
      return "seed-prorated";
    case CostModel::kSeedProratedDeployedMemory:
      return "seed-prorated-deployed-memory";
    case CostModel::kProvisioned:
      return "provisioned";
  }
  return "?";
}

std::optional<CostModel> ParseCostModel(std::string_view name) {
  for (CostModel m : kCostModels) {
    if (Name(m) == name) return m;
  }
  return std::nullopt;
}

double CostUsd(const Usage& u, CostModel model, const Pricing& p, const Provisioned& prov,
               const CostOptions& options) {
  if (u.lambda) {
    const double memory_mb = model == CostModel::kSeedProrated
                                 ? static_cast<double>(features::FeatureLambdaMemoryMb(u.workload))
                                 : u.memory_used_mb;
    return LambdaInvocationCostUsd(u.execution_ms, memory_mb, p) +
           (options.api_gateway ? p.api_gateway_per_million_usd / 1e6 : 0.0);
  }
  const double cost = model == CostModel::kProvisioned
                          ? prov.cost_per_request_usd[static_cast<size_t>(u.workload)]
                          : EcsProratedSeedCostUsd(u.execution_ms, MeasuredTask(u.workload), p);
  return cost + (options.alb ? prov.alb_per_request_usd : 0.0);
}

}  // namespace hr::cost
