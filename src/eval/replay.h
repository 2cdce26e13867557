// Counterfactual replay (docs/design.md "Evaluation method"): each held-out record is a request; a
// policy picks a platform for it; the outcome is a measured record of the same cell (workload,
// payload, time_window, load_pattern) on that platform, drawn with a seed, falling back to
// (workload, payload) and counting every fallback. All policies share the same draws (common
// random numbers), so their differences are not sampling noise. Pure computation.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "data/record.h"
#include "model/mlp.h"
#include "policy/objective.h"

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
  virtual bool in_sample() const { return false; }  // chose with every record (oracles)
  virtual bool bound() const { return false; }      // unattainable (hindsight)
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

// An objective the evaluation scores every policy on, against that objective's own oracle.
struct ScoredObjective {
  std::string name;    // "latency", "p95", "cost:<cost-model>", "balanced:<cost-model>:<value>"
  std::string oracle;  // the policy that is its in-sample oracle
  enum class Metric { kResponseMean, kResponseP95, kCost, kBalanced } metric;
  size_t cost_model = 0;     // index into cost::kCostModels (cost, balanced)
  double value_of_time = 0;  // USD per second of response time (balanced)
};

// One policy on one objective. Values are per request (ms) or per 1M requests (USD).
struct ObjectiveScore {
  std::string objective;
  Stat value;
  // Against the better single platform on this objective, paired draw by draw (positive: the
  // policy is better).
  Stat saving;
  double saving_share = 0;  // saving / the better single platform's value
  double regret = 0;        // value - the oracle's value (positive: worse than the oracle)
  // (best single - value) / (best single - oracle); empty when that gap is under 1 % of the
  // objective's value (nothing to close).
  std::optional<double> gap_closed;
};

struct PolicyResult {
  std::string policy;
  bool in_sample = false;  // an oracle: it chose with every record, the judged ones included
  bool bound = false;      // not attainable by any policy (hindsight)
  std::vector<ObjectiveScore> scores;  // one per ReplayConfig::objectives
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
  double cost_gap_closed = 0;  // seed-prorated
  const ObjectiveScore* Score(std::string_view objective) const;
  std::vector<double> response_percentiles;  // 0th..100th percentile of the first draw (CDF)
};

struct ReplayConfig {
  int draws = 5;
  uint64_t seed = 42;
  cost::Pricing pricing;
  cost::CostOptions cost_options;
  cost::Provisioned provisioned;
  std::vector<ScoredObjective> objectives;  // empty: DefaultObjectives()
};

// latency, p95, cost under each cost model, balanced under each cost model at 1e-7, 1e-6, 1e-5 and
// 1e-4 USD per second; oracles named as Evaluate names them.
std::vector<ScoredObjective> DefaultObjectives();
inline constexpr std::array<double, 4> kValuesOfTime = {1e-7, 1e-6, 1e-5, 1e-4};

// What one measured record scores on an objective (lower is better): response time, whether it
// exceeded `slo_ms` (p95), its cost, or cost plus the value of its response time.
std::function<double(const data::Record&)> RecordValue(const ScoredObjective& o,
                                                       const ReplayConfig& cfg, double slo_ms);
// One model per fold, deciding for `objective` with its outcome tables: "objective:<label>".
std::unique_ptr<Policy> ObjectivePolicy(std::vector<std::shared_ptr<const model::Model>> per_fold,
                                        const policy::Objective& objective);
// o's in-sample oracle (named o.oracle): per cell, the platform with the lower mean of
// RecordValue over every record.
std::unique_ptr<Policy> OracleFor(const ScoredObjective& o, std::span<const data::Record> records,
                                  const ReplayConfig& cfg, double slo_ms);
// The same rule out of sample, "cell-means:<objective>": per fold, cell means over the records of
// the other folds' items only.
std::unique_ptr<Policy> CellMeansFor(const ScoredObjective& o,
                                     std::span<const data::Record> records,
                                     std::span<const EvalItem> items, int folds,
                                     const ReplayConfig& cfg, double slo_ms);

struct ReplayResult {
  std::vector<PolicyResult> policies;
  uint64_t items = 0;
  uint64_t draws_made = 0;        // items x policies x draws
  uint64_t fallbacks = 0;         // draws that used (workload, payload) instead of the full cell
  uint64_t coarse_fallbacks = 0;  // draws that had to use the workload alone
};

// The policy named `name` in a result, or nullptr.
const PolicyResult* FindPolicy(const ReplayResult& r, std::string_view name);

ReplayResult Replay(std::span<const data::Record> records, std::span<const EvalItem> items,
                    std::vector<std::unique_ptr<Policy>>& policies, const ReplayConfig& config);

}  // namespace hr::eval
