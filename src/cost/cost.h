// Every price and cost model (docs/design.md "Prices"): AWS list prices for eu-west-1, the
// prototype's "seed" Fargate prices, the ECS task sizes the measurements ran, and the cost of one
// request under each cost model of the evaluation: the prototype's pro-rated formula with the
// feature's Lambda memory ("seed-prorated") or the deployed memory
// ("seed-prorated-deployed-memory"), and provisioned ECS ("provisioned": task-hours running divided
// by requests served). Pure: no files, no JSON. Units: USD, MB (1 GB = 1024 MB, as AWS bills
// memory), ms, hours.
#pragma once

#include <array>
#include <optional>
#include <string_view>

#include "features/request.h"

namespace hr::cost {

// The prototype's Fargate prices ("seed"), kept for parity with its labels and costs. They are
// Frankfurt's (eu-central-1) list prices, not Ireland's (eu-west-1, where the measurements ran:
// fargate_vcpu_hour_usd and fargate_gb_hour_usd below).
inline constexpr double kSeedVcpuHourUsd = 0.04656;
inline constexpr double kSeedGbHourUsd = 0.00511;

struct Pricing {
  double lambda_request_usd = 0.20 / 1'000'000;
  double lambda_gb_second_usd = 0.0000166667;  // x86 eu-west-1
  double fargate_vcpu_hour_usd = 0.04048;
  double fargate_gb_hour_usd = 0.004445;
  double seed_vcpu_hour_usd = kSeedVcpuHourUsd;
  double seed_gb_hour_usd = kSeedGbHourUsd;
  double api_gateway_per_million_usd = 3.50;       // REST API
  double api_gateway_http_per_million_usd = 1.11;  // HTTP API
  // Provisioned concurrency, eu-west-1 x86: per GB-s configured, and the duration price of the
  // invocations it serves (instead of lambda_gb_second_usd).
  double lambda_provisioned_gb_second_usd = 0.0000046460;
  double lambda_provisioned_duration_gb_second_usd = 0.0000108407;
  double alb_hour_usd = 0.0252 + 0.008;  // one ALB plus one LCU, per hour, shared by its requests
};

struct EcsTask {
  double vcpu, memory_gb;
};
// The ECS task sizes the measurements ran: 0.25/0.5, 0.5/1, 1/2, 1/2 (vCPU/GB).
EcsTask MeasuredTask(features::Workload w);
// The Lambda memory the measured functions were deployed with: 128, 256, 512, 512 MB (lightweight,
// thumbnail, medium, heavy; what their records log as memory_limit_mb).
double MeasuredLambdaMemoryMb(features::Workload w);

// One Lambda invocation: duration x memory x GB-second price + the request price, in the
// prototype's order of operations so results match it exactly.
double LambdaInvocationCostUsd(double duration_ms, double memory_mb, const Pricing& p = {});
// One ECS request pro rata: the task's hourly price at seed prices over the request's duration.
double EcsProratedSeedCostUsd(double duration_ms, EcsTask task, const Pricing& p = {});
// What Lambda bills for one invocation that ran `billed_ms`: the duration rounded up to the next
// 1 ms, times memory, at `gb_second_usd`, plus the request price.
double LambdaBilledUsd(double billed_ms, double memory_mb, double gb_second_usd,
                       const Pricing& p = {});
// What Fargate bills for a task alive `alive_s` seconds (from image pull to stop): per second,
// rounded up, with a one-minute minimum, at list prices.
double FargateTaskUsd(double alive_s, EcsTask task, const Pricing& p = {});
// A task-hour at seed prices (the audit) or at Fargate list prices (provisioned cost).
double TaskHourSeedUsd(EcsTask task, const Pricing& p = {});
double TaskHourFargateUsd(EcsTask task, const Pricing& p = {});

enum class CostModel { kSeedProrated, kSeedProratedDeployedMemory, kProvisioned };
inline constexpr std::array<CostModel, 3> kCostModels = {
    CostModel::kSeedProrated, CostModel::kSeedProratedDeployedMemory, CostModel::kProvisioned};
std::string_view Name(CostModel m);
std::optional<CostModel> ParseCostModel(std::string_view name);

// What provisioned ECS cost per request served, per workload: tasks x size x price x hours /
// requests (computed by the evaluation from the measurement runs).
struct Provisioned {
  std::array<double, features::kWorkloadCount> cost_per_request_usd{};
  std::array<double, features::kWorkloadCount> task_hours{};
  double alb_per_request_usd = 0;  // the load balancer's hours over the ECS requests it served
};

struct CostOptions {
  bool api_gateway = false;  // add the API Gateway fee to Lambda requests
  bool alb = false;          // add the load-balancer fee to ECS requests
};

// What one request used on the platform it ran on.
struct Usage {
  bool lambda;
  features::Workload workload;
  double execution_ms;
  double memory_used_mb;  // Lambda's logged memory (the deployed size)
};

// Cost of one request under `model`.
double CostUsd(const Usage& u, CostModel model, const Pricing& p, const Provisioned& prov,
               const CostOptions& options = {});

}  // namespace hr::cost
