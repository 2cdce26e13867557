#include "eval/replay.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "data/audit.h"
#include "eval/cells.h"

namespace hr::eval {

namespace {

struct Pools {
  std::unordered_map<uint64_t, std::array<std::vector<uint32_t>, 2>> fine, coarse;
  std::array<std::array<std::vector<uint32_t>, 2>, features::kWorkloadCount> by_workload;
};

Stat Summarise(const std::vector<double>& v) {
  Stat s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  if (v.size() > 1) {
    double sq = 0;
    for (double x : v) sq += (x - s.mean) * (x - s.mean);
    s.ci95 = 1.96 * std::sqrt(sq / static_cast<double>(v.size() - 1)) /
             std::sqrt(static_cast<double>(v.size()));
  }
  return s;
}

struct DrawMetrics {  // one policy, one draw
  double lambda_share = 0;
  std::array<double, features::kWorkloadCount> lambda_share_by_workload{};
  double response_mean = 0, p50 = 0, p95 = 0, p99 = 0, execution_mean = 0, cold = 0;
  std::array<double, 3> cost_per_million{};
  std::vector<double> percentiles;  // first draw only
};

const PolicyResult* Find(const std::vector<PolicyResult>& v, std::string_view name) {
  for (const auto& p : v) {
    if (p.policy == name) return &p;
  }
  return nullptr;
}

}  // namespace

cost::Provisioned ProvisionedFromData(std::span<const data::Record> records, const cost::Pricing& p,
                                      int tasks, double hours, cost::EcsTask task) {
  cost::Provisioned prov;
  // By default one task per service ran for every measurement run: the runs' summed duration.
  const double run_hours = hours > 0 ? hours : data::MeasuredRunHours(records);
  std::array<uint64_t, features::kWorkloadCount> served{};
  for (const auto& r : records) {
    if (r.platform == Platform::kEcs) ++served[static_cast<size_t>(r.workload)];
  }
  for (int w = 0; w < features::kWorkloadCount; ++w) {
    const cost::EcsTask t =
        task.vcpu > 0 ? task : cost::MeasuredTask(static_cast<features::Workload>(w));
    const auto i = static_cast<size_t>(w);
    prov.task_hours[i] = tasks * run_hours;
    const double usd = prov.task_hours[i] * cost::TaskHourFargateUsd(t, p);
    prov.cost_per_request_usd[i] = served[i] ? usd / static_cast<double>(served[i]) : 0;
  }
  uint64_t all = 0;
  for (uint64_t s : served) all += s;
  prov.alb_per_request_usd = all ? p.alb_hour_usd * run_hours / static_cast<double>(all) : 0;
  return prov;
}

ReplayResult Replay(std::span<const data::Record> records, std::span<const EvalItem> items,
                    std::vector<std::unique_ptr<Policy>>& policies, const ReplayConfig& cfg) {
  Pools pools;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const int p = r.platform == Platform::kLambda ? 0 : 1;
    pools.fine[CellKey(r)][p].push_back(static_cast<uint32_t>(i));
    pools.coarse[CoarseKey(r.workload, r.target_payload_kb)][p].push_back(static_cast<uint32_t>(i));
    pools.by_workload[static_cast<size_t>(r.workload)][p].push_back(static_cast<uint32_t>(i));
  }
  ReplayResult out;
  out.items = items.size();
  int draw = 0;
  uint64_t* fallbacks = nullptr;
  uint64_t* coarse_fallbacks = nullptr;
  // The measured outcome of `item` on `platform` in this draw: the same for every policy.
  auto outcome = [&](const EvalItem& item, Platform platform, bool count) -> const data::Record& {
    const int p = platform == Platform::kLambda ? 0 : 1;
    const std::vector<uint32_t>* pool = nullptr;
    auto fine = pools.fine.find(CellKey(item.request));
    if (fine != pools.fine.end() && !fine->second[static_cast<size_t>(p)].empty()) {
      pool = &fine->second[static_cast<size_t>(p)];
    } else {
      auto coarse = pools.coarse.find(CoarseKey(item.request.workload, item.request.payload_kb));
      if (coarse != pools.coarse.end() && !coarse->second[static_cast<size_t>(p)].empty()) {
        pool = &coarse->second[static_cast<size_t>(p)];
        if (count) ++*fallbacks;
      } else {
        pool =
            &pools.by_workload[static_cast<size_t>(item.request.workload)][static_cast<size_t>(p)];
        if (count) ++*coarse_fallbacks;
      }
    }
    if (pool->empty()) return records[item.record];  // no record of this workload there at all
    const uint64_t h =
        Mix(cfg.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(draw) * 1000003 +
            static_cast<uint64_t>(item.record) * 2 + static_cast<uint64_t>(p));
    return records[(*pool)[h % pool->size()]];
  };

