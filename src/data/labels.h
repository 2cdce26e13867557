// The prototype's training labels, "seed-balanced", reproduced exactly (docs/design.md): per
// workload, over all records of both platforms, compare each record with the other platform's
// medians of execution time and pro-rated cost; 1 (Lambda) when Lambda is at least 10 % better on
// both. Its per-request cost is cost/'s seed-prorated-deployed-memory model. Units: USD, ms.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "data/record.h"

namespace hr::data {

inline constexpr std::string_view kSeedBalancedRule = "seed-balanced";

// The prototype's cost of one request on the platform it ran on: Lambda at the logged memory,
// ECS pro-rated per request over the task size at seed prices (cost::CostModel
// kSeedProratedDeployedMemory).
double SeedCostUsd(const Record& r);

// numpy.percentile / pandas.quantile(0.5) with linear interpolation; sorts `values`.
double Median(std::vector<double>& values);

struct WorkloadLabelStats {
  uint32_t total = 0;
  uint32_t lambda = 0;
  double lambda_median_exec_ms = 0, ecs_median_exec_ms = 0;
  double lambda_median_cost_usd = 0, ecs_median_cost_usd = 0;
};

struct Labels {
  std::vector<int8_t>
      label;  // per record: 1 Lambda, 0 ECS, -1 unlabelled (a workload lacking a platform)
  std::array<WorkloadLabelStats, features::kWorkloadCount> per_workload{};
  uint32_t total = 0;
  uint32_t lambda = 0;
};

Labels SeedBalancedLabels(std::span<const Record> records);

}  // namespace hr::data
