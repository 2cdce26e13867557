#include "train/outcome_tables.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>
#include <vector>

#include "data/audit.h"
#include "data/measured_sizes.h"
#include "json/json_writer.h"
#include "policy/decision.h"

namespace hr::train {

namespace {

// Six significant digits: far finer than the measurements' own spread, and a model file about half
// the size (it is parsed at every start-up, the Lambda bootstrap's too).
double Round(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return std::strtod(text, nullptr);
}

void Round(outcome::Stats& s) {
  s.response_mean_ms = Round(s.response_mean_ms);
  s.response_sd_ms = Round(s.response_sd_ms);
  for (double& q : s.response_quantiles_ms) q = Round(q);
  s.execution_mean_ms = Round(s.execution_mean_ms);
  s.cold_start_share = Round(s.cold_start_share);
  for (double& c : s.cost_mean_usd) c = Round(c);
  for (double& c : s.cost_sd_usd) c = Round(c);
}

struct Key {
  int workload = 0;
  double payload = -1;   // -1: workload level
  int tw = -1, lp = -1;  // -1: coarser level
  bool operator<(const Key& o) const {
    return std::tie(workload, payload, tw, lp) < std::tie(o.workload, o.payload, o.tw, o.lp);
  }
};

struct Acc {
  std::vector<double> response;
  double response_sum = 0, response_sq = 0, execution_sum = 0;
  uint64_t cold = 0, cold_known = 0;
  std::array<double, outcome::kCostModelCount> cost_sum{}, cost_sq{};

  void Add(const data::Record& r, const std::array<double, outcome::kCostModelCount>& cost) {
    response.push_back(r.response_time_ms);
    response_sum += r.response_time_ms;
    response_sq += r.response_time_ms * r.response_time_ms;
    execution_sum += r.execution_time_ms;
    if (r.cold_start >= 0) {
      ++cold_known;
      cold += r.cold_start == 1;
    }
    for (size_t c = 0; c < cost.size(); ++c) {
      cost_sum[c] += cost[c];
      cost_sq[c] += cost[c] * cost[c];
    }
  }

