// Counterfactual replay (DESIGN.md "Evaluation method"): each held-out record is a request; a
// policy picks a platform for it; the outcome is a measured record of the same cell (workload,
// payload, time_window, load_pattern) on that platform, drawn with a seed, falling back to
// (workload, payload) and counting every fallback. All policies share the same draws (common
// random numbers), so their differences are not sampling noise. Pure computation.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "data/record.h"
#include "model/mlp.h"

namespace hr::eval {

using policy::Platform;

struct EvalItem {
  uint32_t record = 0;  // index into the records: the request and its cell
  features::Request request;
  uint16_t fold = 0;  // which model judges it (cross-validation)
};

// What a policy may look at: the request, and for hindsight bounds the outcome on each platform.
using Peek = std::function<const data::Record&(Platform)>;

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string name() const = 0;
  virtual Platform Choose(const EvalItem& item, const Peek& peek) = 0;
};

std::unique_ptr<Policy> LambdaOnly();
std::unique_ptr<Policy> EcsOnly();
std::unique_ptr<Policy> SeedHeuristic();
// One model per fold; item.fold selects it.
std::unique_ptr<Policy> ModelPolicy(std::vector<std::shared_ptr<const model::Model>> per_fold);
// Per cell, the platform with the better mean over all records: seed-prorated cost or response
// time.
std::unique_ptr<Policy> OracleCost(std::span<const data::Record> records, const cost::Pricing& p);
std::unique_ptr<Policy> OracleLatency(std::span<const data::Record> records);
// Per request, the platform whose drawn outcome answered faster: a bound no policy can beat.
std::unique_ptr<Policy> HindsightLatency();

struct Stat {
  double mean = 0;
  double ci95 = 0;  // half-width over the draws (1.96 standard errors)
};

struct PolicyResult {
  std::string policy;
  Stat lambda_share;
  std::array<Stat, features::kWorkloadCount> lambda_share_by_workload{};
  Stat response_mean, response_p50, response_p95, response_p99, execution_mean, cold_starts;
  std::array<Stat, 3> cost_per_million{};  // by cost::kCostModels
  // Against the better single platform for the metric (positive: the policy is better).
  double latency_savings = 0;
  std::array<double, 3> cost_savings{};
  // Against the oracle for the metric (positive: worse than the oracle).
  double latency_regret_ms = 0;
  std::array<double, 3> cost_regret_per_million{};
  // Share of the best-single-platform-to-oracle gap the policy closes.
  double latency_gap_closed = 0;
  double cost_gap_closed = 0;                // seed-prorated
  std::vector<double> response_percentiles;  // 0th..100th percentile of the first draw (CDF)
};

struct ReplayConfig {
  int draws = 5;
  uint64_t seed = 42;
  cost::Pricing pricing;
  cost::CostOptions cost_options;
  cost::Provisioned provisioned;
};

struct ReplayResult {
  std::vector<PolicyResult> policies;
  uint64_t items = 0;
  uint64_t draws_made = 0;        // items x policies x draws
  uint64_t fallbacks = 0;         // draws that used (workload, payload) instead of the full cell
  uint64_t coarse_fallbacks = 0;  // draws that had to use the workload alone
};

// Provisioned ECS from the data: for each workload, `tasks` tasks of `task` size (vCPU 0: the
// measured sizes) running `hours` (0: the measurement runs' total duration), at Fargate prices,
// over the ECS requests served; and one load balancer for the same hours over all ECS requests.
cost::Provisioned ProvisionedFromData(std::span<const data::Record> records, const cost::Pricing& p,
                                      int tasks = 1, double hours = 0, cost::EcsTask task = {0, 0});

ReplayResult Replay(std::span<const data::Record> records, std::span<const EvalItem> items,
                    std::vector<std::unique_ptr<Policy>>& policies, const ReplayConfig& config);

}  // namespace hr::eval
