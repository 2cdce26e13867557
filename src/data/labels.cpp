#include "data/labels.h"

#include <algorithm>
#include <cmath>

namespace hr::data {

namespace {

constexpr double kMargin = 0.10;

}  // namespace

double SeedCostUsd(const Record& r) {
  return cost::CostUsd(UsageOf(r), cost::CostModel::kSeedProratedDeployedMemory, {}, {});
}

double Median(std::vector<double>& v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = 0.5 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const double t = pos - static_cast<double>(lo);
  if (t == 0.0) return v[lo];
  const double a = v[lo], b = v[lo + 1];
  // numpy's _lerp: from the upper end when t >= 0.5, for the same rounding.
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

Labels SeedBalancedLabels(std::span<const Record> records) {
  Labels out;
  out.label.assign(records.size(), -1);
  std::vector<double> cost(records.size());
  for (size_t i = 0; i < records.size(); ++i) cost[i] = SeedCostUsd(records[i]);

  for (int w = 0; w < features::kWorkloadCount; ++w) {
    std::vector<double> l_exec, l_cost, e_exec, e_cost;
    for (size_t i = 0; i < records.size(); ++i) {
      if (static_cast<int>(records[i].workload) != w) continue;
      const bool lambda = records[i].platform == features::Platform::kLambda;
      (lambda ? l_exec : e_exec).push_back(records[i].execution_time_ms);
      (lambda ? l_cost : e_cost).push_back(cost[i]);
    }
    if (l_exec.empty() || e_exec.empty()) continue;  // nothing to compare with: unlabelled
    WorkloadLabelStats& s = out.per_workload[static_cast<size_t>(w)];
    s.lambda_median_exec_ms = Median(l_exec);
    s.lambda_median_cost_usd = Median(l_cost);
    s.ecs_median_exec_ms = Median(e_exec);
    s.ecs_median_cost_usd = Median(e_cost);
    for (size_t i = 0; i < records.size(); ++i) {
      const Record& r = records[i];
      if (static_cast<int>(r.workload) != w) continue;
      bool faster, cheaper;
      if (r.platform == features::Platform::kLambda) {
        faster = r.execution_time_ms < s.ecs_median_exec_ms * (1 - kMargin);
        cheaper = cost[i] < s.ecs_median_cost_usd * (1 - kMargin);
      } else {
        faster = s.lambda_median_exec_ms < r.execution_time_ms * (1 - kMargin);
        cheaper = s.lambda_median_cost_usd < cost[i] * (1 - kMargin);
      }
      out.label[i] = faster && cheaper ? 1 : 0;
      ++s.total;
      s.lambda += out.label[i];
    }
    out.total += s.total;
    out.lambda += s.lambda;
  }
  return out;
}

}  // namespace hr::data