  outcome::Stats Finish() {
    outcome::Stats s;
    const auto n = static_cast<double>(response.size());
    s.n = n;
    s.response_mean_ms = response_sum / n;
    s.response_sd_ms =
        std::sqrt(std::max(0.0, response_sq / n - s.response_mean_ms * s.response_mean_ms));
    std::sort(response.begin(), response.end());
    for (size_t i = 0; i < outcome::kQuantiles; ++i)
      s.response_quantiles_ms[i] = data::Quantile(response, outcome::kQuantileLevels[i]);
    s.execution_mean_ms = execution_sum / n;
    s.cold_start_share =
        cold_known ? static_cast<double>(cold) / static_cast<double>(cold_known) : 0;
    for (size_t c = 0; c < s.cost_mean_usd.size(); ++c) {
      s.cost_mean_usd[c] = cost_sum[c] / n;
      s.cost_sd_usd[c] =
          std::sqrt(std::max(0.0, cost_sq[c] / n - s.cost_mean_usd[c] * s.cost_mean_usd[c]));
    }
    return s;
  }
};

// p-quantile of values with weights (sorted by value), linear within the cumulative weight.
double WeightedQuantile(std::vector<std::pair<double, double>>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  double total = 0;
  for (const auto& [x, w] : v) total += w;
  double seen = 0;
  for (const auto& [x, w] : v) {
    seen += w;
    if (seen >= p * total) return x;
  }
  return v.back().first;
}

std::string CostParametersJson(const OutcomeConfig& cfg) {
  json::Buffer buf;
  json::Writer w(buf);
  w.StartObject();
  const cost::Pricing& p = cfg.pricing;
  const std::pair<const char*, double> prices[] = {
      {"lambda_request_usd", p.lambda_request_usd},
      {"lambda_gb_second_usd", p.lambda_gb_second_usd},
      {"fargate_vcpu_hour_usd", p.fargate_vcpu_hour_usd},
      {"fargate_gb_hour_usd", p.fargate_gb_hour_usd},
      {"seed_vcpu_hour_usd", p.seed_vcpu_hour_usd},
      {"seed_gb_hour_usd", p.seed_gb_hour_usd}};
  for (const auto& [k, v] : prices) {
    json::Key(w, k);
    w.Double(v);
  }
  json::Key(w, "provisioned_ecs_usd_per_request");
  w.StartObject();
  for (int k = 0; k < features::kWorkloadCount; ++k) {
    json::Key(w, features::Name(static_cast<features::Workload>(k)));
    w.Double(cfg.provisioned.cost_per_request_usd[static_cast<size_t>(k)]);
  }
  w.EndObject();
  json::Key(w, "provisioned_task_hours");
  w.StartObject();
  for (int k = 0; k < features::kWorkloadCount; ++k) {
    json::Key(w, features::Name(static_cast<features::Workload>(k)));
    w.Double(cfg.provisioned.task_hours[static_cast<size_t>(k)]);
  }
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

outcome::OutcomeSpec LearnOutcomes(std::span<const data::Record> records,
                                   std::span<const uint32_t> rows, const OutcomeConfig& cfg) {
  // Cells are keyed by the measured size each record's payload belongs to: a router log's body
  // sizes (1,024.3 KB) land in their nominal size's cell, not in cells of one record each.
  const features::PayloadSizes sizes = data::MeasuredPayloadSizes(records, rows);
  std::map<Key, std::array<Acc, 2>> acc;
  for (uint32_t i : rows) {
    const data::Record& r = records[i];
    const double payload = sizes.Of(r.workload, r.target_payload_kb);
    const size_t p = r.platform == policy::Platform::kLambda ? 0 : 1;
    std::array<double, outcome::kCostModelCount> cost{};
    for (size_t c = 0; c < cost.size(); ++c)
      cost[c] = cost::CostUsd(data::UsageOf(r), cost::kCostModels[c], cfg.pricing, cfg.provisioned);
    const int w = static_cast<int>(r.workload);
    acc[{w, -1, -1, -1}][p].Add(r, cost);
    acc[{w, payload, -1, -1}][p].Add(r, cost);
    if (r.time_window && r.load_pattern) {
      acc[{w, payload, static_cast<int>(*r.time_window), static_cast<int>(*r.load_pattern)}][p].Add(
          r, cost);
    }
  }
  outcome::OutcomeSpec spec;
  spec.learner = "cell-means";
  spec.shrinkage = cfg.shrinkage;
  spec.cost_parameters_json = CostParametersJson(cfg);

  // The default SLO: each platform's response distribution over these requests, where a request
  // sees its full cell's records on the platform (its (workload, payload) cell when the full one
  // has none there); the lower of the two p95s.
  std::array<std::vector<std::pair<double, double>>, 2> fleet;
  std::map<Key, uint64_t> requests;
  for (uint32_t i : rows) {
    const data::Record& r = records[i];
    Key k{static_cast<int>(r.workload), sizes.Of(r.workload, r.target_payload_kb), -1, -1};
    if (r.time_window && r.load_pattern)
      k = {k.workload, k.payload, static_cast<int>(*r.time_window),
           static_cast<int>(*r.load_pattern)};
    ++requests[k];
  }
  for (const auto& [k, n] : requests) {
    for (size_t p = 0; p < 2; ++p) {
      const Acc* a = &acc[k][p];
      if (a->response.empty()) a = &acc[{k.workload, k.payload, -1, -1}][p];
      if (a->response.empty()) a = &acc[{k.workload, -1, -1, -1}][p];
      const double weight =
          static_cast<double>(n) / static_cast<double>(std::max<size_t>(a->response.size(), 1));
      for (double x : a->response) fleet[p].push_back({x, weight});
    }
  }
  const double p95_lambda = WeightedQuantile(fleet[0], 0.95);
  const double p95_ecs = WeightedQuantile(fleet[1], 0.95);
  spec.default_slo_ms = Round(std::max(1.0, std::min(p95_lambda, p95_ecs)));

  for (auto& [k, both] : acc) {
    outcome::Cell cell;
    cell.workload = static_cast<features::Workload>(k.workload);
    if (k.payload >= 0) cell.payload_kb = k.payload;
    if (k.tw >= 0) {
      cell.time_window = static_cast<features::TimeWindow>(k.tw);
      cell.load_pattern = static_cast<features::LoadPattern>(k.lp);
    }
    for (size_t p = 0; p < 2; ++p) {
      if (both[p].response.empty()) continue;
      cell.platform[p] = both[p].Finish();
      Round(*cell.platform[p]);
    }
    if (cell.platform[0] || cell.platform[1]) spec.cells.push_back(cell);
  }
  return spec;
}

}  // namespace hr::train
