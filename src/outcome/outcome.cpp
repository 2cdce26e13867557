#include "outcome/outcome.h"

#include <algorithm>
#include <cmath>

#include "features/payload_size.h"

namespace hr::outcome {

namespace {

using core::ErrorCode;
using core::MakeError;

core::Error Invalid(const std::string& what) {
  return MakeError(ErrorCode::kInvalidModel, "outcome tables: " + what, "outcomes");
}

bool Finite(double v) { return std::isfinite(v) && v >= 0; }

core::Status Check(const Stats& s, const std::string& where) {
  bool ok = Finite(s.n) && s.n >= 1 && Finite(s.response_mean_ms) && Finite(s.response_sd_ms) &&
            Finite(s.execution_mean_ms) && s.cold_start_share >= 0 && s.cold_start_share <= 1;
  for (size_t i = 0; ok && i < kQuantiles; ++i) {
    ok = Finite(s.response_quantiles_ms[i]) &&
         (i == 0 || s.response_quantiles_ms[i] >= s.response_quantiles_ms[i - 1]);
  }
  for (size_t c = 0; ok && c < kCostModelCount; ++c)
    ok = Finite(s.cost_mean_usd[c]) && Finite(s.cost_sd_usd[c]);
  if (!ok) {
    return Invalid(where +
                   ": counts must be >= 1, numbers finite and >= 0, quantiles ascending, "
                   "shares 0 to 1");
  }
  return {};
}

size_t Context(features::TimeWindow t, features::LoadPattern l) {
  return static_cast<size_t>(t) * features::kLoadPatternCount + static_cast<size_t>(l);
}

// Second moment about zero, to blend variances.
double Moment(double mean, double sd) { return sd * sd + mean * mean; }

Stats Blend(const Stats& a, const Stats& b, double wa, double wb) {
  Stats s;
  const double w = wa + wb;
  auto mix = [&](double x, double y) { return (wa * x + wb * y) / w; };
  s.n = a.n * wa / w + b.n * wb / w;
  s.response_mean_ms = mix(a.response_mean_ms, b.response_mean_ms);
  s.response_sd_ms = std::sqrt(std::max(0.0, mix(Moment(a.response_mean_ms, a.response_sd_ms),
                                                 Moment(b.response_mean_ms, b.response_sd_ms)) -
                                                 s.response_mean_ms * s.response_mean_ms));
  for (size_t i = 0; i < kQuantiles; ++i)
    s.response_quantiles_ms[i] = mix(a.response_quantiles_ms[i], b.response_quantiles_ms[i]);
  s.execution_mean_ms = mix(a.execution_mean_ms, b.execution_mean_ms);
  s.cold_start_share = mix(a.cold_start_share, b.cold_start_share);
  for (size_t c = 0; c < kCostModelCount; ++c) {
    s.cost_mean_usd[c] = mix(a.cost_mean_usd[c], b.cost_mean_usd[c]);
    s.cost_sd_usd[c] = std::sqrt(std::max(0.0, mix(Moment(a.cost_mean_usd[c], a.cost_sd_usd[c]),
                                                   Moment(b.cost_mean_usd[c], b.cost_sd_usd[c])) -
                                                   s.cost_mean_usd[c] * s.cost_mean_usd[c]));
  }
  return s;
}

}  // namespace

Stats Shrink(const Stats& cell, const Stats& parent, double k) {
  if (k <= 0) return cell;
  Stats s = Blend(cell, parent, cell.n, k);
  s.n = cell.n + k;
  return s;
}

double ExceedProbability(const Estimate& e, double slo_ms) {
  const auto& q = e.response_quantiles_ms;
  if (slo_ms < q.front()) return 1;
  if (slo_ms >= q.back()) return 0;
  // The last level whose quantile is <= slo; the CDF is linear between quantiles.
  size_t i = 0;
  while (i + 1 < kQuantiles && q[i + 1] <= slo_ms) ++i;
  const double span = q[i + 1] - q[i];
  const double f = span > 0 ? (slo_ms - q[i]) / span : 0;
  const double cdf = kQuantileLevels[i] + f * (kQuantileLevels[i + 1] - kQuantileLevels[i]);
  return 1 - cdf;
}

core::Result<std::shared_ptr<const OutcomeModel>> OutcomeModel::Create(OutcomeSpec spec) {
  if (!(spec.shrinkage >= 0 && spec.shrinkage <= 1e6)) return Invalid("shrinkage must be 0 to 1e6");
  if (!(spec.default_slo_ms > 0 && std::isfinite(spec.default_slo_ms)))
    return Invalid("default_slo_ms must be a positive number");
  std::array<bool, features::kWorkloadCount> whole{};
  for (size_t i = 0; i < spec.cells.size(); ++i) {
    const Cell& c = spec.cells[i];
    const std::string where = "cells[" + std::to_string(i) + "]";
    if (c.time_window.has_value() != c.load_pattern.has_value())
      return Invalid(where + ": time_window and load_pattern come together");
    if (c.time_window && !c.payload_kb) return Invalid(where + ": a full cell needs a payload");
    if (c.payload_kb && !(std::isfinite(*c.payload_kb) && *c.payload_kb >= 0 &&
                          *c.payload_kb <= features::kMaxPayloadKb))
      return Invalid(where + ": payload_size_kb out of range");
    for (size_t p = 0; p < 2; ++p) {
      if (c.platform[p]) {
        if (auto s = Check(*c.platform[p], where + (p ? ".ecs" : ".lambda")); !s) return s.error();
      }
    }
    if (!c.payload_kb) {
      auto& seen = whole[static_cast<size_t>(c.workload)];
      if (seen) return Invalid(where + ": a workload's row appears twice");
      if (!c.platform[0] || !c.platform[1])
        return Invalid(where + ": a workload's row needs both platforms");
      seen = true;
    }
  }
  for (const Cell& c : spec.cells) {
    if (!whole[static_cast<size_t>(c.workload)])
      return Invalid("rows of workload " + std::string(features::Name(c.workload)) +
                     " without its workload row");
  }
  if (std::none_of(whole.begin(), whole.end(), [](bool b) { return b; }))
    return Invalid("no row for any workload");
  std::shared_ptr<OutcomeModel> m(new OutcomeModel(std::move(spec)));
  m->covers_ = whole;
  // Payload rows, then full cells: each needs its parent and appears once.
  for (const Cell& c : m->spec_.cells) {
    if (!c.payload_kb || c.time_window) continue;
    auto& pw = m->by_workload_[static_cast<size_t>(c.workload)];
    if (std::find(pw.payloads.begin(), pw.payloads.end(), *c.payload_kb) != pw.payloads.end())
      return Invalid("a (workload, payload) row appears twice");
    pw.payloads.push_back(*c.payload_kb);
  }
  for (const Cell& c : m->spec_.cells) {
    if (!c.time_window) continue;
    const auto& pw = m->by_workload_[static_cast<size_t>(c.workload)];
    if (std::find(pw.payloads.begin(), pw.payloads.end(), *c.payload_kb) == pw.payloads.end())
      return Invalid("a full cell has no (workload, payload) row");
  }
  m->Build();
  return std::shared_ptr<const OutcomeModel>(std::move(m));
}

void OutcomeModel::Build() {
  const double k = spec_.shrinkage;
  std::array<std::array<Stats, 2>, features::kWorkloadCount> top{};
  for (const Cell& c : spec_.cells) {
    if (!c.payload_kb) top[static_cast<size_t>(c.workload)] = {*c.platform[0], *c.platform[1]};
  }
  for (size_t w = 0; w < by_workload_.size(); ++w) {
    auto& pw = by_workload_[w];
    std::sort(pw.payloads.begin(), pw.payloads.end());
    if (pw.payloads.empty()) pw.payloads.push_back(0);  // the workload's row answers everything
    pw.log_payloads.clear();
    for (double p : pw.payloads) pw.log_payloads.push_back(std::log1p(p));
    pw.table.assign(pw.payloads.size(), {});
    for (size_t i = 0; i < pw.payloads.size(); ++i) {
      std::array<Stats, 2> mid = top[w];
      for (const Cell& c : spec_.cells) {
        if (static_cast<size_t>(c.workload) != w || !c.payload_kb || c.time_window ||
            *c.payload_kb != pw.payloads[i])
          continue;
        for (size_t p = 0; p < 2; ++p) {
          if (c.platform[p]) mid[p] = Shrink(*c.platform[p], top[w][p], k);
        }
      }
      for (auto& ctx : pw.table[i]) ctx = mid;
      for (const Cell& c : spec_.cells) {
        if (static_cast<size_t>(c.workload) != w || !c.time_window ||
            *c.payload_kb != pw.payloads[i])
          continue;
        auto& slot = pw.table[i][Context(*c.time_window, *c.load_pattern)];
        for (size_t p = 0; p < 2; ++p) {
          if (c.platform[p]) slot[p] = Shrink(*c.platform[p], mid[p], k);
        }
      }
    }
  }
}

void OutcomeModel::Estimate(const features::Request& req,
                            std::array<outcome::Estimate, 2>& out) const {
  const PerWorkload& pw = by_workload_[static_cast<size_t>(req.workload)];
  const size_t ctx = Context(req.time_window, req.load_pattern);
  // At a measured size, or beyond them, that size's row (features::NearestSize: the rule the
  // replay, emulate and train match payloads by); between two, interpolated in log(1 + KB).
  const size_t near = features::NearestSize(pw.payloads, req.payload_kb);
  if (!(req.payload_kb > pw.payloads.front() && req.payload_kb < pw.payloads.back()) ||
      req.payload_kb == pw.payloads[near]) {
    out = pw.table[near][ctx];
    return;
  }
  const size_t lo = req.payload_kb < pw.payloads[near] ? near - 1 : near;
  const size_t hi = lo + 1;
  const double x = std::log1p(req.payload_kb);
  const double f = (x - pw.log_payloads[lo]) / (pw.log_payloads[hi] - pw.log_payloads[lo]);
  for (size_t p = 0; p < 2; ++p)
    out[p] = Blend(pw.table[lo][ctx][p], pw.table[hi][ctx][p], 1 - f, f);
}

}  // namespace hr::outcome
