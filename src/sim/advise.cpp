#include "sim/advise.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace hr::sim {

namespace {

using features::Workload;

// The base traffic restricted to one workload.
SimConfig OneWorkload(const SimConfig& base, Workload w, double& peak_rate) {
  SimConfig c = base;
  const size_t wi = static_cast<size_t>(w);
  c.arrivals.mix = {};
  c.arrivals.mix[wi] = 1;
  const double share = base.arrivals.mix[wi];
  switch (base.arrivals.kind) {
    case ArrivalSpec::Kind::kPoisson:
    case ArrivalSpec::Kind::kUniform:
      c.arrivals.rate = base.arrivals.rate * share;
      peak_rate = c.arrivals.rate;
      break;
    case ArrivalSpec::Kind::kProfile:
      peak_rate = 0;
      for (ProfilePoint& p : c.arrivals.profile) {
        p.rate *= share;
        peak_rate = std::max(peak_rate, p.rate);
      }
      break;
    case ArrivalSpec::Kind::kTrace: {
      auto trace = std::make_shared<std::vector<TraceEntry>>();
      for (const TraceEntry& e : *base.arrivals.trace)
        if (e.workload == w) trace->push_back(e);
      // The busiest minute.
      size_t lo = 0, most = 0;
      for (size_t hi = 0; hi < trace->size(); ++hi) {
        while ((*trace)[hi].t_s - (*trace)[lo].t_s >= 60) ++lo;
        most = std::max(most, hi - lo + 1);
      }
      peak_rate = static_cast<double>(most) / 60;
      c.arrivals.trace = std::move(trace);
      break;
    }
  }
  return c;
}

bool Used(const SimConfig& base, Workload w) {
  if (base.arrivals.kind != ArrivalSpec::Kind::kTrace)
    return base.arrivals.mix[static_cast<size_t>(w)] > 0;
  return std::any_of(base.arrivals.trace->begin(), base.arrivals.trace->end(),
                     [&](const TraceEntry& e) { return e.workload == w; });
}

}  // namespace

bool Dominates(const SimResult& a, const SimResult& b) {
  const double ca = a.cost_usd.total, cb = b.cost_usd.total;
  const double pa = a.response_ms.p95, pb = b.response_ms.p95;
  return ca <= cb && pa <= pb && (ca < cb * (1 - kCostMargin) || pa < pb * (1 - kP95Margin));
}

core::Result<std::vector<Advice>> Advise(const SimConfig& base, const ServiceTimes& times,
                                         double p95_target_ms, const SimProgress& progress) {
  if (auto s = base.Validate(); !s) return s.error();
  std::vector<Advice> out;
  for (size_t wi = 0; wi < features::kWorkloadCount; ++wi) {
    const Workload w = static_cast<Workload>(wi);
    if (!Used(base, w)) continue;
    double peak = 0;
    SimConfig one = OneWorkload(base, w, peak);
    Advice a;
    a.workload = w;
    auto run = [&](int tasks) -> core::Result<SimResult> {
      SimConfig c = one;
      if (tasks == 0) {
        c.policy.kind = PolicySpec::Kind::kLambdaOnly;
      } else {
        c.policy.kind = PolicySpec::Kind::kSpillover;
        c.ecs.tasks = tasks;
        c.ecs.min_tasks = 1;
        c.ecs.max_tasks = std::max(c.ecs.max_tasks, tasks);
        c.ecs.autoscale = false;
        c.ecs.dispatch = Dispatch::kLeastOutstanding;
      }
      c.policy.name = "spillover:" + std::to_string(tasks);
      auto r = Simulate(c, times);
      if (r && progress) progress(static_cast<double>(tasks));
      return r;
    };
    std::map<int, SimResult> tried;
    auto try_tasks = [&](int n) -> core::Status {
      if (tried.count(n)) return {};
      auto r = run(n);
      if (!r) return r.error();
      tried.emplace(n, std::move(*r));
      return {};
    };
    // Beyond what the peak fills at full utilisation, more tasks only cost more.
    const int most = std::max(
        1, static_cast<int>(std::ceil(peak * times.MeanEcsBusyMs(w) / 1000 / one.ecs.concurrency)) +
               1);
    std::vector<int> grid = {0};
    for (int n = 1; n < most; n = std::max(n + 1, (n * 7 + 2) / 5)) grid.push_back(n);  // x1.4
    grid.push_back(most);
    for (int n : grid)
      if (auto s = try_tasks(n); !s) return s.error();
    auto pick = [&] {
      int best = -1;
      for (const auto& [n, r] : tried) {
        const bool ok = p95_target_ms <= 0 || r.response_ms.p95 <= p95_target_ms;
        if (ok && (best < 0 || r.cost_usd.total < tried.at(best).cost_usd.total)) best = n;
      }
      return best;
    };
    // Refine between the best grid point's neighbours.
    int best = pick();
    if (best >= 0) {
      const auto it = std::find(grid.begin(), grid.end(), best);
      const int lo = it == grid.begin() ? best : *(it - 1);
      const int hi = it + 1 == grid.end() ? best : *(it + 1);
      const int step = std::max(1, (hi - lo) / 12);
      for (int n = lo + 1; n < hi; n += step)
        if (auto s = try_tasks(n); !s) return s.error();
      best = pick();
    }
    if (best < 0) {  // nothing meets the target: the fastest
      a.meets_target = false;
      best = std::min_element(tried.begin(), tried.end(), [](const auto& x, const auto& y) {
               return x.second.response_ms.p95 < y.second.response_ms.p95;
             })->first;
    }
    a.tasks = best;
    a.advised = tried.at(best);
    a.lambda_only = tried.at(0);
    a.lambda_only.policy = "lambda-only";
    SimConfig e = one;
    e.policy.kind = PolicySpec::Kind::kEcsOnly;
    e.policy.name = "ecs-only";
    auto ecs = Simulate(e, times);
    if (!ecs) return ecs.error();
    a.ecs_only = std::move(*ecs);
    for (auto& [n, r] : tried) a.tried.emplace_back(n, std::move(r));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace hr::sim
