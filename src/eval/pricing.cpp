#include "eval/pricing.h"

namespace hr::eval {

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

double CostUsd(const data::Record& r, CostModel model, const Pricing& p, const Provisioned& prov,
               const CostOptions& options) {
  if (r.platform == policy::Platform::kLambda) {
    const double memory_mb = model == CostModel::kSeedProrated
                                 ? static_cast<double>(features::FeatureLambdaMemoryMb(r.workload))
                                 : r.memory_used_mb;
    const double cost = memory_mb / 1024 * (r.execution_time_ms / 1000) * p.lambda_gb_second_usd +
                        p.lambda_request_usd;
    return cost + (options.api_gateway ? p.api_gateway_per_million_usd / 1e6 : 0.0);
  }
  double cost;
  if (model == CostModel::kProvisioned) {
    cost = prov.cost_per_request_usd[static_cast<size_t>(r.workload)];
  } else {
    const EcsTask t = MeasuredTask(r.workload);
    const double hours = r.execution_time_ms / 1000 / 3600;
    cost = t.vcpu * p.seed_vcpu_hour_usd * hours + t.memory_gb * p.seed_gb_hour_usd * hours;
  }
  return cost + (options.alb ? prov.alb_per_request_usd : 0.0);
}

}  // namespace hr::eval
