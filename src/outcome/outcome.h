// Outcome models: what a request should expect on each platform (response time mean, sd and
// quantiles, execution time, cold-start probability, cost under each cost model), from tables of
// measured cell statistics. A cell is (workload, payload, time_window, load_pattern); its estimate
// is shrunk toward the (workload, payload) cell, which is shrunk toward the workload's, by a
// pseudo-count (`shrinkage`), so a thin cell borrows from its parent. The payloads are the measured
// sizes train grouped the records' sizes into (features/payload_size.h); a payload between two is
// interpolated in log(1 + KB); beyond them the nearest size answers (features::NearestSize).
// Immutable after Create(); Estimate allocates nothing. Pure: no I/O, no JSON (modelfile/ writes
// and reads the tables; train/ learns them).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "cost/cost.h"
#include "features/request.h"

namespace hr::outcome {

// Response-time quantile levels every table stores (finer in the tail, where the p95 objective
// looks).
inline constexpr std::array<double, 17> kQuantileLevels = {
    0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 1};
inline constexpr size_t kQuantiles = kQuantileLevels.size();
inline constexpr size_t kCostModelCount = cost::kCostModels.size();

// Measured outcomes of one platform in one cell (or, after shrinkage, its estimate).
struct Stats {
  double n = 0;  // records (after shrinkage: effective records)
  double response_mean_ms = 0;
  double response_sd_ms = 0;
  std::array<double, kQuantiles> response_quantiles_ms{};
  double execution_mean_ms = 0;
  double cold_start_share = 0;  // Lambda records that started cold; 0 on ECS
  std::array<double, kCostModelCount> cost_mean_usd{};  // by cost::kCostModels
  std::array<double, kCostModelCount> cost_sd_usd{};
};

// One row of the tables. Levels: workload (no payload), (workload, payload) (no time window or
// load pattern), and the full cell.
struct Cell {
  features::Workload workload = features::Workload::kLightweightApi;
  std::optional<double> payload_kb;
  std::optional<features::TimeWindow> time_window;  // both set, or neither
  std::optional<features::LoadPattern> load_pattern;
  std::array<std::optional<Stats>, 2> platform;  // [lambda, ecs]; absent: no record there
};

struct OutcomeSpec {
  std::string learner = "cell-means";  // how the tables were made, for people
  double shrinkage = 0;                // pseudo-count toward the parent cell, >= 0
  double default_slo_ms = 0;           // the p95 objective's SLO when a request names none
  // The prices and provisioned charges the costs were computed with, as a JSON object (kept
  // verbatim for the model file; decisions use the tabled costs).
  std::string cost_parameters_json = "{}";
  std::vector<Cell> cells;
};

// One platform's expectation for one request.
using Estimate = Stats;

class OutcomeModel {
 public:
  // Validates: each workload with rows has both platforms at the workload level (a workload the
  // training data lacked has no row at all, and at least one has rows), payloads are finite and
  // unique per workload, every full cell has its (workload, payload) parent, numbers are finite
  // and >= 0, quantiles ascend, shares are in [0, 1].
  static core::Result<std::shared_ptr<const OutcomeModel>> Create(OutcomeSpec spec);

  // Whether the tables have rows for `w` (Estimate answers zeros for a workload they lack: ask
  // first, and decide by other means).
  bool Covers(features::Workload w) const { return covers_[static_cast<size_t>(w)]; }

  // Expectations on [lambda, ecs] for a request. No allocation; thread-safe.
  void Estimate(const features::Request& req, std::array<outcome::Estimate, 2>& out) const;

  const OutcomeSpec& spec() const { return spec_; }

 private:
  explicit OutcomeModel(OutcomeSpec spec) : spec_(std::move(spec)) {}
  void Build();
  static constexpr size_t kContexts =
      static_cast<size_t>(features::kTimeWindowCount) * features::kLoadPatternCount;
  struct PerWorkload {
    std::vector<double> payloads;      // ascending
    std::vector<double> log_payloads;  // log1p of each
    // [payload][context][platform], shrunk estimates
    std::vector<std::array<std::array<Stats, 2>, kContexts>> table;
  };
  OutcomeSpec spec_;
  std::array<bool, features::kWorkloadCount> covers_{};
  std::array<PerWorkload, features::kWorkloadCount> by_workload_;
};

// Probability that a response exceeds `slo_ms`, read off the estimate's quantiles.
double ExceedProbability(const Estimate& e, double slo_ms);

// (n * cell + k * parent) / (n + k), field by field; the effective count is n + k.
Stats Shrink(const Stats& cell, const Stats& parent, double k);

}  // namespace hr::outcome