  const size_t n_pol = policies.size();
  std::vector<std::vector<DrawMetrics>> per_policy(n_pol);
  std::vector<double> response(items.size());
  for (draw = 0; draw < cfg.draws; ++draw) {
    for (size_t pi = 0; pi < n_pol; ++pi) {
      Policy& pol = *policies[pi];
      fallbacks = &out.fallbacks;
      coarse_fallbacks = &out.coarse_fallbacks;
      DrawMetrics m;
      std::array<uint64_t, features::kWorkloadCount> lambda_w{}, total_w{};
      uint64_t lambda = 0;
      double exec = 0, cold = 0;
      std::array<double, 3> cost{};
      for (size_t k = 0; k < items.size(); ++k) {
        const EvalItem& item = items[k];
        const Peek peek = [&](Platform p) -> const data::Record& {
          return outcome(item, p, false);
        };
        const Platform choice = pol.Choose(item, peek);
        const data::Record& r = outcome(item, choice, true);
        const auto w = static_cast<size_t>(item.request.workload);
        ++total_w[w];
        if (choice == Platform::kLambda) {
          ++lambda;
          ++lambda_w[w];
          cold += r.cold_start == 1;
        }
        response[k] = r.response_time_ms;
        exec += r.execution_time_ms;
        for (size_t c = 0; c < cost::kCostModels.size(); ++c) {
          cost[c] += cost::CostUsd(data::UsageOf(r), cost::kCostModels[c], cfg.pricing,
                                   cfg.provisioned, cfg.cost_options);
        }
      }
      ++out.draws_made;
      const auto n = static_cast<double>(std::max<size_t>(items.size(), 1));
      m.lambda_share = static_cast<double>(lambda) / n;
      for (size_t w = 0; w < total_w.size(); ++w) {
        m.lambda_share_by_workload[w] =
            total_w[w] ? static_cast<double>(lambda_w[w]) / static_cast<double>(total_w[w]) : 0;
      }
      double sum = 0;
      for (double x : response) sum += x;
      m.response_mean = sum / n;
      std::vector<double> sorted = response;
      std::sort(sorted.begin(), sorted.end());
      if (!sorted.empty()) {
        m.p50 = data::Quantile(sorted, 0.50);
        m.p95 = data::Quantile(sorted, 0.95);
        m.p99 = data::Quantile(sorted, 0.99);
        if (draw == 0) {
          for (int q = 0; q <= 100; ++q) m.percentiles.push_back(data::Quantile(sorted, q / 100.0));
        }
      }
      m.execution_mean = exec / n;
      m.cold = cold;
      for (size_t c = 0; c < cost.size(); ++c) m.cost_per_million[c] = cost[c] / n * 1e6;
      per_policy[pi].push_back(m);
    }
  }
  out.draws_made *= items.size();

  for (size_t pi = 0; pi < n_pol; ++pi) {
    PolicyResult r;
    r.policy = policies[pi]->name();
    r.response_percentiles = per_policy[pi].front().percentiles;
    auto col = [&](auto get) {
      std::vector<double> v;
      for (const auto& m : per_policy[pi]) v.push_back(get(m));
      return Summarise(v);
    };
    r.lambda_share = col([](const DrawMetrics& m) { return m.lambda_share; });
    for (size_t w = 0; w < r.lambda_share_by_workload.size(); ++w) {
      r.lambda_share_by_workload[w] =
          col([w](const DrawMetrics& m) { return m.lambda_share_by_workload[w]; });
    }
    r.response_mean = col([](const DrawMetrics& m) { return m.response_mean; });
    r.response_p50 = col([](const DrawMetrics& m) { return m.p50; });
    r.response_p95 = col([](const DrawMetrics& m) { return m.p95; });
    r.response_p99 = col([](const DrawMetrics& m) { return m.p99; });
    r.execution_mean = col([](const DrawMetrics& m) { return m.execution_mean; });
    r.cold_starts = col([](const DrawMetrics& m) { return m.cold; });
    for (size_t c = 0; c < 3; ++c) {
      r.cost_per_million[c] = col([c](const DrawMetrics& m) { return m.cost_per_million[c]; });
    }
    out.policies.push_back(std::move(r));
  }

  // Comparisons with the best single platform and with the oracles.
  const PolicyResult* lam = Find(out.policies, "lambda-only");
  const PolicyResult* ecs = Find(out.policies, "ecs-only");
  const PolicyResult* o_lat = Find(out.policies, "oracle-latency");
  const PolicyResult* o_cost = Find(out.policies, "oracle-cost");
  for (auto& r : out.policies) {
    if (lam && ecs) {
      const double best_latency = std::min(lam->response_mean.mean, ecs->response_mean.mean);
      r.latency_savings = (best_latency - r.response_mean.mean) / best_latency;
      for (size_t c = 0; c < 3; ++c) {
        const double best = std::min(lam->cost_per_million[c].mean, ecs->cost_per_million[c].mean);
        r.cost_savings[c] = best > 0 ? (best - r.cost_per_million[c].mean) / best : 0;
      }
      if (o_lat) {
        r.latency_regret_ms = r.response_mean.mean - o_lat->response_mean.mean;
        const double gap = best_latency - o_lat->response_mean.mean;
        r.latency_gap_closed = gap != 0 ? (best_latency - r.response_mean.mean) / gap : 0;
      }
      if (o_cost) {
        for (size_t c = 0; c < 3; ++c) {
          r.cost_regret_per_million[c] =
              r.cost_per_million[c].mean - o_cost->cost_per_million[c].mean;
        }
        const double best = std::min(lam->cost_per_million[0].mean, ecs->cost_per_million[0].mean);
        const double gap = best - o_cost->cost_per_million[0].mean;
        r.cost_gap_closed = gap != 0 ? (best - r.cost_per_million[0].mean) / gap : 0;
      }
    }
  }
  return out;
}

}  // namespace hr::eval
