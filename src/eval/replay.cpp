#include "eval/replay.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
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

size_t IndexOf(const std::vector<PolicyResult>& v, std::string_view name) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i].policy == name) return i;
  }
  return v.size();
}

double ValueOf(const DrawMetrics& m, const ScoredObjective& o) {
  switch (o.metric) {
    case ScoredObjective::Metric::kResponseMean:
      return m.response_mean;
    case ScoredObjective::Metric::kResponseP95:
      return m.p95;
    case ScoredObjective::Metric::kCost:
      return m.cost_per_million[o.cost_model];
    case ScoredObjective::Metric::kBalanced:
      // Per 1M requests: cost plus the value of each request's response time.
      return m.cost_per_million[o.cost_model] + o.value_of_time * m.response_mean / 1000 * 1e6;
  }
  return 0;
}

// Scores every policy on `o` against the single platforms and o's oracle, draw by draw.
void Score(const ScoredObjective& o, const std::vector<std::vector<DrawMetrics>>& draws,
           std::vector<PolicyResult>& policies) {
  const size_t lam = IndexOf(policies, "lambda-only");
  const size_t ecs = IndexOf(policies, "ecs-only");
  const size_t oracle = IndexOf(policies, o.oracle);
  auto values = [&](size_t pi) {
    std::vector<double> v;
    for (const auto& m : draws[pi]) v.push_back(ValueOf(m, o));
    return v;
  };
  std::vector<double> best;  // the better single platform (by mean), draw by draw
  double best_mean = 0;
  if (lam < policies.size() && ecs < policies.size()) {
    const auto l = values(lam), e = values(ecs);
    const Stat sl = Summarise(l), se = Summarise(e);
    best = sl.mean <= se.mean ? l : e;
    best_mean = std::min(sl.mean, se.mean);
  }
  const double oracle_mean = oracle < policies.size() ? Summarise(values(oracle)).mean : 0;
  for (size_t pi = 0; pi < policies.size(); ++pi) {
    ObjectiveScore sc;
    sc.objective = o.name;
    const auto v = values(pi);
    sc.value = Summarise(v);
    if (!best.empty()) {
      std::vector<double> diff;
      for (size_t d = 0; d < v.size() && d < best.size(); ++d) diff.push_back(best[d] - v[d]);
      sc.saving = Summarise(diff);
      sc.saving_share = best_mean != 0 ? sc.saving.mean / best_mean : 0;
      if (oracle < policies.size()) {
        sc.regret = sc.value.mean - oracle_mean;
        const double gap = best_mean - oracle_mean;
        if (gap > 0.01 * std::abs(best_mean)) sc.gap_closed = (best_mean - sc.value.mean) / gap;
      }
    }
    policies[pi].scores.push_back(std::move(sc));
  }
}

}  // namespace

ReplayResult Replay(std::span<const data::Record> records, std::span<const EvalItem> items,
                    std::vector<std::unique_ptr<Policy>>& policies, const ReplayConfig& cfg) {
  Pools pools;
  const CellKeys keys(records);
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const int p = r.platform == Platform::kLambda ? 0 : 1;
    pools.fine[keys.Cell(r)][p].push_back(static_cast<uint32_t>(i));
    pools.coarse[keys.Coarse(r.workload, r.target_payload_kb)][p].push_back(
        static_cast<uint32_t>(i));
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
    const auto fine = pools.fine.find(keys.Cell(item.request));
    const auto coarse =
        pools.coarse.find(keys.Coarse(item.request.workload, item.request.payload_kb));
    const auto& workload = pools.by_workload[static_cast<size_t>(item.request.workload)];
    const auto at = [&](Level l) -> const std::vector<uint32_t>* {
      switch (l) {
        case Level::kCell:
          return fine == pools.fine.end() ? nullptr : &fine->second[static_cast<size_t>(p)];
        case Level::kPayload:
          return coarse == pools.coarse.end() ? nullptr : &coarse->second[static_cast<size_t>(p)];
        case Level::kWorkload:
        case Level::kNone:
          break;
      }
      return &workload[static_cast<size_t>(p)];
    };
    const Level level = FallbackLevel([&](Level l) { return at(l) && !at(l)->empty(); });
    const std::vector<uint32_t>* pool = at(level);
    if (count && level == Level::kPayload) ++*fallbacks;
    if (count && (level == Level::kWorkload || level == Level::kNone)) ++*coarse_fallbacks;
    if (pool->empty()) return records[item.record];  // no record of this workload there at all
    const uint64_t h =
        Mix64(cfg.seed * 0x9e3779b97f4a7c15ull + static_cast<uint64_t>(draw) * 1000003 +
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
    r.in_sample = policies[pi]->in_sample();
    r.bound = policies[pi]->bound();
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

  for (const auto& o : cfg.objectives.empty() ? DefaultObjectives() : cfg.objectives)
    Score(o, per_policy, out.policies);

  // Comparisons with the best single platform and with the oracles.
  const PolicyResult* lam = Find(out.policies, "lambda-only");
  const PolicyResult* ecs = Find(out.policies, "ecs-only");
  const PolicyResult* o_lat = Find(out.policies, "oracle-latency");
  const PolicyResult* o_cost = Find(out.policies, "oracle-cost");
  // Each cost model's regret is against its own oracle.
  const std::array<const PolicyResult*, 3> o_costs = {
      o_cost, Find(out.policies, "oracle-cost:seed-prorated-deployed-memory"),
      Find(out.policies, "oracle-cost:provisioned")};
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
      for (size_t c = 0; c < 3; ++c) {
        if (o_costs[c]) {
          r.cost_regret_per_million[c] =
              r.cost_per_million[c].mean - o_costs[c]->cost_per_million[c].mean;
        }
      }
      if (o_cost) {
        const double best = std::min(lam->cost_per_million[0].mean, ecs->cost_per_million[0].mean);
        const double gap = best - o_cost->cost_per_million[0].mean;
        r.cost_gap_closed = gap != 0 ? (best - r.cost_per_million[0].mean) / gap : 0;
      }
    }
  }
  return out;
}

std::vector<ScoredObjective> DefaultObjectives() {
  using M = ScoredObjective::Metric;
  std::vector<ScoredObjective> v;
  v.push_back({"latency", "oracle-latency", M::kResponseMean, 0, 0});
  v.push_back({"p95", "oracle-p95", M::kResponseP95, 0, 0});
  for (size_t c = 0; c < cost::kCostModels.size(); ++c) {
    const std::string cm(cost::Name(cost::kCostModels[c]));
    v.push_back({"cost:" + cm, c == 0 ? "oracle-cost" : "oracle-cost:" + cm, M::kCost, c, 0});
  }
  for (size_t c = 0; c < cost::kCostModels.size(); ++c) {
    for (double vot : kValuesOfTime) {
      char value[32];
      std::snprintf(value, sizeof value, "%g", vot);
      const std::string name =
          "balanced:" + std::string(cost::Name(cost::kCostModels[c])) + ":" + value;
      v.push_back({name, "oracle-" + name, M::kBalanced, c, vot});
    }
  }
  return v;
}

const PolicyResult* FindPolicy(const ReplayResult& r, std::string_view name) {
  return Find(r.policies, name);
}

const ObjectiveScore* PolicyResult::Score(std::string_view objective) const {
  for (const auto& s : scores) {
    if (s.objective == objective) return &s;
  }
  return nullptr;
}

}  // namespace hr::eval
