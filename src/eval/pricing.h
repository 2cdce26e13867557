// Prices and the three cost models of the evaluation (DESIGN.md "Prices"): the prototype's
// per-request pro-rated formula with the feature's Lambda memory ("seed-prorated") and with the
// deployed memory ("seed-prorated-deployed-memory"), and provisioned ECS ("provisioned":
// task-hours actually running divided by requests served). Optional API Gateway / ALB charges.
// Pure. Units: USD, MB, ms, hours.
#pragma once

#include <array>
#include <string_view>

#include "data/labels.h"

namespace hr::eval {

struct Pricing {
  double lambda_request_usd = 0.20 / 1'000'000;
  double lambda_gb_second_usd = 0.0000166667;  // x86 eu-west-1
  double fargate_vcpu_hour_usd = 0.04048;
  double fargate_gb_hour_usd = 0.004445;
  double seed_vcpu_hour_usd = data::kSeedVcpuHourUsd;  // the prototype's, kept for parity
  double seed_gb_hour_usd = data::kSeedGbHourUsd;
  double api_gateway_per_million_usd = 3.50;  // REST API; HTTP API is 1.11
  double alb_hour_usd = 0.0252 + 0.008;  // one ALB plus one LCU, per hour, shared by its requests
};

enum class CostModel { kSeedProrated, kSeedProratedDeployedMemory, kProvisioned };
inline constexpr std::array<CostModel, 3> kCostModels = {
    CostModel::kSeedProrated, CostModel::kSeedProratedDeployedMemory, CostModel::kProvisioned};
std::string_view Name(CostModel m);

using data::EcsTask;
using data::MeasuredTask;

// What provisioned ECS cost per request served, per workload: tasks x size x price x hours /
// requests. Computed by the replay from the data (hours and requests of the measurement runs).
struct Provisioned {
  std::array<double, features::kWorkloadCount> cost_per_request_usd{};
  std::array<double, features::kWorkloadCount> task_hours{};
  double alb_per_request_usd = 0;  // the load balancer's hours over the ECS requests it served
};

struct CostOptions {
  bool api_gateway = false;  // add the API Gateway fee to Lambda requests
  bool alb = false;          // add the load-balancer fee to ECS requests
};

// Cost of serving one request as measured by `r` (which ran on r.platform).
double CostUsd(const data::Record& r, CostModel model, const Pricing& p, const Provisioned& prov,
               const CostOptions& options = {});

}  // namespace hr::eval
